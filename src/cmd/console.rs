//! `rolecall console [PROFILE]` (and `assume -c`): sign in to the AWS console with the
//! credentials [`crate::creds::console`] picks, at the partition's sign-in host, and open the
//! page in the profile's browser, or print / copy the sign-in URL.

use crate::aws::endpoint::Service;
use crate::cli::{ConsoleArgs, ConsoleOpts, CredsArgs};
use crate::config::Config;
use crate::creds::console::{self, ForConsole, Kind};
use crate::util::text::printable;
use anyhow::{Context, Result, bail};
use std::process::ExitCode;

pub fn run(cfg: &Config, args: ConsoleArgs) -> Result<ExitCode> {
    open(cfg, args.profile.as_deref(), &args.console, &args.creds)
}

/// The console for `profile` (none: this shell's credentials, `AWS_PROFILE`, the picker).
pub fn open(cfg: &Config, profile: Option<&str>, opts: &ConsoleOpts, creds_args: &CredsArgs) -> Result<ExitCode> {
    if profile == Some("-") {
        bail!("`-` names the profile before the last switch for assume and asp; name the profile for the console");
    }
    let duration = super::engine_options(creds_args)?.duration;
    super::warn_region(creds_args);
    if let Some(d) = duration
        && !(900..=43_200).contains(&d)
    {
        bail!("--duration {d}s: a console session lasts 15m (900) to 12h (43200)");
    }
    let service = opts.service.as_deref().map(crate::aws::console::service).transpose()?;
    // The role is fetched as `assume` fetches it (its cached credentials serve); --duration is
    // the console session's.
    let mut fetch_args = creds_args.clone();
    fetch_args.duration = None;
    let mut options = super::engine_options(&fetch_args)?;
    // A console session length is accepted only for a role assumed with long-term keys: then
    // the role is not taken through the MFA session (which would make it a chained role).
    options.direct = duration.is_some();
    let files = super::load_checked(cfg)?;
    let notify = &crate::ui::notice;
    let from_env = match profile {
        Some(_) => None,
        None => console::from_env(cfg, &files, &options, duration, notify)?,
    };
    let found: ForConsole = match from_env {
        Some(found) => found,
        None => {
            let name = match profile.map(str::to_owned).or_else(|| cfg.var("AWS_PROFILE")) {
                Some(name) => name,
                None => super::target(cfg, None)?,
            };
            if !files.any_exists() {
                bail!(
                    "no AWS config found ({} and {} do not exist): run 'rolecall setup'",
                    files.config.display,
                    files.credentials.display
                );
            }
            console::for_profile(cfg, &files, &name, &options, duration, notify)?
        }
    };
    let label = found.profile.clone().unwrap_or_else(|| "this shell".to_owned());
    let shown = printable(&label);
    let region = found.region.clone().unwrap_or_else(|| "us-east-1".to_owned());
    let destination = match &opts.destination {
        Some(url) => crate::aws::console::check_destination(url, &region)?,
        None => crate::aws::console::destination(&region, service)?,
    };
    let session_duration = match (found.kind, duration) {
        (Kind::OneRole, d) => d,
        (Kind::Temporary, Some(_)) => {
            let ends = found.creds.expires_at.map(|t| format!(" ({})", crate::util::time::format_rfc3339(t)));
            eprintln!(
                "rolecall: `{shown}` signs in with chained or pre-made role credentials: the console takes no session length for them, the session ends with the credentials{}",
                ends.unwrap_or_default()
            );
            None
        }
        (Kind::Temporary | Kind::Federation, None) => None,
        // The federation session was made that long.
        (Kind::Federation, Some(_)) => None,
    };
    if found.kind == Kind::Federation {
        eprintln!(
            "rolecall: `{shown}` has an IAM user's keys: the console signs in through GetFederationToken, whose session carries no MFA context (actions that require MFA are denied)"
        );
    }
    let section = found.profile.as_deref().and_then(|p| files.profiles.profile(p));
    let endpoint = crate::creds::settings::service_endpoint(cfg, &files.profiles, section, Service::Signin, &region)?;
    let http = crate::aws::http::Http::new(options.http_connector.clone(), cfg.timeout());
    let runtime = crate::runtime()?;
    let url = runtime.block_on(crate::aws::signin::sign_in(
        &http,
        &endpoint,
        &found.creds,
        session_duration,
        &destination,
    ))?;
    drop(runtime);
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
    let setting =
        section.and_then(|p| p.get("console_browser").map(str::to_owned)).or_else(|| cfg.setting("console_browser"));
    let choice = crate::ui::browser::Choice::parse(setting.as_deref());
    let opened = crate::ui::browser::open_console(cfg, &choice, &label, url.expose())
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
