//! `rolecall edit [config|credentials]`: the file in `$VISUAL`/`$EDITOR`, on a private copy
//! (0600, in a 0700 directory), checked with the doctor's checks before it replaces the file
//! (atomically, previous version in `<file>.bak`); on errors, the choice to edit again.

use crate::cli::{EditArgs, EditFile};
use crate::config::Config;
use crate::files::doctor::{self, Severity};
use crate::files::{AwsFiles, Content, FileKind, SourceFile, save};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A private directory for the copy, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(cfg: &Config, args: EditArgs) -> Result<ExitCode> {
    let EditArgs { file: which, force } = args;
    let kind = match which {
        EditFile::Config => FileKind::Config,
        EditFile::Credentials => FileKind::Credentials,
    };
    let files = AwsFiles::load(cfg);
    let file = files.file(kind);
    let original = match &file.content {
        Content::Text(doc) => doc.render(),
        Content::Missing => String::new(),
        Content::NotUtf8 => bail!("{} is not UTF-8 text: rolecall does not edit it", file.display),
        Content::Unreadable(why) => bail!("{}: cannot read: {why}", file.display),
    };
    let base = cfg.cache_dir().context("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set")?;
    remove_stale_copies(&base);
    let scratch = Scratch(base.join(format!("edit-{}", std::process::id())));
    crate::util::fs::ensure_private_dir(&scratch.0)?;
    let copy = scratch.0.join(if kind == FileKind::Config { "config" } else { "credentials" });
    crate::util::fs::write_private(&copy, original.as_bytes())?;
    // The errors the file has now do not block an edit; only new ones do.
    let known = errors_of(&files, kind);
    let text = loop {
        crate::ui::editor::run(cfg, &copy)?;
        let text = String::from_utf8(std::fs::read(&copy).context("cannot read the edited copy")?)
            .map_err(|_| anyhow::anyhow!("the edited file is not UTF-8 text: nothing written"))?;
        if text == original {
            eprintln!("rolecall: no change");
            return Ok(ExitCode::SUCCESS);
        }
        let edited = SourceFile::from_text(kind, &file.display, &text);
        let other = SourceFile::read(kind_other(kind), files.file(kind_other(kind)).path.clone(), None);
        let candidate = match kind {
            FileKind::Config => AwsFiles::from_files(edited, other),
            FileKind::Credentials => AwsFiles::from_files(other, edited),
        };
        let mut old = known.clone();
        let (mut errors, mut before) = (Vec::new(), Vec::new());
        for f in errors_of(&candidate, kind) {
            match old.iter().position(|k| same_error(k, &f)) {
                Some(i) => before.push(old.swap_remove(i)),
                None => errors.push(f),
            }
        }
        let show = |f: &doctor::Finding, note: &str| {
            let place = if f.line == 0 { f.file.clone() } else { format!("{}:{}", f.file, f.line) };
            eprintln!("rolecall: error[{}] {place}: {}{note} (hint: {})", f.code, f.message, f.hint);
        };
        if errors.is_empty() || force {
            for f in &before {
                show(f, " (already there before this edit: not blocking)");
            }
            break text;
        }
        for f in &errors {
            show(f, "");
        }
        if !before.is_empty() {
            eprintln!("rolecall: ({} more error(s) were already there before this edit)", before.len());
        }
        let again = crate::ui::tty::confirm("Edit again? (no: nothing is written)", "--force to write it anyway")
            .unwrap_or(false);
        if !again {
            bail!("{} not written: {} error(s); 'rolecall edit --force' writes it anyway", file.display, errors.len());
        }
    };
    let _lock = save::lock(cfg)?;
    let now = std::fs::read(&file.path).unwrap_or_default();
    if now != original.as_bytes() {
        bail!("{} changed while you were editing it: nothing written", file.display);
    }
    let old = (!matches!(file.content, Content::Missing)).then_some(original.as_bytes());
    save::save(cfg, &file.path, text.as_bytes(), old)?;
    let backup = if old.is_some() { format!(" (the previous version is {}.bak)", file.display) } else { String::new() };
    eprintln!("rolecall: wrote {}{backup}", file.display);
    Ok(ExitCode::SUCCESS)
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
