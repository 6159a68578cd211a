//! The environment contract (DESIGN.md) and its rendering as shell code.
//!
//! This is the only place that writes shell syntax. Every value is data: it is quoted for the
//! target shell, whatever bytes it holds (quotes, `$()`, backticks, newlines, `;`, unicode).

use crate::creds::Credentials;
use crate::json;
use crate::time::format_rfc3339;

/// The syntaxes rolecall prints (also the `--shell` values of the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Json,
    Env,
}

/// Every variable the contract touches, in the order they are written.
pub const CONTRACT: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "ROLECALL_PROFILE",
    "ROLECALL_EXPIRES_AT",
    "ROLECALL_PREVIOUS",
];

/// Variables to set (`Some`) or unset (`None`).
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
    pub fn assume(profile: &str, creds: &Credentials, region: Option<&str>, previous: Option<&str>) -> EnvChange {
        let mut env = EnvChange::default();
        env.set("AWS_ACCESS_KEY_ID", creds.access_key_id.as_str());
        env.set("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.as_str());
        env.set_opt("AWS_SESSION_TOKEN", creds.session_token.clone());
        env.set_opt("AWS_SECURITY_TOKEN", None);
        let expiration = creds.expires_at.map(format_rfc3339);
        env.set_opt("AWS_CREDENTIAL_EXPIRATION", expiration.clone());
        env.set_opt("AWS_SESSION_EXPIRATION", expiration);
        env.select(profile, region, previous);
        env.set_opt("ROLECALL_EXPIRES_AT", creds.expires_at.map(|t| t.to_string()));
        env
    }

    /// `asp PROFILE`: the profile only; the SDKs resolve credentials themselves.
    pub fn select_only(profile: &str, region: Option<&str>, previous: Option<&str>) -> EnvChange {
        let mut env = EnvChange::default();
        for name in &CONTRACT[..6] {
            env.set_opt(name, None);
        }
        env.select(profile, region, previous);
        env.set_opt("ROLECALL_EXPIRES_AT", None);
        env
    }

    fn select(&mut self, profile: &str, region: Option<&str>, previous: Option<&str>) {
        self.set("AWS_PROFILE", profile);
        self.set_opt("AWS_REGION", region.map(str::to_owned));
        self.set_opt("AWS_DEFAULT_REGION", region.map(str::to_owned));
        self.set("ROLECALL_PROFILE", profile);
        // Re-assuming the same profile keeps the one before it, so `assume -` still goes back.
        self.set_opt("ROLECALL_PREVIOUS", previous.filter(|p| *p != profile).map(str::to_owned));
    }

    /// `assume --unset`: every variable of the contract.
    pub fn unset_all() -> EnvChange {
        EnvChange { vars: CONTRACT.iter().map(|name| (*name, None)).collect() }
    }

    /// The contract's variables as they are in this process's environment: applied, it puts
    /// back exactly what the shell had (set or unset).
    pub fn current() -> EnvChange {
        let value = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        EnvChange { vars: CONTRACT.iter().map(|name| (*name, value(name))).collect() }
    }

    pub fn render(&self, shell: Shell) -> String {
        let mut out = String::with_capacity(2048);
        match shell {
            Shell::Json => {
                let mut buf = Vec::with_capacity(2048);
                buf.extend_from_slice(b"{\"set\":{");
                let set: Vec<_> = self.vars.iter().filter_map(|(n, v)| Some((n, v.as_deref()?))).collect();
                for (i, (name, value)) in set.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    json::push_str(&mut buf, name);
                    buf.push(b':');
                    json::push_str(&mut buf, value);
                }
                buf.extend_from_slice(b"},\"unset\":[");
                let unset: Vec<_> = self.vars.iter().filter(|(_, v)| v.is_none()).collect();
                for (i, (name, _)) in unset.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    json::push_str(&mut buf, name);
                }
                buf.extend_from_slice(b"]}\n");
                return String::from_utf8(buf).expect("JSON is UTF-8");
            }
            _ => {
                for (name, value) in &self.vars {
                    render_one(&mut out, shell, name, value.as_deref());
                }
            }
        }
        out
    }
}

fn render_one(out: &mut String, shell: Shell, name: &str, value: Option<&str>) {
    match (shell, value) {
        (Shell::Bash | Shell::Zsh, Some(v)) => {
            out.push_str("export ");
            out.push_str(name);
            out.push('=');
            posix_quote(out, v);
        }
        (Shell::Bash | Shell::Zsh, None) => {
            out.push_str("unset ");
            out.push_str(name);
        }
        (Shell::Fish, Some(v)) => {
            out.push_str("set -gx ");
            out.push_str(name);
            out.push(' ');
            fish_quote(out, v);
        }
        (Shell::Fish, None) => {
            out.push_str("set -e ");
            out.push_str(name);
        }
        (Shell::Powershell, Some(v)) => {
            out.push_str("$Env:");
            out.push_str(name);
            out.push_str(" = ");
            powershell_quote(out, v);
        }
        (Shell::Powershell, None) => {
            out.push_str("Remove-Item -LiteralPath Env:");
            out.push_str(name);
            out.push_str(" -ErrorAction SilentlyContinue");
        }
        // Scripts read `VAR=value` lines; an unset variable is an empty line-less absence, and
        // a value is written as is (`env` output is for `while IFS== read`, not for eval).
        (Shell::Env, Some(v)) => {
            out.push_str(name);
            out.push('=');
            out.push_str(&v.replace(['\n', '\r'], " "));
        }
        (Shell::Env, None) => return,
        (Shell::Json, _) => unreachable!("JSON is rendered whole"),
    }
    out.push('\n');
}

/// A variable of the shell itself (global, not exported) holding `value`: the state the init
/// scripts keep. `name` is one of rolecall's own names, never data.
pub fn render_shell_var(out: &mut String, shell: Shell, name: &str, value: &str) {
    debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    match shell {
        Shell::Bash | Shell::Zsh => {
            out.push_str(name);
            out.push('=');
            posix_quote(out, value);
        }
        Shell::Fish => {
            out.push_str("set -g ");
            out.push_str(name);
            out.push(' ');
            fish_quote(out, value);
        }
        Shell::Powershell => {
            out.push_str("$global:");
            out.push_str(name);
            out.push_str(" = ");
            powershell_quote(out, value);
        }
        Shell::Json | Shell::Env => unreachable!("shell variables exist only in shells"),
    }
    out.push('\n');
}

/// POSIX single quotes: nothing inside is special but `'`, written as `'\''`.
pub fn posix_quote(out: &mut String, value: &str) {
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}

/// fish single quotes: only `\` and `'` are special, each escaped with a backslash.
pub fn fish_quote(out: &mut String, value: &str) {
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// PowerShell verbatim strings: a quote is doubled. PowerShell also takes the typographic
/// single quotes (U+2018..U+201B) as quotes, so those are doubled too.
pub fn powershell_quote(out: &mut String, value: &str) {
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let q = |f: fn(&mut String, &str), v: &str| {
            let mut s = String::new();
            f(&mut s, v);
            s
        };
        assert_eq!(q(posix_quote, "it's"), r"'it'\''s'");
        assert_eq!(q(fish_quote, r"a\'b"), r"'a\\\'b'");
        assert_eq!(q(powershell_quote, "it's ‘x’"), "'it''s ‘‘x’’'");
    }

    #[test]
    fn unset_covers_the_contract() {
        let text = EnvChange::unset_all().render(Shell::Bash);
        assert_eq!(text.lines().count(), CONTRACT.len());
        assert!(text.lines().all(|l| l.starts_with("unset ")));
    }
}
