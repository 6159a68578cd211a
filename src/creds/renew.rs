//! Credentials that stay fresh for as long as a command runs (the credential server): served
//! from memory while they have more than the margin left (`ROLECALL_REFRESH_BEFORE`), renewed
//! through the same cache and steps as `assume` otherwise, never asking a person (a new MFA code
//! comes from `mfa_process` or not at all). Concurrent callers during a renewal wait for the one
//! renewal (single flight).

use super::Credentials;
use super::fetch::{self, Notify, Options};
use crate::config::Config;
use crate::files::AwsFiles;
use anyhow::Result;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Renewing {
    cfg: Config,
    profile: String,
    opts: Options,
    current: Mutex<Option<Credentials>>,
    /// A renewal failed and the person was told; cleared by the next success.
    failing: AtomicBool,
}

impl Renewing {
    /// Renewals of `profile` with `opts` (made not to prompt), starting from `first`.
    pub fn new(cfg: Config, profile: &str, opts: &Options, first: Credentials) -> Renewing {
        let opts = Options { no_prompt: true, refresh: false, mfa_code: None, ..opts.clone() };
        Renewing {
            cfg,
            profile: profile.to_owned(),
            opts,
            current: Mutex::new(Some(first)),
            failing: AtomicBool::new(false),
        }
    }

    /// Whether `creds` still have at least the margin left: the cache's own rule, so a renewal
    /// never starts only to be handed back the same entry.
    fn fresh(&self, creds: &Credentials) -> bool {
        creds.expires_at.is_none_or(|t| t - self.cfg.now() >= self.cfg.refresh_before())
    }

    /// Fresh credentials: the ones in memory, or renewed (one renewal for every caller waiting).
    /// `notify` hears the renewal's notices; `failed` is told (once per run of failures) why a
    /// renewal failed.
    pub fn get(&self, notify: Notify, failed: &dyn Fn(&anyhow::Error)) -> Result<Credentials> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(creds) = current.as_ref().filter(|c| self.fresh(c)) {
            return Ok(creds.clone());
        }
        // The files are read again: a renewal sees what an edit changed since the start.
        let files = AwsFiles::load(&self.cfg);
        match fetch::credentials(&self.cfg, &files, &self.profile, &self.opts, notify) {
            Ok(outcome) => {
                self.failing.store(false, Ordering::Relaxed);
                *current = Some(outcome.creds.clone());
                Ok(outcome.creds)
            }
            Err(e) => {
                if !self.failing.swap(true, Ordering::Relaxed) {
                    failed(&e);
                }
                Err(e)
            }
        }
    }
}
