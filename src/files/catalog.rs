//! One summary per profile: what `list` prints and what the picker shows.

use crate::files::Key;
use crate::files::chain::{self, mfa_serial};
use crate::files::{AwsFiles, Section};
use crate::util::arn;
use crate::util::json::{Object, ToJson};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Static,
    Mfa,
    Role,
    Sso,
    Process,
    /// Long-term keys in rolecall's vault (`credential_process` is the vault's marker).
    Vault,
    Source,
    WebIdentity,
    Login,
    ConfigOnly,
}

impl Kind {
    /// What the profile's own keys make it, in the order the SDKs look at them.
    pub fn of(p: Section) -> Kind {
        let has = |k: Key| p.get(k).is_some();
        if has(Key::WebIdentityTokenFile) {
            Kind::WebIdentity
        } else if has(Key::RoleArn) {
            Kind::Role
        } else if has(Key::CredentialSource) {
            Kind::Source
        } else if [Key::SsoSession, Key::SsoStartUrl, Key::SsoAccountId, Key::SsoRoleName, Key::SsoRegion]
            .into_iter()
            .any(has)
        {
            Kind::Sso
        } else if has(Key::LoginSession) {
            Kind::Login
        } else if let Some(command) = p.get(Key::CredentialProcess) {
            if chain::is_vault_marker(command, p.name()) { Kind::Vault } else { Kind::Process }
        } else if has(Key::AccessKeyId) || has(Key::SecretAccessKey) || has(Key::SessionToken) {
            if has(Key::MfaSerial) || has(Key::MfaArn) { Kind::Mfa } else { Kind::Static }
        } else {
            Kind::ConfigOnly
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Static => "static",
            Kind::Mfa => "mfa",
            Kind::Role => "role",
            Kind::Sso => "sso",
            Kind::Process => "process",
            Kind::Vault => "vault",
            Kind::Source => "source",
            Kind::WebIdentity => "web-identity",
            Kind::Login => "login",
            Kind::ConfigOnly => "config-only",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub name: &'a str,
    pub kind: Kind,
    pub region: Option<&'a str>,
    /// Profile names from this one to the one holding the base credentials.
    pub chain: Vec<&'a str>,
    pub role_arn: Option<&'a str>,
    pub mfa_serial: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub source_file: &'a str,
    pub line: usize,
    /// Why the profile cannot be used, when it cannot.
    pub error: Option<String>,
    /// A console session's state (`signed-in`, `signed-out`, `over`, …) and the seconds left of
    /// its refresh window, filled in by a caller that reads the sign-in cache.
    pub login: Option<(&'static str, Option<i64>)>,
}

/// Every profile, in file order (config first, then profiles only in credentials).
pub fn entries(files: &AwsFiles) -> impl Iterator<Item = Entry<'_>> {
    let set = &files.profiles;
    set.profiles().map(|p| entry(files, p))
}

fn entry<'a>(files: &'a AwsFiles, p: Section<'a>) -> Entry<'a> {
    let set = &files.profiles;
    {
        {
            let (chain, error) = match chain::resolve_credentials(set, p) {
                Ok(plan) => (plan.chain, None),
                Err(e) => (vec![p.name()], Some(e.to_string())),
            };
            let origin = p.headers().next();
            let role_arn = p.get(Key::RoleArn);
            Entry {
                name: p.name(),
                kind: Kind::of(p),
                region: p.get(Key::Region),
                chain,
                role_arn,
                mfa_serial: mfa_serial(p, &mut Vec::new()),
                account_id: account_id(p),
                source_file: origin.map_or("", |o| files.file(o.file).path_str()),
                line: origin.map_or(0, |o| o.line),
                error,
                login: None,
            }
        }
    }
}

/// The account a profile works in, from what the profile itself says: its role ARN, its SSO
/// account, `aws_account_id`, or its console session's ARN.
pub fn account_id(p: Section<'_>) -> Option<&str> {
    p.get(Key::RoleArn)
        .and_then(arn::account_id)
        .or_else(|| p.get(Key::SsoAccountId))
        .or_else(|| p.get(Key::AccountId))
        .or_else(|| p.get(Key::LoginSession).and_then(arn::account_id))
}

impl ToJson for Entry<'_> {
    fn push_json(&self, out: &mut Vec<u8>) {
        let mut o = Object::start(out);
        o.str("name", self.name)
            .str("kind", self.kind.as_str())
            .opt_str("region", self.region)
            .str_array("chain", &self.chain)
            .opt_str("role_arn", self.role_arn)
            .opt_str("mfa_serial", self.mfa_serial)
            .opt_str("account_id", self.account_id)
            .str("source_file", self.source_file)
            .num("line", self.line as u64)
            .opt_str("error", self.error.as_deref())
            .some_str("login", self.login.map(|(state, _)| state));
        if let Some((_, Some(left))) = self.login {
            o.num("login_left_secs", left.max(0) as u64);
        }
        o.end();
    }
}
