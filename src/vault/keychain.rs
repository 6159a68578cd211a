//! The macOS login Keychain, through the `keyring` crate: one generic password per profile,
//! service `rolecall`, account the profile's name. (Not built on Linux: untested here.)

use anyhow::{Result, anyhow};
use keyring::{Entry, Error};

pub struct Store;

fn entry(profile: &str) -> Result<Entry> {
    Entry::new("rolecall", profile).map_err(|e| anyhow!("the Keychain: {e}"))
}

impl Store {
    pub fn put(&self, profile: &str, secret: &[u8]) -> Result<()> {
        entry(profile)?.set_secret(secret).map_err(|e| anyhow!("the Keychain: {e}"))
    }

    pub fn get(&self, profile: &str) -> Result<Option<Vec<u8>>> {
        match entry(profile)?.get_secret() {
            Ok(secret) => Ok(Some(secret)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(anyhow!("the Keychain: {e}")),
        }
    }

    pub fn remove(&self, profile: &str) -> Result<bool> {
        match entry(profile)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(anyhow!("the Keychain: {e}")),
        }
    }
}
