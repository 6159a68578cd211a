//! `rolecall setup`'s questions: a role with MFA on top of the first profile, whether the key
//! works (GetCallerIdentity, which also suggests the MFA device), and the move into the vault.

use crate::config::Config;
use crate::files::validate::{Pairs, check_name, check_pair};
use crate::ui::ask::until_valid;
use crate::ui::tty::Tty;
use anyhow::{Result, bail};

/// A yes/no question; whether the answer is yes.
pub fn yes(tty: &Tty, question: &str, default: &str) -> Result<bool> {
    Ok(until_valid(tty, &format!("{question} (y/n)"), default, &|_| Ok(()))?.starts_with(['y', 'Y']))
}

/// If wanted, a role profile assumed from `profile` (with `device` as the default MFA device):
/// its name and pairs.
pub fn role(tty: &Tty, profile: &str, device: Option<&str>) -> Result<Option<(String, Pairs)>> {
    if !yes(tty, "Add a role assumed from it, with MFA?", "n")? {
        return Ok(None);
    }
    let name = until_valid(tty, "Role profile name", "admin", &|n| {
        check_name(n)?;
        if n == profile {
            bail!("the role needs a name of its own (`{profile}` holds the keys)");
        }
        Ok(())
    })?;
    let arn = until_valid(tty, "Role ARN (arn:aws:iam::ACCOUNT:role/NAME)", "", &|a| check_pair("role_arn", a))?;
    let serial =
        until_valid(tty, "MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME; - for none)", device.unwrap_or("-"), &|s| {
            if s == "-" { Ok(()) } else { check_pair("mfa_serial", s) }
        })?;
    let mut role: Pairs = vec![("source_profile", profile.to_owned()), ("role_arn", arn)];
    if serial != "-" {
        role.push(("mfa_serial", serial));
    }
    Ok(Some((name, role)))
}

/// Offer to move `profile`'s keys out of plain text into the OS keyring, and say how it went.
pub fn offer_vault(cfg: &Config, tty: &Tty, profile: &str) -> Result<()> {
    if !yes(tty, "Move these keys out of plain text, into the OS keyring (rolecall vault import)?", "y")? {
        return Ok(());
    }
    let person = crate::ui::tty::person();
    match crate::vault::moves::import(cfg, &[profile.to_owned()], &crate::ui::notice, Some(&person)) {
        Ok(moved) => {
            for m in moved {
                let backend = crate::vault::moves::backend_name(m.backend);
                eprintln!("rolecall: moved the keys of `{}` ({}) into {backend}", m.profile, m.key_id);
            }
        }
        Err(e) => eprintln!("rolecall: the keys stay in the file: {e:#} (later: rolecall vault import {profile})"),
    }
    Ok(())
}

/// Ask AWS whose key was just typed (GetCallerIdentity, a few seconds at most): say who, or why
/// not, and give the MFA device the user most likely has, as the default of the next question.
pub fn check_key(cfg: &Config, tty: &Tty, pairs: &Pairs) -> Result<Option<String>> {
    let get = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
    let (Some(id), Some(secret)) = (get("aws_access_key_id"), get("aws_secret_access_key")) else { return Ok(None) };
    let keys = crate::types::Credentials::long_term(id, secret);
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
