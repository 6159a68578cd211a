//! `rolecall credential-process PROFILE`: credential_process JSON v1 on stdout, so any SDK,
//! terraform or the aws CLI can use a profile through `credential_process = rolecall …`.

use crate::cli::CredentialProcessArgs;
use crate::config::Config;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: CredentialProcessArgs) -> Result<ExitCode> {
    let outcome = super::fetch(cfg, &super::load_for_credentials(cfg)?, &args.profile, &args.creds)?;
    let text = crate::outputs::process::json(&outcome.creds);
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
