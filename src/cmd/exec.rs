//! `rolecall exec PROFILE -- CMD…`: run CMD with the profile's credentials, no shell between;
//! with `--server`, CMD asks a local credential server instead, which renews them for as long as
//! it runs.

use crate::cli::ExecArgs;
use crate::config::Config;
use crate::shell::env::Snapshot;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: ExecArgs) -> Result<ExitCode> {
    let files = super::load_for_credentials(cfg)?;
    let outcome = super::fetch(cfg, &files, &args.profile, &args.creds)?;
    if args.server {
        return super::serve_command(cfg, &files, &args.profile, &args.creds, outcome, &args.command);
    }
    match crate::serve::command::exec(&args.profile, &outcome, &Snapshot::from_config(cfg), &args.command)? {}
}
