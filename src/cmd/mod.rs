//! One file per subcommand: Args -> library -> output. No command calls another; what several do
//! alike is here (fetch with the notes a person sees, change the files and say what was written,
//! print the doctor's findings, sign in). Only this module knows about the command line.

pub mod allow;
pub mod asp;
pub mod assume;
pub mod completions;
pub mod configure;
pub mod console;
pub mod credential_process;
pub mod dir;
pub mod doctor;
pub mod edit;
pub mod eks;
pub mod exec;
pub mod export;
pub mod init;
pub mod list;
pub mod prompt;
pub mod rename;
pub mod rotate;
pub mod setup;
pub mod sso;
pub mod sso_login;
pub mod vault;
pub mod whoami;

use crate::cli::Command;
use crate::config::Config;
use crate::files::{AwsFiles, Content};
use crate::shell::env::Shell;
use anyhow::{Context, Result, bail};
use std::io::{self, Write};
use std::process::ExitCode;

pub fn run(command: Command, cfg: &Config) -> Result<ExitCode> {
    match command {
        Command::List(args) => list::run(cfg, args),
        Command::Doctor(args) => doctor::run(cfg, args),
        // `assume -c` is the console's other name: the shell is left as it is.
        Command::Assume(args) if args.console => {
            console::open(cfg, args.profile.as_deref(), &args.console_opts, &args.creds)
        }
        Command::Assume(args) => assume::run(cfg, args),
        Command::Console(args) => console::run(cfg, args),
        Command::Exec(args) => exec::run(cfg, args),
        Command::Export(args) => export::run(cfg, args),
        Command::CredentialProcess(args) => credential_process::run(cfg, args),
        Command::Whoami(args) => whoami::run(cfg, args),
        Command::Asp(args) => asp::run(cfg, args),
        Command::Init(args) => init::run(cfg, args),
        Command::Allow(args) => allow::run(cfg, args),
        Command::Deny(args) => allow::deny(cfg, args),
        Command::Dir(args) => dir::run(cfg, args),
        Command::Completions(args) => completions::run(args),
        Command::Flags(args) => completions::flags(args),
        Command::Configure(args) => configure::run(cfg, args),
        Command::Login(args) => sso_login::run(cfg, args),
        Command::Logout(args) => sso_login::logout(cfg, args),
        Command::Eks(crate::cli::EksAction::Token(args)) => eks::token(cfg, args),
        Command::Eks(crate::cli::EksAction::Kubeconfig(args)) => eks::kubeconfig(cfg, args),
        Command::Sso(crate::cli::SsoAction::Populate { sso_session, prefix, dry_run }) => {
            sso::populate(cfg, sso_session.as_deref(), &prefix, dry_run, None)
        }
        Command::Setup => setup::run(cfg),
        Command::Rotate(args) => rotate::run(cfg, args),
        Command::Vault(action) => vault::run(cfg, action),
        Command::Edit(args) => edit::run(cfg, args),
        Command::Rename(args) => rename::rename(cfg, args),
        Command::Rm(args) => rename::rm(cfg, args),
        Command::Prompt(args) => prompt::run(cfg, args),
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
        ShellArg::Nu => Format::Shell(Shell::Nu),
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
        InitShell::Nu => Shell::Nu,
    }
}

/// Load the AWS files for a command that needs them readable.
fn load_checked(cfg: &Config) -> Result<AwsFiles> {
    let files = AwsFiles::load(cfg);
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

/// Change the files ([`crate::files::change::change`]) and say what was written; whether
/// anything was.
fn change_files(
    cfg: &Config,
    edit: impl FnOnce(&mut crate::files::change::Files, &crate::files::ProfileSet) -> Result<()>,
    verify: impl FnOnce(&crate::files::ProfileSet) -> Result<()>,
) -> Result<bool> {
    Ok(said(&crate::files::change::change(cfg, &crate::ui::notice, edit, verify)?))
}

/// Say which files an edit wrote (or that there was nothing to change); whether it wrote any.
fn said(written: &[crate::files::change::Written]) -> bool {
    crate::files::change::tell(written, &crate::ui::notice);
    !written.is_empty()
}

/// The doctor's findings on stdout (for people, or JSON); failure when one is an error.
fn print_findings(
    cfg: &Config,
    files: &AwsFiles,
    findings: &[crate::files::doctor::Finding],
    json: bool,
) -> Result<ExitCode> {
    write_stdout(|out| {
        if json {
            crate::util::json::write_lines(out, findings)
        } else {
            crate::ui::report::findings(out, files, findings, crate::ui::style::Style::for_stdout(cfg))
        }
    })?;
    let failed = findings.iter().any(|f| f.severity == crate::files::doctor::Severity::Error);
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
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
fn engine_options(args: &crate::cli::CredsArgs) -> Result<crate::creds::options::Options> {
    let duration = |flag: &str, value: &Option<String>| -> Result<Option<u64>> {
        value
            .as_deref()
            .map(|v| {
                crate::util::time::parse_duration(v)
                    .with_context(|| format!("{flag} {v:?}: expected seconds or a duration like 90m or 1h"))
            })
            .transpose()
    };
    Ok(crate::creds::options::Options {
        mfa_code: args.mfa_code.clone(),
        region: args.region.clone(),
        duration: duration("--duration", &args.duration)?,
        mfa_duration: duration("--mfa-duration", &args.mfa_duration)?,
        refresh: args.refresh,
        no_cache: args.no_cache,
        no_mfa_session: args.no_mfa_session,
        no_prompt: args.no_prompt,
        cached_only: false,
        direct: false,
        http_client: None,
        http_connector: None,
        ask: Some(crate::ui::tty::person()),
    })
}

/// A `--region` that matches no AWS region's pattern is said (the same warning as `configure set
/// … region`), not silently exported.
fn warn_region(args: &crate::cli::CredsArgs) {
    if let Some(w) = args.region.as_deref().and_then(crate::aws::endpoint::region_warning) {
        eprintln!("rolecall: warning: {w}");
    }
}

/// The files, for a command that gets credentials: readable, and at least one of them there.
fn load_for_credentials(cfg: &Config) -> Result<AwsFiles> {
    let files = load_checked(cfg)?;
    if !files.any_exists() {
        return Err(crate::files::chain::no_files(&files));
    }
    Ok(files)
}

/// A profile's credentials, with the notes a person should see.
fn fetch(
    cfg: &Config,
    files: &AwsFiles,
    profile: &str,
    args: &crate::cli::CredsArgs,
) -> Result<crate::creds::options::Outcome> {
    let options = engine_options(args)?;
    warn_region(args);
    let outcome = crate::creds::fetch::credentials(cfg, files, profile, &options, &crate::ui::notice)?;
    if outcome.long_term {
        eprintln!(
            "rolecall: `{}` has long-term keys and no mfa_serial: exported as they are (no expiry)",
            crate::util::text::printable(profile)
        );
    }
    Ok(outcome)
}

/// Run `command` with `profile`'s credentials served by a local credential server
/// ([`crate::serve::run::run_served`]).
fn serve_command(
    cfg: &Config,
    files: &AwsFiles,
    profile: &str,
    args: &crate::cli::CredsArgs,
    outcome: crate::creds::options::Outcome,
    command: &[String],
) -> Result<ExitCode> {
    let options = engine_options(args)?;
    let notify = Box::new(crate::ui::notice);
    crate::serve::run::run_served(cfg, files, profile, &options, outcome, command, notify)
}

/// The profile an `assume`/`asp` argument names: `-` is the one before the last switch; no
/// argument on a terminal opens the picker.
pub(super) fn target(cfg: &Config, arg: Option<&str>) -> Result<String> {
    match arg {
        None if crate::ui::picker::available() => {
            let files = load_checked(cfg)?;
            if files.profiles.profiles().len() == 0 {
                return Err(crate::files::chain::no_profiles(&files));
            }
            match crate::ui::picker::pick(&crate::ui::picker::profile_items(cfg, &files), "profile")? {
                Some(name) => Ok(name),
                None => Err(anyhow::anyhow!(crate::error::Cancelled)),
            }
        }
        Some("-") => match cfg.var("ROLECALL_PREVIOUS") {
            Some(previous) => Ok(previous),
            None => bail!("no previous profile in this shell"),
        },
        Some(name) => Ok(name.to_owned()),
        None => bail!("name a profile: rolecall list shows them (the picker needs a terminal)"),
    }
}

/// [`fetch`], and when an SSO or console profile has no valid sign-in and the person agrees, sign in and
/// fetch again.
fn fetch_signing_in(
    cfg: &Config,
    files: &AwsFiles,
    profile: &str,
    args: &crate::cli::CredsArgs,
) -> Result<crate::creds::options::Outcome> {
    match fetch(cfg, files, profile, args) {
        // Never from a hook's auto-refresh (--no-prompt): a hook does not ask.
        Err(e) if !args.no_prompt && crate::ui::sign_in::offer(cfg, files, profile, &e)? => {
            fetch(cfg, files, profile, args)
        }
        other => other,
    }
}

/// `AWS_PROFILE`, else `default`.
fn profile_or_default(cfg: &Config) -> String {
    cfg.var("AWS_PROFILE").unwrap_or_else(|| "default".to_owned())
}
