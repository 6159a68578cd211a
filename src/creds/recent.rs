//! What the picker needs besides the files: the profiles used most recently
//! (`$XDG_DATA_HOME/rolecall/recent`, newest first) and when each profile's cached credentials
//! expire (`profiles` in the cache directory, written by `assume`). Both are small advisory
//! files: lost or damaged, they only change the picker's order and its "time left" column.

use crate::config::Config;
use crate::util::fs::{Mode, ensure_private_dir, write_atomic};

const KEEP: usize = 200;

/// Profile names, most recently used first.
pub fn recent(cfg: &Config) -> Vec<String> {
    let Some(dir) = cfg.data_dir() else { return Vec::new() };
    std::fs::read_to_string(dir.join("recent"))
        .map(|text| text.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Put `profile` first in the recent list. Failures are ignored: the list is a convenience.
pub fn touch(cfg: &Config, profile: &str) {
    let Some(dir) = cfg.data_dir() else { return };
    let mut names = recent(cfg);
    if names.first().is_some_and(|n| n == profile) {
        return;
    }
    names.retain(|n| n != profile);
    names.insert(0, profile.to_owned());
    names.truncate(KEEP);
    let _ = ensure_private_dir(&dir);
    let _ = write_atomic(&dir.join("recent"), (names.join("\n") + "\n").as_bytes(), Mode::NOTE);
}

/// When each profile's last assumed credentials expire (unix seconds).
pub fn expiries(cfg: &Config) -> Vec<(String, i64)> {
    let Some(dir) = cfg.cache_dir() else { return Vec::new() };
    let text = std::fs::read_to_string(dir.join("profiles")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (name, expiry) = line.rsplit_once('\t')?;
            Some((name.to_owned(), expiry.parse().ok()?))
        })
        .collect()
}

/// Record that `profile`'s credentials expire at `expires_at`.
pub fn note_expiry(cfg: &Config, profile: &str, expires_at: i64) {
    let Some(dir) = cfg.cache_dir() else { return };
    let now = cfg.now();
    let known = expiries(cfg);
    if known.first().is_some_and(|(n, t)| n == profile && *t == expires_at) {
        return;
    }
    let mut entries: Vec<(String, i64)> = known.into_iter().filter(|(name, t)| name != profile && *t > now).collect();
    if entries.iter().any(|(n, _)| n.contains(['\t', '\n'])) || profile.contains(['\t', '\n']) {
        return;
    }
    entries.insert(0, (profile.to_owned(), expires_at));
    let text: String = entries.iter().map(|(n, t)| format!("{n}\t{t}\n")).collect();
    let _ = ensure_private_dir(&dir);
    let _ = write_atomic(&dir.join("profiles"), text.as_bytes(), Mode::NOTE);
}
