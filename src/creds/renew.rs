//! Credentials that stay fresh for as long as a command runs (the credential server): served
//! from memory while they have more than the margin left (`ROLECALL_REFRESH_BEFORE`), renewed
//! through the same cache and steps as `assume` otherwise, never asking a person (a new MFA code
//! comes from `mfa_process` or not at all).
//!
//! One renewal at a time, and its outcome, success or failure, answers every caller that waited
//! for it: however many clients ask during an outage, it is one STS call. After a failure the
//! next renewal waits a while (5 s, doubling to a minute); until then, and whenever a renewal
//! fails, the credentials held are served for as long as they are valid. A caller that is gone
//! (its client hung up) starts no renewal.

use super::fetch;
use super::options::Options;
use crate::config::Config;
use crate::files::AwsFiles;
use crate::types::Credentials;
use crate::types::Notify;
use anyhow::{Result, anyhow};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The first wait after a failed renewal; it doubles with each failure in a row.
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Held credentials are served after a failure while they have at least this left.
const STILL_VALID_SECS: i64 = 10;

pub struct Renewing {
    cfg: Config,
    profile: String,
    opts: Options,
    state: Mutex<State>,
    done: Condvar,
}

#[derive(Default)]
struct State {
    current: Option<Credentials>,
    /// A renewal is running (in some caller's thread).
    running: bool,
    /// Counts the renewals that ended, so a waiter knows its renewal is over.
    generation: u64,
    /// Why the last renewal failed, while failures go on.
    failure: Option<String>,
    failures: u32,
    /// No renewal starts before this, after a failure.
    retry_at: Option<Instant>,
}

impl Renewing {
    /// Renewals of `profile` with `opts` (made not to prompt), starting from `first`.
    pub fn new(cfg: Config, profile: &str, opts: &Options, first: Credentials) -> Renewing {
        let opts = Options { no_prompt: true, refresh: false, mfa_code: None, ..opts.clone() };
        let state = State { current: Some(first), ..State::default() };
        Renewing { cfg, profile: profile.to_owned(), opts, state: Mutex::new(state), done: Condvar::new() }
    }

    /// Whether `creds` still have at least the margin left: the cache's own rule, so a renewal
    /// never starts only to be handed back the same entry.
    fn fresh(&self, creds: &Credentials) -> bool {
        creds.expires_at.is_none_or(|t| t - self.cfg.now() >= self.cfg.refresh_before())
    }

    /// The held credentials while they are still valid (after a renewal failed), else the
    /// failure.
    fn held_or(&self, state: &State) -> Result<Credentials> {
        let now = self.cfg.now();
        match &state.current {
            Some(c) if c.expires_at.is_none_or(|t| t - now >= STILL_VALID_SECS) => Ok(c.clone()),
            _ => Err(anyhow!("{}", state.failure.as_deref().unwrap_or("the credentials expired and were not renewed"))),
        }
    }

    /// Fresh credentials: the ones in memory, or renewed (one renewal for every caller waiting).
    /// `notify` hears the renewal's notices; `failed` is told (once per run of failures) why a
    /// renewal failed; `there` says whether the caller's client still waits (none that hung up
    /// starts a renewal).
    pub fn get(
        &self,
        notify: Notify,
        failed: &dyn Fn(&anyhow::Error),
        there: &dyn Fn() -> bool,
    ) -> Result<Credentials> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(creds) = state.current.as_ref().filter(|c| self.fresh(c)) {
            return Ok(creds.clone());
        }
        if state.running {
            // Another caller's renewal: its outcome is this caller's.
            let generation = state.generation;
            while state.running && state.generation == generation {
                state = self.done.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            return match state.current.as_ref().filter(|c| self.fresh(c)) {
                Some(creds) => Ok(creds.clone()),
                None => self.held_or(&state),
            };
        }
        if state.retry_at.is_some_and(|t| Instant::now() < t) || !there() {
            return self.held_or(&state);
        }
        state.running = true;
        drop(state);
        // The files are read again: a renewal sees what an edit changed since the start.
        let files = AwsFiles::load(&self.cfg);
        let outcome = fetch::credentials(&self.cfg, &files, &self.profile, &self.opts, notify);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.running = false;
        state.generation += 1;
        let result = match outcome {
            Ok(outcome) => {
                state.failure = None;
                state.failures = 0;
                state.retry_at = None;
                state.current = Some(outcome.creds.clone());
                Ok(outcome.creds)
            }
            Err(e) => {
                if state.failures == 0 {
                    failed(&e);
                }
                state.failures += 1;
                let wait = FIRST_BACKOFF.saturating_mul(1 << (state.failures - 1).min(8)).min(MAX_BACKOFF);
                state.retry_at = Some(Instant::now() + wait);
                state.failure = Some(format!("{e:#}"));
                self.held_or(&state)
            }
        };
        self.done.notify_all();
        result
    }
}
