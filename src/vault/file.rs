//! The vault as files, for machines without a keyring (headless Linux, WSL, containers):
//! `$XDG_DATA_HOME/rolecall/vault/`, 0700, holds an age X25519 identity encrypted with the
//! passphrase (age's scrypt recipient, `identity.age`), its public half (`recipient`), and one
//! file per profile encrypted to it (`<hex of the name>.age`), each 0600 and written atomically.
//! Adding a key needs only the public half; reading one needs the identity, which an unlock keeps
//! in the kernel's session keyring for `vault_unlock_minutes` (15 by default, 0: never), so the
//! passphrase is asked once for a while, not for every command. The passphrase comes from the
//! terminal (not echoed) or `ROLECALL_VAULT_PASSPHRASE`.

use crate::config::Config;
use crate::types::Asker;
use age::secrecy::{ExposeSecret, SecretString};
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The file's passphrase, which a script may give rolecall; never passed on to a command.
pub const PASSPHRASE_VAR: &str = "ROLECALL_VAULT_PASSPHRASE";

pub struct Store {
    dir: PathBuf,
    unlock_secs: u64,
    passphrase: Option<String>,
    /// Who to ask for the passphrase (handed down by the command).
    ask: Option<Asker>,
    /// The identity once this process has it (a new one, or unlocked).
    unlocked: std::sync::OnceLock<age::x25519::Identity>,
}

const IDENTITY: &str = "identity.age";

/// How many passphrases a person may type before rolecall gives up (as for MFA codes).
const ATTEMPTS: u32 = 3;
const RECIPIENT: &str = "recipient";

/// The scrypt work factor (log2 N) rolecall seals the identity with: about a second and 256 MiB
/// here. Not measured on each machine, so that what is accepted can be bounded.
pub const WORK_FACTOR: u8 = 18;
/// The most an identity file may ask for: what rolecall writes, and a little more (a file raised
/// past this would make every unlock take many seconds and GiBs, or abort under a memory limit).
pub const MAX_WORK_FACTOR: u8 = WORK_FACTOR + 2;

/// Whether the file's passphrase can be had without a keyring: a terminal, the variable, or an
/// unlock still in the kernel's keyring.
pub fn can_unlock(cfg: &Config, ask: Option<&Asker>) -> bool {
    cfg.var(PASSPHRASE_VAR).is_some()
        || Asker::present(ask).is_some()
        || Store::dir(cfg).is_ok_and(|d| keyring::read(&description(&d)).is_some())
}

/// The kernel keyring's name for the unlocked identity of the vault in `dir`.
fn description(dir: &Path) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(dir.as_os_str().as_encoded_bytes());
    format!("rolecall:vault:{}", hex::encode(&digest[..8]))
}

impl Store {
    pub fn dir(cfg: &Config) -> Result<PathBuf> {
        Ok(cfg.data_dir().context("no home directory for the vault file")?.join("vault"))
    }

    pub fn open(cfg: &Config, ask: Option<&Asker>) -> Result<Store> {
        let unlock_secs = match cfg.setting("vault_unlock_minutes") {
            Some(v) => {
                v.trim().parse::<u64>().map_err(|_| {
                    anyhow!("vault_unlock_minutes = {}: not a number of minutes", crate::util::text::printable(&v))
                })? * 60
            }
            None => 15 * 60,
        };
        Ok(Store {
            dir: Store::dir(cfg)?,
            unlock_secs,
            passphrase: cfg.var(PASSPHRASE_VAR),
            ask: ask.cloned(),
            unlocked: std::sync::OnceLock::new(),
        })
    }

    /// Whether a vault file has been made in `dir` (its sealed identity is there).
    pub fn exists_in(dir: &Path) -> bool {
        dir.join(IDENTITY).exists()
    }

    fn entry(&self, profile: &str) -> PathBuf {
        self.dir.join(format!("{}.age", hex::encode(profile)))
    }

    /// The passphrase, from the variable or the terminal (twice for a new one, up to
    /// [`ATTEMPTS`] times until the two agree). `again` says the last one was not accepted.
    fn passphrase(&self, new: bool, again: bool) -> Result<SecretString> {
        if let Some(p) = &self.passphrase {
            return Ok(SecretString::from(p.clone()));
        }
        let person = Asker::present(self.ask.as_ref())
            .context("the vault file needs its passphrase: no terminal to ask on: set ROLECALL_VAULT_PASSPHRASE, or use a keyring (vault_backend)")?;
        let shown = self.dir.display();
        if new {
            for attempt in 1..=ATTEMPTS {
                let first = person.line(&format!("New passphrase for rolecall's vault file ({shown}): "), true)?;
                if first.is_empty() {
                    person.say("rolecall: an empty passphrase would not protect the vault file\r\n")?;
                    continue;
                }
                let same = person.line("The same passphrase again: ", true)?;
                if first == same {
                    return Ok(SecretString::from(first));
                }
                if attempt < ATTEMPTS {
                    person.say("rolecall: the two passphrases differ; again\r\n")?;
                }
            }
            bail!("no passphrase for the vault file after {ATTEMPTS} tries: nothing was written");
        }
        let again = if again { "rolecall: that passphrase was not accepted. " } else { "" };
        Ok(SecretString::from(person.line(&format!("{again}Passphrase for rolecall's vault file ({shown}): "), true)?))
    }

    fn recipient(&self) -> Result<age::x25519::Recipient> {
        let path = self.dir.join(RECIPIENT);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        age::x25519::Recipient::from_str(text.trim()).map_err(|e| anyhow!("{}: {e}", path.display()))
    }

    /// A new identity, its public half and the passphrase's copy of it (the first key stored).
    fn create(&self) -> Result<()> {
        crate::util::fs::ensure_private_dir(&self.dir)?;
        let passphrase = self.passphrase(true, false)?;
        let identity = age::x25519::Identity::generate();
        let mut recipient = age::scrypt::Recipient::new(passphrase);
        recipient.set_work_factor(WORK_FACTOR);
        let sealed = age::encrypt(&recipient, identity.to_string().expose_secret().as_bytes())
            .map_err(|e| anyhow!("cannot encrypt the vault's identity: {e}"))?;
        crate::util::fs::write_private(&self.dir.join(IDENTITY), &sealed)?;
        crate::util::fs::write_private(&self.dir.join(RECIPIENT), format!("{}\n", identity.to_public()).as_bytes())?;
        self.remember(&identity);
        Ok(())
    }

    fn remember(&self, identity: &age::x25519::Identity) {
        let _ = self.unlocked.set(identity.clone());
        if self.unlock_secs > 0 {
            keyring::add(&description(&self.dir), identity.to_string().expose_secret().as_bytes(), self.unlock_secs);
        }
    }

    /// The identity: from the kernel's keyring while unlocked, else from the passphrase.
    fn identity(&self) -> Result<age::x25519::Identity> {
        if let Some(identity) = self.unlocked.get() {
            return Ok(identity.clone());
        }
        if self.unlock_secs > 0
            && let Some(kept) = keyring::read(&description(&self.dir))
            && let Ok(identity) = age::x25519::Identity::from_str(String::from_utf8_lossy(&kept).trim())
        {
            return Ok(identity);
        }
        let sealed = crate::util::fs::read_private(&self.dir.join(IDENTITY))
            .with_context(|| format!("cannot read the vault's identity in {}", self.dir.display()))?;
        // A typed passphrase may be asked again (three tries, as MFA codes); the variable's once.
        let tries = if self.passphrase.is_some() { 1 } else { ATTEMPTS };
        let mut attempt = 1;
        let plain = loop {
            let mut unsealer = age::scrypt::Identity::new(self.passphrase(false, attempt > 1)?);
            unsealer.set_max_work_factor(MAX_WORK_FACTOR);
            match age::decrypt(&unsealer, &sealed) {
                Err(age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys) if attempt < tries => {
                    attempt += 1;
                }
                other => break other,
            }
        };
        let plain = plain.map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                anyhow!("wrong passphrase for the vault file {}", self.dir.display())
            }
            age::DecryptError::ExcessiveWork { required, .. } => anyhow!(
                "the vault file's identity ({}) asks for scrypt work factor 2^{required}, more than rolecall writes (2^{WORK_FACTOR}; up to 2^{MAX_WORK_FACTOR} accepted): not opened (someone raised it, or it is not rolecall's)",
                self.dir.join(IDENTITY).display()
            ),
            other => anyhow!("cannot open the vault file {}: {other}", self.dir.display()),
        })?;
        let identity = age::x25519::Identity::from_str(String::from_utf8_lossy(&plain).trim())
            .map_err(|_| anyhow!("the vault's identity in {} is damaged", self.dir.display()))?;
        self.remember(&identity);
        Ok(identity)
    }

    pub fn put(&self, profile: &str, secret: &[u8]) -> Result<()> {
        if !self.dir.join(IDENTITY).exists() {
            self.create()?;
        }
        crate::util::fs::ensure_private_dir(&self.dir)?;
        let sealed = age::encrypt(&self.recipient()?, secret).map_err(|e| anyhow!("cannot encrypt: {e}"))?;
        crate::util::fs::write_private(&self.entry(profile), &sealed)
    }

    pub fn get(&self, profile: &str) -> Result<Option<Vec<u8>>> {
        let sealed = match crate::util::fs::read_private(&self.entry(profile)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => bail!("{}: {e}", self.entry(profile).display()),
        };
        let identity = self.identity()?;
        age::decrypt(&identity, &sealed)
            .map(Some)
            .map_err(|_| anyhow!("the vault file's entry for `{profile}` cannot be decrypted with its identity"))
    }

    pub fn remove(&self, profile: &str) -> Result<bool> {
        match std::fs::remove_file(self.entry(profile)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(anyhow!("{}: {e}", self.entry(profile).display())),
        }
    }
}

/// The kernel's key retention service (keyrings(7)): a `user` key in the session keyring (the
/// user-session keyring when the process has none), with a timeout. Where there is none (not Linux, or a container that filters keyctl), nothing is kept
/// and the passphrase is asked each time.
mod keyring {
    #[cfg(target_os = "linux")]
    const KEY_SPEC_SESSION_KEYRING: libc::c_long = -3;
    #[cfg(target_os = "linux")]
    const KEYCTL_SET_TIMEOUT: libc::c_long = 15;
    #[cfg(target_os = "linux")]
    const KEYCTL_READ: libc::c_long = 11;
    #[cfg(target_os = "linux")]
    const KEYCTL_GET_KEYRING_ID: libc::c_long = 0;

    #[cfg(target_os = "linux")]
    pub fn add(description: &str, payload: &[u8], secs: u64) {
        let (Ok(kind), Ok(desc)) = (std::ffi::CString::new("user"), std::ffi::CString::new(description)) else {
            return;
        };
        // The session keyring that exists, not a new one: a process without its own (no
        // pam_keyinit, a container) gets the user-session keyring that later commands also see,
        // where asking add_key for "the session keyring" would make one for this process only.
        // SAFETY: plain integers.
        let ring = unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) };
        if ring < 0 {
            return;
        }
        // SAFETY: the strings are NUL-terminated and the payload's pointer and length match.
        let id = unsafe {
            libc::syscall(libc::SYS_add_key, kind.as_ptr(), desc.as_ptr(), payload.as_ptr(), payload.len(), ring)
        };
        if id >= 0 {
            // SAFETY: plain integers.
            unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_SET_TIMEOUT, id, secs as libc::c_ulong) };
        }
    }

    #[cfg(target_os = "linux")]
    pub fn read(description: &str) -> Option<Vec<u8>> {
        let kind = std::ffi::CString::new("user").ok()?;
        let desc = std::ffi::CString::new(description).ok()?;
        // SAFETY: NUL-terminated strings; no callout info.
        let id = unsafe {
            libc::syscall(libc::SYS_request_key, kind.as_ptr(), desc.as_ptr(), std::ptr::null::<libc::c_char>(), 0)
        };
        if id < 0 {
            return None;
        }
        let mut buf = vec![0u8; 256];
        // SAFETY: the buffer's pointer and length match.
        let n = unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_READ, id, buf.as_mut_ptr(), buf.len()) };
        if n < 0 || n as usize > buf.len() {
            return None;
        }
        buf.truncate(n as usize);
        Some(buf)
    }

    #[cfg(not(target_os = "linux"))]
    pub fn add(_: &str, _: &[u8], _: u64) {}

    #[cfg(not(target_os = "linux"))]
    pub fn read(_: &str) -> Option<Vec<u8>> {
        None
    }
}
