//! `rolecall console [PROFILE]` (and `assume -c`): sign in to the AWS console
//! ([`crate::creds::console::sign_in`]) and open the page in the profile's browser, or print /
//! copy the sign-in URL ([`crate::outputs::console`]).

use crate::cli::{ConsoleArgs, ConsoleOpts, CredsArgs};
use crate::config::Config;
use crate::creds::console::{SignIn, Wanted};
use crate::util::text::printable;
use anyhow::{Context, Result, bail};
use std::process::ExitCode;

pub fn run(cfg: &Config, args: ConsoleArgs) -> Result<ExitCode> {
    open(cfg, args.profile.as_deref(), &args.console, &args.creds)
}

/// The console for `profile` (none: this shell's credentials, `AWS_PROFILE`, the picker).
pub fn open(cfg: &Config, profile: Option<&str>, opts: &ConsoleOpts, creds_args: &CredsArgs) -> Result<ExitCode> {
    let options = super::engine_options(creds_args)?;
    super::warn_region(creds_args);
    let wanted = Wanted {
        profile,
        destination: opts.destination.as_deref(),
        service: opts.service.as_deref(),
        duration: options.duration,
    };
    let files = super::load_checked(cfg)?;
    let pick = || super::target(cfg, None);
    let signin = crate::creds::console::sign_in(cfg, &files, &wanted, &options, &pick, &crate::ui::notice)?;
    deliver(cfg, opts, &signin)
}

/// The sign-in URL where it was asked for: stdout, the clipboard, or a browser.
fn deliver(cfg: &Config, opts: &ConsoleOpts, signin: &SignIn) -> Result<ExitCode> {
    let url = crate::outputs::console::login_url(&signin.token, &signin.destination);
    let shown = printable(&signin.label);
    if opts.url {
        let mut text = url.expose().to_owned();
        text.push('\n');
        super::write_stdout(|out| out.write_all(text.as_bytes()))?;
        return Ok(ExitCode::SUCCESS);
    }
    if opts.copy {
        crate::ui::browser::copy_to_terminal(url.expose())?;
        eprintln!(
            "rolecall: sent the console's sign-in URL for `{shown}` to the terminal's clipboard (OSC 52: it lands there if the terminal allows it; it signs in once, within 15 minutes)"
        );
        return Ok(ExitCode::SUCCESS);
    }
    let choice = crate::ui::browser::Choice::parse(signin.browser.as_deref());
    let opened = crate::ui::browser::open_console(cfg, &choice, &signin.label, url.expose())
        .with_context(|| format!("the console for `{shown}`"))?;
    if !opened.read {
        bail!(
            "started {} for `{shown}`, but no browser fetched the sign-in page within {} s; it is not served any more (it holds a sign-in token): --url prints the URL instead",
            opened.how,
            opened.waited.as_secs()
        );
    }
    eprintln!("rolecall: opened the AWS console for `{shown}` with {}", opened.how);
    Ok(ExitCode::SUCCESS)
}
