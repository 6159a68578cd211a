//! `rolecall login [PROFILE | --sso-session NAME]`: sign in to IAM Identity Center with the
//! device-authorization flow and store the token where the AWS CLI keeps it, so one login serves
//! both. `assume` of an SSO profile without a valid token offers to run it.

use crate::aws::http::Http;
use crate::aws::sso::{self, Login, NeedsLogin};
use crate::files::chain::Base;
use crate::files::{AwsFiles, Key};
use anyhow::{Context, Result, bail};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

/// The sign-in a profile (or an `[sso-session]`) uses.
fn login_for<'a>(files: &'a AwsFiles, profile: Option<&str>, session: Option<&'a str>) -> Result<Login<'a>> {
    let set = &files.profiles;
    if let Some(name) = session {
        let section =
            set.sso_session(name).with_context(|| format!("no [sso-session {name}] in {}", files.config.display))?;
        let get = |key: Key| section.get(key).with_context(|| format!("[sso-session {name}] has no {}", key.as_str()));
        return crate::creds::fetch::sso_login(
            set,
            None,
            Some(section.name()),
            get(Key::SsoStartUrl)?,
            get(Key::SsoRegion)?,
            section.get("sso_registration_scopes"),
        );
    }
    let name = profile.map(str::to_owned).or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let name = name.unwrap_or_else(|| "default".to_owned());
    let Some(section) = set.profile(&name) else {
        return Err(crate::creds::fetch::plan(files, &name)
            .err()
            .unwrap_or_else(|| anyhow::anyhow!("profile `{name}` not found")));
    };
    // A profile that only signs in (no account and role) is what `login` is for: the chain, not
    // the credentials check.
    let plan = crate::files::chain::resolve(set, section.name())
        .map_err(|e| anyhow::anyhow!("{e} (run 'rolecall doctor')"))?;
    let Base::Sso { session_name, region, start_url, .. } = plan.base else {
        bail!("profile `{name}` does not sign in through IAM Identity Center (no sso_session or sso_start_url)");
    };
    let scopes = session_name.and_then(|s| set.sso_session(s)).and_then(|s| s.get("sso_registration_scopes"));
    crate::creds::fetch::sso_login(set, Some(section), session_name, start_url, region, scopes)
}

/// Open `url` in a browser when there is one to open (never in a plain terminal session).
fn open_browser(url: &str) {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let program = env("BROWSER").or_else(|| {
        if cfg!(target_os = "macos") {
            Some("open".into())
        } else if env("DISPLAY").is_some() || env("WAYLAND_DISPLAY").is_some() {
            Some("xdg-open".into())
        } else {
            None
        }
    });
    if let Some(program) = program {
        let _ = std::process::Command::new(program)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}

/// Run the device flow for `login`, talking to the person on stderr.
pub fn sign_in(login: &Login, no_browser: bool) -> Result<()> {
    let runtime = crate::runtime()?;
    let http = Http::new(None, Duration::from_secs(15));
    let progress = std::io::stderr().is_terminal();
    let mut waited = 0u32;
    let path = runtime.block_on(sso::login(
        &http,
        login,
        |prompt| {
            let direct = prompt.url_complete.as_deref().unwrap_or(&prompt.url);
            let p = crate::ui::style::printable;
            eprintln!("rolecall: sign in to {} in a browser:", p(login.start_url));
            eprintln!("  {}", p(direct));
            eprintln!("  (or open {} and enter the code {})", p(&prompt.url), p(&prompt.user_code));
            if !no_browser {
                open_browser(direct);
            }
        },
        || {
            waited += 1;
            if progress {
                eprint!("\rrolecall: waiting for the sign-in to be approved ({waited})… Ctrl-C cancels");
            }
        },
    ));
    if progress {
        eprintln!();
    }
    let path = path?;
    eprintln!(
        "rolecall: signed in to {}; the token is in {} (the aws CLI reads it too)",
        login.describe(),
        path.display()
    );
    Ok(())
}

pub fn run(profile: Option<&str>, session: Option<&str>, no_browser: bool) -> Result<ExitCode> {
    let files = super::load_checked()?;
    let login = login_for(&files, profile, session)?;
    sign_in(&login, no_browser)?;
    Ok(ExitCode::SUCCESS)
}

/// When `err` says an SSO profile needs a login and there is a terminal, offer to sign in now;
/// whether it did (the caller then tries again).
pub fn offer(files: &AwsFiles, profile: &str, err: &anyhow::Error) -> Result<bool> {
    let Some(needs) = err.downcast_ref::<NeedsLogin>() else { return Ok(false) };
    if !crate::ui::picker::available() {
        return Ok(false);
    }
    if !super::editing::confirm(&format!("rolecall: {needs}. Sign in now?"), "")? {
        return Ok(false);
    }
    let login = login_for(files, Some(profile), None)?;
    sign_in(&login, false)?;
    Ok(true)
}
