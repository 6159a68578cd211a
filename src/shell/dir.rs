//! `.awsprofile`: a profile pinned to a directory tree, and the trust store that decides which of
//! those files rolecall applies (`$XDG_DATA_HOME/rolecall/allowed`, like direnv's allow list).
//!
//! The shell hooks only look for the nearest file (with built-ins, on a directory change); its
//! content is read here and nowhere else, and it is data: a profile name and a region.

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".awsprofile";

/// A `.awsprofile` larger than this is not read: the format needs two short lines.
const MAX_LEN: u64 = 64 * 1024;

/// The directory the person is in, as their shell names it: `$PWD` keeps symlinked paths, when
/// it is this directory (a program started elsewhere may pass on its own).
pub fn cwd(cfg: &crate::config::Config) -> Result<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let real = std::env::current_dir().context("cannot read the current directory")?;
    let same = |a: &Path, b: &Path| match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    match cfg.var("PWD").map(PathBuf::from) {
        Some(pwd) if pwd.is_absolute() && same(&pwd, &real) => Ok(pwd),
        _ => Ok(real),
    }
}

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
        hex::encode(hash.finalize())
    }

    /// The digest stores written before places were recorded: sha256 of the real path, a NUL and
    /// the content; still good for a file that is where it was found (no symlink).
    pub(super) fn digest_v1(&self) -> Option<String> {
        if self.place != self.real {
            return None;
        }
        let mut hash = Sha256::new();
        hash.update(self.real.as_os_str().as_bytes());
        hash.update([0]);
        hash.update(&self.bytes);
        Some(hex::encode(hash.finalize()))
    }
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

pub use crate::util::text::printable;

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
