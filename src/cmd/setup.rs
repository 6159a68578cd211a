//! `rolecall setup`: the zero state. No AWS files yet: create `~/.aws` (0700) and both files
//! (0600), walk through a first profile (keys, region, output) and, if wanted, a role with MFA,
//! then run the doctor.

use crate::config::Config;
use crate::files::change::set_pairs;
use crate::files::validate::{Pairs, check_name, check_pair};
use crate::files::{AwsFiles, save};
use crate::ui::ask::until_valid;
use crate::ui::tty::Tty;
use anyhow::{Context, Result, bail};
use std::process::ExitCode;

pub fn run(cfg: &Config) -> Result<ExitCode> {
    let files = AwsFiles::load(cfg);
    if files.any_exists() {
        eprintln!(
            "rolecall: already set up ({} or {} exists): 'rolecall configure' changes a profile, 'rolecall doctor' checks them",
            files.config.display, files.credentials.display
        );
        return Ok(ExitCode::SUCCESS);
    }
    let tty = Tty::require(
        "setup asks questions on a terminal; without one, use 'rolecall configure PROFILE --access-key-id … --secret-access-key-stdin'",
    )?;
    tty.write(&format!(
        "No AWS files yet: rolecall creates {} and {}.\r\nYour first profile holds an IAM user's access key (from the IAM console: Security credentials).\r\n",
        files.config.display, files.credentials.display
    ))?;
    // Each answer is asked until it is valid: nothing typed before is lost.
    let ask =
        |question: &str, default: &str, check: &dyn Fn(&str) -> Result<()>| until_valid(&tty, question, default, check);
    let profile = ask("Profile name", "default", &check_name)?;
    let pairs = crate::ui::ask::basics(&tty, &files.profiles, &profile)?;
    let device = check_key(cfg, &tty, &pairs)?;
    let role = if ask("Add a role assumed from it, with MFA? (y/n)", "n", &|_| Ok(()))?.starts_with(['y', 'Y']) {
        let name = ask("Role profile name", "admin", &|n| {
            check_name(n)?;
            if n == profile {
                bail!("the role needs a name of its own (`{profile}` holds the keys)");
            }
            Ok(())
        })?;
        let arn = ask("Role ARN (arn:aws:iam::ACCOUNT:role/NAME)", "", &|a| check_pair("role_arn", a))?;
        let serial = ask(
            "MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME; - for none)",
            device.as_deref().unwrap_or("-"),
            &|s| {
                if s == "-" { Ok(()) } else { check_pair("mfa_serial", s) }
            },
        )?;
        let serial = if serial == "-" { String::new() } else { serial };
        let mut role: Pairs = vec![("source_profile", profile.clone()), ("role_arn", arn)];
        if !serial.is_empty() {
            role.push(("mfa_serial", serial));
        }
        Some((name, role))
    } else {
        None
    };
    if !pairs.is_empty() {
        super::said(&set_pairs(cfg, &profile, &pairs)?);
    }
    if let Some((name, role)) = &role {
        super::said(&set_pairs(cfg, name, role)?);
    }
    // Both files exist afterwards (empty when nothing went into one), private.
    let _lock = save::lock(cfg)?;
    for file in [&files.config, &files.credentials] {
        if !file.path.exists() {
            save::save(cfg, &file.path, b"", None).with_context(|| format!("cannot create {}", file.display))?;
        }
    }
    drop(_lock);
    // Keys in plain text: offer the vault rather than end on the doctor's warning about them.
    if pairs.iter().any(|(k, _)| *k == "aws_secret_access_key")
        && ask("Move these keys out of plain text, into the OS keyring (rolecall vault import)? (y/n)", "y", &|_| {
            Ok(())
        })?
        .starts_with(['y', 'Y'])
    {
        let say = |line: String| eprintln!("rolecall: {line}");
        match crate::vault::moves::import(cfg, std::slice::from_ref(&profile), &say) {
            Ok(moved) => {
                for m in moved {
                    eprintln!(
                        "rolecall: moved the keys of `{}` ({}) into {}",
                        m.profile,
                        m.key_id,
                        crate::vault::moves::backend_name(m.backend)
                    );
                }
            }
            Err(e) => eprintln!("rolecall: the keys stay in the file: {e:#} (later: rolecall vault import {profile})"),
        }
    }
    tty.write("\r\n")?;
    // What `rolecall doctor` says about the new files.
    let files = AwsFiles::load(cfg);
    let findings = crate::files::doctor::check(&files);
    super::print_findings(cfg, &files, &findings, false)
}

/// Ask AWS whose key was just typed (GetCallerIdentity, a few seconds at most): say who, or why
/// not, and give the MFA device the user most likely has, as the default of the next question.
fn check_key(cfg: &Config, tty: &Tty, pairs: &Pairs) -> Result<Option<String>> {
    let get = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
    let (Some(id), Some(secret)) = (get("aws_access_key_id"), get("aws_secret_access_key")) else { return Ok(None) };
    let keys = crate::creds::Credentials {
        access_key_id: id,
        secret_access_key: secret,
        session_token: None,
        expires_at: None,
        account_id: None,
    };
    let region = get("region");
    match crate::creds::online::identity(cfg, &keys, region.as_deref(), std::time::Duration::from_secs(5)) {
        Ok(who) => {
            tty.write(&format!("rolecall: the key works: {}\r\n", crate::util::text::printable(&who.arn)))?;
            Ok(crate::creds::online::likely_mfa_device(&who.arn))
        }
        Err(e) => {
            tty.write(&format!("rolecall: the key could not be checked ({e:#}); it is written anyway\r\n"))?;
            Ok(None)
        }
    }
}
