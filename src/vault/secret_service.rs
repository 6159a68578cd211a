//! The Secret Service over D-Bus (GNOME Keyring, KWallet, KeePassXC), in pure Rust (zbus): one
//! item per profile in the default collection, found by the attributes `application = rolecall`
//! and `profile = NAME`, the secret sent over an encrypted session. Every call is bounded by
//! rolecall's network timeout, so a keyring that never answers is an error, not a hang; a locked
//! keyring is one line, never a prompt that cannot be shown.

use crate::config::Config;
use anyhow::{Result, anyhow, bail};
use secret_service::{EncryptionType, Error, SecretService};
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

pub struct Store {
    service: SecretService<'static>,
    timeout: Duration,
}

const WHAT: &str = "the Secret Service";

fn attributes(profile: &str) -> HashMap<&str, &str> {
    HashMap::from([("application", "rolecall"), ("profile", profile)])
}

/// One line for a Secret Service error (none of them holds a secret).
fn explain(e: Error) -> anyhow::Error {
    match e {
        Error::Locked | Error::Prompt | Error::PromptDisconnected => anyhow!(
            "the keyring is locked: unlock it (log in to the desktop session, or run `gnome-keyring-daemon --unlock`) and try again"
        ),
        Error::Unavailable => anyhow!("no Secret Service on the D-Bus session bus (is a keyring running?)"),
        Error::Crypto(why) => anyhow!("{WHAT}: the encrypted session failed: {why}"),
        Error::NoResult => anyhow!("{WHAT} has no default collection (create a keyring first, e.g. with seahorse)"),
        other => anyhow!("{WHAT}: {other}"),
    }
}

async fn bounded<T>(timeout: Duration, f: impl Future<Output = Result<T, Error>>) -> Result<T> {
    match tokio::time::timeout(timeout, f).await {
        Ok(result) => result.map_err(explain),
        Err(_) => bail!("{WHAT} did not answer within {}s", timeout.as_secs()),
    }
}

/// Whether a Secret Service answers on the session bus (the reason when not).
pub async fn available(cfg: &Config) -> Result<()> {
    Store::connect(cfg).await.map(drop)
}

impl Store {
    pub async fn connect(cfg: &Config) -> Result<Store> {
        if cfg.var("DBUS_SESSION_BUS_ADDRESS").is_none()
            && !cfg.var("XDG_RUNTIME_DIR").is_some_and(|d| std::path::Path::new(&d).join("bus").exists())
        {
            bail!("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)");
        }
        let timeout = cfg.timeout().min(Duration::from_secs(10));
        let service = bounded(timeout, SecretService::connect(EncryptionType::Dh)).await?;
        Ok(Store { service, timeout })
    }

    pub async fn put(&self, profile: &str, secret: &[u8]) -> Result<()> {
        let t = self.timeout;
        let collection = bounded(t, self.service.get_default_collection()).await?;
        if bounded(t, collection.is_locked()).await? {
            // Unlocking asks the person in a dialog; where none can be shown it fails at once.
            bounded(t, collection.unlock()).await?;
        }
        let label = format!("rolecall: AWS keys of profile {profile}");
        bounded(t, collection.create_item(&label, attributes(profile), secret, true, "application/json")).await?;
        Ok(())
    }

    pub async fn get(&self, profile: &str) -> Result<Option<Vec<u8>>> {
        let t = self.timeout;
        let found = bounded(t, self.service.search_items(attributes(profile))).await?;
        let item = match (found.unlocked.first(), found.locked.first()) {
            (Some(item), _) => item,
            (None, Some(item)) => {
                bounded(t, item.unlock()).await?;
                item
            }
            (None, None) => return Ok(None),
        };
        bounded(t, item.get_secret()).await.map(Some)
    }

    pub async fn remove(&self, profile: &str) -> Result<bool> {
        let t = self.timeout;
        let found = bounded(t, self.service.search_items(attributes(profile))).await?;
        if found.unlocked.is_empty() && !found.locked.is_empty() {
            return Err(explain(Error::Locked));
        }
        for item in &found.unlocked {
            bounded(t, item.delete()).await?;
        }
        Ok(!found.unlocked.is_empty())
    }
}
