//! The one way rolecall changes the AWS files: under the edit lock, read both files, edit them in
//! memory, read the result back with the SDKs' rules and check that it says what was meant, then
//! write the changed files as a pair (previous versions in `<file>.bak`).

use crate::config::Config;
use crate::files::edit::Editor;
use crate::files::validate::{Pairs, check_pair};
use crate::files::{AwsFiles, Content, FileKind, ProfileSet, SourceFile, save};
use crate::types::Notify;
use anyhow::{Context, Result, bail};

/// Both files being edited.
pub struct Files {
    pub config: Editor,
    pub credentials: Editor,
}

impl Files {
    pub fn file(&mut self, kind: FileKind) -> &mut Editor {
        match kind {
            FileKind::Config => &mut self.config,
            FileKind::Credentials => &mut self.credentials,
        }
    }
}

/// Editors over both files as they are (a missing file is an empty one).
pub fn editors(files: &AwsFiles) -> Result<Files> {
    let editor = |file: &SourceFile| match &file.content {
        Content::Text(doc) => Ok(Editor::new(file.kind, doc)),
        Content::Missing => Ok(Editor::empty(file.kind)),
        Content::NotUtf8 => bail!("{} is not UTF-8 text: rolecall does not edit it", file.display),
        Content::Unreadable(why) => bail!("{}: cannot read: {why}", file.display),
    };
    Ok(Files { config: editor(&files.config)?, credentials: editor(&files.credentials)? })
}

/// A file an edit wrote, as messages name it, and whether its previous version is in `.bak`.
#[derive(Debug)]
pub struct Written {
    pub display: String,
    pub backup: bool,
}

/// Run `edit` on the files as they are now (their merged view beside it), check the result
/// with `verify`, and write what changed: the files written (none: nothing to change).
pub fn change(
    cfg: &Config,
    notify: Notify,
    edit: impl FnOnce(&mut Files, &ProfileSet) -> Result<()>,
    verify: impl FnOnce(&ProfileSet) -> Result<()>,
) -> Result<Vec<Written>> {
    change_with(cfg, notify, true, edit, verify)
}

/// [`change`] keeping no `.bak`: for an edit that takes secrets out of the files (the previous
/// version would keep them in plain text).
pub fn change_without_backup(
    cfg: &Config,
    notify: Notify,
    edit: impl FnOnce(&mut Files, &ProfileSet) -> Result<()>,
    verify: impl FnOnce(&ProfileSet) -> Result<()>,
) -> Result<Vec<Written>> {
    change_with(cfg, notify, false, edit, verify)
}

fn change_with(
    cfg: &Config,
    notify: Notify,
    backup: bool,
    edit: impl FnOnce(&mut Files, &ProfileSet) -> Result<()>,
    verify: impl FnOnce(&ProfileSet) -> Result<()>,
) -> Result<Vec<Written>> {
    let _lock = save::lock(cfg, notify)?;
    let files = AwsFiles::load(cfg);
    files.check().context("the files must be readable before rolecall edits them ('rolecall doctor' shows why)")?;
    let mut edited = editors(&files)?;
    edit(&mut edited, &files.profiles)?;
    let texts = [edited.config.render(), edited.credentials.render()];
    let after = AwsFiles::from_files(
        SourceFile::from_text(FileKind::Config, &files.config.display, &texts[0]),
        SourceFile::from_text(FileKind::Credentials, &files.credentials.display, &texts[1]),
    );
    after.check().context("the edit would leave a file the SDKs cannot read; nothing was written")?;
    verify(&after.profiles).context("nothing was written")?;
    // Both files go in as a pair (save::save_all): a full disk or a kill leaves the old pair or
    // the new one, never one of each.
    let olds: Vec<Option<String>> =
        [&files.config, &files.credentials].iter().map(|f| f.document().map(|d| d.render())).collect();
    let mut written = Vec::new();
    let mut changes = Vec::new();
    for ((file, new), old) in [&files.config, &files.credentials].into_iter().zip(&texts).zip(&olds) {
        if old.as_deref() == Some(new.as_str()) || (old.is_none() && new.is_empty()) {
            continue;
        }
        changes.push(save::Change {
            path: &file.path,
            new: new.as_bytes(),
            old: old.as_deref().map(str::as_bytes),
            backup,
        });
        written.push(Written { display: file.display.clone(), backup: backup && old.is_some() });
    }
    if !changes.is_empty() {
        save::save_all(cfg, &changes)?;
    }
    Ok(written)
}

/// The keys through which a profile gets credentials (each of them the SDKs read before a
/// container's credentials).
pub const CREDENTIAL_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
    "login_session",
];

/// Both files as text (config, credentials) with every key through which `profile` gets
/// credentials taken out, everything else as it is: for a command that must not act as that
/// profile (a credential server's, whose SDKs would read `[default]`'s keys before the server).
/// Nothing is written; checked to give `profile` no credentials.
pub fn without_credentials(files: &AwsFiles, profile: &str) -> Result<(String, String)> {
    let mut edited = editors(files)?;
    for key in CREDENTIAL_KEYS {
        edited.config.unset(profile, key)?;
        edited.credentials.unset(profile, key)?;
    }
    let texts = (edited.config.render(), edited.credentials.render());
    let after = AwsFiles::from_files(
        SourceFile::from_text(FileKind::Config, &files.config.display, &texts.0),
        SourceFile::from_text(FileKind::Credentials, &files.credentials.display, &texts.1),
    );
    if let Some(section) = after.profiles.profile(profile)
        && crate::files::chain::resolve_credentials(&after.profiles, section).is_ok()
    {
        bail!("profile `{profile}` still has credentials once its credential keys are taken out");
    }
    Ok(texts)
}

/// The check every edit that sets values makes: `profile` reads back with exactly `pairs`.
pub fn verify_pairs(after: &ProfileSet, profile: &str, pairs: &[(&str, &str)]) -> Result<()> {
    let section = after.profile(profile).with_context(|| format!("{profile} is missing after the edit"))?;
    for (key, value) in pairs {
        if section.get(*key) != Some(*value) {
            // The value is not named: it may be a secret.
            bail!("{key} of {profile} does not read back as written");
        }
    }
    Ok(())
}

/// The file the SDKs read `key` from: the long-term and session keys from the credentials file
/// (where `aws configure` writes them), everything else from the config file.
pub fn file_for(key: &str) -> FileKind {
    match key {
        "aws_access_key_id" | "aws_secret_access_key" | "aws_session_token" => FileKind::Credentials,
        _ => FileKind::Config,
    }
}

/// Set `pairs` in `profile`, each key in the file the SDKs read it from, each value checked
/// first; the result must read back with exactly those values.
pub fn set_pairs(cfg: &Config, notify: Notify, profile: &str, pairs: &Pairs) -> Result<Vec<Written>> {
    for (key, value) in pairs {
        check_pair(key, value)?;
    }
    let expected: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    change(
        cfg,
        notify,
        |files: &mut Files, _| {
            for (key, value) in pairs {
                files.file(file_for(key)).set(profile, key, value)?;
            }
            Ok(())
        },
        |after: &ProfileSet| verify_pairs(after, profile, &expected),
    )
}

/// What `edit` would append to the config file, as `--dry-run` shows it: the file's name, then
/// each added line with a `+`.
pub fn preview_appended(files: &AwsFiles, edit: impl FnOnce(&mut Files) -> Result<()>) -> Result<String> {
    let mut preview = editors(files)?;
    edit(&mut preview)?;
    let before = files.config.document().map(|d| d.render()).unwrap_or_default();
    let after = preview.config.render();
    let added = after.strip_prefix(before.as_str()).unwrap_or(&after);
    let text: String = added.lines().map(|l| format!("+{l}\n")).collect();
    Ok(format!("--- {}\n{text}", files.config.display))
}

/// Say which files an edit wrote (or that there was nothing to change).
pub fn tell(written: &[Written], notify: Notify<'_>) {
    if written.is_empty() {
        notify(crate::types::Notice::Note("nothing to change".into()));
    }
    for file in written {
        let backup =
            if file.backup { format!(" (the previous version is {}.bak)", file.display) } else { String::new() };
        notify(crate::types::Notice::Note(format!("wrote {}{backup}", file.display)));
    }
}
