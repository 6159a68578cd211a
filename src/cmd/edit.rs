//! `rolecall edit [config|credentials]`: the file in `$VISUAL`/`$EDITOR`, on a private copy
//! (0600, in a 0700 directory), checked with the doctor's checks before it replaces the file
//! (atomically, previous version in `<file>.bak`); on errors, the choice to edit again.

use crate::cli::EditFile;
use crate::doctor::{self, Severity};
use crate::profile::{AwsFiles, Content, FileKind, SourceFile, save};
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

/// The editor people set, run through `sh` so that `code -w` or `vim -u NONE` work.
fn run_editor(path: &Path) -> Result<()> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .with_context(|| format!("cannot run the editor ({editor})"))?;
    if !status.success() {
        bail!("the editor ({editor}) exited with {status}: nothing written");
    }
    Ok(())
}

pub fn run(which: EditFile, force: bool) -> Result<ExitCode> {
    let kind = match which {
        EditFile::Config => FileKind::Config,
        EditFile::Credentials => FileKind::Credentials,
    };
    let files = AwsFiles::load();
    let file = files.file(kind);
    let original = match &file.content {
        Content::Text(doc) => doc.render(),
        Content::Missing => String::new(),
        Content::NotUtf8 => bail!("{} is not UTF-8 text: rolecall does not edit it", file.display),
        Content::Unreadable(why) => bail!("{}: cannot read: {why}", file.display),
    };
    let base =
        crate::cache::dir().context("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set")?;
    let scratch = Scratch(base.join(format!("edit-{}", std::process::id())));
    crate::cache::ensure_private_dir(&scratch.0)?;
    let copy = scratch.0.join(if kind == FileKind::Config { "config" } else { "credentials" });
    crate::cache::write_private(&copy, original.as_bytes())?;
    let text = loop {
        run_editor(&copy)?;
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
        let errors: Vec<_> = doctor::check(&candidate)
            .into_iter()
            .filter(|f| f.severity == Severity::Error && f.file == file.display)
            .collect();
        if errors.is_empty() || force {
            break text;
        }
        for f in &errors {
            let place = if f.line == 0 { f.file.clone() } else { format!("{}:{}", f.file, f.line) };
            eprintln!("rolecall: error[{}] {place}: {} (hint: {})", f.code, f.message, f.hint);
        }
        let again = super::editing::confirm("Edit again? (no: nothing is written)", "--force to write it anyway")
            .unwrap_or(false);
        if !again {
            bail!("{} not written: {} error(s); 'rolecall edit --force' writes it anyway", file.display, errors.len());
        }
    };
    let _lock = save::lock()?;
    let now = std::fs::read(&file.path).unwrap_or_default();
    if now != original.as_bytes() {
        bail!("{} changed while you were editing it: nothing written", file.display);
    }
    let old = (!matches!(file.content, Content::Missing)).then_some(original.as_bytes());
    save::save(&file.path, text.as_bytes(), old)?;
    let backup = if old.is_some() { format!(" (the previous version is {}.bak)", file.display) } else { String::new() };
    eprintln!("rolecall: wrote {}{backup}", file.display);
    Ok(ExitCode::SUCCESS)
}

fn kind_other(kind: FileKind) -> FileKind {
    match kind {
        FileKind::Config => FileKind::Credentials,
        FileKind::Credentials => FileKind::Config,
    }
}
