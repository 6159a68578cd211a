//! `rolecall login [PROFILE | --sso-session NAME]`: sign in to IAM Identity Center with the
//! device-authorization flow and store the token where the AWS CLI keeps it, so one login serves
//! both. `assume` of an SSO profile without a valid token offers to run it.

use crate::cli::LoginArgs;
use crate::config::Config;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: LoginArgs) -> Result<ExitCode> {
    let files = super::load_checked(cfg)?;
    let login = crate::creds::settings::login_for(cfg, &files, args.profile.as_deref(), args.sso_session.as_deref())?;
    crate::ui::sign_in::sso_sign_in(cfg, &login, args.no_browser)?;
    Ok(ExitCode::SUCCESS)
}
