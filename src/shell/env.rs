//! The environment contract (DESIGN.md) and its rendering as shell code.
//!
//! This is the only place that writes shell syntax. Every value is data: it is quoted for the
//! target shell, whatever characters it holds (quotes, `$()`, backticks, newlines, `;`, unicode).
//! A value that a shell cannot hold exactly (a NUL byte) is an error before anything is written:
//! never a lossy or partial rendering.

pub use crate::outputs::shell::{Format, Shell};
use crate::types::Credentials;
use crate::util::json;
use crate::util::time::format_rfc3339;
use anyhow::Result;

/// Every variable the contract touches, in the order they are written.
pub const CONTRACT: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_ACCOUNT_ID",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "ROLECALL_PROFILE",
    "ROLECALL_EXPIRES_AT",
    "ROLECALL_PREVIOUS",
    "ROLECALL_REGION",
    "ROLECALL_KEY_ID",
];

/// The contract's credential variables: what `asp` clears and a credential server's command must
/// not have.
pub const CREDENTIAL_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_ACCOUNT_ID",
];

/// The variables that hold secrets: never copied into a variable of rolecall's own (the
/// directory's restore state keeps everything else).
pub const SECRET_VARS: &[&str] = &["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"];

/// The access key id `assume` exported: while `AWS_ACCESS_KEY_ID` is the same, the shell holds
/// what rolecall put there (and auto-refresh and a directory may replace it); otherwise the
/// person set keys by hand, which nothing of rolecall's undoes. Not a secret (AWS prints key ids
/// in CloudTrail; the secret key and the token are the secrets).
pub const KEY_ID: &str = "ROLECALL_KEY_ID";

/// What puts the shell back when it leaves a directory whose `.awsprofile` was applied: the
/// file and the contract's variables as they were before (JSON), but the secrets
/// ([`SECRET_VARS`]): credentials rolecall exported are found again in its cache by profile.
/// Exported, so that a child shell (`bash`, `tmux`, `nix develop`) started inside the tree can
/// leave it too; so it holds nothing that is not already in plain sight.
pub const DIR_RESTORE: &str = "ROLECALL_DIR_RESTORE";

/// The contract's variables as a shell holds them (set or unset): the environment a change is
/// computed from. Tests build one by hand; commands take the process environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    vars: Vec<(&'static str, Option<String>)>,
}

/// A shell that holds none of the contract's variables.
impl Default for Snapshot {
    fn default() -> Snapshot {
        Snapshot::from(|_| None)
    }
}

impl Snapshot {
    /// From a lookup (the process environment, or a test's map). Empty values count as set.
    pub fn from(get: impl Fn(&str) -> Option<String>) -> Snapshot {
        Snapshot { vars: CONTRACT.iter().map(|name| (*name, get(name))).collect() }
    }

    pub fn from_config(cfg: &crate::config::Config) -> Snapshot {
        Snapshot::from(|name| cfg.raw(name))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.as_deref())
    }

    /// The profile active before a switch (for `assume -`).
    pub fn profile(&self) -> Option<&str> {
        ["ROLECALL_PROFILE", "AWS_PROFILE"].iter().find_map(|k| self.get(k).filter(|v| !v.is_empty()))
    }

    /// The snapshot after `change` is applied.
    pub fn apply(&self, change: &EnvChange) -> Snapshot {
        let mut next = self.clone();
        for (name, value) in &change.vars {
            if let Some(slot) = next.vars.iter_mut().find(|(n, _)| n == name) {
                slot.1 = value.clone();
            }
        }
        next
    }

    /// As JSON: `{"set": {NAME: value}, "unset": [NAME]}` (the DIR_RESTORE payload's `env`),
    /// without the secrets.
    fn push_json(&self, out: &mut Vec<u8>) {
        let vars = self.vars.iter().filter(|(n, _)| !SECRET_VARS.contains(n)).cloned().collect();
        EnvChange { vars }.push_json(out);
    }

    /// Whether the shell holds credentials that rolecall exported (`AWS_ACCESS_KEY_ID` is the
    /// key id `assume` set), not keys set by hand.
    pub fn holds_ours(&self) -> bool {
        self.get("AWS_ACCESS_KEY_ID").is_some_and(|k| self.get(KEY_ID) == Some(k))
    }

    /// Whether the shell holds keys that rolecall did not export (set by hand, pasted from the
    /// SSO portal, another tool's).
    pub fn holds_others(&self) -> bool {
        self.get("AWS_ACCESS_KEY_ID").is_some_and(|k| !k.is_empty()) && !self.holds_ours()
    }

    /// Read what [`Snapshot::push_json`] wrote; variables outside the contract are ignored.
    fn from_json(value: &serde_json::Value) -> Option<Snapshot> {
        let set = value.get("set")?.as_object()?;
        let get = |name: &str| set.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        Some(Snapshot::from(get))
    }
}

/// The restore state a shell carries while a directory's `.awsprofile` is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirState {
    /// The `.awsprofile` that was applied, as the shell found it.
    pub file: String,
    /// The contract's variables before it was applied.
    pub before: Snapshot,
}

impl DirState {
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(b"{\"file\":");
        json::push_str(&mut out, &self.file);
        out.extend_from_slice(b",\"env\":");
        self.before.push_json(&mut out);
        out.push(b'}');
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    /// `None` for anything that is not what [`DirState::to_json`] writes.
    pub fn from_json(text: &str) -> Option<DirState> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let file = value.get("file")?.as_str()?.to_owned();
        Some(DirState { file, before: Snapshot::from_json(value.get("env")?)? })
    }
}

/// Variables to set (`Some`) or unset (`None`); a variable not named is left as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvChange {
    pub vars: Vec<(&'static str, Option<String>)>,
}

impl EnvChange {
    fn set(&mut self, name: &'static str, value: impl Into<String>) {
        self.vars.push((name, Some(value.into())));
    }

    fn set_opt(&mut self, name: &'static str, value: Option<String>) {
        self.vars.push((name, value));
    }

    /// `assume PROFILE`: the credentials, the profile, the region, the expiry.
    pub fn assume(profile: &str, creds: &Credentials, region: Option<&str>, before: &Snapshot) -> EnvChange {
        let mut env = EnvChange::default();
        env.credentials(creds);
        env.select(profile, region, before);
        env
    }

    /// The credentials variables for `creds` (and their expiry), nothing else.
    fn credentials(&mut self, creds: &Credentials) {
        self.set("AWS_ACCESS_KEY_ID", creds.access_key_id.as_str());
        self.set("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.as_str());
        self.set_opt("AWS_SESSION_TOKEN", creds.session_token.clone());
        self.set_opt("AWS_SECURITY_TOKEN", None);
        let expiration = creds.expires_at.map(format_rfc3339);
        self.set_opt("AWS_CREDENTIAL_EXPIRATION", expiration.clone());
        self.set_opt("AWS_SESSION_EXPIRATION", expiration);
        // The SDKs use it for account-based endpoints (the role's, the SSO account, the console
        // session's, `aws_account_id`).
        self.set_opt("AWS_ACCOUNT_ID", creds.account_id.clone());
        self.set_opt("ROLECALL_EXPIRES_AT", creds.expires_at.map(|t| t.to_string()));
        self.set(KEY_ID, creds.access_key_id.as_str());
    }

    /// Leaving a directory: back to `before` (its restore state, which holds no secret), from
    /// what the shell holds `now`. Credentials the shell still holds from before stay; others
    /// that rolecall had exported come back as `creds` (found again in the cache); when there
    /// are none, the credential variables are cleared (the profile stays: the SDKs resolve it).
    pub fn restore_dir(before: &Snapshot, now: &Snapshot, creds: Option<&Credentials>) -> EnvChange {
        let mut env = EnvChange::default();
        let key = before.get("AWS_ACCESS_KEY_ID");
        let still_held = key.is_some() && now.get("AWS_ACCESS_KEY_ID") == key;
        let credential_vars = |n: &str| CREDENTIAL_VARS.contains(&n) || n == "ROLECALL_EXPIRES_AT" || n == KEY_ID;
        for (name, value) in &before.vars {
            if !credential_vars(name) {
                env.vars.push((name, value.clone()));
            }
        }
        match (key, still_held, creds) {
            (Some(_), true, _) => {}
            (Some(_), false, Some(creds)) => env.credentials(creds),
            _ => {
                for name in CONTRACT.iter().filter(|n| credential_vars(n)) {
                    env.set_opt(name, None);
                }
            }
        }
        env
    }

    /// `asp PROFILE`: the profile only; the SDKs resolve credentials themselves.
    pub fn select_only(profile: &str, region: Option<&str>, before: &Snapshot) -> EnvChange {
        let mut env = EnvChange::default();
        for name in CREDENTIAL_VARS {
            env.set_opt(name, None);
        }
        env.select(profile, region, before);
        env.set_opt("ROLECALL_EXPIRES_AT", None);
        env.set_opt(KEY_ID, None);
        env
    }

    /// A directory naming the profile the shell already holds credentials of: they stay, only
    /// the directory's region (if it has one) is applied.
    pub fn keep_credentials(profile: &str, region: Option<&str>, before: &Snapshot) -> EnvChange {
        let mut env = EnvChange::default();
        if region.is_some() {
            env.select(profile, region, before);
        }
        env
    }

    fn select(&mut self, profile: &str, region: Option<&str>, before: &Snapshot) {
        self.set("AWS_PROFILE", profile);
        match region {
            Some(region) => {
                self.set("AWS_REGION", region);
                self.set("AWS_DEFAULT_REGION", region);
                self.set("ROLECALL_REGION", region);
            }
            None => self.forget_region(before),
        }
        self.set("ROLECALL_PROFILE", profile);
        // Re-assuming the same profile keeps the one before it, so `assume -` still goes back.
        let previous = match before.profile() {
            Some(current) if current == profile => before.get("ROLECALL_PREVIOUS"),
            current => current,
        };
        self.set_opt("ROLECALL_PREVIOUS", previous.map(str::to_owned));
    }

    /// A region rolecall exported (for another profile) is removed; a region the person set is
    /// left alone.
    fn forget_region(&mut self, before: &Snapshot) {
        if let Some(ours) = before.get("ROLECALL_REGION") {
            for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
                if before.get(name) == Some(ours) {
                    self.set_opt(name, None);
                }
            }
        }
        self.set_opt("ROLECALL_REGION", None);
    }

    /// `assume --unset`: every variable of the contract, but a region rolecall did not set; the
    /// profile it held becomes the previous one, so that `assume -` brings it back.
    pub fn unset_all(before: &Snapshot) -> EnvChange {
        let mut env = EnvChange::default();
        for name in CONTRACT.iter().filter(|n| !n.contains("REGION") && **n != "ROLECALL_PREVIOUS") {
            env.set_opt(name, None);
        }
        env.forget_region(before);
        let previous = before.profile().or_else(|| before.get("ROLECALL_PREVIOUS"));
        env.set_opt("ROLECALL_PREVIOUS", previous.map(str::to_owned));
        env
    }

    /// Also set (`Some`) or unset a variable outside the contract.
    pub fn with(mut self, name: &'static str, value: Option<String>) -> EnvChange {
        self.vars.push((name, value));
        self
    }

    fn push_json(&self, buf: &mut Vec<u8>) {
        crate::outputs::shell::push_json(&self.vars, buf);
    }

    /// The change in `format` ([`crate::outputs::shell`]); an error, with nothing rendered, when
    /// a value cannot be written exactly.
    pub fn render(&self, format: Format) -> Result<String> {
        crate::outputs::shell::render(&self.vars, format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_covers_the_contract_but_a_region_the_person_set() {
        let before = Snapshot::from(|n| (n == "AWS_REGION").then(|| "ap-southeast-2".to_owned()));
        let text = EnvChange::unset_all(&before).render(Format::Shell(Shell::Bash)).unwrap();
        assert!(text.lines().all(|l| l.starts_with("\\builtin unset ")));
        assert!(!text.contains("AWS_REGION") && !text.contains("AWS_DEFAULT_REGION"), "{text}");
        let ours = Snapshot::from(|n| n.contains("REGION").then(|| "eu-west-1".to_owned()));
        let text = EnvChange::unset_all(&ours).render(Format::Shell(Shell::Bash)).unwrap();
        assert_eq!(text.lines().count(), CONTRACT.len());
        // `assume -` after `assume -u` goes back to the profile that was unset.
        let held = Snapshot::from(|n| (n == "ROLECALL_PROFILE").then(|| "prod".to_owned()));
        let after = held.apply(&EnvChange::unset_all(&held));
        assert_eq!((after.get("ROLECALL_PREVIOUS"), after.get("ROLECALL_PROFILE")), (Some("prod"), None));
    }

    #[test]
    fn the_restore_state_holds_no_secret() {
        let creds = Credentials {
            access_key_id: "ASIAHELD".into(),
            secret_access_key: "held-secret".into(),
            session_token: Some("held-token".into()),
            expires_at: Some(9),
            account_id: None,
        };
        let held = Snapshot::default().apply(&EnvChange::assume("admin", &creds, None, &Snapshot::default()));
        assert!(held.holds_ours() && !held.holds_others());
        let json = DirState { file: "/p/.awsprofile".into(), before: held.clone() }.to_json();
        assert!(!json.contains("held-secret") && !json.contains("held-token"), "{json}");
        let before = DirState::from_json(&json).unwrap().before;
        // Still held on leaving: the credentials stay as they are.
        let change = EnvChange::restore_dir(&before, &held, None);
        assert!(change.vars.iter().all(|(n, _)| !CREDENTIAL_VARS.contains(n)), "{change:?}");
        // Replaced in the tree: they come back from the cache…
        let inside = held.apply(&EnvChange::select_only("ops", None, &held));
        let back = inside.apply(&EnvChange::restore_dir(&before, &inside, Some(&creds)));
        assert_eq!(back, held);
        // …or, not cached any more, are cleared, with the profile left for the SDKs.
        let gone = inside.apply(&EnvChange::restore_dir(&before, &inside, None));
        assert_eq!((gone.get("AWS_ACCESS_KEY_ID"), gone.get("AWS_PROFILE")), (None, Some("admin")));
        // Keys set by hand are not rolecall's.
        let by_hand = Snapshot::from(|n| (n == "AWS_ACCESS_KEY_ID").then(|| "AKIAHAND".to_owned()));
        assert!(by_hand.holds_others() && !by_hand.holds_ours());
    }

    #[test]
    fn a_nul_is_refused_in_every_format() {
        let creds = Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: "a\0b".into(),
            session_token: None,
            expires_at: None,
            account_id: None,
        };
        let change = EnvChange::assume("p", &creds, None, &Snapshot::default());
        for format in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell, Shell::Nu]
            .map(Format::Shell)
            .into_iter()
            .chain([Format::Json, Format::Env])
        {
            let err = change.render(format).unwrap_err().to_string();
            assert!(err.contains("AWS_SECRET_ACCESS_KEY holds a NUL"), "{err}");
        }
    }

    #[test]
    fn dir_state_round_trips() {
        let before = Snapshot::from(|n| match n {
            "AWS_PROFILE" => Some("it's \"x\"\n".to_owned()),
            "AWS_REGION" => Some(String::new()),
            _ => None,
        });
        let state = DirState { file: "/a/b\n/.awsprofile".into(), before };
        assert_eq!(DirState::from_json(&state.to_json()), Some(state));
        assert_eq!(DirState::from_json("{\"file\": 1}"), None);
    }
}
