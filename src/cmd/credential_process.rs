//! `rolecall credential-process PROFILE`: credential_process JSON v1 on stdout, so any SDK,
//! terraform or the aws CLI can use a profile through `credential_process = rolecall …`.

use crate::cli::CredsArgs;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(profile: &str, creds: &CredsArgs) -> Result<ExitCode> {
    let outcome = super::fetch(&super::load_for_credentials()?, profile, creds)?;
    let mut text = outcome.creds.to_process_json();
    text.push('\n');
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
