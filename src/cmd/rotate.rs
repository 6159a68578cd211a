//! `rolecall rotate PROFILE`: a new access key for the profile's IAM user, written where the keys
//! are, checked with STS, then the old key deleted ([`crate::creds::rotate`]).

use crate::cli::RotateArgs;
use crate::config::Config;
use crate::creds::rotate::{Who, rotate};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: RotateArgs) -> Result<ExitCode> {
    let files = super::load_checked(cfg)?;
    #[cfg(feature = "test-hooks")]
    let tries: u32 = cfg.var("ROLECALL_ROTATE_VERIFY_TRIES").and_then(|v| v.parse().ok()).unwrap_or(10);
    #[cfg(not(feature = "test-hooks"))]
    let tries: u32 = 10;
    let person = crate::ui::tty::person();
    let who = Who { profile: &args.profile, ask: Some(&person), notify: &crate::ui::notice };
    rotate(cfg, &files, &who, tries)?;
    Ok(ExitCode::SUCCESS)
}
