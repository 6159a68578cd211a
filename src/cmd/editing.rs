//! The one way the commands that change the AWS files do it: under the edit lock, read both
//! files, edit them in memory, read the result back with the SDKs' rules and check that it says
//! what was meant, then write each changed file atomically (previous version in `<file>.bak`).

use crate::files::edit::Editor;
use crate::files::{AwsFiles, Content, FileKind, ProfileSet, SourceFile, save};
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

/// Run `edit` on the files as they are now (their merged view beside it), check the result
/// with `verify`, and write what changed. Whether anything did.
pub fn change(
    edit: impl FnOnce(&mut Files, &ProfileSet) -> Result<()>,
    verify: impl FnOnce(&ProfileSet) -> Result<()>,
) -> Result<bool> {
    let _lock = save::lock()?;
    let files = AwsFiles::load();
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
        changes.push(save::Change { path: &file.path, new: new.as_bytes(), old: old.as_deref().map(str::as_bytes) });
        written.push((file, old.is_some()));
    }
    if changes.is_empty() {
        eprintln!("rolecall: nothing to change");
        return Ok(false);
    }
    save::save_all(&changes)?;
    for (file, backup) in written {
        let backup = if backup { format!(" (the previous version is {}.bak)", file.display) } else { String::new() };
        eprintln!("rolecall: wrote {}{backup}", file.display);
    }
    Ok(true)
}

/// The file the SDKs read `key` from: the long-term and session keys from the credentials file
/// (where `aws configure` writes them), everything else from the config file.
pub fn file_for(key: &str) -> FileKind {
    match key {
        "aws_access_key_id" | "aws_secret_access_key" | "aws_session_token" => FileKind::Credentials,
        _ => FileKind::Config,
    }
}

/// A yes/no question on the terminal; no terminal is an error that names `flag`.
pub fn confirm(question: &str, flag: &str) -> Result<bool> {
    crate::ui::tty::Tty::require(&format!("pass {flag}"))?.confirm(question)
}
