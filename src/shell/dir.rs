//! `.awsprofile`: a profile pinned to a directory tree, and the trust store that decides which of
//! those files rolecall applies (`$XDG_DATA_HOME/rolecall/allowed`, like direnv's allow list).
//!
//! The shell hooks only look for the nearest file (with built-ins, on a directory change); its
//! content is read here and nowhere else, and it is data: a profile name and a region.

use crate::creds::cache;
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".awsprofile";

/// A `.awsprofile` larger than this is not read: the format needs two short lines.
const MAX_LEN: u64 = 64 * 1024;

/// The nearest `.awsprofile` in `dir` or one of its parents.
pub fn nearest(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

/// What a file asks for: the first line that is not blank or a `#` comment names the profile
/// (written alone, or as `profile = NAME`); a `region = NAME` line sets the region.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    pub profile: Option<String>,
    pub region: Option<String>,
}

pub fn parse(text: &str) -> Wanted {
    let mut wanted = Wanted::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            Some((key, value)) if key.trim() == "region" => {
                let value = value.trim();
                if wanted.region.is_none() && !value.is_empty() {
                    wanted.region = Some(value.to_owned());
                }
            }
            Some((key, value)) if key.trim() == "profile" => {
                let value = value.trim();
                if wanted.profile.is_none() && !value.is_empty() {
                    wanted.profile = Some(value.to_owned());
                }
            }
            _ if wanted.profile.is_none() => wanted.profile = Some(line.to_owned()),
            _ => {}
        }
    }
    wanted
}

/// One `.awsprofile` as read: where it was found, the place it pins (the real directory it was
/// found in, and its name there), the file it is (through a symlink), its bytes.
#[derive(Debug)]
pub struct DirFile {
    pub path: PathBuf,
    /// The real path of the directory it was found in, joined with its name: the tree it pins.
    pub place: PathBuf,
    /// The file itself, every symlink followed.
    pub real: PathBuf,
    pub bytes: Vec<u8>,
}

impl DirFile {
    pub fn read(path: &Path) -> Result<DirFile> {
        use std::io::Read;
        let real = std::fs::canonicalize(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.file_name().unwrap_or(OsStr::new(FILE_NAME));
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let place = std::fs::canonicalize(dir).with_context(|| format!("cannot read {}", path.display()))?.join(name);
        let file = std::fs::File::open(&real).with_context(|| format!("cannot read {}", path.display()))?;
        let mut bytes = Vec::new();
        file.take(MAX_LEN + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
        if bytes.len() as u64 > MAX_LEN {
            bail!("{} is larger than {} KiB: not a profile name", path.display(), MAX_LEN / 1024);
        }
        Ok(DirFile { path: path.to_owned(), place, real, bytes })
    }

    /// What the file asks for; an error when it is not UTF-8 text.
    pub fn wanted(&self) -> Result<Wanted> {
        let text = std::str::from_utf8(&self.bytes)
            .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", self.path.display()))?;
        Ok(parse(text.strip_prefix('\u{feff}').unwrap_or(text)))
    }

    /// What `rolecall allow` records: sha256 of the place, a NUL, the file it is, a NUL, and the
    /// content. A symlink to an allowed file elsewhere (a cloned repository, another user's
    /// directory in /tmp) is another place: not allowed.
    pub fn digest(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.place.as_os_str().as_bytes());
        hash.update([0]);
        hash.update(self.real.as_os_str().as_bytes());
        hash.update([0]);
        hash.update(&self.bytes);
        hex(&hash.finalize())
    }

    /// The digest stores written before places were recorded: sha256 of the real path, a NUL and
    /// the content; still good for a file that is where it was found (no symlink).
    fn digest_v1(&self) -> Option<String> {
        if self.place != self.real {
            return None;
        }
        let mut hash = Sha256::new();
        hash.update(self.real.as_os_str().as_bytes());
        hash.update([0]);
        hash.update(&self.bytes);
        Some(hex(&hash.finalize()))
    }
}

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
    pub fn locate() -> Result<PathBuf> {
        let dir = cache::data_dir().context("cannot find the data directory: neither XDG_DATA_HOME nor HOME is set")?;
        Ok(dir.join("allowed"))
    }

    pub fn load() -> Result<TrustStore> {
        let path = Self::locate()?;
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
        cache::ensure_private_dir(dir)?;
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
        cache::write_private(&self.path, &text)
    }

    /// Hold the store's lock while reading, changing and writing it.
    pub fn lock() -> Result<cache::Lock> {
        let path = Self::locate()?;
        let dir = path.parent().context("the trust store has no directory")?;
        cache::Cache::new(dir.to_owned())
            .lock("allowed", cache::Wait::Always(&|_| {}))?
            .context("the trust store's lock")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A path for a message: `./.awsprofile`, `../../.awsprofile` when the file is in `cwd` or above
/// it, else the path as found.
pub fn shown(path: &Path, cwd: &Path) -> String {
    if let Some(dir) = path.parent()
        && let Ok(below) = cwd.strip_prefix(dir)
    {
        let up = below.components().count();
        let prefix = if up == 0 { "./".to_owned() } else { "../".repeat(up) };
        return printable(&format!("{prefix}{FILE_NAME}"));
    }
    printable(&path.to_string_lossy())
}

pub use crate::ui::style::printable;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format() {
        let w = parse("# project\n\n  prod  \nregion = eu-west-1\nignored\n");
        assert_eq!(w, Wanted { profile: Some("prod".into()), region: Some("eu-west-1".into()) });
        assert_eq!(parse("region=us-east-2\n#x\ndev").profile.as_deref(), Some("dev"));
        assert_eq!(parse("# only a comment\n\n"), Wanted::default());
        assert_eq!(parse("$(touch /tmp/x)\n").profile.as_deref(), Some("$(touch /tmp/x)"));
        let keyed = parse("profile = prod\nregion=eu-west-1\n");
        assert_eq!(keyed, Wanted { profile: Some("prod".into()), region: Some("eu-west-1".into()) });
    }

    #[test]
    fn shown_relative() {
        let f = Path::new("/a/b/.awsprofile");
        assert_eq!(shown(f, Path::new("/a/b")), "./.awsprofile");
        assert_eq!(shown(f, Path::new("/a/b/c/d")), "../../.awsprofile");
        assert_eq!(shown(f, Path::new("/x")), "/a/b/.awsprofile");
        assert_eq!(printable("a\nb\x1b"), "a\\nb\\u{1b}");
    }
}
