//! Temporary credentials on disk (DESIGN.md, Files).
//!
//! `$XDG_CACHE_HOME/rolecall` (default `~/.cache/rolecall`): dir 0700, files 0600, each written
//! to a temporary file and renamed over the old one, so a reader sees the old entry or the new
//! one, never half of one. A lock file per key serialises the processes that would otherwise
//! call STS for the same thing at once: the second one waits, then finds the first one's entry.

use crate::types::{Credentials, Notice, Notify};
use anyhow::{Context, Result, bail};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub struct Cache {
    dir: PathBuf,
    /// Entries with less than this left (seconds) are not served (`ROLECALL_REFRESH_BEFORE`).
    margin: i64,
}

pub use crate::util::fs::{Lock, Wait};
use crate::util::fs::{ensure_private_dir, write_private};

/// A cache key: sha1 of the parts, each ended by NUL so that `["ab", "c"]` ≠ `["a", "bc"]`.
pub fn key(kind: &str, parts: &[&str]) -> String {
    let mut h = sha1_smol::Sha1::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    format!("{kind}-{}", h.digest())
}

/// Said once per run: an entry that is not private was ignored.
static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Cache {
    /// A cache in `dir` (locks only: entries served with the default margin).
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir, margin: crate::config::DEFAULT_REFRESH_BEFORE_SECS }
    }

    /// The cache the environment points to. A directory that is a symlink, or another user's,
    /// is refused: its entries would be someone else's to plant.
    pub fn open(cfg: &crate::config::Config) -> Result<Cache> {
        let dir = cfg.cache_dir().context("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set")?;
        if let Ok(meta) = fs::symlink_metadata(&dir) {
            if meta.file_type().is_symlink() {
                bail!(
                    "the cache directory {} is a symbolic link: not used (remove it, or set XDG_CACHE_HOME)",
                    dir.display()
                );
            }
            if meta.uid() != crate::util::fs::euid() {
                bail!("the cache directory {} belongs to another user: not used (set XDG_CACHE_HOME)", dir.display());
            }
        }
        Ok(Cache { dir, margin: cfg.refresh_before() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{key}.{ext}"))
    }

    /// The entry, if there is one with at least the margin left at `now`. A damaged entry is
    /// treated as absent (it is replaced by the next fetch); so is one that is not private
    /// (another user's, or readable by others), with one warning.
    pub fn get(&self, key: &str, now: i64, notify: Notify) -> Option<Credentials> {
        let path = self.path(key, "json");
        let bytes = match crate::util::fs::read_private(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    notify(Notice::Warning(format!("ignored the cache entry {}: {e}", path.display())));
                }
                return None;
            }
            Err(_) => return None,
        };
        let text = String::from_utf8(bytes).ok()?;
        let creds = Credentials::from_process_json(&text).ok()?.checked("cache").ok()?;
        match creds.expires_at {
            Some(t) if t - now >= self.margin => Some(creds),
            _ => None,
        }
    }

    /// When the entry was last written, if there is one: taken before waiting for its lock, so
    /// that [`Cache::get_changed`] can tell whether another process wrote it meanwhile.
    pub fn modified(&self, key: &str) -> Option<std::time::SystemTime> {
        fs::metadata(self.path(key, "json")).and_then(|m| m.modified()).ok()
    }

    /// [`Cache::get`], for an entry written since [`Cache::modified`] said `seen` only: what
    /// another process fetched while this one waited, never what was there before.
    pub fn get_changed(
        &self,
        key: &str,
        now: i64,
        seen: Option<std::time::SystemTime>,
        notify: Notify,
    ) -> Option<Credentials> {
        match self.modified(key) {
            Some(written) if Some(written) != seen => self.get(key, now, notify),
            _ => None,
        }
    }

    pub fn put(&self, key: &str, creds: &Credentials) -> Result<()> {
        self.ensure_dir()?;
        write_private(&self.path(key, "json"), creds.to_process_json().as_bytes())
    }

    pub fn remove(&self, key: &str) {
        let _ = fs::remove_file(self.path(key, "json"));
    }

    /// Wait for the lock of `key` as `wait` says.
    pub fn lock(&self, key: &str, wait: Wait) -> Result<Option<Lock>> {
        self.ensure_dir()?;
        crate::util::fs::lock(&self.path(key, "lock"), wait)
    }

    /// What the holder of `key`'s lock noted it is doing.
    pub fn lock_note(&self, key: &str) -> String {
        crate::util::fs::lock_note(&self.path(key, "lock"))
    }

    fn ensure_dir(&self) -> Result<()> {
        ensure_private_dir(&self.dir)
    }
}
