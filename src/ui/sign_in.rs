//! Signing in to IAM Identity Center with the person: the device flow told on stderr (the
//! browser opened unless asked not to), and the offer to sign in when a fetch needs it.

use crate::config::Config;
use crate::files::AwsFiles;
use anyhow::Result;

/// Run the device flow for `login`, talking to the person on stderr.
pub fn sso_sign_in(cfg: &Config, login: &crate::aws::sso::Login, no_browser: bool) -> Result<()> {
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
