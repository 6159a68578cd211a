//! `rolecall assume`: credentials for a profile, printed as code for the caller's shell.
//! stdout carries nothing but that code; everything a person reads goes to stderr or the tty.

use crate::cli::AssumeArgs;
use crate::shell::env::{EnvChange, Snapshot};
use anyhow::{Result, bail};
use std::process::ExitCode;

/// The profile an `assume`/`asp` argument names: `-` is the one before the last switch; no
/// argument on a terminal opens the picker.
pub fn target(arg: Option<&str>) -> Result<String> {
    match arg {
        None if crate::ui::picker::available() => choose(),
        Some("-") => match std::env::var("ROLECALL_PREVIOUS").ok().filter(|p| !p.is_empty()) {
            Some(previous) => Ok(previous),
            None => bail!("no previous profile in this shell"),
        },
        Some(name) => Ok(name.to_owned()),
        None => bail!("name a profile: rolecall list shows them (the picker needs a terminal)"),
    }
}

/// The picker over every profile: most recently used first, then file order; kind, region,
/// account and the time left of cached credentials beside each name.
fn choose() -> Result<String> {
    use crate::files::catalog::Kind;
    let files = super::load_checked()?;
    let set = &files.profiles;
    if set.profiles().len() == 0 {
        return Err(crate::creds::fetch::no_profiles(&files));
    }
    let now = crate::util::time::now();
    let expiries: std::collections::HashMap<String, i64> = crate::ui::recent::expiries().into_iter().collect();
    let item = |p: crate::files::merge::Section| {
        let account = crate::files::catalog::account_id(p).unwrap_or("");
        let left = match expiries.get(p.name()) {
            Some(t) if *t > now => crate::util::time::human_left(t - now),
            _ => String::new(),
        };
        let region = p.get(crate::files::Key::Region).unwrap_or("");
        // The rule `list` and `doctor` use: a profile that gives no credentials says so here too.
        let left = match crate::files::chain::resolve_credentials(set, p) {
            Ok(_) => left,
            Err(_) => "unusable: see rolecall doctor".to_owned(),
        };
        crate::ui::picker::Item {
            name: p.name().to_owned(),
            detail: format!("{:<11} {:<15} {:<12} {left}", Kind::of(p).as_str(), region, account),
        }
    };
    let recent = crate::ui::recent::recent();
    let mut items: Vec<crate::ui::picker::Item> = recent.iter().filter_map(|n| set.profile(n)).map(item).collect();
    items.extend(set.profiles().filter(|p| !recent.iter().any(|r| r == p.name())).map(item));
    match crate::ui::picker::pick(&items, "profile")? {
        Some(name) => Ok(name),
        None => Err(anyhow::anyhow!(crate::Cancelled)),
    }
}

pub fn run(args: AssumeArgs) -> Result<ExitCode> {
    if args.unset {
        return print(&args, &EnvChange::unset_all(&Snapshot::from_process()));
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
    let files = super::load_for_credentials()?;
    let before = Snapshot::from_process();
    let env = match assumed(&files, profile, &args.creds, &before) {
        // An SSO profile without a valid login: sign in (when the person agrees), then again.
        Err(e) if super::login::offer(&files, profile, &e)? => assumed(&files, profile, &args.creds, &before)?,
        other => other?,
    };
    print(&args, &env)
}

/// The change that puts `profile`'s credentials in a shell that holds `before`.
pub fn assumed(
    files: &crate::files::AwsFiles,
    profile: &str,
    creds: &crate::cli::CredsArgs,
    before: &Snapshot,
) -> Result<EnvChange> {
    let outcome = super::fetch(files, profile, creds)?;
    crate::ui::recent::touch(profile);
    if let Some(expires_at) = outcome.creds.expires_at {
        crate::ui::recent::note_expiry(profile, expires_at);
    }
    Ok(EnvChange::assume(profile, &outcome.creds, outcome.region.as_deref(), before))
}

fn print(args: &AssumeArgs, env: &EnvChange) -> Result<ExitCode> {
    let Some(kind) = args.shell else {
        bail!("pass --shell: bash, zsh, fish, powershell, json or env");
    };
    let text = env.render(super::format(kind))?;
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
