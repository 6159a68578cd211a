//! `rolecall assume`: credentials for a profile, printed as code for the caller's shell.
//! stdout carries nothing but that code; everything a person reads goes to stderr or the tty.

use crate::cli::AssumeArgs;
use crate::config::Config;
use crate::shell::env::{EnvChange, Snapshot};
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(cfg: &Config, args: AssumeArgs) -> Result<ExitCode> {
    let c = &args.console_opts;
    if c.service.is_some() || c.destination.is_some() || c.url || c.copy {
        bail!("--service, --destination, --url and --copy are the console's: add -c (assume -c PROFILE)");
    }
    let before = Snapshot::from_config(cfg);
    if args.unset {
        return print(&args, &EnvChange::unset_all(&before));
    }
    let profile = super::target(cfg, args.profile.as_deref())?;
    let profile = profile.as_str();
    if !args.command.is_empty() {
        let files = super::load_for_credentials(cfg)?;
        let outcome = super::fetch(cfg, &files, profile, &args.creds)?;
        if args.server {
            return super::serve_command(cfg, &files, profile, &args.creds, outcome, &args.command);
        }
        match crate::serve::command::exec(profile, &outcome, &before, &args.command)? {}
    }
    if args.server {
        bail!("--server serves a command: assume PROFILE --server -- CMD");
    }
    if args.shell.is_none() {
        bail!(
            "rolecall assume prints shell code: use the `assume` function of `rolecall init <shell>`, or pass --shell"
        );
    }
    let files = super::load_for_credentials(cfg)?;
    let outcome = super::fetch_signing_in(cfg, &files, profile, &args.creds)?;
    print(&args, &crate::shell::switch::assumed(cfg, profile, &outcome, &before))?;
    // One line on success, as granted and awsume say it: profile · account · region · until.
    let quiet = args.quiet
        || cfg.var("ROLECALL_QUIET").is_some_and(|v| v != "0")
        || cfg.setting("quiet").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let for_a_shell =
        matches!(args.shell, Some(kind) if matches!(super::format(kind), crate::shell::env::Format::Shell(_)));
    if let (false, true, Some(expires)) = (quiet, for_a_shell, outcome.creds.expires_at) {
        let mut parts = vec![crate::util::text::printable(profile)];
        parts.extend(outcome.creds.account_id.as_deref().map(crate::util::text::printable));
        parts.extend(outcome.region.as_deref().map(crate::util::text::printable));
        parts.push(format!("until {}", crate::util::time::local_hm(expires)));
        eprintln!("{}", parts.join(" · "));
    }
    Ok(ExitCode::SUCCESS)
}

fn print(args: &AssumeArgs, env: &EnvChange) -> Result<ExitCode> {
    let Some(kind) = args.shell else {
        bail!("pass --shell: bash, zsh, fish, powershell, json or env");
    };
    let text = env.render(super::format(kind))?;
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
