//! The vault: IAM users' long-term keys out of `~/.aws/credentials`, in the OS keyring (the
//! Secret Service on Linux, the macOS Keychain) or in an age-encrypted file. One interface,
//! [`Vault`]; which backend holds a profile is written in the index (`$XDG_DATA_HOME/rolecall/
//! vault.json`, with the access key id, never a secret), so a cache lookup needs no keyring: only
//! a cache miss reads the key ([`read`]).
//!
//! A vaulted profile keeps working for the SDKs through `credential_process = rolecall
//! credential-process PROFILE` ([`marker`]); rolecall itself reads that line as "the keys are in
//! the vault" ([`is_marker`]), not as a process to run.

pub mod file;
#[cfg(target_os = "macos")]
pub mod keychain;
pub mod moves;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
pub mod secret_service;

use crate::config::Config;
use crate::types::{Credentials, Notice, Notify};
use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use crate::files::chain::{is_vault_marker as is_marker, vault_marker as marker};

/// Where keys are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    SecretService,
    Keychain,
    WinCred,
    File,
}

impl Backend {
    pub const ALL: [Backend; 4] = [Backend::SecretService, Backend::Keychain, Backend::WinCred, Backend::File];

    /// The name `vault_backend` takes.
    pub fn name(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::Keychain => "keychain",
            Backend::WinCred => "wincred",
            Backend::File => "file",
        }
    }

    pub fn parse(value: &str) -> Result<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == value.trim()).ok_or_else(|| {
            let names: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
            anyhow!(
                "vault_backend = {}: not a backend (one of {})",
                crate::util::text::printable(value),
                names.join(", ")
            )
        })
    }
}

/// One vaulted profile, as the index records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub backend: Backend,
    pub access_key_id: String,
    pub account_id: Option<String>,
    /// Unix seconds.
    pub added: i64,
}

/// The index of vaulted profiles: which backend holds each and its access key id.
#[derive(Debug, Default)]
pub struct Index {
    pub entries: BTreeMap<String, Entry>,
}

impl Index {
    pub fn path(cfg: &Config) -> Result<PathBuf> {
        Ok(cfg.data_dir().context("no home directory for the vault's index")?.join("vault.json"))
    }

    /// The index as it is (empty when there is none).
    pub fn load(cfg: &Config) -> Result<Index> {
        let path = Index::path(cfg)?;
        let bytes = match crate::util::fs::read_private(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Index::default()),
            Err(e) => bail!("{}: {e}", path.display()),
        };
        let v: Value = serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", path.display()))?;
        let mut entries = BTreeMap::new();
        for (profile, e) in v.get("profiles").and_then(Value::as_object).into_iter().flatten() {
            let field = |k: &str| e.get(k).and_then(Value::as_str);
            let (Some(backend), Some(id)) = (field("backend"), field("access_key_id")) else { continue };
            entries.insert(
                profile.clone(),
                Entry {
                    backend: Backend::parse(backend)?,
                    access_key_id: id.to_owned(),
                    account_id: field("account_id").map(str::to_owned),
                    added: e.get("added").and_then(Value::as_i64).unwrap_or(0),
                },
            );
        }
        Ok(Index { entries })
    }

    /// Write the index (0600, atomically).
    pub fn save(&self, cfg: &Config) -> Result<()> {
        let path = Index::path(cfg)?;
        if let Some(dir) = path.parent() {
            crate::util::fs::ensure_private_dir(dir)?;
        }
        let mut profiles = Map::new();
        for (profile, e) in &self.entries {
            let mut o = json!({"backend": e.backend.name(), "access_key_id": e.access_key_id, "added": e.added});
            if let Some(account) = &e.account_id {
                o["account_id"] = json!(account);
            }
            profiles.insert(profile.clone(), o);
        }
        let text = serde_json::to_string_pretty(&json!({"version": 1, "profiles": profiles}))?;
        crate::util::fs::write_private(&path, text.as_bytes())
    }
}

/// The backend `vault_backend` names in rolecall's config, else the one this machine has: the
/// OS keyring when it answers, the encrypted file otherwise (said in one line through
/// `notice`). An error when neither can be used.
pub async fn chosen(cfg: &Config, notify: Notify<'_>, ask: Option<&crate::types::Asker>) -> Result<Backend> {
    if let Some(value) = cfg.setting("vault_backend") {
        return Backend::parse(&value);
    }
    let keyring = os_keyring();
    match keyring {
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        Some(Backend::SecretService) => match secret_service::available(cfg).await {
            Ok(()) => return Ok(Backend::SecretService),
            Err(why) => {
                if !file::can_unlock(cfg, ask) {
                    bail!(
                        "no vault available: {why:#}, and no terminal to ask the encrypted file's passphrase (set vault_backend in {})",
                        settings_file(cfg)
                    );
                }
                // Said once: when the encrypted file is made, not at every command after.
                let dir = file::Store::dir(cfg)?;
                if !file::Store::exists_in(&dir) {
                    notify(Notice::Note(format!(
                        "no OS keyring ({why:#}): the keys go to the encrypted file {} (set vault_backend = file in {} to choose it)",
                        dir.display(),
                        settings_file(cfg)
                    )));
                }
            }
        },
        Some(other) => return Ok(other),
        None => {}
    }
    Ok(Backend::File)
}

/// The OS's keyring, where rolecall is built with one.
fn os_keyring() -> Option<Backend> {
    if cfg!(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")) {
        Some(Backend::SecretService)
    } else if cfg!(target_os = "macos") {
        Some(Backend::Keychain)
    } else {
        None
    }
}

/// rolecall's config file, as messages name it.
pub fn settings_file(cfg: &Config) -> String {
    cfg.config_dir()
        .map(|d| d.join("config").display().to_string())
        .unwrap_or_else(|| "~/.config/rolecall/config".into())
}

/// An open backend.
pub enum Vault {
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
    SecretService(secret_service::Store),
    #[cfg(target_os = "macos")]
    Keychain(keychain::Store),
    File(file::Store),
}

impl Vault {
    pub async fn open(cfg: &Config, backend: Backend, ask: Option<&crate::types::Asker>) -> Result<Vault> {
        match backend {
            #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
            Backend::SecretService => Ok(Vault::SecretService(secret_service::Store::connect(cfg).await?)),
            #[cfg(target_os = "macos")]
            Backend::Keychain => Ok(Vault::Keychain(keychain::Store)),
            Backend::File => Ok(Vault::File(file::Store::open(cfg, ask)?)),
            #[allow(unreachable_patterns)]
            other => bail!("vault_backend = {}: not available in this build of rolecall", other.name()),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
            Vault::SecretService(_) => Backend::SecretService,
            #[cfg(target_os = "macos")]
            Vault::Keychain(_) => Backend::Keychain,
            Vault::File(_) => Backend::File,
        }
    }

    /// Store `keys` as `profile`'s, replacing what was there.
    pub async fn put(&self, profile: &str, keys: &Credentials) -> Result<()> {
        let secret = keys.to_process_json();
        match self {
            #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
            Vault::SecretService(s) => s.put(profile, secret.as_bytes()).await,
            #[cfg(target_os = "macos")]
            Vault::Keychain(s) => s.put(profile, secret.as_bytes()),
            Vault::File(s) => s.put(profile, secret.as_bytes()),
        }
    }

    /// `profile`'s keys, if the vault has them.
    pub async fn get(&self, profile: &str) -> Result<Option<Credentials>> {
        let secret = match self {
            #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
            Vault::SecretService(s) => s.get(profile).await?,
            #[cfg(target_os = "macos")]
            Vault::Keychain(s) => s.get(profile)?,
            Vault::File(s) => s.get(profile)?,
        };
        let Some(secret) = secret else { return Ok(None) };
        let text = String::from_utf8(secret).map_err(|_| anyhow!("the vault's entry for `{profile}` is not text"))?;
        let creds = Credentials::from_process_json(&text)
            .map_err(|e| anyhow!("the vault's entry for `{profile}` is not rolecall's: {e}"))?;
        creds.checked(&format!("the vault's entry for `{profile}`")).map(Some)
    }

    /// Remove `profile`'s keys; whether there were any.
    pub async fn remove(&self, profile: &str) -> Result<bool> {
        match self {
            #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
            Vault::SecretService(s) => s.remove(profile).await,
            #[cfg(target_os = "macos")]
            Vault::Keychain(s) => s.remove(profile),
            Vault::File(s) => s.remove(profile),
        }
    }

    /// Store `keys` and read them back: only an entry that reads back equal counts as written.
    pub async fn put_checked(&self, profile: &str, keys: &Credentials) -> Result<()> {
        self.put(profile, keys).await?;
        match self.get(profile).await? {
            Some(back)
                if back.access_key_id == keys.access_key_id && back.secret_access_key == keys.secret_access_key =>
            {
                Ok(())
            }
            _ => bail!("the {} did not give back the keys of `{profile}` as written", self.backend().name()),
        }
    }
}

/// `profile`'s long-term keys from the vault the index names (for a cache miss).
pub async fn read(cfg: &Config, profile: &str, ask: Option<&crate::types::Asker>) -> Result<Credentials> {
    let index = Index::load(cfg)?;
    let Some(entry) = index.entries.get(profile) else {
        // No keyring is asked: without an entry, the marker is rolecall running itself.
        bail!(
            "profile `{profile}`: its credential_process runs rolecall for `{profile}` itself, which means its keys are in the vault, and the vault has none for it (not a loop rolecall follows): 'rolecall vault add {profile}' puts them there"
        );
    };
    let backend = entry.backend;
    let shown = crate::util::text::printable(profile);
    let vault = Vault::open(cfg, backend, ask).await.with_context(|| {
        format!("profile `{shown}`: its keys are in the vault's {}, which cannot be reached here", backend.name())
    })?;
    let mut creds = vault.get(profile).await?.ok_or_else(|| {
        anyhow!(
            "profile `{profile}`: its keys are not in the vault ({}): add them with 'rolecall vault add {profile}'",
            backend.name()
        )
    })?;
    if creds.account_id.is_none() {
        creds.account_id = entry.account_id.clone();
    }
    Ok(creds)
}

/// The access key id the index records for `profile` (for cache keys: no keyring).
pub fn key_id(cfg: &Config, profile: &str) -> Option<String> {
    Index::load(cfg).ok()?.entries.remove(profile).map(|e| e.access_key_id)
}

/// The doctor's findings about the vault (the index only, never the keyring): a profile whose
/// `credential_process` is the vault's marker with no keys in the vault is an error.
pub fn check(cfg: &Config, files: &crate::files::AwsFiles) -> Vec<crate::files::doctor::Finding> {
    use crate::files::Key;
    use crate::files::doctor::{Finding, Severity};
    let marked: Vec<_> = files
        .profiles
        .profiles()
        .filter_map(|p| Some((p, p.get_value(Key::CredentialProcess)?)))
        .filter(|(p, v)| is_marker(v.value, p.name()))
        .collect();
    if marked.is_empty() {
        return Vec::new();
    }
    let index = Index::load(cfg).unwrap_or_default();
    marked
        .into_iter()
        .filter(|(p, _)| !index.entries.contains_key(p.name()))
        .map(|(p, v)| {
            let name = crate::util::text::printable(p.name());
            Finding {
                severity: Severity::Error,
                code: "vault-missing",
                file: files.file(v.origin.file).display.clone(),
                line: v.origin.line,
                profile: Some(p.name().to_owned()),
                message: format!("`{name}` takes its keys from rolecall's vault, and the vault has none for it"),
                hint: format!("rolecall vault add {name}, or give the profile its keys again"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        for name in ["base", "my.user-1", "with space", "it's"] {
            assert!(is_marker(&marker(name), name), "{name}");
            assert!(!is_marker(&marker(name), "other"));
        }
        assert!(is_marker("/usr/local/bin/rolecall credential-process base", "base"));
        assert!(!is_marker("rolecall credential-process base --extra", "base"));
        assert!(!is_marker("aws-vault export base", "base"));
        assert!(!is_marker("rolecall export base", "base"));
    }

    #[test]
    fn backends() {
        for b in Backend::ALL {
            assert_eq!(Backend::parse(b.name()).unwrap(), b);
        }
        assert!(Backend::parse("gpg").unwrap_err().to_string().contains("one of secret-service"));
    }
}
