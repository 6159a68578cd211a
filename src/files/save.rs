//! Writing an edited AWS file so that it is always either the old or the new content: a
//! temporary file in the same directory, written and flushed to disk, then renamed over the file.
//! Through a symlink the target is replaced and the link kept; the file's mode is kept (a new
//! file is 0600, in a 0700 directory when that is new too); the previous content is kept as
//! `<file>.bak` (0600). Writers hold [`lock`] from reading to renaming.

use crate::config::Config;
use crate::types::{Notice, Notify};
use crate::util::fs::{self as fsutil, Mode};
use anyhow::{Context, Result};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Held while rolecall reads, edits and writes the AWS files: two rolecall writers never
/// interleave (one lock for both files, since an edit often touches both).
pub fn lock(cfg: &Config, notify: Notify) -> Result<fsutil::Lock> {
    let dir = cfg.cache_dir().context("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set")?;
    fsutil::ensure_private_dir(&dir)?;
    fsutil::lock(
        &dir.join(LOCK),
        fsutil::Wait::Always(&|_| notify(Notice::Waiting("waiting for another rolecall editing the AWS files".into()))),
    )?
    .context("the edit lock")
}

/// The edit lock's file in the cache directory.
const LOCK: &str = "aws-files-edit.lock";

/// The file a path names, through symlinks (a link to a missing file names that file).
pub fn target_of(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    match fs::read_link(path) {
        Ok(link) if link.is_absolute() => link,
        Ok(link) => path.parent().unwrap_or(Path::new(".")).join(link),
        Err(_) => path.to_owned(),
    }
}

/// Where an edit of the file at `path` keeps the previous version: `<file>.bak` beside the file
/// a symlink names.
pub fn backup_path(path: &Path) -> PathBuf {
    backup_beside(&target_of(path))
}

fn backup_beside(target: &Path) -> PathBuf {
    let mut backup = target.as_os_str().to_owned();
    backup.push(".bak");
    PathBuf::from(backup)
}

/// Tests stop the writer at its `N`th stop (0: all files staged beside their targets, nothing in
/// place; 1, 2…: between two renames) with `ROLECALL_TEST_WRITE_STOP=N:FILE`: it creates FILE and
/// waits until the test removes it (to go on) or kills it. Not in release builds.
fn test_stop() {
    #[cfg(feature = "test-hooks")]
    {
        static STOPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let stop = STOPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let wanted = std::env::var("ROLECALL_TEST_WRITE_STOP").ok();
        if let Some((n, file)) = wanted.as_deref().and_then(|w| w.split_once(':'))
            && n.parse() == Ok(stop)
        {
            std::fs::write(file, b"").expect("the stop file");
            while Path::new(file).exists() {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }
}

/// One file of an edit: its new content, and what it held (kept as the backup).
pub struct Change<'a> {
    pub path: &'a Path,
    pub new: &'a [u8],
    pub old: Option<&'a [u8]>,
    /// Whether `old` is kept as `<file>.bak`.
    pub backup: bool,
}

/// Where a write of several files notes what it is putting in place: a run killed between two
/// renames is finished by the next rolecall that reads the files ([`finish_pending`]).
fn journal(cfg: &Config) -> Option<PathBuf> {
    cfg.cache_dir().map(|d| d.join("edit-journal"))
}

/// Replace the file at `path` with `new`; `old` is what it held (kept as the backup). The
/// written path (the symlink's target) is returned.
pub fn save(cfg: &Config, path: &Path, new: &[u8], old: Option<&[u8]>) -> Result<PathBuf> {
    Ok(save_all(cfg, &[Change { path, new, old, backup: true }])?.remove(0))
}

/// Write the files of one edit as a pair: every new content is written and flushed beside its
/// file first (a full disk fails here, with nothing changed), then a journal names them, then each
/// is renamed into place and the journal removed. A rename that fails puts back what was
/// renamed before it; a run killed between renames is finished by the next read
/// ([`finish_pending`]). The written paths (symlinks' targets) are returned.
pub fn save_all(cfg: &Config, changes: &[Change]) -> Result<Vec<PathBuf>> {
    let mut staged = Vec::new();
    let mut targets = Vec::new();
    for change in changes {
        let target = target_of(change.path);
        let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.exists() {
            fsutil::ensure_private_dir(dir)?;
        }
        if let Some(old) = change.old.filter(|_| change.backup) {
            let mode = Mode { bits: 0o600, keep: false, owner_of: Some(&target), durable: true };
            fsutil::write_atomic(&backup_beside(&target), old, mode)?;
        }
        staged.push(fsutil::Staged::new(&target, change.new, Mode::KEEP)?);
        targets.push(target);
    }
    test_stop();
    let journal = journal(cfg).filter(|_| staged.len() > 1);
    if let Some(path) = &journal {
        let mut text = Vec::new();
        for (file, target) in staged.iter().zip(&targets) {
            for part in [file.temp(), target.as_path()] {
                text.extend_from_slice(part.as_os_str().as_bytes());
                text.push(0);
            }
        }
        if let Some(dir) = path.parent() {
            fsutil::ensure_private_dir(dir)?;
        }
        fsutil::write_private(path, &text)?;
    }
    for (i, file) in staged.into_iter().enumerate() {
        if i > 0 {
            test_stop();
        }
        if let Err(e) = file.commit() {
            // Put back what this edit already changed: the files stay a consistent pair.
            for (done, change) in targets.iter().zip(changes).take(i) {
                if let Some(old) = change.old {
                    let _ = fsutil::write_atomic(done, old, Mode::KEEP);
                }
            }
            if let Some(path) = &journal {
                let _ = fs::remove_file(path);
            }
            return Err(e);
        }
    }
    if let Some(path) = &journal {
        let _ = fs::remove_file(path);
    }
    Ok(targets)
}

/// Finish a write of several files that a killed rolecall left half done: the files it had
/// written but not yet renamed are put in place (the edit was checked before any was written).
/// One `stat` when there is nothing to do.
pub fn finish_pending(cfg: &Config) {
    let Some(path) = journal(cfg) else { return };
    if fs::symlink_metadata(&path).is_err() {
        return;
    }
    // Another writer may be in the middle of its own edit: then it is its journal.
    let Ok(Some(_lock)) = fsutil::lock(&path.with_file_name(LOCK), fsutil::Wait::Never) else {
        return;
    };
    let Ok(text) = fsutil::read_private(&path) else { return };
    let parts: Vec<&[u8]> = text.split(|b| *b == 0).filter(|p| !p.is_empty()).collect();
    for pair in parts.chunks(2) {
        if let [tmp, target] = pair {
            let (tmp, target) = (Path::new(OsStr::from_bytes(tmp)), Path::new(OsStr::from_bytes(target)));
            if tmp.exists() {
                let _ = fs::rename(tmp, target);
            }
        }
    }
    let _ = fs::remove_file(&path);
}

/// Create whichever of the two files is missing, empty and private (under the edit lock).
pub fn create_missing(cfg: &Config, notify: Notify<'_>, files: &crate::files::AwsFiles) -> Result<()> {
    let _lock = lock(cfg, notify)?;
    for file in [&files.config, &files.credentials] {
        if !file.path.exists() {
            save(cfg, &file.path, b"", None).with_context(|| format!("cannot create {}", file.display))?;
        }
    }
    Ok(())
}
