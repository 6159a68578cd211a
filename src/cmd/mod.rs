//! One file per subcommand. Only this module knows about the command line.

pub mod allow;
pub mod asp;
pub mod assume;
pub mod completions;
pub mod configure;
pub mod credential_process;
pub mod dir;
pub mod doctor;
pub mod edit;
pub mod editing;
pub mod exec;
pub mod init;
pub mod list;
pub mod login;
pub mod prompt;
pub mod rename;
pub mod rotate;
pub mod setup;
pub mod sso;
pub mod whoami;

use crate::cli::Command;
use crate::files::{AwsFiles, Content};
use crate::shell::env::Shell;
use anyhow::{Context, Result, bail};
use std::io::{self, Write};
use std::process::ExitCode;

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::List { names, json } => list::run(names, json),
        Command::Doctor { json, online } => doctor::run(json, online),
        Command::Assume(args) => assume::run(args),
        Command::Exec { profile, creds, command } => exec::run(&profile, &creds, &command),
        Command::CredentialProcess { profile, creds } => credential_process::run(&profile, &creds),
        Command::Whoami { profile, json, creds } => whoami::run(profile.as_deref(), json, &creds),
        Command::Asp { profile, shell, unset } => asp::run(profile.as_deref(), shell.map(format), unset),
        Command::Init { shell, assume_cmd, asp_cmd, prompt, no_dir } => {
            init::run(shell, &assume_cmd, &asp_cmd, init::Parts { prompt, dir: !no_dir })
        }
        Command::Allow { list: true, json, .. } => allow::list(json),
        Command::Allow { path, .. } => allow::allow(path.as_deref()),
        Command::Deny { path } => allow::deny(path.as_deref()),
        Command::Dir { file, shell, json } => {
            dir::run(file.as_deref().map(std::path::Path::new), shell.map(self::shell), json)
        }
        Command::Completions { shell } => completions::run(shell),
        Command::Configure(args) => configure::run(args),
        Command::Login { profile, sso_session, no_browser } => {
            login::run(profile.as_deref(), sso_session.as_deref(), no_browser)
        }
        Command::Sso(crate::cli::SsoAction::Populate { sso_session, prefix, dry_run }) => {
            sso::populate(sso_session.as_deref(), &prefix, dry_run, None)
        }
        Command::Setup => setup::run(),
        Command::Rotate { profile } => rotate::run(&profile),
        Command::Edit { file, force } => edit::run(file, force),
        Command::Rename { old, new } => rename::rename(&old, &new),
        Command::Rm { profile, force, yes } => rename::rm(&profile, force, yes),
        Command::Prompt { format, color } => prompt::run(&format, color),
    }
}

/// The output format `--shell` names.
pub fn format(arg: crate::cli::ShellArg) -> crate::shell::env::Format {
    use crate::cli::ShellArg;
    use crate::shell::env::Format;
    match arg {
        ShellArg::Bash => Format::Shell(Shell::Bash),
        ShellArg::Zsh => Format::Shell(Shell::Zsh),
        ShellArg::Fish => Format::Shell(Shell::Fish),
        ShellArg::Powershell => Format::Shell(Shell::Powershell),
        ShellArg::Json => Format::Json,
        ShellArg::Env => Format::Env,
    }
}

/// The shell an init script is for.
pub fn shell(arg: crate::cli::InitShell) -> Shell {
    use crate::cli::InitShell;
    match arg {
        InitShell::Bash => Shell::Bash,
        InitShell::Zsh => Shell::Zsh,
        InitShell::Fish => Shell::Fish,
        InitShell::Powershell => Shell::Powershell,
    }
}

/// Load the AWS files for a command that needs them readable.
fn load_checked() -> Result<AwsFiles> {
    let files = AwsFiles::load();
    if let Err(e) = files.check() {
        bail!("{e:#} (run 'rolecall doctor')");
    }
    for file in [&files.config, &files.credentials] {
        if matches!(file.content, Content::NotUtf8) {
            eprintln!("rolecall: warning: {} is not UTF-8 text; ignored, as the AWS SDKs do", file.display);
        }
    }
    Ok(files)
}

/// Write to stdout through one buffer; a closed pipe (`rolecall list | head`) is not an error.
fn write_stdout(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    match f(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// The engine's options from the command line.
fn engine_options(args: &crate::cli::CredsArgs) -> Result<crate::creds::fetch::Options> {
    let duration = |flag: &str, value: &Option<String>| -> Result<Option<u64>> {
        value
            .as_deref()
            .map(|v| {
                crate::util::time::parse_duration(v)
                    .with_context(|| format!("{flag} {v:?}: expected seconds or a duration like 90m or 1h"))
            })
            .transpose()
    };
    Ok(crate::creds::fetch::Options {
        mfa_code: args.mfa_code.clone(),
        region: args.region.clone(),
        duration: duration("--duration", &args.duration)?,
        mfa_duration: duration("--mfa-duration", &args.mfa_duration)?,
        refresh: args.refresh,
        no_cache: args.no_cache,
        no_mfa_session: args.no_mfa_session,
        http_client: None,
        http_connector: None,
    })
}

/// The files, for a command that gets credentials: readable, and at least one of them there.
fn load_for_credentials() -> Result<AwsFiles> {
    let files = load_checked()?;
    if !files.any_exists() {
        bail!(
            "no AWS config found ({} and {} do not exist): run 'rolecall setup'",
            files.config.display,
            files.credentials.display
        );
    }
    Ok(files)
}

/// A profile's credentials, with the notes a person should see.
fn fetch(files: &AwsFiles, profile: &str, args: &crate::cli::CredsArgs) -> Result<crate::creds::fetch::Outcome> {
    let options = engine_options(args)?;
    let outcome = crate::creds::fetch::credentials(files, profile, &options)?;
    if outcome.long_term {
        eprintln!("rolecall: `{profile}` has long-term keys and no mfa_serial: exported as they are (no expiry)");
    }
    Ok(outcome)
}
