//! Profile -> credential plan: the base credentials, then the role hops in the order they are
//! assumed. The walk follows aws-config's `resolve_chain` (shared/conformance
//! `assume-role-tests.json`): `role_arn` beats static keys in the selected profile, static keys
//! win in a source profile, a profile may name itself as `source_profile`, loops are errors.
//!
//! On top of the SDK, each hop and the base carry `mfa_serial` (or its common misspelling
//! `mfa_arn`, accepted with a warning) and `duration_seconds`, which the SDK ignores and
//! rolecall uses for its MFA session.

use crate::files::Key;
use crate::files::ProfileSet;
use crate::files::merge::Section;
use std::fmt;

/// Where the first credentials come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base<'a> {
    /// Long-term (or pre-made session) keys in a profile.
    AccessKey {
        profile: &'a str,
        access_key_id: &'a str,
        secret_access_key: &'a str,
        session_token: Option<&'a str>,
        account_id: Option<&'a str>,
        mfa_serial: Option<&'a str>,
    },
    /// `credential_source = Environment | Ec2InstanceMetadata | EcsContainer` (not validated
    /// here, as in the SDK: see [`CREDENTIAL_SOURCES`]).
    NamedSource {
        profile: &'a str,
        source: &'a str,
    },
    WebIdentity {
        profile: &'a str,
        role_arn: &'a str,
        token_file: &'a str,
        session_name: Option<&'a str>,
    },
    Sso {
        profile: &'a str,
        session_name: Option<&'a str>,
        region: &'a str,
        start_url: &'a str,
        account_id: Option<&'a str>,
        role_name: Option<&'a str>,
    },
    /// `login_session` (the SDKs' console-login credentials).
    LoginSession {
        profile: &'a str,
        arn: &'a str,
    },
    Process {
        profile: &'a str,
        command: &'a str,
        account_id: Option<&'a str>,
    },
    /// An IAM user's long-term keys in rolecall's vault: `credential_process` is
    /// [`vault_marker`], rolecall giving the profile itself to other tools.
    Vault {
        profile: &'a str,
        account_id: Option<&'a str>,
        mfa_serial: Option<&'a str>,
    },
}

/// The command that gives other tools a vaulted profile's keys.
pub fn vault_marker(profile: &str) -> String {
    let simple = !profile.is_empty() && profile.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-@+=:,/".contains(&b));
    if simple {
        format!("rolecall credential-process {profile}")
    } else {
        format!("rolecall credential-process '{}'", profile.replace('\'', "'\\''"))
    }
}

/// The profile a `credential_process` hands back to rolecall, if it does: `rolecall
/// credential-process NAME` under any path to the binary, after an `env`-style prefix, with
/// options before the name (`--refresh NAME`), the name quoted as [`vault_marker`] quotes it.
/// The one reading of such a command (the vault's marker, the doctor's loops, the catalog).
pub fn rolecall_target(command: &str) -> Option<String> {
    let unquote = |w: &str| w.trim_matches(['"', '\'']).to_owned();
    let mut words = command.split_whitespace();
    words.find(|w| matches!(unquote(w).rsplit(['/', '\\']).next(), Some("rolecall" | "rolecall.exe")))?;
    if words.next()? != "credential-process" {
        return None;
    }
    let rest: Vec<&str> = words.skip_while(|w| w.starts_with('-')).collect();
    let named = rest.join(" ");
    let target = match named.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("'\\''", "'"),
        None => unquote(&named),
    };
    (!target.is_empty()).then_some(target)
}

/// Whether `command` (a `credential_process` value) is rolecall giving `profile` itself: the
/// vault's marker.
pub fn is_vault_marker(command: &str, profile: &str) -> bool {
    rolecall_target(command).as_deref() == Some(profile)
}

/// Whether `profile`'s keys are in rolecall's vault: its `credential_process` is the marker.
pub fn points_at_vault(profile: Section) -> bool {
    profile.get(Key::CredentialProcess).is_some_and(|c| is_vault_marker(c, profile.name()))
}

/// The most role hops a chain may have. The SDKs set no limit, but each hop is an STS call made
/// in order, within the hour role chaining allows; real chains have a handful. The limit keeps
/// every command linear in the size of the files (a 10,000-hop chain took `doctor` minutes).
pub const MAX_HOPS: usize = 64;

/// The credential sources the SDKs know.
pub const CREDENTIAL_SOURCES: &[&str] = &["Environment", "Ec2InstanceMetadata", "EcsContainer"];

/// The source a `credential_source` value names, as aws-config matches it (ignoring ASCII case);
/// `None` for one no SDK knows.
pub fn credential_source(value: &str) -> Option<&'static str> {
    CREDENTIAL_SOURCES.iter().copied().find(|s| s.eq_ignore_ascii_case(value))
}

/// One AssumeRole call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleHop<'a> {
    pub profile: &'a str,
    pub role_arn: &'a str,
    pub external_id: Option<&'a str>,
    pub session_name: Option<&'a str>,
    pub duration_seconds: Option<&'a str>,
    pub mfa_serial: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan<'a> {
    pub base: Base<'a>,
    /// In the order they are assumed: the hop next to the base first, the selected profile last.
    pub hops: Vec<RoleHop<'a>>,
    /// Profile names from the selected one to the one that holds the base.
    pub chain: Vec<&'a str>,
    /// Non-fatal remarks (e.g. `mfa_arn` used).
    pub warnings: Vec<String>,
}

impl Base<'_> {
    /// Whether these are an IAM user's long-term keys (in the files or in the vault).
    pub fn is_long_term(&self) -> bool {
        matches!(self, Base::AccessKey { session_token: None, .. } | Base::Vault { .. })
    }

    /// The MFA device of an IAM user's long-term keys.
    pub fn user_mfa_serial(&self) -> Option<&str> {
        match self {
            Base::AccessKey { session_token: None, mfa_serial, .. } | Base::Vault { mfa_serial, .. } => *mfa_serial,
            _ => None,
        }
    }

    pub fn profile(&self) -> &str {
        match self {
            Base::AccessKey { profile, .. }
            | Base::NamedSource { profile, .. }
            | Base::WebIdentity { profile, .. }
            | Base::Sso { profile, .. }
            | Base::LoginSession { profile, .. }
            | Base::Process { profile, .. }
            | Base::Vault { profile, .. } => profile,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    NoProfiles,
    /// `profile` was not found; `from` names the profile whose `source_profile` points to it.
    MissingProfile {
        profile: String,
        from: Option<String>,
    },
    /// The walk came back to `next` after visiting `visited`.
    Loop {
        visited: Vec<String>,
        next: String,
    },
    /// The profile has no way to get credentials.
    NoCredentials {
        profile: String,
    },
    PartialCredentials {
        profile: String,
        missing: &'static str,
    },
    /// Both or neither of source_profile / credential_source on a role profile, or a base
    /// profile that failed when used as a source.
    InvalidSource {
        profile: String,
        message: String,
    },
    InvalidSso {
        profile: String,
        message: String,
    },
    MissingSsoSession {
        profile: String,
        session: String,
    },
    /// More than [`MAX_HOPS`] role hops from `profile` to its base.
    TooDeep {
        profile: String,
    },
    /// The chain resolves, but its base gives no credentials (what the SDKs' credential
    /// providers refuse, or what rolecall cannot fetch).
    NotCredentials {
        profile: String,
        why: NotCredentials,
    },
}

/// Why a chain that resolves gives no credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotCredentials {
    /// An SSO profile without `sso_account_id` and `sso_role_name`: a token, not credentials.
    SsoToken,
    /// A `credential_source` no SDK knows.
    UnknownSource(String),
}

impl ResolveError {
    /// The profile where the problem is written.
    pub fn profile(&self) -> Option<&str> {
        match self {
            ResolveError::NoProfiles => None,
            ResolveError::MissingProfile { profile, from } => Some(from.as_deref().unwrap_or(profile)),
            ResolveError::Loop { next, .. } => Some(next),
            ResolveError::NoCredentials { profile }
            | ResolveError::PartialCredentials { profile, .. }
            | ResolveError::InvalidSource { profile, .. }
            | ResolveError::InvalidSso { profile, .. }
            | ResolveError::MissingSsoSession { profile, .. }
            | ResolveError::NotCredentials { profile, .. }
            | ResolveError::TooDeep { profile } => Some(profile),
        }
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NoProfiles => write!(f, "No profiles were defined"),
            ResolveError::MissingProfile { profile, from: None } => write!(f, "profile `{profile}` was not defined"),
            ResolveError::MissingProfile { profile, from: Some(from) } => write!(
                f,
                "profile `{profile}` was not defined: could not find source profile {profile} referenced from {from}"
            ),
            ResolveError::Loop { visited, next } => {
                write!(f, "profile formed an infinite loop: {} → {next}", visited.join(" → "))
            }
            ResolveError::NoCredentials { profile } => {
                write!(f, "profile `{profile}` did not contain credential information")
            }
            ResolveError::PartialCredentials { profile, missing } => {
                write!(f, "invalid credential source in `{profile}`: profile missing {missing}")
            }
            ResolveError::InvalidSource { profile, message } => {
                write!(f, "invalid credential source in `{profile}`: {message}")
            }
            ResolveError::InvalidSso { profile, message } => {
                write!(f, "profile `{profile}` has invalid SSO config: {message}")
            }
            ResolveError::MissingSsoSession { profile, session } => {
                write!(f, "sso-session named `{session}` (referenced by profile `{profile}`) was not found")
            }
            ResolveError::TooDeep { profile } => write!(
                f,
                "profile `{profile}` is more than {MAX_HOPS} role hops from its credentials: rolecall does not make that many STS calls for one profile"
            ),
            ResolveError::NotCredentials { profile, why: NotCredentials::SsoToken } => write!(
                f,
                "profile `{profile}`: selected profile will resolve an access token instead of credentials (it has no sso_account_id and sso_role_name)"
            ),
            ResolveError::NotCredentials { profile, why: NotCredentials::UnknownSource(source) } => write!(
                f,
                "profile `{profile}` referenced `{source}` provider but that provider is not supported (credential_source is one of {})",
                CREDENTIAL_SOURCES.join(", ")
            ),
        }
    }
}

impl std::error::Error for ResolveError {}

/// `mfa_serial`, or `mfa_arn` with a warning.
pub fn mfa_serial<'a>(profile: Section<'a>, warnings: &mut Vec<String>) -> Option<&'a str> {
    if let Some(serial) = profile.get(Key::MfaSerial) {
        return Some(serial);
    }
    let alias = profile.get(Key::MfaArn)?;
    warnings.push(format!(
        "profile `{}` uses `mfa_arn`; the standard key is `mfa_serial` (the AWS CLI ignores `mfa_arn`)",
        profile.name()
    ));
    Some(alias)
}

/// Whether a resolved plan gives credentials: the one rule `list`, `doctor`, `assume` and the
/// picker share (after the SDKs' credential providers).
pub fn credentials_check(plan: &Plan) -> Result<(), ResolveError> {
    let profile = plan.base.profile().to_owned();
    let why = match &plan.base {
        Base::Sso { account_id: None, .. } => NotCredentials::SsoToken,
        Base::NamedSource { source, .. } if credential_source(source).is_none() => {
            NotCredentials::UnknownSource((*source).to_owned())
        }
        _ => return Ok(()),
    };
    Err(ResolveError::NotCredentials { profile, why })
}

/// The profile whose `login_session` `name`'s credentials come from (itself, or the source at
/// the end of its role chain), if they come from a console session.
pub fn console_profile(set: &ProfileSet, name: &str) -> Option<String> {
    match resolve(set, name).ok()?.base {
        Base::LoginSession { profile, .. } => Some(profile.to_owned()),
        _ => None,
    }
}

/// The plan of `selected`, when it gives credentials.
pub fn resolve_credentials<'a>(set: &'a ProfileSet, selected: Section<'a>) -> Result<Plan<'a>, ResolveError> {
    let plan = resolve_profile(set, selected)?;
    credentials_check(&plan)?;
    Ok(plan)
}

/// Resolve the plan of `selected`.
pub fn resolve<'a>(set: &'a ProfileSet, selected: &'a str) -> Result<Plan<'a>, ResolveError> {
    if set.profiles().len() == 0 || (selected == "default" && set.profile("default").is_none()) {
        return Err(ResolveError::NoProfiles);
    }
    let profile = set
        .profile(selected)
        .ok_or_else(|| ResolveError::MissingProfile { profile: selected.to_owned(), from: None })?;
    resolve_profile(set, profile)
}

/// Resolve the plan of a profile already found in `set` (no second lookup by name).
pub fn resolve_profile<'a>(set: &'a ProfileSet, selected: Section<'a>) -> Result<Plan<'a>, ResolveError> {
    let mut profile = selected;
    let mut visited: Vec<&'a str> = Vec::new();
    let mut hops = Vec::new();
    let mut warnings = Vec::new();
    let base = loop {
        let name = profile.name();
        if visited.contains(&name) {
            return Err(ResolveError::Loop {
                visited: visited.iter().map(|s| s.to_string()).collect(),
                next: name.to_owned(),
            });
        }
        visited.push(name);
        if visited.len() > 1
            && let Ok(base) = static_keys(profile, &mut warnings)
        {
            break base;
        }
        match role_hop(profile, &mut warnings) {
            Some(hop) => {
                if hops.len() >= MAX_HOPS {
                    return Err(ResolveError::TooDeep { profile: selected.name().to_owned() });
                }
                let next = next_profile(profile)?;
                hops.push(hop);
                match next {
                    Some(source) => {
                        profile = set.profile(source).ok_or_else(|| ResolveError::MissingProfile {
                            profile: source.to_owned(),
                            from: Some(name.to_owned()),
                        })?;
                    }
                    None => break base_of(set, profile, &mut warnings)?,
                }
            }
            None => {
                break base_of(set, profile, &mut warnings).map_err(|e| {
                    if visited.len() == 1 {
                        e
                    } else {
                        ResolveError::InvalidSource {
                            profile: profile.name().to_owned(),
                            message: format!("could not load source profile: {e}"),
                        }
                    }
                })?;
            }
        }
    };
    hops.reverse();
    Ok(Plan { base, hops, chain: visited, warnings })
}

/// `Some(name)` to continue with `source_profile`; `None` when the profile is its own source
/// (`source_profile` naming itself, or `credential_source`).
fn next_profile<'a>(profile: Section<'a>) -> Result<Option<&'a str>, ResolveError> {
    let invalid =
        |message: &str| ResolveError::InvalidSource { profile: profile.name().to_owned(), message: message.into() };
    match (profile.get(Key::SourceProfile), profile.get(Key::CredentialSource)) {
        (Some(_), Some(_)) => Err(invalid(
            "profile contained both source_profile and credential_source. Only one or the other can be defined",
        )),
        (None, None) => {
            Err(invalid("profile must contain `source_profile` or `credential_source` but neither were defined"))
        }
        (Some(source), None) if source == profile.name() => Ok(None),
        (Some(source), None) => Ok(Some(source)),
        (None, Some(_)) => Ok(None),
    }
}

fn role_hop<'a>(profile: Section<'a>, warnings: &mut Vec<String>) -> Option<RoleHop<'a>> {
    if profile.get(Key::WebIdentityTokenFile).is_some() {
        return None;
    }
    Some(RoleHop {
        profile: profile.name(),
        role_arn: profile.get(Key::RoleArn)?,
        external_id: profile.get(Key::ExternalId),
        session_name: profile.get(Key::RoleSessionName),
        duration_seconds: profile.get(Key::DurationSeconds),
        mfa_serial: mfa_serial(profile, warnings),
    })
}

fn base_of<'a>(
    set: &'a ProfileSet,
    profile: Section<'a>,
    warnings: &mut Vec<String>,
) -> Result<Base<'a>, ResolveError> {
    let name = profile.name();
    if let Some(source) = profile.get(Key::CredentialSource) {
        return Ok(Base::NamedSource { profile: name, source });
    }
    match (profile.get(Key::RoleArn), profile.get(Key::WebIdentityTokenFile)) {
        (Some(role_arn), Some(token_file)) => {
            return Ok(Base::WebIdentity {
                profile: name,
                role_arn,
                token_file,
                session_name: profile.get(Key::RoleSessionName),
            });
        }
        (None, Some(_)) => {
            return Err(ResolveError::InvalidSource {
                profile: name.to_owned(),
                message: "`web_identity_token_file` was specified but `role_arn` was missing".into(),
            });
        }
        _ => {}
    }
    if let Some(sso) = sso(set, profile)? {
        return Ok(sso);
    }
    if let Some(arn) = profile.get(Key::LoginSession) {
        return Ok(Base::LoginSession { profile: name, arn });
    }
    if let Some(command) = profile.get(Key::CredentialProcess) {
        if is_vault_marker(command, name) {
            return Ok(Base::Vault {
                profile: name,
                account_id: profile.get(Key::AccountId),
                mfa_serial: mfa_serial(profile, warnings),
            });
        }
        return Ok(Base::Process { profile: name, command, account_id: profile.get(Key::AccountId) });
    }
    static_keys(profile, warnings)
}

fn sso<'a>(set: &'a ProfileSet, profile: Section<'a>) -> Result<Option<Base<'a>>, ResolveError> {
    let account_id = profile.get(Key::SsoAccountId);
    let mut region = profile.get(Key::SsoRegion);
    let role_name = profile.get(Key::SsoRoleName);
    let mut start_url = profile.get(Key::SsoStartUrl);
    let session_name = profile.get(Key::SsoSession);
    if [account_id, region, role_name, start_url, session_name].iter().all(Option::is_none) {
        return Ok(None);
    }
    let invalid = |message: String| ResolveError::InvalidSso { profile: profile.name().to_owned(), message };
    if let Some(session) = session_name {
        for (key, value) in [("sso_start_url", start_url), ("sso_region", region)] {
            if value.is_some() {
                return Err(invalid(format!(
                    "`{key}` can only be specified in the [sso-session] config when a session name is given"
                )));
            }
        }
        let Some(section) = set.sso_session(session) else {
            return Err(ResolveError::MissingSsoSession {
                profile: profile.name().to_owned(),
                session: session.to_owned(),
            });
        };
        start_url = section.get(Key::SsoStartUrl);
        region = section.get(Key::SsoRegion);
    }
    match (account_id, role_name) {
        (Some(_), None) => {
            return Err(invalid("if `sso_account_id` is set, then `sso_role_name` must also be set".into()));
        }
        (None, Some(_)) => {
            return Err(invalid("if `sso_role_name` is set, then `sso_account_id` must also be set".into()));
        }
        _ => {}
    }
    let missing = |key: &str| invalid(format!("profile missing field `{key}`"));
    Ok(Some(Base::Sso {
        profile: profile.name(),
        session_name,
        region: region.ok_or_else(|| missing("sso_region"))?,
        start_url: start_url.ok_or_else(|| missing("sso_start_url"))?,
        account_id,
        role_name,
    }))
}

fn static_keys<'a>(profile: Section<'a>, warnings: &mut Vec<String>) -> Result<Base<'a>, ResolveError> {
    let (id, secret, token) =
        (profile.get(Key::AccessKeyId), profile.get(Key::SecretAccessKey), profile.get(Key::SessionToken));
    let name = || profile.name().to_owned();
    match (id, secret) {
        (None, None) if token.is_none() => Err(ResolveError::NoCredentials { profile: name() }),
        (None, _) => Err(ResolveError::PartialCredentials { profile: name(), missing: "aws_access_key_id" }),
        (Some(_), None) => Err(ResolveError::PartialCredentials { profile: name(), missing: "aws_secret_access_key" }),
        (Some(access_key_id), Some(secret_access_key)) => Ok(Base::AccessKey {
            profile: profile.name(),
            access_key_id,
            secret_access_key,
            session_token: token,
            account_id: profile.get(Key::AccountId),
            mfa_serial: mfa_serial(profile, warnings),
        }),
    }
}

/// The error for a command that needs the files when neither exists.
pub fn no_files(files: &crate::files::AwsFiles) -> anyhow::Error {
    anyhow::anyhow!(
        "no AWS config found ({} and {} do not exist): run 'rolecall setup'",
        files.config.display,
        files.credentials.display
    )
}

/// The error for files that hold no profile at all.
pub fn no_profiles(files: &crate::files::AwsFiles) -> anyhow::Error {
    anyhow::anyhow!(
        "no profiles found in {} or {} (run 'rolecall setup')",
        files.config.display,
        files.credentials.display
    )
}

/// `profile`'s chain, for credentials: an error a person can act on when it is not in the
/// files ([`crate::error::UnknownProfile`]), the files are empty, or its chain is broken.
pub fn plan_for<'a>(files: &'a crate::files::AwsFiles, profile: &'a str) -> anyhow::Result<Plan<'a>> {
    let set = &files.profiles;
    if set.profile(profile).is_none() {
        if set.profiles().len() == 0 {
            return Err(no_profiles(files));
        }
        let known = set.profiles().map(|p| p.name().to_owned()).collect();
        return Err(anyhow::anyhow!(crate::error::UnknownProfile { name: profile.to_owned(), known }));
    }
    resolve(set, profile)
        .and_then(|plan| credentials_check(&plan).map(|()| plan))
        .map_err(|e: ResolveError| anyhow::anyhow!("{e} (run 'rolecall doctor')"))
}

#[cfg(test)]
mod tests {
    use super::{is_vault_marker, rolecall_target, vault_marker};

    #[test]
    fn one_reading_of_rolecall_credential_process() {
        let target = |c: &str| rolecall_target(c);
        assert_eq!(target("rolecall credential-process prod").as_deref(), Some("prod"));
        assert_eq!(target("/usr/local/bin/rolecall credential-process --refresh prod").as_deref(), Some("prod"));
        assert_eq!(target("env A=1 \"/opt/rolecall\" credential-process 'prod'").as_deref(), Some("prod"));
        assert_eq!(target("C:\\bin\\rolecall.exe credential-process prod").as_deref(), Some("prod"));
        assert_eq!(target("rolecall export prod"), None);
        assert_eq!(target("aws-vault export prod"), None);
        assert_eq!(target("rolecall credential-process --refresh"), None);
        for name in ["prod", "my profile", "it's", "a/b"] {
            assert!(is_vault_marker(&vault_marker(name), name), "{name}: {}", vault_marker(name));
            assert!(!is_vault_marker(&vault_marker(name), "other"));
        }
    }
}
