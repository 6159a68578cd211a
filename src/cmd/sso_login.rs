//! `rolecall login [PROFILE | --sso-session NAME | --console]`: sign in where the profile's
//! credentials come from: IAM Identity Center with the device-authorization flow, or console
//! credentials (`aws login`, a `login_session` profile, or `--console` to make one). What the
//! sign-in gets is stored where the aws CLI and the SDKs read it, so one login serves all of
//! them. `rolecall logout PROFILE` forgets a console session.

use crate::cli::{LoginArgs, LogoutArgs};
use crate::config::Config;
use crate::ui::sign_in::Device;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: LoginArgs) -> Result<ExitCode> {
    let files = super::load_checked(cfg)?;
    let name = named(cfg, args.profile.as_deref());
    let device = if args.remote { Device::Other } else { Device::Same { open: !args.no_browser } };
    // A console sign-in: asked for, or the profile's credentials come from a console session
    // (a role sourced from one signs in for its source).
    let console_base =
        args.sso_session.is_none().then(|| crate::files::chain::console_profile(&files.profiles, &name)).flatten();
    if args.console || console_base.is_some() {
        let target = console_base.unwrap_or(name);
        crate::ui::sign_in::console_sign_in(cfg, &files, &target, device)?;
        return Ok(ExitCode::SUCCESS);
    }
    let login = crate::creds::settings::login_for(cfg, &files, args.profile.as_deref(), args.sso_session.as_deref())?;
    crate::ui::sign_in::sso_sign_in(cfg, &login, args.use_device_code || args.no_browser || args.remote)?;
    Ok(ExitCode::SUCCESS)
}

pub fn logout(cfg: &Config, args: LogoutArgs) -> Result<ExitCode> {
    let files = super::load_checked(cfg)?;
    let name = named(cfg, args.profile.as_deref());
    let target = crate::files::chain::console_profile(&files.profiles, &name).unwrap_or(name);
    crate::ui::sign_in::console_sign_out(cfg, &files, &target)?;
    Ok(ExitCode::SUCCESS)
}

/// The profile named, else `AWS_PROFILE`, else `default`.
fn named(cfg: &Config, profile: Option<&str>) -> String {
    profile.map(str::to_owned).unwrap_or_else(|| super::profile_or_default(cfg))
}
