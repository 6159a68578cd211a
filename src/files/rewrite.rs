//! Replacing a whole AWS file with an edited copy (`rolecall edit`): the copy is private (0600,
//! in a 0700 directory), checked with the doctor's checks (only errors the edit brings in block
//! it), and written atomically (previous version in `<file>.bak`) unless the file changed
//! meanwhile.

use crate::config::Config;
use crate::files::doctor::{self, Severity};
use crate::files::{AwsFiles, Content, FileKind, SourceFile, save};
use crate::types::Notify;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// A private directory for the copy, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One file being replaced.
pub struct Rewrite {
    kind: FileKind,
    files: AwsFiles,
    original: String,
    /// The doctor's errors before the edit: they do not block it.
    known: Vec<doctor::Finding>,
    /// The copy the editor changes.
    pub copy: PathBuf,
    _scratch: Scratch,
}

/// What the doctor says about an edited text.
pub struct Checked {
    /// Errors the edit brought in.
    pub new: Vec<doctor::Finding>,
    /// Errors that were there before it.
    pub before: Vec<doctor::Finding>,
}

impl Rewrite {
    /// A private copy of the file of `kind` (empty when it is missing).
    pub fn start(cfg: &Config, kind: FileKind) -> Result<Rewrite> {
        let files = AwsFiles::load(cfg);
        let file = files.file(kind);
        let original = match &file.content {
            Content::Text(doc) => doc.render(),
            Content::Missing => String::new(),
            Content::NotUtf8 => bail!("{} is not UTF-8 text: rolecall does not edit it", file.display),
            Content::Unreadable(why) => bail!("{}: cannot read: {why}", file.display),
        };
        let base =
            cfg.cache_dir().context("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set")?;
        remove_stale_copies(&base);
        let scratch = Scratch(base.join(format!("edit-{}", std::process::id())));
        crate::util::fs::ensure_private_dir(&scratch.0)?;
        let copy = scratch.0.join(if kind == FileKind::Config { "config" } else { "credentials" });
        crate::util::fs::write_private(&copy, original.as_bytes())?;
        let known = errors_of(&files, kind);
        Ok(Rewrite { kind, files, original, known, copy, _scratch: scratch })
    }

    /// The file as messages name it.
    pub fn display(&self) -> &str {
        &self.files.file(self.kind).display
    }

    /// The edited copy; `None` when it is unchanged.
    pub fn edited(&self) -> Result<Option<String>> {
        let text = String::from_utf8(std::fs::read(&self.copy).context("cannot read the edited copy")?)
            .map_err(|_| anyhow::anyhow!("the edited file is not UTF-8 text: nothing written"))?;
        Ok((text != self.original).then_some(text))
    }

    /// The doctor's errors about `text`, read with the other file as it is now.
    pub fn check(&self, text: &str) -> Checked {
        let kind = self.kind;
        let edited = SourceFile::from_text(kind, self.display(), text);
        let other = SourceFile::read(kind_other(kind), self.files.file(kind_other(kind)).path.clone(), None);
        let candidate = match kind {
            FileKind::Config => AwsFiles::from_files(edited, other),
            FileKind::Credentials => AwsFiles::from_files(other, edited),
        };
        let mut old = self.known.clone();
        let mut checked = Checked { new: Vec::new(), before: Vec::new() };
        for f in errors_of(&candidate, kind) {
            match old.iter().position(|k| same_error(k, &f)) {
                Some(i) => checked.before.push(old.swap_remove(i)),
                None => checked.new.push(f),
            }
        }
        checked
    }

    /// Replace the file with `text`, unless it changed since the copy was made.
    pub fn save(&self, cfg: &Config, notify: Notify<'_>, text: &str) -> Result<()> {
        let file = self.files.file(self.kind);
        let _lock = save::lock(cfg, notify)?;
        let now = std::fs::read(&file.path).unwrap_or_default();
        if now != self.original.as_bytes() {
            bail!("{} changed while you were editing it: nothing written", file.display);
        }
        let old = (!matches!(file.content, Content::Missing)).then_some(self.original.as_bytes());
        save::save(cfg, &file.path, text.as_bytes(), old)?;
        let written = [crate::files::change::Written { display: file.display.clone(), backup: old.is_some() }];
        crate::files::change::tell(&written, notify);
        Ok(())
    }
}

/// Copies left by an edit whose rolecall was killed (`edit-PID` of a process that is gone).
fn remove_stale_copies(base: &Path) {
    for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("edit-")).and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if !crate::util::fs::alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The doctor's errors about the file being edited.
fn errors_of(files: &AwsFiles, kind: FileKind) -> Vec<doctor::Finding> {
    let display = &files.file(kind).display;
    doctor::check(files).into_iter().filter(|f| f.severity == Severity::Error && &f.file == display).collect()
}

/// The same problem before and after an edit: its code, profile and message, whatever lines
/// moved (numbers in the message are line numbers).
fn same_error(a: &doctor::Finding, b: &doctor::Finding) -> bool {
    let words = |m: &str| m.chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
    a.code == b.code && a.profile == b.profile && words(&a.message) == words(&b.message)
}

fn kind_other(kind: FileKind) -> FileKind {
    match kind {
        FileKind::Config => FileKind::Credentials,
        FileKind::Credentials => FileKind::Config,
    }
}
