//! The trust store of `.awsprofile` files (`$XDG_DATA_HOME/rolecall/allowed`, like direnv's allow
//! list): which files the shell hooks apply, bound to the place each was found, its target and
//! its content.

use super::dir::DirFile;
use crate::config::Config;
use crate::util::fs as fsutil;
use anyhow::{Context, Result, bail};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Whether the trust store lets a file be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    Allowed,
    /// This path was allowed with other content.
    Changed,
    Unknown,
}

impl Trust {
    pub fn as_str(self) -> &'static str {
        match self {
            Trust::Allowed => "allowed",
            Trust::Changed => "changed",
            Trust::Unknown => "unknown",
        }
    }
}

/// One allowed file: the digest of path and content when it was allowed, and its real path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub digest: String,
    pub path: PathBuf,
}

/// `$XDG_DATA_HOME/rolecall/allowed`: a first line that changes with every write (the shell
/// hooks read it, with a built-in, to notice `rolecall allow` while an unknown file waits), then
/// one `DIGEST PATH` line per allowed file.
#[derive(Debug)]
pub struct TrustStore {
    pub path: PathBuf,
    pub entries: Vec<Entry>,
    /// The first line as the shell hooks see it (`+` and the line; `+` alone when there is no
    /// store), so a hook can tell that the store changed.
    pub generation: String,
}

impl TrustStore {
    pub fn locate(cfg: &Config) -> Result<PathBuf> {
        let dir = cfg.data_dir().context("cannot find the data directory: neither XDG_DATA_HOME nor HOME is set")?;
        Ok(dir.join("allowed"))
    }

    pub fn load(cfg: &Config) -> Result<TrustStore> {
        let path = Self::locate(cfg)?;
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let entries = bytes
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty() && line[0] != b'#')
            .filter_map(|line| {
                let space = line.iter().position(|b| *b == b' ')?;
                let (digest, path) = (&line[..space], &line[space + 1..]);
                let digest = std::str::from_utf8(digest).ok().filter(|d| d.len() == 64)?;
                Some(Entry { digest: digest.to_owned(), path: PathBuf::from(OsStr::from_bytes(path)) })
            })
            .collect();
        let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
        let generation = format!("+{}", String::from_utf8_lossy(first));
        Ok(TrustStore { path, entries, generation })
    }

    pub fn trust(&self, file: &DirFile) -> Trust {
        let digests = [Some(file.digest()), file.digest_v1()];
        let mut known = self.entries.iter().filter(|e| e.path == file.place).peekable();
        if known.peek().is_none() {
            Trust::Unknown
        } else if known.any(|e| digests.iter().flatten().any(|d| *d == e.digest)) {
            Trust::Allowed
        } else {
            Trust::Changed
        }
    }

    /// Record `file` as it is now (dropping what was recorded for its path before).
    pub fn allow(&mut self, file: &DirFile) -> Result<()> {
        if file.place.as_os_str().as_bytes().contains(&b'\n') {
            bail!("{}: a path with a newline cannot be recorded", file.path.display());
        }
        self.deny(&file.place);
        self.entries.push(Entry { digest: file.digest(), path: file.place.clone() });
        Ok(())
    }

    /// Forget `real`; whether it was there.
    pub fn deny(&mut self, real: &Path) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.path != real);
        self.entries.len() != before
    }

    /// Write the store atomically (0600, in a 0700 directory), with a new first line.
    pub fn save(&self) -> Result<()> {
        let dir = self.path.parent().context("the trust store has no directory")?;
        fsutil::ensure_private_dir(dir)?;
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let mut text =
            format!("# rolecall: .awsprofile files to apply (rolecall allow / deny) {stamp}.{}\n", std::process::id())
                .into_bytes();
        for entry in &self.entries {
            text.extend_from_slice(entry.digest.as_bytes());
            text.push(b' ');
            text.extend_from_slice(entry.path.as_os_str().as_bytes());
            text.push(b'\n');
        }
        fsutil::write_private(&self.path, &text)
    }

    /// Hold the store's lock while reading, changing and writing it.
    pub fn lock(cfg: &Config) -> Result<fsutil::Lock> {
        let path = Self::locate(cfg)?;
        let dir = path.parent().context("the trust store has no directory")?;
        fsutil::ensure_private_dir(dir)?;
        fsutil::lock(&dir.join("allowed.lock"), fsutil::Wait::Always(&|_| {}))?.context("the trust store's lock")
    }
}
