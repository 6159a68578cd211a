//! `rolecall setup`: the zero state. No AWS files yet: create `~/.aws` (0700) and both files
//! (0600), walk through a first profile (keys, region, output) and, if wanted, a role with MFA,
//! then run the doctor.

use super::configure::{Pairs, ask_basics, check_name, check_pair, read_line, write};
use crate::profile::{AwsFiles, save};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::process::ExitCode;

pub fn run() -> Result<ExitCode> {
    let files = AwsFiles::load();
    if files.any_exists() {
        eprintln!(
            "rolecall: already set up ({} or {} exists): 'rolecall configure' changes a profile, 'rolecall doctor' checks them",
            files.config.display, files.credentials.display
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| anyhow::anyhow!("setup asks questions on a terminal: without one, use 'rolecall configure PROFILE --access-key-id … --secret-access-key-stdin'"))?;
    writeln!(tty, "No AWS files yet: rolecall creates {} and {}.", files.config.display, files.credentials.display)?;
    writeln!(tty, "Your first profile holds an IAM user's access key (from the IAM console: Security credentials).")?;
    let ask = |tty: &mut std::fs::File, question: &str, default: &str| -> Result<String> {
        write!(tty, "{question} [{default}]: ")?;
        tty.flush()?;
        let answer = read_line(tty)?.trim().to_owned();
        Ok(if answer.is_empty() { default.to_owned() } else { answer })
    };
    let profile = loop {
        let name = ask(&mut tty, "Profile name", "default")?;
        match check_name(&name) {
            Ok(()) => break name,
            Err(e) => writeln!(tty, "rolecall: {e:#}")?,
        }
    };
    let pairs = ask_basics(&profile)?;
    let has = |key: &str| pairs.iter().any(|(k, _)| *k == key);
    if has("aws_access_key_id") != has("aws_secret_access_key") {
        bail!("an access key id needs its secret (and the reverse): nothing written");
    }
    let role = if ask(&mut tty, "Add a role assumed from it, with MFA? (y/n)", "n")?.starts_with(['y', 'Y']) {
        let name = ask(&mut tty, "Role profile name", "admin")?;
        check_name(&name)?;
        let arn = ask(&mut tty, "Role ARN (arn:aws:iam::ACCOUNT:role/NAME)", "")?;
        check_pair("role_arn", &arn)?;
        let serial = ask(&mut tty, "MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME; empty: none)", "")?;
        let mut role: Pairs = vec![("source_profile", profile.clone()), ("role_arn", arn)];
        if !serial.is_empty() {
            check_pair("mfa_serial", &serial)?;
            role.push(("mfa_serial", serial));
        }
        Some((name, role))
    } else {
        None
    };
    if !pairs.is_empty() {
        write(&profile, &pairs)?;
    }
    if let Some((name, role)) = &role {
        write(name, role)?;
    }
    // Both files exist afterwards (empty when nothing went into one), private.
    let _lock = save::lock()?;
    for file in [&files.config, &files.credentials] {
        if !file.path.exists() {
            save::save(&file.path, b"", None).with_context(|| format!("cannot create {}", file.display))?;
        }
    }
    drop(_lock);
    writeln!(tty)?;
    super::doctor::run(false)
}
