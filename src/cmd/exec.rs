//! `rolecall exec PROFILE -- CMD…`: run CMD with the profile's credentials, no shell between.

use crate::cli::ExecArgs;
use crate::config::Config;
use crate::shell::env::Snapshot;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: ExecArgs) -> Result<ExitCode> {
    let outcome = super::fetch(cfg, &super::load_for_credentials(cfg)?, &args.profile, &args.creds)?;
    crate::shell::switch::exec(&args.profile, &outcome, &Snapshot::from_config(cfg), &args.command)
}
