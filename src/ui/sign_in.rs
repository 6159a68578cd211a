//! Signing in to IAM Identity Center with the person: the device flow told on stderr (the
//! browser opened unless asked not to), and the offer to sign in when a fetch needs it.

use crate::config::Config;
use crate::files::AwsFiles;
use anyhow::{Context, Result};

/// Sign in to IAM Identity Center for `login`, talking to the person on stderr: the
/// authorization code with PKCE in the browser for an `[sso-session]` (as the aws CLI does since
/// 2.22), the device flow for a legacy profile, with `device_code` (`--use-device-code`,
/// `--no-browser`), or where no browser can open (SSH without a display).
pub fn sso_sign_in(cfg: &Config, login: &crate::aws::sso::Login, device_code: bool) -> Result<()> {
    if login.session.is_some() && !device_code {
        if !remote_without_display(cfg) {
            return sso_pkce(cfg, login);
        }
        eprintln!("rolecall: no display here (SSH): signing in with a device code instead");
    }
    sso_device(cfg, login, device_code)
}

/// Over SSH with no display to open a browser on (Linux: neither `DISPLAY` nor `WAYLAND_DISPLAY`).
fn remote_without_display(cfg: &Config) -> bool {
    let display = cfg.var("DISPLAY").is_some() || cfg.var("WAYLAND_DISPLAY").is_some();
    let ssh = cfg.var("SSH_CONNECTION").is_some() || cfg.var("SSH_TTY").is_some();
    !cfg!(target_os = "macos") && ssh && !display
}

/// The PKCE sign-in: a registration for the authorization code (reused while valid), the page
/// opened through rolecall's launcher, the redirect taken on 127.0.0.1, the code redeemed.
fn sso_pkce(cfg: &Config, login: &crate::aws::sso::Login) -> Result<()> {
    use crate::aws::sso;
    let p = crate::util::text::printable;
    let runtime = crate::util::runtime()?;
    let http = crate::aws::http::Http::new(None, cfg.timeout());
    let reg = runtime.block_on(sso::registration(&http, login, sso::Grant::AuthorizationCode, cfg.now()))?;
    let callback = crate::ui::callback::Callback::start()?;
    let redirect_uri = callback.redirect_uri.clone();
    let (verifier, challenge) = crate::aws::signin::pkce()?;
    let state = crate::util::random::hex::<16>()?;
    let url = sso::authorize_url(login, &reg, &redirect_uri, &state, &challenge);
    eprintln!("rolecall: sign in to {} in the browser:", p(login.start_url));
    let choice = crate::ui::browser::Choice::parse(cfg.setting("console_browser").as_deref());
    let label = format!("sso-{}", login.session.unwrap_or("login"));
    let code = browser_code(cfg, callback, &state, &url, Some((&choice, &label)))?;
    let path = runtime.block_on(sso::redeem_code(&http, login, &reg, &code, &verifier, &redirect_uri, cfg.now()))?;
    eprintln!(
        "rolecall: signed in to {}; the token is in {} (the aws CLI reads it too)",
        login.describe(),
        path.display()
    );
    Ok(())
}

/// The device flow, talking to the person on stderr.
fn sso_device(cfg: &Config, login: &crate::aws::sso::Login, no_browser: bool) -> Result<()> {
    let runtime = crate::util::runtime()?;
    let http = crate::aws::http::Http::new(None, std::time::Duration::from_secs(15));
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut waited = 0u32;
    let path = runtime.block_on(crate::aws::sso::login(
        &http,
        login,
        |prompt| {
            let direct = prompt.url_complete.as_deref().unwrap_or(&prompt.url);
            let p = crate::util::text::printable;
            eprintln!("rolecall: sign in to {} in a browser:", p(login.start_url));
            eprintln!("  {}", p(direct));
            eprintln!("  (or open {} and enter the code {})", p(&prompt.url), p(&prompt.user_code));
            if !no_browser {
                crate::ui::browser::open(cfg, direct);
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

/// When `err` says an SSO profile needs a login and there is a terminal, offer to sign in now;
/// whether it did (the caller then tries again).
pub fn offer(cfg: &Config, files: &AwsFiles, profile: &str, err: &anyhow::Error) -> Result<bool> {
    if let Some(needs) = err.downcast_ref::<crate::creds::login::NeedsSignIn>() {
        let Some(base) = crate::files::chain::console_profile(&files.profiles, profile) else { return Ok(false) };
        if !crate::ui::picker::available() || !crate::ui::tty::confirm(&format!("rolecall: {needs}. Sign in now?"), "")?
        {
            return Ok(false);
        }
        console_sign_in(cfg, files, &base, Device::Same { open: true })?;
        return Ok(true);
    }
    let Some(needs) = err.downcast_ref::<crate::aws::sso::NeedsLogin>() else { return Ok(false) };
    if !crate::ui::picker::available() {
        return Ok(false);
    }
    if !crate::ui::tty::confirm(&format!("rolecall: {needs}. Sign in now?"), "")? {
        return Ok(false);
    }
    let login = crate::creds::settings::login_for(cfg, files, Some(profile), None)?;
    sso_sign_in(cfg, &login, false)?;
    Ok(true)
}

/// Keys that give a profile credentials other than a console session, and what the aws CLI calls
/// them when it refuses to add `login_session` beside them.
const OTHER_CREDENTIALS: &[(&str, &str)] = &[
    ("web_identity_token_file", "web identity"),
    ("sso_session", "SSO"),
    ("sso_role_name", "SSO"),
    ("sso_account_id", "SSO"),
    ("aws_access_key_id", "access key"),
    ("role_arn", "assume role"),
    ("credential_process", "credential_process"),
];

/// How a console sign-in goes: in a browser here (the redirect comes back to 127.0.0.1), or on
/// another device (the person pastes the code the page shows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Same { open: bool },
    Other,
}

/// Sign in with console credentials (`aws login`) for `profile`: the authorization page with
/// PKCE in the profile's browser (`console_browser`, `$BROWSER`, …), the code redeemed with a new
/// DPoP key, the session cached where the aws CLI and the SDKs read it, and `login_session` set
/// in the profile (created when missing). A profile with other credentials is refused, as the
/// aws CLI refuses it. The session's ARN.
pub fn console_sign_in(cfg: &Config, files: &AwsFiles, profile: &str, device: Device) -> Result<String> {
    use crate::aws::signin;
    use crate::creds::login;
    let p = crate::util::text::printable;
    crate::files::validate::check_name(profile)?;
    let set = &files.profiles;
    let section = set.profile(profile);
    if let Some(section) = section
        && let Some((_, what)) = OTHER_CREDENTIALS.iter().find(|(key, _)| section.get(*key).is_some())
    {
        anyhow::bail!(
            "profile `{}` already has {what} credentials: sign in to a new profile ('rolecall login --console NEW'), or remove them first",
            p(profile)
        );
    }
    let endpoint = login::endpoint(cfg, set, section, None)?;
    let key = crate::aws::dpop::Key::generate()?;
    let (verifier, challenge) = signin::pkce()?;
    let state = crate::util::random::hex::<16>()?;
    let browser =
        section.and_then(|s| s.get("console_browser").map(str::to_owned)).or_else(|| cfg.setting("console_browser"));
    let choice = crate::ui::browser::Choice::parse(browser.as_deref());
    // No browser here (SSH, no display, no BROWSER, no console_browser): another device.
    let device = match device {
        Device::Same { .. }
            if choice == crate::ui::browser::Choice::System && crate::ui::browser::system_commands(cfg).is_empty() =>
        {
            eprintln!("rolecall: no browser here (no display, no BROWSER): sign in on another device");
            Device::Other
        }
        d => d,
    };
    let (client_id, redirect_uri, callback) = match device {
        Device::Same { .. } => {
            let callback = crate::ui::callback::Callback::start()?;
            (signin::SAME_DEVICE, callback.redirect_uri.clone(), Some(callback))
        }
        Device::Other => (signin::CROSS_DEVICE, format!("{endpoint}/v1/sessions/confirmation"), None),
    };
    let url = signin::authorize_url(&endpoint, client_id, &state, &challenge, &redirect_uri);
    let code = match callback {
        Some(callback) => {
            eprintln!("rolecall: sign in to the AWS console for `{}` in the browser:", p(profile));
            let open = (device == (Device::Same { open: true })).then_some((&choice, profile));
            browser_code(cfg, callback, &state, &url, open)?
        }
        None => {
            eprintln!("rolecall: on a device with a browser, open");
            eprintln!("  {}", p(&url));
            let tty = crate::ui::tty::Tty::require(
                "signing in on another device needs the code typed here: run it in a terminal",
            )?;
            let pasted =
                tty.read_line("rolecall: the authorization code the page shows: ", crate::ui::tty::Echo::Hidden)?;
            let (code, got) =
                signin::parse_pasted_code(&pasted).context("that is not the code the sign-in page shows")?;
            if got != state {
                anyhow::bail!("that code is from another sign-in (its state differs): run the login again");
            }
            code
        }
    };
    let http = crate::aws::http::Http::new(None, cfg.timeout());
    let redeem = login::Redeem {
        endpoint: &endpoint,
        client_id,
        code: &code,
        verifier: &verifier,
        redirect_uri: &redirect_uri,
        key: &key,
    };
    let (arn, entry) = crate::util::runtime()?.block_on(login::redeem(&http, &redeem, cfg.now()))?;
    let dir = login::cache_dir(cfg).context("cannot find the console sign-in cache: HOME is not set")?;
    entry.write(&login::cache_path(&dir, &arn))?;
    if section.and_then(|s| s.get(crate::files::Key::LoginSession)) != Some(arn.as_str()) {
        let pairs = vec![("login_session", arn.clone())];
        let written = crate::files::change::set_pairs(cfg, &crate::ui::notice, profile, &pairs)?;
        crate::files::change::tell(&written, &crate::ui::notice);
    }
    eprintln!(
        "rolecall: signed in as {}; `{}` uses it (refreshed for up to 12 hours; the aws CLI and the SDKs read it too)",
        p(&arn),
        p(profile)
    );
    Ok(arn)
}

/// The authorization code of a browser sign-in: `url` shown, opened (when `open` names the
/// browser and the label of its data directory), and the redirect with `state` awaited on
/// `callback`.
fn browser_code(
    cfg: &Config,
    callback: crate::ui::callback::Callback,
    state: &str,
    url: &str,
    open: Option<(&crate::ui::browser::Choice, &str)>,
) -> Result<String> {
    eprintln!("  {}", crate::util::text::printable(url));
    if let Some((choice, label)) = open {
        match crate::ui::browser::launch(cfg, choice, label, url) {
            Ok(how) => eprintln!("rolecall: opened with {how}"),
            Err(e) => eprintln!("rolecall: {e:#}: open the address above yourself"),
        }
    }
    eprintln!("rolecall: waiting for the sign-in (at most 10 minutes; Ctrl-C cancels)");
    callback.wait(state, sign_in_wait(cfg))
}

/// How long the browser sign-in may take ([`crate::ui::callback::SIGN_IN_WAIT`]).
fn sign_in_wait(cfg: &Config) -> std::time::Duration {
    crate::ui::browser::waited(cfg, crate::ui::callback::SIGN_IN_WAIT)
}

/// Forget the console session of `profile` (its `login_session`): the cache entry is deleted.
pub fn console_sign_out(cfg: &Config, files: &AwsFiles, profile: &str) -> Result<()> {
    use crate::creds::login;
    let p = crate::util::text::printable;
    let section = files.profiles.profile(profile).with_context(|| format!("no profile `{}`", p(profile)))?;
    let arn = section
        .get(crate::files::Key::LoginSession)
        .with_context(|| format!("profile `{}` has no login_session: nothing to sign out of", p(profile)))?;
    let dir = login::cache_dir(cfg).context("cannot find the console sign-in cache: HOME is not set")?;
    let path = login::cache_path(&dir, arn);
    match std::fs::remove_file(&path) {
        Ok(()) => eprintln!("rolecall: signed out of {} (removed {})", p(arn), path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => eprintln!("rolecall: {} was not signed in", p(arn)),
        Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
    Ok(())
}
