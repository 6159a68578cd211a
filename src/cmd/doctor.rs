//! `rolecall doctor`: the findings of [`crate::files::doctor`], for people or as JSON.

use crate::cli::DoctorArgs;
use crate::config::Config;
use crate::files::AwsFiles;
use crate::files::doctor;
use anyhow::Result;
use std::io::IsTerminal;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: DoctorArgs) -> Result<ExitCode> {
    let DoctorArgs { json, online } = args;
    let files = AwsFiles::load(cfg);
    let mut findings = doctor::check(&files);
    findings.extend(crate::vault::check(cfg, &files));
    findings.extend(crate::creds::login::check(cfg, &files));
    doctor::sort(&mut findings);
    if online {
        let progress = std::io::stderr().is_terminal();
        let checked = crate::creds::online::check(cfg, &files, |count| {
            if progress && count > 0 {
                eprintln!("rolecall: {}", crate::creds::online::describe(count));
            }
        })?;
        eprintln!("rolecall: {}", checked.summary());
        findings.extend(checked.findings);
        doctor::sort(&mut findings);
    }
    super::print_findings(cfg, &files, &findings, json)
}
