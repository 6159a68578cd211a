//! The AWS shared-config files, as the SDKs read them: a lossless document per file, the merged
//! profile view, where the files are, the chain of source profiles, edits and safe saves, the
//! doctor's checks and the rows of `list`. No network, no shell, no terminal here; everything
//! in rolecall reads the files through [`AwsFiles`].

pub mod catalog;
pub mod chain;
pub mod change;
pub mod copy;
pub mod doctor;
pub mod document;
pub mod edit;
pub mod key;
pub mod kubeconfig;
pub mod location;
pub mod merge;
pub mod rewrite;
pub mod save;
pub mod validate;

use anyhow::{Result, anyhow};
use document::{Document, ParseError, RawFile};
pub use key::Key;
pub use merge::{ProfileSet, Section};
use std::hash::Hasher;
use std::path::PathBuf;

/// Why a file with a byte-order mark is refused.
pub const BOM_MESSAGE: &str = "the file starts with a UTF-8 byte-order mark, which the AWS SDKs and CLI cannot parse (save it as UTF-8 without BOM)";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Config,
    Credentials,
}

/// FNV-1a: profile names are short and trusted, SipHash's DoS resistance buys nothing here.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A hash map keyed by profile names, with [`Fnv`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Where something was written: which file, which 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: FileKind,
    pub line: usize,
}

/// What reading one file gave.
#[derive(Debug)]
pub enum Content {
    /// No file at the path (the SDKs treat it as empty).
    Missing,
    /// The file exists but could not be read.
    Unreadable(String),
    /// Not UTF-8: the SDKs ignore such a file entirely, and so does the merged view.
    NotUtf8,
    Text(Document),
}

#[derive(Debug)]
pub struct SourceFile {
    pub kind: FileKind,
    pub path: PathBuf,
    /// The path as shown to the user, with the home directory written `~`.
    pub display: String,
    pub content: Content,
    /// The first line the SDKs cannot read, if any.
    pub error: Option<ParseError>,
    /// Unix permission bits, when the file exists.
    pub mode: Option<u32>,
}

impl SourceFile {
    pub fn read(kind: FileKind, path: PathBuf, home: Option<&str>) -> SourceFile {
        let display = display_path(&path, home);
        let (content, mode) = match read_with_mode(&path) {
            Ok((bytes, mode)) => match String::from_utf8(bytes) {
                Ok(text) => (Content::Text(Document::from_string(text)), mode),
                Err(_) => (Content::NotUtf8, mode),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Content::Missing, None),
            Err(e) => (Content::Unreadable(e.kind().to_string()), None),
        };
        Self::with_content(kind, path, display, content, mode)
    }

    /// A file from text in memory (tests, conformance data).
    pub fn from_text(kind: FileKind, name: &str, text: &str) -> SourceFile {
        let content = Content::Text(Document::parse(text));
        Self::with_content(kind, PathBuf::from(name), name.to_owned(), content, None)
    }

    fn with_content(kind: FileKind, path: PathBuf, display: String, content: Content, mode: Option<u32>) -> SourceFile {
        SourceFile { kind, path, display, content, error: None, mode }
    }

    /// The path as text (lossy for a path that is not UTF-8).
    pub fn path_str(&self) -> &str {
        self.path.to_str().unwrap_or(&self.display)
    }

    pub fn document(&self) -> Option<&Document> {
        match &self.content {
            Content::Text(doc) => Some(doc),
            _ => None,
        }
    }

    pub fn exists(&self) -> bool {
        !matches!(self.content, Content::Missing)
    }

    pub fn parse_error(&self) -> Option<&ParseError> {
        self.error.as_ref()
    }

    /// The SDK reading of the document (empty unless the content is text).
    pub fn raw(&self) -> RawFile<'_> {
        self.document().map(Document::raw_sections).unwrap_or_default()
    }
}

/// Both files and their merged view.
#[derive(Debug)]
pub struct AwsFiles {
    pub config: SourceFile,
    pub credentials: SourceFile,
    pub profiles: ProfileSet,
}

impl AwsFiles {
    /// Read the files the process environment points to. Never fails: problems are kept in the
    /// [`SourceFile`]s, and [`AwsFiles::check`] turns them into an error where one is needed.
    pub fn load(cfg: &crate::config::Config) -> AwsFiles {
        // An edit of both files that a killed rolecall left half done is finished first.
        save::finish_pending(cfg);
        let env = |k: &str| cfg.raw(k);
        let platform = location::Platform::current();
        let home = location::home_dir(&env, platform);
        let read = |kind| SourceFile::read(kind, location::file_path(kind, &env, platform).into(), home.as_deref());
        Self::from_files(read(FileKind::Config), read(FileKind::Credentials))
    }

    pub fn from_files(mut config: SourceFile, mut credentials: SourceFile) -> AwsFiles {
        let mut profiles = ProfileSet::default();
        profiles.reserve(&[&config, &credentials].into_iter().filter_map(SourceFile::document).collect::<Vec<_>>());
        for file in [&mut config, &mut credentials] {
            if let Some(doc) = file.document() {
                let bom = doc.bom;
                let error = profiles.merge_document(file.kind, doc).err();
                // The SDKs (aws-config and botocore alike) cannot parse a file that starts with
                // a byte-order mark: nothing in it counts.
                file.error = error.or_else(|| bom.then(|| ParseError { line: 1, message: BOM_MESSAGE.to_owned() }));
            }
        }
        // The SDKs accept nothing from a set in which either file fails to parse.
        if config.error.is_some() || credentials.error.is_some() {
            profiles = ProfileSet::default();
        }
        AwsFiles { config, credentials, profiles }
    }

    pub fn file(&self, kind: FileKind) -> &SourceFile {
        match kind {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }

    /// The first problem that makes the files unusable, as one line: `~/.aws/config:12: why`.
    pub fn check(&self) -> Result<()> {
        for file in [&self.config, &self.credentials] {
            match &file.content {
                Content::Unreadable(why) => {
                    return Err(anyhow!("{}: cannot read: {why}", file.display));
                }
                Content::Text(_) => {
                    if let Some(e) = file.parse_error() {
                        return Err(anyhow!("{}:{}: {}", file.display, e.line, e.message));
                    }
                }
                Content::Missing | Content::NotUtf8 => {}
            }
        }
        Ok(())
    }

    pub fn any_exists(&self) -> bool {
        self.config.exists() || self.credentials.exists()
    }
}

/// Show a path under the home directory as `~/…`.
fn display_path(path: &std::path::Path, home: Option<&str>) -> String {
    let text = path.to_string_lossy();
    if let Some(home) = home.filter(|h| !h.is_empty() && *h != "/")
        && let Some(rest) = text.strip_prefix(home.trim_end_matches('/'))
        && rest.starts_with('/')
    {
        return format!("~{rest}");
    }
    text.into_owned()
}

/// The file's bytes and its permission bits, from one open (no second lookup by path).
fn read_with_mode(path: &std::path::Path) -> std::io::Result<(Vec<u8>, Option<u32>)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok((bytes, mode_bits(&meta)))
}

#[cfg(unix)]
fn mode_bits(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_bits(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}
