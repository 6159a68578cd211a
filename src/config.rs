//! Every setting rolecall takes from its environment, in one place: the `AWS_*` and `ROLECALL_*`
//! knobs, `HOME` and the XDG directories, the clock. A command gets one [`Config`] at its start
//! and passes it down; nothing else reads the environment (tests build a `Config` from a map,
//! so every path runs in-process, with no subprocess and no change to the test's environment).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// Where the settings come from.
#[derive(Clone, Debug, Default)]
enum Source {
    /// The process environment, read when a setting is asked for (no copy at start: `init` and
    /// the prompt pay nothing for settings they never read).
    #[default]
    Process,
    /// A map (tests, and what a credential server hands its renewals).
    Map(HashMap<String, String>),
}

/// The settings of one run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    source: Source,
    /// A pinned clock (unix seconds): tests; `ROLECALL_NOW` with the test-hooks feature.
    clock: Option<i64>,
}

/// Entries with less than this left are renewed (`ROLECALL_REFRESH_BEFORE`).
pub const DEFAULT_REFRESH_BEFORE_SECS: i64 = 300;
/// The network timeout, in all (`ROLECALL_TIMEOUT`).
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;
/// How long a process waits for another fetching the same thing (`ROLECALL_LOCK_WAIT`).
pub const DEFAULT_LOCK_WAIT_SECS: u64 = 120;

impl Config {
    /// The process environment.
    pub fn from_process() -> Config {
        #[allow(unused_mut)]
        let mut config = Config::default();
        #[cfg(feature = "test-hooks")]
        {
            config.clock = std::env::var("ROLECALL_NOW").ok().and_then(|s| s.parse().ok());
        }
        config
    }

    /// Settings from `vars` alone.
    pub fn from_vars<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Config {
        let map = vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        Config { source: Source::Map(map), clock: None }
    }

    /// The same settings with the clock pinned at `now`.
    pub fn with_clock(mut self, now: i64) -> Config {
        self.clock = Some(now);
        self
    }

    /// A variable as it is, set or not (an empty one counts as set).
    pub fn raw(&self, name: &str) -> Option<String> {
        match &self.source {
            Source::Process => std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()),
            Source::Map(map) => map.get(name).cloned(),
        }
    }

    /// A variable that is set and not empty (the rule for every `AWS_*` and `ROLECALL_*` knob).
    pub fn var(&self, name: &str) -> Option<String> {
        self.raw(name).filter(|v| !v.is_empty())
    }

    /// A `true`/`false` setting (`AWS_USE_FIPS_ENDPOINT=true`), any case.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.var(name).map(|v| v.eq_ignore_ascii_case("true"))
    }

    /// A duration setting (`90s`, `10m`, `3600`).
    fn duration(&self, name: &str) -> Option<u64> {
        self.var(name).and_then(|v| crate::util::time::parse_duration(&v))
    }

    /// The home directory: `HOME` when set and not empty.
    pub fn home(&self) -> Option<PathBuf> {
        self.var("HOME").map(PathBuf::from)
    }

    /// rolecall's cache: `$XDG_CACHE_HOME/rolecall`, else `~/.cache/rolecall`.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        self.xdg("XDG_CACHE_HOME", ".cache")
    }

    /// rolecall's data (the recent list, the `.awsprofile` trust store): `$XDG_DATA_HOME/rolecall`,
    /// else `~/.local/share/rolecall`.
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.xdg("XDG_DATA_HOME", ".local/share")
    }

    /// rolecall's own config file's directory: `$XDG_CONFIG_HOME/rolecall`, else `~/.config/rolecall`.
    pub fn config_dir(&self) -> Option<PathBuf> {
        self.xdg("XDG_CONFIG_HOME", ".config")
    }

    fn xdg(&self, var: &str, under_home: &str) -> Option<PathBuf> {
        match self.var(var) {
            Some(dir) => Some(PathBuf::from(dir).join("rolecall")),
            None => self.home().map(|h| h.join(under_home).join("rolecall")),
        }
    }

    /// A setting of rolecall's own config file (`$XDG_CONFIG_HOME/rolecall/config`: `key = value`
    /// lines, `#` comments), read when asked for; none when the file or the key is not there.
    pub fn setting(&self, key: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.config_dir()?.join("config")).ok()?;
        setting_in(&text, key)
    }

    /// The AWS CLI's directories under `~/.aws` (`cli/cache`, `sso/cache`).
    pub fn aws_dir(&self, sub: &str) -> Option<PathBuf> {
        self.home().map(|h| h.join(".aws").join(sub))
    }

    /// Now, as unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.unwrap_or_else(crate::util::time::now)
    }

    /// Entries with less than this left (seconds) are renewed.
    pub fn refresh_before(&self) -> i64 {
        self.duration("ROLECALL_REFRESH_BEFORE").map_or(DEFAULT_REFRESH_BEFORE_SECS, |s| s as i64)
    }

    /// The network timeout, retries included.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.duration("ROLECALL_TIMEOUT").unwrap_or(DEFAULT_TIMEOUT_SECS))
    }

    /// How long to wait for another rolecall fetching the same credentials.
    pub fn lock_wait(&self) -> Duration {
        Duration::from_secs(self.duration("ROLECALL_LOCK_WAIT").unwrap_or(DEFAULT_LOCK_WAIT_SECS))
    }

    /// The local user's name (`USER`, else `LOGNAME`), for role session names.
    pub fn user(&self) -> Option<String> {
        self.var("USER").or_else(|| self.var("LOGNAME"))
    }

    /// Whether colour is off (`NO_COLOR` set and not empty: no-color.org).
    pub fn no_color(&self) -> bool {
        self.var("NO_COLOR").is_some()
    }

    /// Whether to colour output that goes to a terminal (`terminal`) or not: `NO_COLOR` wins,
    /// then `CLICOLOR_FORCE` (not `0`) forces colour, then `CLICOLOR=0` turns it off.
    pub fn color(&self, terminal: bool) -> bool {
        if self.no_color() {
            return false;
        }
        if self.var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
            return true;
        }
        terminal && self.var("CLICOLOR").is_none_or(|v| v != "0")
    }
}

/// The last `key = value` line for `key` in a config file's text.
fn setting_in(text: &str, key: &str) -> Option<String> {
    text.lines()
        .rev()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with(';'))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_owned())
        .find(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_every_setting() {
        let c = Config::from_vars([("HOME", "/h"), ("XDG_CACHE_HOME", ""), ("ROLECALL_TIMEOUT", "3s"), ("EMPTY", "")]);
        assert_eq!(c.home(), Some(PathBuf::from("/h")));
        assert_eq!(c.cache_dir(), Some(PathBuf::from("/h/.cache/rolecall")), "an empty XDG_CACHE_HOME is unset");
        assert_eq!(c.data_dir(), Some(PathBuf::from("/h/.local/share/rolecall")));
        assert_eq!(c.timeout(), Duration::from_secs(3));
        assert_eq!(c.var("EMPTY"), None);
        assert_eq!(c.raw("EMPTY").as_deref(), Some(""));
        assert_eq!(Config::from_vars([("HOME", "")]).home(), None, "an empty HOME is no home");
        assert_eq!(Config::default().with_clock(42).now(), 42);
        assert!(!Config::from_vars([("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]).color(true));
        assert!(Config::from_vars([("CLICOLOR_FORCE", "1")]).color(false));
        assert!(!Config::from_vars([("CLICOLOR", "0")]).color(true));
        assert!(Config::from_vars([("NO_COLOR", "")]).color(true), "an empty NO_COLOR is unset");
        let file =
            "# rolecall\nconsole_browser = chrome\n console_browser=firefox \nother = x\n#console_browser = no\n";
        assert_eq!(setting_in(file, "console_browser").as_deref(), Some("firefox"));
        assert_eq!(setting_in(file, "missing"), None);
    }
}
