//! Keys between the credentials file and the vault, so that they are always somewhere: into the
//! vault first (written and read back), then one lossless edit of the files that keeps no `.bak`
//! (it would hold the keys); out of the vault, the files first, then the vault's entry. What a
//! person should hear goes to the caller's `say`; a question (remove? export?) to its `confirm`.

use super::{Backend, Entry, Index, Vault};
use crate::config::Config;
use crate::files::chain::{self, Base};
use crate::files::change::{self, Files, Written, change_without_backup, file_for};
use crate::files::validate::check_name;
use crate::files::{AwsFiles, FileKind, Key, ProfileSet};
use crate::types::{Asker, Credentials, Notice, Notify};
use crate::util::text::mask;
use crate::util::text::printable;
use anyhow::{Context, Result, anyhow, bail};

/// The note a vaulted profile's section carries (`# rolecall vault: …`).
const NOTE: &str = "rolecall vault:";

/// What the vault calls a backend in messages.
pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::SecretService => "the Secret Service",
        Backend::Keychain => "the Keychain",
        Backend::WinCred => "the Credential Manager",
        Backend::File => "the vault file",
    }
}

/// A profile's own long-term keys in the files, and the file that the SDKs read them from.
struct Found {
    profile: String,
    keys: Credentials,
    file: FileKind,
}

/// What a move did: the profile, its key id (masked), the backend, and the files it wrote.
pub struct Moved {
    pub profile: String,
    pub key_id: String,
    pub backend: Backend,
    pub written: Vec<Written>,
}

/// The files, readable: a vault move edits them.
fn load(cfg: &Config) -> Result<AwsFiles> {
    let files = AwsFiles::load(cfg);
    files.check().map_err(|e| anyhow!("{e:#} (run 'rolecall doctor')"))?;
    Ok(files)
}

/// Why `profile` cannot be moved into the vault, or its keys.
fn importable(files: &AwsFiles, profile: &str) -> Result<Found> {
    let set = &files.profiles;
    let Some(section) = set.profile(profile) else {
        let known = set.profiles().map(|p| p.name());
        bail!("{}", crate::util::text::not_found("profile", profile, known));
    };
    let p = printable(profile);
    if let Some(command) = section.get(Key::CredentialProcess) {
        if chain::is_vault_marker(command, profile) && section.get(Key::AccessKeyId).is_none() {
            bail!("`{p}` is already in the vault ('rolecall vault list'): nothing was changed");
        }
        if !chain::is_vault_marker(command, profile) {
            bail!("`{p}` has a credential_process of its own: its keys cannot move to the vault; nothing was changed");
        }
    }
    if section.get(Key::SessionToken).is_some() {
        bail!(
            "`{p}` holds temporary credentials (a session token): only an IAM user's long-term keys belong in the vault; nothing was changed"
        );
    }
    let (Some(id), Some(secret)) = (section.get_value(Key::AccessKeyId), section.get(Key::SecretAccessKey)) else {
        bail!("`{p}` has no long-term keys of its own in the files: nothing to import");
    };
    if section.get(Key::RoleArn).is_some()
        || section.get(Key::SsoSession).is_some()
        || section.get(Key::SsoStartUrl).is_some()
    {
        bail!(
            "`{p}` is also a role or an SSO profile: move its keys to a profile of their own first; nothing was changed"
        );
    }
    let keys = Credentials {
        account_id: section.get(Key::AccountId).map(str::to_owned),
        ..Credentials::long_term(id.value, secret)
    }
    .checked(&format!("profile `{p}`"))?;
    Ok(Found { profile: profile.to_owned(), keys, file: id.origin.file })
}

/// The profiles `vault import` takes without names: every one with long-term keys of its own
/// (the others are said, and skipped).
fn every_importable(files: &AwsFiles, notify: Notify) -> Vec<Found> {
    files
        .profiles
        .profiles()
        .filter(|p| p.get(Key::AccessKeyId).is_some())
        .filter_map(|p| match importable(files, p.name()) {
            Ok(found) => Some(found),
            Err(why) => {
                let why = format!("{why:#}");
                notify(Notice::Note(format!("skipped: {}", why.trim_end_matches("; nothing was changed"))));
                None
            }
        })
        .collect()
}

/// The backend for new entries (said in one line when it was chosen for the person), open.
async fn open_chosen(cfg: &Config, notify: Notify<'_>, ask: Option<&Asker>) -> Result<Vault> {
    let backend = super::chosen(cfg, notify, ask).await?;
    Vault::open(cfg, backend, ask).await
}

/// Make `profile` (whose keys are now in `backend`) point at the vault: the marker in `file`, the
/// note beside it, no key lines in either file.
fn point_at_vault(files: &mut Files, profile: &str, file: FileKind, backend: Backend) -> Result<()> {
    for kind in [FileKind::Config, FileKind::Credentials] {
        for key in ["aws_access_key_id", "aws_secret_access_key"] {
            files.file(kind).unset(profile, key)?;
        }
    }
    let editor = files.file(file);
    editor.set(profile, "credential_process", &super::marker(profile))?;
    // No key id: `rotate` changes it, and the note would then be stale.
    let note = format!(
        "{NOTE} the keys of this profile are in {}; 'rolecall vault export {}' puts them back",
        backend_name(backend),
        printable(profile)
    );
    editor.set_note(profile, NOTE, &note).map(drop)
}

/// `profile` reads back as a vaulted profile with no key in the files.
fn verify_vaulted(after: &ProfileSet, profile: &str) -> Result<()> {
    let section = after.profile(profile).with_context(|| format!("{profile} is missing after the edit"))?;
    if section.get(Key::AccessKeyId).is_some() || section.get(Key::SecretAccessKey).is_some() {
        bail!("`{profile}` still has keys in the files after the edit");
    }
    match chain::resolve(after, profile) {
        Ok(plan) if matches!(plan.base, Base::Vault { .. }) && plan.hops.is_empty() => Ok(()),
        _ => bail!("`{profile}` does not read back as a vaulted profile"),
    }
}

/// The files without the marker and the note in `profile`.
fn unpoint(files: &mut Files, profile: &str) -> Result<()> {
    for kind in [FileKind::Config, FileKind::Credentials] {
        let editor = files.file(kind);
        if !editor.has_profile(profile)? {
            continue;
        }
        editor.remove_note(profile, NOTE)?;
        editor.unset(profile, "credential_process")?;
    }
    Ok(())
}

/// Remove the `.bak` of an edited file when it holds one of `secrets` (it was the file with the
/// keys in plain text).
fn scrub_backups(files: &AwsFiles, secrets: &[&str], notify: Notify) {
    for file in [&files.config, &files.credentials] {
        let backup = crate::files::save::backup_path(&file.path);
        let Ok(text) = std::fs::read_to_string(&backup) else { continue };
        if secrets.iter().any(|s| text.contains(s)) && std::fs::remove_file(&backup).is_ok() {
            notify(Notice::Note(format!("removed {}.bak: it held the keys in plain text", file.display)));
        }
    }
}

/// Move the long-term keys of `names` (none: every profile that has some) into the vault.
pub fn import(cfg: &Config, names: &[String], notify: Notify<'_>, ask: Option<&Asker>) -> Result<Vec<Moved>> {
    let files = load(cfg)?;
    let found: Vec<Found> = if names.is_empty() {
        let all = every_importable(&files, notify);
        if all.is_empty() {
            bail!("no profile has long-term keys in the files: nothing to import");
        }
        all
    } else {
        names.iter().map(|n| importable(&files, n)).collect::<Result<_>>()?
    };
    let runtime = crate::util::runtime()?;
    let vault = runtime.block_on(open_chosen(cfg, notify, ask))?;
    let backend = vault.backend();
    // 1. Into the vault, each read back: until the files change, the keys are in both places.
    for f in &found {
        runtime.block_on(vault.put_checked(&f.profile, &f.keys)).with_context(|| {
            format!("cannot store the keys of `{}`; nothing was changed in the files", printable(&f.profile))
        })?;
    }
    let mut index = Index::load(cfg)?;
    for f in &found {
        index.entries.insert(
            f.profile.clone(),
            Entry {
                backend,
                access_key_id: f.keys.access_key_id.clone(),
                account_id: f.keys.account_id.clone(),
                added: cfg.now(),
            },
        );
    }
    index.save(cfg).context("the keys are in the vault and still in the files")?;
    // 2. One edit of the files, no backup kept (it would hold the keys).
    let written = change_without_backup(
        cfg,
        notify,
        |edited, _| {
            for f in &found {
                point_at_vault(edited, &f.profile, f.file, backend)?;
            }
            Ok(())
        },
        |after| found.iter().try_for_each(|f| verify_vaulted(after, &f.profile)),
    )
    .context("the keys are in the vault and still in the files")?;
    let secrets: Vec<&str> = found.iter().map(|f| f.keys.secret_access_key.as_str()).collect();
    scrub_backups(&files, &secrets, notify);
    let mut written = Some(written);
    Ok(found
        .iter()
        .map(|f| Moved {
            profile: f.profile.clone(),
            key_id: mask(&f.keys.access_key_id),
            backend,
            written: written.take().unwrap_or_default(),
        })
        .collect())
}

/// Why `profile` cannot take keys with `vault add`, if so.
pub fn check_addable(cfg: &Config, profile: &str) -> Result<()> {
    let files = load(cfg)?;
    let p = printable(profile);
    check_name(profile)?;
    if let Some(section) = files.profiles.profile(profile) {
        if chain::points_at_vault(section) {
            bail!(
                "`{p}` is already in the vault: 'rolecall rotate {p}' replaces its key, 'rolecall vault rm {p}' removes it"
            );
        }
        if section.get(Key::AccessKeyId).is_some() {
            bail!("`{p}` has keys in the files: 'rolecall vault import {p}' moves them into the vault");
        }
        if section.get(Key::CredentialProcess).is_some() || section.get(Key::RoleArn).is_some() {
            bail!("`{p}` already gets credentials another way (a role or a credential_process): choose another name");
        }
    }
    Ok(())
}

/// Put `keys` in the vault as `profile` ([`check_addable`] first), and point the files at them.
pub fn add(cfg: &Config, profile: &str, keys: &Credentials, notify: Notify, ask: Option<&Asker>) -> Result<Moved> {
    check_addable(cfg, profile)?;
    let runtime = crate::util::runtime()?;
    let vault = runtime.block_on(open_chosen(cfg, notify, ask))?;
    let backend = vault.backend();
    runtime.block_on(vault.put_checked(profile, keys)).context("nothing was changed")?;
    let mut index = Index::load(cfg)?;
    index.entries.insert(
        profile.to_owned(),
        Entry { backend, access_key_id: keys.access_key_id.clone(), account_id: None, added: cfg.now() },
    );
    index.save(cfg)?;
    let written = change_without_backup(
        cfg,
        notify,
        |edited, _| point_at_vault(edited, profile, file_for("aws_access_key_id"), backend),
        |after| verify_vaulted(after, profile),
    )?;
    Ok(Moved { profile: profile.to_owned(), key_id: mask(&keys.access_key_id), backend, written })
}

/// `profile`'s entry in the index, or why there is none.
fn entry(cfg: &Config, profile: &str) -> Result<(Index, Entry)> {
    let index = Index::load(cfg)?;
    match index.entries.get(profile).cloned() {
        Some(e) => Ok((index, e)),
        None => {
            let known = index.entries.keys().map(String::as_str);
            bail!("{}", crate::util::text::not_found("vaulted profile", profile, known))
        }
    }
}

/// `profile`'s entry and its vault, opened once `confirm` agrees to the `question` about it.
fn confirmed(
    cfg: &Config,
    profile: &str,
    confirm: &dyn Fn(&str) -> Result<()>,
    ask: Option<&Asker>,
    question: impl FnOnce(&str, &Entry) -> String,
) -> Result<(Index, Entry, tokio::runtime::Runtime, Vault)> {
    let (index, e) = entry(cfg, profile)?;
    confirm(&question(&printable(profile), &e))?;
    let runtime = crate::util::runtime()?;
    let vault = runtime.block_on(Vault::open(cfg, e.backend, ask))?;
    Ok((index, e, runtime, vault))
}

/// Take `profile`'s keys out of the vault, and what `vault add` or `import` wrote for it out of
/// the files, once `confirm` agrees to the question it is asked.
pub fn rm(
    cfg: &Config,
    profile: &str,
    confirm: &dyn Fn(&str) -> Result<()>,
    notify: Notify<'_>,
    ask: Option<&Asker>,
) -> Result<Moved> {
    let (mut index, e, runtime, vault) = confirmed(cfg, profile, confirm, ask, |p, e| {
        format!(
            "Remove the keys of `{p}` ({}) from {}? They are kept nowhere else",
            mask(&e.access_key_id),
            backend_name(e.backend)
        )
    })?;
    let files = AwsFiles::load(cfg);
    let mut written = Vec::new();
    if files.profiles.profile(profile).is_some_and(chain::points_at_vault) {
        written = change::change(
            cfg,
            notify,
            |edited, _| {
                unpoint(edited, profile)?;
                // What `vault add` made (`[NAME]` with the marker alone) goes with it.
                for kind in [FileKind::Config, FileKind::Credentials] {
                    edited.file(kind).remove_if_empty(profile)?;
                }
                Ok(())
            },
            |after| match after.profile(profile) {
                Some(section) if chain::points_at_vault(section) => bail!("`{profile}` still points at the vault"),
                _ => Ok(()),
            },
        )?;
    }
    runtime.block_on(vault.remove(profile))?;
    index.entries.remove(profile);
    index.save(cfg)?;
    Ok(Moved { profile: profile.to_owned(), key_id: mask(&e.access_key_id), backend: e.backend, written })
}

/// Write `profile`'s keys back into the credentials file, then remove the vault's copy, once
/// `confirm` agrees.
pub fn export(
    cfg: &Config,
    profile: &str,
    confirm: &dyn Fn(&str) -> Result<()>,
    notify: Notify<'_>,
    ask: Option<&Asker>,
) -> Result<Moved> {
    let (mut index, e, runtime, vault) = confirmed(cfg, profile, confirm, ask, |p, e| {
        format!(
            "Write the keys of `{p}` back into the credentials file, in plain text, and remove them from {}?",
            backend_name(e.backend)
        )
    })?;
    let p = printable(profile);
    let keys = runtime
        .block_on(vault.get(profile))?
        .ok_or_else(|| anyhow!("{} has no keys for `{p}`: nothing was changed", backend_name(e.backend)))?;
    let pairs = [
        ("aws_access_key_id", keys.access_key_id.as_str()),
        ("aws_secret_access_key", keys.secret_access_key.as_str()),
    ];
    let written = change::change(
        cfg,
        notify,
        |edited, _| {
            unpoint(edited, profile)?;
            for (key, value) in pairs {
                edited.credentials.set(profile, key, value)?;
            }
            Ok(())
        },
        |after| {
            change::verify_pairs(after, profile, &pairs)?;
            match chain::resolve(after, profile) {
                Ok(plan) if matches!(plan.base, Base::AccessKey { .. }) => Ok(()),
                _ => bail!("`{profile}` does not read back with its keys"),
            }
        },
    )?;
    // The keys are in the file now: the vault's copy goes.
    runtime.block_on(vault.remove(profile))?;
    index.entries.remove(profile);
    index.save(cfg)?;
    Ok(Moved { profile: profile.to_owned(), key_id: mask(&keys.access_key_id), backend: e.backend, written })
}

/// One row of `vault list`: never a secret.
pub struct Row {
    pub profile: String,
    pub backend: Backend,
    /// Masked.
    pub key_id: String,
    pub added: i64,
    /// Whether the files point at the vault for it.
    pub in_files: bool,
}

/// The vaulted profiles, from the index alone (no keyring).
pub fn list(cfg: &Config) -> Result<Vec<Row>> {
    let index = Index::load(cfg)?;
    let files = AwsFiles::load(cfg);
    let in_files = |profile: &str| files.profiles.profile(profile).is_some_and(chain::points_at_vault);
    Ok(index
        .entries
        .iter()
        .map(|(profile, e)| Row {
            profile: profile.clone(),
            backend: e.backend,
            key_id: mask(&e.access_key_id),
            added: e.added,
            in_files: in_files(profile),
        })
        .collect())
}
