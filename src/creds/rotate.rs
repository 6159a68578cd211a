//! Rotating an IAM user's access key: a new key created, written where the keys are (the file
//! or the vault), checked with STS, then the old key deleted. At every step the holder has a key
//! that works, and a failure says exactly what IAM holds and what to do. AWS allows two keys per
//! user: with two already, nothing is changed.

use crate::aws::iam::Iam;
use crate::config::Config;
use crate::files::change::{Files, verify_pairs};
use crate::files::{AwsFiles, FileKind, ProfileSet, Section};
use crate::types::{Asker, Credentials, Notice, Notify};
use anyhow::{Result, anyhow, bail};
use std::time::Duration;

/// The profile whose key is rotated, and how to reach the person.
pub struct Who<'a> {
    pub profile: &'a str,
    /// For the vault's passphrase.
    pub ask: Option<&'a Asker>,
    pub notify: Notify<'a>,
}

/// Where a profile's keys are kept.
#[derive(Clone, Copy)]
enum Holder {
    File(FileKind),
    Vault(crate::vault::Backend),
}

impl Holder {
    fn name(self) -> &'static str {
        match self {
            Holder::File(_) => "the file",
            Holder::Vault(_) => "the vault",
        }
    }
}

/// Write `id` and `secret` as `profile`'s keys where `holder` keeps them, and check they read back.
fn write_keys(cfg: &Config, who: &Who<'_>, holder: Holder, id: &str, secret: &str) -> Result<()> {
    let profile = who.profile;
    let kind = match holder {
        Holder::File(kind) => kind,
        Holder::Vault(backend) => {
            let keys = Credentials::long_term(id, secret);
            let runtime = crate::util::runtime()?;
            let vault = runtime.block_on(crate::vault::Vault::open(cfg, backend, who.ask))?;
            runtime.block_on(vault.put_checked(profile, &keys))?;
            let mut index = crate::vault::Index::load(cfg)?;
            if let Some(entry) = index.entries.get_mut(profile) {
                entry.access_key_id = id.to_owned();
            }
            return index.save(cfg);
        }
    };
    let written = crate::files::change::change(
        cfg,
        who.notify,
        |files: &mut Files, _| {
            let file = files.file(kind);
            file.set(profile, "aws_access_key_id", id)?;
            file.set(profile, "aws_secret_access_key", secret)?;
            Ok(())
        },
        |after: &ProfileSet| {
            verify_pairs(after, profile, &[("aws_access_key_id", id), ("aws_secret_access_key", secret)])
        },
    )?;
    crate::files::change::tell(&written, who.notify);
    Ok(())
}

/// Where `section`'s long-term keys are kept, and the keys.
fn current_keys(cfg: &Config, section: Section<'_>, who: &Who<'_>) -> Result<(Holder, Credentials)> {
    let profile = who.profile;
    let vaulted = Some(section)
        .filter(|s| crate::files::chain::points_at_vault(*s))
        .and_then(|_| crate::vault::Index::load(cfg).ok()?.entries.remove(profile));
    if let Some(entry) = vaulted {
        let keys = crate::util::runtime()?.block_on(crate::vault::read(cfg, profile, who.ask))?;
        return Ok((Holder::Vault(entry.backend), Credentials { account_id: None, ..keys }));
    }
    let (Some(id), Some(secret)) = (section.get_value("aws_access_key_id"), section.get("aws_secret_access_key"))
    else {
        bail!("`{profile}` has no access key of its own to rotate (rotate the profile that holds the keys)");
    };
    if section.get("aws_session_token").is_some() {
        bail!(
            "`{profile}` holds temporary credentials (a session token): only an IAM user's long-term key can be rotated"
        );
    }
    Ok((Holder::File(id.origin.file), Credentials::long_term(id.value, secret)))
}

/// Rotate `profile`'s key; the old and the new key id.
pub fn rotate(cfg: &Config, files: &AwsFiles, who: &Who<'_>, tries: u32) -> Result<(String, String)> {
    let profile = who.profile;
    let Some(section) = files.profiles.profile(profile) else {
        return Err(crate::files::chain::plan_for(files, profile)
            .err()
            .unwrap_or_else(|| anyhow!("profile not found")));
    };
    let (holder, old) = current_keys(cfg, section, who)?;
    let old_id = old.access_key_id.clone();
    let settings = super::settings::sts_settings(
        cfg,
        Some(section),
        super::settings::endpoint_url(cfg, &files.profiles, Some(section)),
        None,
    );
    let runtime = crate::util::runtime()?;
    let region = settings.region.clone();
    let endpoint = super::settings::service_endpoint(
        cfg,
        &files.profiles,
        Some(section),
        crate::aws::endpoint::Service::Iam,
        &region,
    )?;
    let iam = Iam::new(endpoint, Duration::from_secs(15));

    let keys = runtime.block_on(iam.list_access_keys(&old))?;
    if keys.len() >= 2 {
        let list: Vec<String> = keys.iter().map(|k| format!("{} ({})", k.id, k.status.to_lowercase())).collect();
        bail!(
            "the IAM user of `{profile}` already has two access keys, {}: AWS allows no third; delete the one not in use (aws iam delete-access-key --access-key-id …) and run rotate again. Nothing was changed",
            list.join(" and ")
        );
    }
    (who.notify)(Notice::Note(format!("creating a new access key for the IAM user of `{profile}` (now {old_id})")));
    let (new_id, new_secret) = runtime.block_on(iam.create_access_key(&old))?;
    let delete_new = format!("aws iam delete-access-key --access-key-id {new_id}");
    if let Err(e) = write_keys(cfg, who, holder, &new_id, &new_secret) {
        bail!(
            "{e:#}. IAM now has a second key, {new_id}, that is not saved anywhere: delete it ({delete_new}); {} still holds {old_id}, which works",
            holder.name()
        );
    }
    // A new key takes a few seconds to reach every IAM endpoint: ask STS until it answers.
    let new = Credentials { access_key_id: new_id.clone(), secret_access_key: new_secret, ..old.clone() };
    let sts = crate::aws::sts::Sts::new(settings);
    let mut verified = Err(anyhow!("not checked"));
    for attempt in 1..=tries.max(1) {
        (who.notify)(Notice::Note(format!("checking the new key with STS ({attempt}/{tries})")));
        verified = runtime.block_on(sts.caller_identity(&new)).map_err(|e| anyhow!("{e}"));
        if verified.is_ok() || attempt == tries {
            break;
        }
        std::thread::sleep(Duration::from_millis(1500));
    }
    if let Err(why) = verified {
        return match write_keys(cfg, who, holder, &old_id, &old.secret_access_key) {
            Ok(()) => Err(anyhow!(
                "the new key {new_id} does not work with STS ({why:#}); {} holds the old key {old_id} again, and IAM has both: delete the new one ({delete_new}) or run rotate again later",
                holder.name()
            )),
            Err(e) => Err(anyhow!(
                "the new key {new_id} does not work with STS ({why:#}), and putting back the old key {old_id} failed ({e:#}): {} holds {new_id}; the old key is in the file's .bak",
                holder.name()
            )),
        };
    }
    if let Err(e) = runtime.block_on(iam.delete_access_key(&new, &old_id)) {
        bail!(
            "{e:#}. {} holds the new key {new_id} (checked with STS); the old key {old_id} is still active in IAM: delete it (aws iam delete-access-key --access-key-id {old_id})",
            holder.name()
        );
    }
    (who.notify)(Notice::Note(format!("rotated `{profile}`: {old_id} → {new_id}; the old key is deleted")));
    Ok((old_id, new_id))
}
