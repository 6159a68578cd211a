//! Temporary credentials on disk (DESIGN.md, Files).
//!
//! `$XDG_CACHE_HOME/rolecall` (default `~/.cache/rolecall`): dir 0700, files 0600, each written
//! to a temporary file and renamed over the old one, so a reader sees the old entry or the new
//! one, never half of one. A lock file per key serialises the processes that would otherwise
//! call STS for the same thing at once: the second one waits, then finds the first one's entry.
//!
//! Also writes the AWS CLI's cache (`~/.aws/cli/cache/<sha1>.json`), so `aws` run with
//! `AWS_PROFILE=P` reuses a role rolecall assumed.

use crate::creds::Credentials;
use anyhow::{Context, Result, bail};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Entries with less than this left are refreshed (`ROLECALL_REFRESH_BEFORE`, e.g. `10m`).
pub const DEFAULT_MARGIN_SECS: i64 = 300;

pub fn margin_secs() -> i64 {
    std::env::var("ROLECALL_REFRESH_BEFORE")
        .ok()
        .and_then(|v| crate::util::time::parse_duration(&v))
        .map_or(DEFAULT_MARGIN_SECS, |s| s as i64)
}

pub struct Cache {
    dir: PathBuf,
}

pub use crate::util::fs::{Lock, Wait, ensure_private_dir, write_private};

/// rolecall's data directory: `$XDG_DATA_HOME/rolecall`, default `~/.local/share/rolecall`
/// (the recent-profile list, the `.awsprofile` trust store).
pub fn data_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(xdg) = env("XDG_DATA_HOME") {
        return Some(PathBuf::from(xdg).join("rolecall"));
    }
    env("HOME").map(|home| PathBuf::from(home).join(".local/share/rolecall"))
}

/// The cache directory the environment points to.
pub fn dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(xdg) = env("XDG_CACHE_HOME") {
        return Some(PathBuf::from(xdg).join("rolecall"));
    }
    env("HOME").map(|home| PathBuf::from(home).join(".cache").join("rolecall"))
}

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
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    /// The cache the environment points to. A directory that is a symlink, or another user's,
    /// is refused: its entries would be someone else's to plant.
    pub fn open() -> Result<Cache> {
        let dir = dir().context("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set")?;
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
        Ok(Cache::new(dir))
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
    pub fn get(&self, key: &str, now: i64) -> Option<Credentials> {
        let path = self.path(key, "json");
        let bytes = match crate::util::fs::read_private(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("rolecall: warning: ignored the cache entry {}: {e}", path.display());
                }
                return None;
            }
            Err(_) => return None,
        };
        let text = String::from_utf8(bytes).ok()?;
        let creds = Credentials::from_process_json(&text).ok()?.checked("cache").ok()?;
        match creds.expires_at {
            Some(t) if t - now >= margin_secs() => Some(creds),
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

/// The AWS CLI's credential cache (botocore `JSONFileCache`, `~/.aws/cli/cache`).
pub mod cli {
    use super::*;

    /// The arguments botocore builds its cache key from, for one role hop as configured.
    #[derive(Debug, Default, Clone)]
    pub struct KeyArgs<'a> {
        pub role_arn: &'a str,
        /// Only when the profile sets `role_session_name` (botocore drops its generated one).
        pub role_session_name: Option<&'a str>,
        pub external_id: Option<&'a str>,
        pub serial_number: Option<&'a str>,
        pub duration_seconds: Option<i64>,
    }

    /// sha1 of Python's `json.dumps(args, sort_keys=True)` (botocore
    /// `BaseAssumeRoleCredentialFetcher._create_cache_key`).
    pub fn key(args: &KeyArgs) -> String {
        let mut fields: Vec<(&str, String)> = Vec::new();
        if let Some(d) = args.duration_seconds {
            fields.push(("DurationSeconds", d.to_string()));
        }
        let mut string = |name, v: Option<&str>| {
            if let Some(v) = v {
                fields.push((name, python_json_str(v)));
            }
        };
        string("ExternalId", args.external_id);
        string("RoleArn", Some(args.role_arn));
        string("RoleSessionName", args.role_session_name);
        string("SerialNumber", args.serial_number);
        // Already in sorted order: DurationSeconds < ExternalId < RoleArn < RoleSessionName < SerialNumber.
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
        sha1_smol::Sha1::from(format!("{{{}}}", body.join(", "))).digest().to_string()
    }

    /// A JSON string as Python's `json.dumps` writes it (`ensure_ascii=True`).
    pub fn python_json_str(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                    let mut buf = [0u16; 2];
                    for unit in c.encode_utf16(&mut buf) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    pub fn dir() -> Option<PathBuf> {
        std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".aws/cli/cache"))
    }

    /// The `"Credentials": {…}` object botocore's cached fetchers read.
    fn credentials_json(out: &mut Vec<u8>, creds: &Credentials) {
        let expiration = creds.expires_at.map(crate::util::time::format_rfc3339).unwrap_or_default();
        out.extend_from_slice(b"\"Credentials\": ");
        let mut obj = crate::util::json::Object::start(out);
        obj.str("AccessKeyId", &creds.access_key_id)
            .str("SecretAccessKey", &creds.secret_access_key)
            .some_str("SessionToken", creds.session_token.as_deref())
            .str("Expiration", &expiration);
        obj.end();
    }

    fn write(key: &str, out: &[u8]) -> Result<()> {
        let Some(dir) = dir() else { return Ok(()) };
        ensure_private_dir(&dir)?;
        write_private(&dir.join(format!("{key}.json")), out)
    }

    /// Write an AssumeRole result where the AWS CLI looks for it.
    pub fn put(key: &str, creds: &Credentials, arn: &str, role_id: &str) -> Result<()> {
        let mut out = Vec::with_capacity(1024);
        out.push(b'{');
        credentials_json(&mut out, creds);
        out.extend_from_slice(b", \"AssumedRoleUser\": ");
        let mut user = crate::util::json::Object::start(&mut out);
        user.str("AssumedRoleId", role_id).str("Arn", arn);
        user.end();
        out.extend_from_slice(b"}\n");
        write(key, &out)
    }

    /// Write SSO role credentials where botocore's SSO provider looks first
    /// (`SSOCredentialFetcher`: `ProviderType` and `Credentials`).
    pub fn put_sso(key: &str, creds: &Credentials) -> Result<()> {
        let mut out = Vec::with_capacity(1024);
        out.extend_from_slice(b"{\"ProviderType\": \"sso\", ");
        credentials_json(&mut out, creds);
        out.extend_from_slice(b"}\n");
        write(key, &out)
    }
}
