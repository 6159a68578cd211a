//! Each profile: its keys, its chain, what it shares with others, credential_process loops.

use super::{Report, Severity};
use crate::files::Key;
use crate::files::chain::{self, CREDENTIAL_SOURCES, NotCredentials, ResolveError};
use crate::files::{FileKind, Origin, Section};
use crate::util::arn;
use std::collections::HashMap;

pub(super) fn header(profile: Section) -> Origin {
    profile.headers().next().unwrap_or(Origin { file: FileKind::Config, line: 0 })
}

pub(super) fn at_key(profile: Section, key: &str) -> Origin {
    profile.get_value(key).map_or_else(|| header(profile), |v| v.origin)
}

pub(super) fn check_profile(r: &mut Report, profile: Section) {
    let name = profile.name();
    let p = Some(name);
    if profile.get(Key::MfaArn).is_some() {
        r.add(
            Severity::Warning,
            "mfa-arn-key",
            at_key(profile, "mfa_arn"),
            p,
            "`mfa_arn` is not a standard key: the AWS CLI and SDKs ignore it (rolecall reads it as mfa_serial)".into(),
            "rename it to mfa_serial",
        );
    }
    if let Some(role_arn) = profile.get(Key::RoleArn).filter(|a| !arn::is_role_arn(a)) {
        r.add(
            Severity::Error,
            "malformed-arn",
            at_key(profile, "role_arn"),
            p,
            format!("role_arn `{role_arn}` is not a role ARN (arn:aws:iam::123456789012:role/NAME)"),
            "copy the role's ARN from the IAM console",
        );
    }
    for key in ["mfa_serial", "mfa_arn"] {
        if let Some(serial) = profile.get(key).filter(|s| !arn::is_mfa_serial(s)) {
            r.add(
                Severity::Error,
                "malformed-arn",
                at_key(profile, key),
                p,
                format!("{key} `{serial}` is neither an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) nor a hardware serial"),
                "copy the device's ARN from the IAM console (Security credentials)",
            );
        }
    }
    if let Some(source) = profile.get(Key::CredentialSource)
        && let Some(canonical) = chain::credential_source(source).filter(|c| *c != source)
    {
        r.add(
            Severity::Warning,
            "credential-source-case",
            at_key(profile, "credential_source"),
            p,
            format!(
                "credential_source `{source}`: the AWS SDKs accept any case, but the aws CLI and boto3 only `{canonical}`"
            ),
            &format!("write it as {canonical}"),
        );
    }
    let (id, secret) = (profile.get(Key::AccessKeyId), profile.get(Key::SecretAccessKey));
    if id.is_some() != secret.is_some() {
        let (have, missing) = if id.is_some() {
            ("aws_access_key_id", "aws_secret_access_key")
        } else {
            ("aws_secret_access_key", "aws_access_key_id")
        };
        r.add(
            Severity::Error,
            "partial-credentials",
            at_key(profile, have),
            p,
            format!("`{name}` has {have} but no {missing}"),
            &format!("add {missing}, or remove {have}"),
        );
    }
    if let Some(v) = profile.get_value(Key::SecretAccessKey).filter(|v| v.origin.file == FileKind::Config) {
        r.add(
            Severity::Warning,
            "secret-in-config",
            v.origin,
            p,
            "a secret access key is stored in the config file, which tools show and share more freely than credentials"
                .into(),
            "move the keys to the credentials file ('rolecall configure' does)",
        );
    }
    let lower = name.to_ascii_lowercase();
    if (lower == "root" || lower.starts_with("root-") || lower.ends_with("-root") || lower.ends_with("_root"))
        && id.is_some()
    {
        r.add(
            Severity::Warning,
            "root-keys-hint",
            at_key(profile, "aws_access_key_id"),
            p,
            format!("`{name}` looks like root user access keys; AWS advises against root access keys"),
            "use an IAM user or IAM Identity Center, and delete the root keys",
        );
    }
    if !profile.has_from(FileKind::Config) && profile.get(Key::Region).is_none() && id.is_some() {
        r.add(
            Severity::Warning,
            "credentials-without-config",
            header(profile),
            p,
            format!("`{name}` has keys but no [profile {name}] in the config file, so no region"),
            &format!("rolecall configure set {name} region REGION"),
        );
    }
    let resolved = chain::resolve(&r.files.profiles, name).and_then(|plan| chain::credentials_check(&plan));
    if let Err(e) = resolved {
        resolution_finding(r, profile, &e);
    }
}

pub(super) fn resolution_finding(r: &mut Report, profile: Section, e: &ResolveError) {
    let name = profile.name();
    // Report each problem once, where it is written: a broken source is reported at the source.
    if e.profile() != Some(name) {
        return;
    }
    let set = &r.files.profiles;
    let (severity, code, at, hint) = match e {
        ResolveError::NoProfiles => return,
        ResolveError::MissingProfile { profile: missing, .. } => {
            let hint = match crate::util::text::did_you_mean(missing, set.profiles().map(|p| p.name())) {
                Some(s) => format!("did you mean `{s}`? fix source_profile, or add the profile"),
                None => "fix source_profile, or add the profile".into(),
            };
            (Severity::Error, "missing-source-profile", at_key(profile, "source_profile"), hint)
        }
        ResolveError::Loop { visited, next } => {
            // Every member of the cycle sees it: report it once, at its first member by name.
            let start = visited.iter().position(|v| v == next).unwrap_or(0);
            if visited[start..].iter().any(|v| v.as_str() < name) {
                return;
            }
            (
                Severity::Error,
                "source-profile-cycle",
                at_key(profile, "source_profile"),
                "break the loop: one profile must hold keys or credential_source".into(),
            )
        }
        // `[default]` with only settings is normal: credentials then come from the environment.
        ResolveError::NoCredentials { .. } if name == "default" => return,
        ResolveError::NoCredentials { .. } => (
            Severity::Warning,
            "dangling-config",
            header(profile),
            format!(
                "add keys for `{name}` to the credentials file, or role_arn + source_profile, sso_session or credential_process"
            ),
        ),
        ResolveError::PartialCredentials { .. } => return, // reported by check_profile
        ResolveError::InvalidSource { .. } => (
            Severity::Error,
            "invalid-role-source",
            at_key(profile, "role_arn"),
            "a role profile needs exactly one of source_profile and credential_source".into(),
        ),
        ResolveError::InvalidSso { .. } => (
            Severity::Error,
            "invalid-sso-config",
            header(profile),
            "see 'aws configure sso' for the keys an SSO profile needs".into(),
        ),
        ResolveError::MissingSsoSession { .. } => (
            Severity::Error,
            "missing-sso-session",
            at_key(profile, "sso_session"),
            "add the [sso-session NAME] section, or fix sso_session".into(),
        ),
        // Reported at the top of the chain only: every profile under it is too deep as well.
        ResolveError::TooDeep { .. } => {
            if r.sources.contains(name) {
                return;
            }
            (
                Severity::Error,
                "chain-too-deep",
                at_key(profile, "source_profile"),
                format!("shorten the chain: no more than {} role hops", chain::MAX_HOPS),
            )
        }
        ResolveError::NotCredentials { why: NotCredentials::SsoToken, .. } => (
            Severity::Warning,
            "sso-token-only",
            header(profile),
            "add sso_account_id and sso_role_name for credentials ('rolecall sso populate' writes one profile per role)"
                .into(),
        ),
        ResolveError::NotCredentials { why: NotCredentials::UnknownSource(_), .. } => (
            Severity::Error,
            "invalid-credential-source",
            at_key(profile, "credential_source"),
            format!("use one of {}", CREDENTIAL_SOURCES.join(", ")),
        ),
    };
    r.add(severity, code, at, Some(name), e.to_string(), &hint);
}

pub(super) fn check_shared_keys(r: &mut Report) {
    let mut by_key: HashMap<&str, Vec<Section>> = HashMap::new();
    for profile in r.files.profiles.profiles() {
        if let Some(id) = profile.get(Key::AccessKeyId).filter(|id| !id.is_empty()) {
            by_key.entry(id).or_default().push(profile);
        }
    }
    let mut groups: Vec<_> = by_key.into_iter().filter(|(_, v)| v.len() > 1).collect();
    groups.sort_by_key(|(_, v)| v[0].name());
    for (id, profiles) in groups {
        let names: Vec<&str> = profiles.iter().map(|p| p.name()).collect();
        for profile in &profiles[1..] {
            r.add(
                Severity::Warning,
                "duplicate-access-key",
                at_key(*profile, "aws_access_key_id"),
                Some(profile.name()),
                format!("access key {} is used by several profiles: {}", crate::util::text::mask(id), names.join(", ")),
                "keep one profile with the keys and point the others at it with source_profile",
            );
        }
    }
}

/// A `credential_process` that runs rolecall for a profile whose credentials come back to the
/// same command: each run would start the next (rolecall stops it at run time; this says where).
pub(super) fn check_process_loops(r: &mut Report) {
    let set = &r.files.profiles;
    for profile in set.profiles() {
        let Some(command) = profile.get(Key::CredentialProcess) else { continue };
        // The vault's marker: rolecall reads the keys from the vault, it does not run itself.
        if chain::is_vault_marker(command, profile.name()) {
            continue;
        }
        let mut path = vec![profile.name().to_owned()];
        let mut next = chain::rolecall_target(command);
        while let Some(target) = next {
            // A loop that this profile only leads into is reported at its own members.
            if path[1..].contains(&target) {
                break;
            }
            if target == profile.name() {
                path.push(target);
                r.add(
                    Severity::Error,
                    "credential-process-loop",
                    at_key(profile, "credential_process"),
                    Some(profile.name()),
                    format!("credential_process comes back to itself: {}", path.join(" → ")),
                    "give one profile of the loop keys, a role or SSO instead of credential_process",
                );
                break;
            }
            path.push(target);
            next = set
                .profile(path.last().expect("pushed"))
                .and_then(|p| chain::resolve_profile(set, p).ok())
                .and_then(|plan| match plan.base {
                    chain::Base::Process { command, .. } => chain::rolecall_target(command),
                    _ => None,
                });
        }
    }
}
