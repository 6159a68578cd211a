//! `rolecall vault import|add|list|rm|export`: IAM users' long-term keys between the credentials
//! file and the vault. The order of every move keeps the key somewhere: into the vault first
//! (written and read back), then one lossless edit of the files; out of the vault, the files
//! first, then the vault entry. `list` reads the index only: no keyring, no secret.

use crate::cli::VaultAction;
use crate::config::Config;
use crate::creds::Credentials;
use crate::files::chain::{self, Base};
use crate::files::change::{Files, change_without_backup, file_for};
use crate::files::validate::{check_name, check_pair};
use crate::files::{AwsFiles, FileKind, Key, ProfileSet};
use crate::util::arn::mask;
use crate::util::text::printable;
use crate::vault::{self, Backend, Entry, Index, Vault};
use anyhow::{Context, Result, anyhow, bail};
use std::io::Read as _;
use std::process::ExitCode;

/// The note a vaulted profile's section carries (`# rolecall vault: …`).
const NOTE: &str = "rolecall vault:";

pub fn run(cfg: &Config, action: VaultAction) -> Result<ExitCode> {
    match action {
        VaultAction::Import { profiles } => import(cfg, &profiles),
        VaultAction::Add { profile } => add(cfg, &profile),
        VaultAction::List { json } => list(cfg, json),
        VaultAction::Rm { profile, yes } => rm(cfg, &profile, yes),
        VaultAction::Export { profile, yes } => export(cfg, &profile, yes),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// What the vault calls a backend in messages.
fn backend_name(backend: Backend) -> &'static str {
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

/// Why `profile` cannot be moved into the vault, or its keys.
fn importable(files: &AwsFiles, profile: &str) -> Result<Found> {
    let set = &files.profiles;
    let Some(section) = set.profile(profile) else {
        return Err(crate::ui::suggest::not_found("profile", profile, set.profiles().map(|p| p.name())));
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
        access_key_id: id.value.to_owned(),
        secret_access_key: secret.to_owned(),
        session_token: None,
        expires_at: None,
        account_id: section.get(Key::AccountId).map(str::to_owned),
    }
    .checked(&format!("profile `{p}`"))?;
    Ok(Found { profile: profile.to_owned(), keys, file: id.origin.file })
}

/// The profiles `vault import` takes without names: every one with long-term keys of its own.
fn every_importable(files: &AwsFiles) -> Vec<Found> {
    files
        .profiles
        .profiles()
        .filter(|p| p.get(Key::AccessKeyId).is_some())
        .filter_map(|p| match importable(files, p.name()) {
            Ok(found) => Some(found),
            Err(why) => {
                let why = format!("{why:#}");
                eprintln!("rolecall: skipped: {}", why.trim_end_matches("; nothing was changed"));
                None
            }
        })
        .collect()
}

/// The backend for new entries, said in one line when it was chosen for the person.
async fn open_chosen(cfg: &Config) -> Result<Vault> {
    let backend = vault::chosen(cfg, &|line| eprintln!("rolecall: {line}")).await?;
    Vault::open(cfg, backend).await
}

/// Make `profile` (whose keys are now in `backend`) point at the vault: the marker in `file`, the
/// note beside it, no key lines in either file; it must read back as a vaulted profile.
fn point_at_vault(files: &mut Files, profile: &str, file: FileKind, backend: Backend) -> Result<()> {
    for kind in [FileKind::Config, FileKind::Credentials] {
        for key in ["aws_access_key_id", "aws_secret_access_key"] {
            files.file(kind).unset(profile, key)?;
        }
    }
    let editor = files.file(file);
    editor.set(profile, "credential_process", &vault::marker(profile))?;
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

/// Remove the `.bak` of an edited file when it holds one of `secrets` (it was the file with the
/// keys in plain text).
fn scrub_backups(files: &AwsFiles, secrets: &[&str]) {
    for file in [&files.config, &files.credentials] {
        let backup = crate::files::save::backup_path(&file.path);
        let Ok(text) = std::fs::read_to_string(&backup) else { continue };
        if secrets.iter().any(|s| text.contains(s)) && std::fs::remove_file(&backup).is_ok() {
            eprintln!("rolecall: removed {}.bak: it held the keys in plain text", file.display);
        }
    }
}

fn import(cfg: &Config, names: &[String]) -> Result<()> {
    let files = super::load_checked(cfg)?;
    let found: Vec<Found> = if names.is_empty() {
        let all = every_importable(&files);
        if all.is_empty() {
            bail!("no profile has long-term keys in the files: nothing to import");
        }
        all
    } else {
        names.iter().map(|n| importable(&files, n)).collect::<Result<_>>()?
    };
    let runtime = crate::runtime()?;
    let vault = runtime.block_on(open_chosen(cfg))?;
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
    change_without_backup(
        cfg,
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
    scrub_backups(&files, &secrets);
    for f in &found {
        eprintln!(
            "rolecall: moved the keys of `{}` ({}) into {}; other tools get them through credential_process",
            printable(&f.profile),
            mask(&f.keys.access_key_id),
            backend_name(backend)
        );
    }
    Ok(())
}

/// Keys typed on the terminal (the secret hidden), or two lines on stdin.
fn read_keys(profile: &str) -> Result<Credentials> {
    use std::io::IsTerminal;
    let (id, secret) = match crate::ui::tty::Tty::open().filter(|_| std::io::stdin().is_terminal()) {
        Some(tty) => {
            let id =
                tty.read_line(&format!("AWS Access Key ID for {}: ", printable(profile)), crate::ui::tty::Echo::Plain)?;
            let secret = tty.read_line("AWS Secret Access Key: ", crate::ui::tty::Echo::Hidden)?;
            (id, secret)
        }
        None => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().take(64 * 1024), &mut text)
                .context("cannot read the keys from stdin")?;
            let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
            match (lines.next(), lines.next()) {
                (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
                _ => bail!("give the keys on stdin as two lines: the access key id, then the secret access key"),
            }
        }
    };
    let (id, secret) = (id.trim().to_owned(), secret.trim().to_owned());
    check_pair("aws_access_key_id", &id)?;
    check_pair("aws_secret_access_key", &secret).map_err(|_| anyhow!("the secret access key is not one AWS issues"))?;
    Credentials {
        access_key_id: id,
        secret_access_key: secret,
        session_token: None,
        expires_at: None,
        account_id: None,
    }
    .checked("the keys given")
}

fn add(cfg: &Config, profile: &str) -> Result<()> {
    let files = super::load_checked(cfg)?;
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
    let keys = read_keys(profile)?;
    let runtime = crate::runtime()?;
    let vault = runtime.block_on(open_chosen(cfg))?;
    let backend = vault.backend();
    runtime.block_on(vault.put_checked(profile, &keys)).context("nothing was changed")?;
    let mut index = Index::load(cfg)?;
    index.entries.insert(
        profile.to_owned(),
        Entry { backend, access_key_id: keys.access_key_id.clone(), account_id: None, added: cfg.now() },
    );
    index.save(cfg)?;
    change_without_backup(
        cfg,
        |edited, _| point_at_vault(edited, profile, file_for("aws_access_key_id"), backend),
        |after| verify_vaulted(after, profile),
    )?;
    eprintln!("rolecall: added `{p}` ({}) to {}", mask(&keys.access_key_id), backend_name(backend));
    Ok(())
}

fn list(cfg: &Config, json: bool) -> Result<()> {
    let index = Index::load(cfg)?;
    let files = AwsFiles::load(cfg);
    let in_files = |profile: &str| files.profiles.profile(profile).is_some_and(chain::points_at_vault);
    let mut text = String::new();
    if json {
        let rows: Vec<serde_json::Value> = index
            .entries
            .iter()
            .map(|(profile, e)| {
                serde_json::json!({
                    "profile": profile,
                    "backend": e.backend.name(),
                    "access_key_id": mask(&e.access_key_id),
                    "added": crate::util::time::format_rfc3339(e.added),
                    "in_files": in_files(profile),
                })
            })
            .collect();
        text = serde_json::to_string_pretty(&rows)?;
        text.push('\n');
    } else if index.entries.is_empty() {
        eprintln!("rolecall: the vault holds no profile ('rolecall vault import' moves the keys of the files into it)");
    } else {
        let width = index.entries.keys().map(|p| printable(p).chars().count()).max().unwrap_or(0);
        for (profile, e) in &index.entries {
            let note = if in_files(profile) { "" } else { "  (the files do not point at it)" };
            text.push_str(&format!(
                "{:width$}  {:14}  {}{note}\n",
                printable(profile),
                e.backend.name(),
                mask(&e.access_key_id)
            ));
        }
    }
    super::write_stdout(|out| out.write_all(text.as_bytes()))
}

/// `profile`'s entry in the index, or why there is none.
fn entry(cfg: &Config, profile: &str) -> Result<(Index, Entry)> {
    let index = Index::load(cfg)?;
    match index.entries.get(profile).cloned() {
        Some(e) => Ok((index, e)),
        None => {
            Err(crate::ui::suggest::not_found("vaulted profile", profile, index.entries.keys().map(String::as_str)))
        }
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

/// Go on when `yes` was passed or the person agrees on the terminal; cancelled otherwise.
fn confirmed(yes: bool, question: &str) -> Result<()> {
    if yes || crate::ui::tty::confirm(question, "--yes")? { Ok(()) } else { Err(anyhow!(crate::Cancelled)) }
}

fn rm(cfg: &Config, profile: &str, yes: bool) -> Result<()> {
    let (mut index, e) = entry(cfg, profile)?;
    let p = printable(profile);
    confirmed(
        yes,
        &format!(
            "Remove the keys of `{p}` ({}) from {}? They are kept nowhere else",
            mask(&e.access_key_id),
            backend_name(e.backend)
        ),
    )?;
    let runtime = crate::runtime()?;
    let vault = runtime.block_on(Vault::open(cfg, e.backend))?;
    let files = AwsFiles::load(cfg);
    if files.profiles.profile(profile).is_some_and(chain::points_at_vault) {
        super::change_files(
            cfg,
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
    eprintln!("rolecall: removed `{p}` from {}", backend_name(e.backend));
    Ok(())
}

fn export(cfg: &Config, profile: &str, yes: bool) -> Result<()> {
    let (mut index, e) = entry(cfg, profile)?;
    let p = printable(profile);
    confirmed(
        yes,
        &format!(
            "Write the keys of `{p}` back into the credentials file, in plain text, and remove them from {}?",
            backend_name(e.backend)
        ),
    )?;
    let runtime = crate::runtime()?;
    let vault = runtime.block_on(Vault::open(cfg, e.backend))?;
    let keys = runtime
        .block_on(vault.get(profile))?
        .ok_or_else(|| anyhow!("{} has no keys for `{p}`: nothing was changed", backend_name(e.backend)))?;
    let pairs = [
        ("aws_access_key_id", keys.access_key_id.as_str()),
        ("aws_secret_access_key", keys.secret_access_key.as_str()),
    ];
    super::change_files(
        cfg,
        |edited, _| {
            unpoint(edited, profile)?;
            for (key, value) in pairs {
                edited.credentials.set(profile, key, value)?;
            }
            Ok(())
        },
        |after| {
            crate::files::change::verify_pairs(after, profile, &pairs)?;
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
    eprintln!(
        "rolecall: the keys of `{p}` ({}) are in the credentials file again, not in {}",
        mask(&keys.access_key_id),
        backend_name(e.backend)
    );
    Ok(())
}
