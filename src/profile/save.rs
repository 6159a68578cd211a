//! Writing an edited AWS file so that it is always either the old or the new content: a
//! temporary file in the same directory, written and flushed to disk, then renamed over the file.
//! Through a symlink the target is replaced and the link kept; the file's mode is kept (a new
//! file is 0600, in a 0700 directory when that is new too); the previous content is kept as
//! `<file>.bak` (0600). Writers hold [`lock`] from reading to renaming.

use crate::cache;
use anyhow::{Context, Result};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Held while rolecall reads, edits and writes the AWS files: two rolecall writers never
/// interleave (one lock for both files, since an edit often touches both).
pub fn lock() -> Result<cache::Lock> {
    let dir = cache::dir().context("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set")?;
    cache::Cache::new(dir)
        .lock("aws-files-edit", || eprintln!("rolecall: waiting for another rolecall editing the AWS files"))
}

/// The file a path names, through symlinks (a link to a missing file names that file).
fn target_of(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    match fs::read_link(path) {
        Ok(link) if link.is_absolute() => link,
        Ok(link) => path.parent().unwrap_or(Path::new(".")).join(link),
        Err(_) => path.to_owned(),
    }
}

/// Tests stop the writer here to kill it half-way (`ROLECALL_TEST_WRITE_PAUSE_MS`); not in
/// release builds.
fn test_pause() {
    #[cfg(feature = "test-hooks")]
    if let Some(ms) = std::env::var("ROLECALL_TEST_WRITE_PAUSE_MS").ok().and_then(|v| v.parse::<u64>().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Replace the file at `path` with `new`; `old` is what it held (kept as the backup). The
/// written path (the symlink's target) is returned.
pub fn save(path: &Path, new: &[u8], old: Option<&[u8]>) -> Result<PathBuf> {
    let target = target_of(path);
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.exists() {
        cache::ensure_private_dir(dir)?;
    }
    let mode = fs::metadata(&target).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o600);
    if let Some(old) = old {
        let mut backup = target.clone().into_os_string();
        backup.push(".bak");
        cache::write_private(Path::new(&backup), old)?;
    }
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.rolecall-{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        // The mode asked for at creation is reduced by the umask: set the file's own exactly.
        f.set_permissions(fs::Permissions::from_mode(mode))?;
        let half = new.len() / 2;
        f.write_all(&new[..half])?;
        f.flush()?;
        test_pause();
        f.write_all(&new[half..])?;
        f.sync_all()?;
        test_pause();
        fs::rename(&tmp, &target)?;
        // The rename itself reaches the disk with the directory.
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", target.display()))?;
    Ok(target)
}
