//! `rolecall assume`: credentials for a profile, printed as code for the caller's shell.
//! stdout carries nothing but that code; everything a person reads goes to stderr or the tty.

use crate::cli::AssumeArgs;
use crate::shellenv::EnvChange;
use anyhow::{Result, bail};
use std::process::ExitCode;

/// The profile active in this shell before the switch (for `assume -`).
pub fn previous_profile() -> Option<String> {
    ["ROLECALL_PROFILE", "AWS_PROFILE"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// The profile an `assume`/`asp` argument names: `-` is the one before the last switch.
pub fn target(arg: Option<&str>) -> Result<String> {
    match arg {
        Some("-") => match std::env::var("ROLECALL_PREVIOUS").ok().filter(|p| !p.is_empty()) {
            Some(previous) => Ok(previous),
            None => bail!("no previous profile in this shell"),
        },
        Some(name) => Ok(name.to_owned()),
        None => bail!("name a profile: rolecall list shows them"),
    }
}

pub fn run(args: AssumeArgs) -> Result<ExitCode> {
    if args.unset {
        return print(&args, &EnvChange::unset_all());
    }
    let profile = target(args.profile.as_deref())?;
    let profile = profile.as_str();
    if !args.command.is_empty() {
        return super::exec::run(profile, &args.creds, &args.command);
    }
    if args.shell.is_none() {
        bail!(
            "rolecall assume prints shell code: use the `assume` function of `rolecall init <shell>`, or pass --shell"
        );
    }
    let outcome = super::fetch(profile, &args.creds)?;
    let previous = previous_profile();
    let env = EnvChange::assume(profile, &outcome.creds, outcome.region.as_deref(), previous.as_deref());
    print(&args, &env)
}

fn print(args: &AssumeArgs, env: &EnvChange) -> Result<ExitCode> {
    let Some(kind) = args.shell else {
        bail!("pass --shell: bash, zsh, fish, powershell, json or env");
    };
    let text = env.render(kind);
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
