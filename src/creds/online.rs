//! `rolecall doctor --online`: what only AWS can tell about the long-term keys in the files, for
//! every profile that has them, all at once (GetCallerIdentity, then ListAccessKeys where IAM
//! allows it): keys of an account's root user, keys AWS no longer accepts, an `mfa_serial` or
//! `aws_account_id` of another account than the keys', and keys older than 90 days.

use crate::aws::iam::Iam;
use crate::aws::sts::{ErrorKind, Sts};
use crate::config::Config;
use crate::creds::settings;
use crate::files::doctor::{Finding, Severity};
use crate::files::{AwsFiles, Key};
use crate::types::Credentials;
use anyhow::Result;

/// Keys older than this get a warning (AWS's own advice: rotate every 90 days).
pub const MAX_KEY_AGE_DAYS: i64 = 90;

/// One profile's keys and where to check them.
struct Subject {
    profile: String,
    creds: Credentials,
    sts: crate::aws::sts::Settings,
    iam: Option<crate::aws::endpoint::Endpoint>,
    file: String,
    line: usize,
    mfa_serial: Option<String>,
    account_id: Option<String>,
}

/// Who `keys` belong to (GetCallerIdentity), asked in `region` through the STS endpoint the
/// environment names (or STS's own), within `timeout`: a key just typed, before it is written.
pub fn identity(
    cfg: &Config,
    keys: &Credentials,
    region: Option<&str>,
    timeout: std::time::Duration,
) -> Result<crate::aws::sts::Identity> {
    let set = crate::files::ProfileSet::default();
    let mut sts = settings::sts_settings(cfg, None, settings::endpoint_url(cfg, &set, None), region);
    sts.timeout = sts.timeout.min(timeout);
    let runtime = crate::util::runtime()?;
    Ok(runtime.block_on(Sts::new(sts).caller_identity(keys))?)
}

/// The MFA device an IAM user most likely has: the ARN AWS gives a virtual device named after
/// the user (`arn:aws:iam::ACCOUNT:mfa/NAME`), from the user's ARN.
pub fn likely_mfa_device(user_arn: &str) -> Option<String> {
    let mut parts = user_arn.splitn(6, ':');
    let (_, partition, _, _, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let name = resource.strip_prefix("user/")?.rsplit('/').next()?;
    (!name.is_empty() && account.len() == 12).then(|| format!("arn:{partition}:iam::{account}:mfa/{name}"))
}

/// What the online checks found, and how many profiles they asked AWS about.
pub struct Checked {
    pub findings: Vec<Finding>,
    pub profiles: usize,
}

impl Checked {
    /// One line for a person: what was checked and what came of it.
    pub fn summary(&self) -> String {
        let n = self.profiles;
        if n == 0 {
            return "no profile has long-term keys: nothing to check with AWS".to_owned();
        }
        let mut flagged: Vec<&str> = self.findings.iter().filter_map(|f| f.profile.as_deref()).collect();
        flagged.sort_unstable();
        flagged.dedup();
        format!(
            "checked {n} profile{} with long-term keys with AWS: {} without findings, {} with",
            if n == 1 { "" } else { "s" },
            n - flagged.len().min(n),
            flagged.len()
        )
    }
}

/// The online checks; `progress` is told how many profiles are being checked.
pub fn check(cfg: &Config, files: &AwsFiles, progress: impl FnOnce(usize)) -> Result<Checked> {
    let set = &files.profiles;
    let mut subjects = Vec::new();
    for p in set.profiles() {
        let (Some(id), Some(secret)) = (p.get_value(Key::AccessKeyId), p.get(Key::SecretAccessKey)) else { continue };
        if p.get(Key::SessionToken).is_some() {
            continue;
        }
        let endpoint = settings::endpoint_url(cfg, set, Some(p));
        let sts = settings::sts_settings(cfg, Some(p), endpoint, None);
        let iam = settings::service_endpoint(cfg, set, Some(p), crate::aws::endpoint::Service::Iam, &sts.region).ok();
        subjects.push(Subject {
            profile: p.name().to_owned(),
            creds: Credentials::long_term(id.value, secret),
            sts,
            iam,
            file: files.file(id.origin.file).display.clone(),
            line: id.origin.line,
            mfa_serial: p.get(Key::MfaSerial).or_else(|| p.get(Key::MfaArn)).map(str::to_owned),
            account_id: p.get(Key::AccountId).map(str::to_owned),
        });
    }
    let profiles = subjects.len();
    progress(profiles);
    if subjects.is_empty() {
        return Ok(Checked { findings: Vec::new(), profiles });
    }
    let runtime = crate::util::runtime()?;
    let now = cfg.now();
    let findings = runtime.block_on(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for subject in subjects {
            tasks.spawn(async move { check_one(subject, now).await });
        }
        let mut all = Vec::new();
        while let Some(done) = tasks.join_next().await {
            all.extend(done.unwrap_or_default());
        }
        all
    });
    Ok(Checked { findings, profiles })
}

async fn check_one(s: Subject, now: i64) -> Vec<Finding> {
    let finding = |severity, code: &'static str, message: String, hint: &str| Finding {
        severity,
        code,
        file: s.file.clone(),
        line: s.line,
        profile: Some(s.profile.clone()),
        message,
        hint: hint.to_owned(),
    };
    let sts = Sts::new(s.sts.clone());
    let id = match sts.caller_identity(&s.creds).await {
        Ok(id) => id,
        Err(e) if e.kind == ErrorKind::BadCredentials => {
            return vec![finding(
                Severity::Error,
                "keys-rejected",
                format!(
                    "AWS does not accept the access key {} of `{}` ({e}): it was deleted or deactivated, or the secret is wrong",
                    crate::util::text::mask(&s.creds.access_key_id),
                    s.profile
                ),
                "write a working key ('rolecall configure PROFILE'), or remove the profile",
            )];
        }
        Err(e) => {
            return vec![finding(
                Severity::Warning,
                "online-check-failed",
                format!(
                    "could not check `{}` ({}) with STS: {e}",
                    s.profile,
                    crate::util::text::mask(&s.creds.access_key_id)
                ),
                "check the network and the region, then run 'rolecall doctor --online' again",
            )];
        }
    };
    let mut out = Vec::new();
    if id.arn.ends_with(":root") {
        out.push(finding(
            Severity::Error,
            "root-keys",
            format!("the keys of `{}` are the account root user's ({})", s.profile, id.arn),
            "make an IAM user (or use IAM Identity Center) for daily work, then delete the root access keys",
        ));
    }
    for (what, value) in [("mfa_serial", s.mfa_serial.as_deref()), ("aws_account_id", s.account_id.as_deref())] {
        let account = value.and_then(|v| if what == "mfa_serial" { crate::util::arn::account_id(v) } else { Some(v) });
        if let Some(account) = account.filter(|a| *a != id.account) {
            out.push(finding(
                Severity::Error,
                "account-mismatch",
                format!(
                    "{what} of `{}` names account {account}, but its keys belong to account {} ({})",
                    s.profile, id.account, id.arn
                ),
                "fix the value, or the keys: they must be of the same account",
            ));
        }
    }
    // Key age: ListAccessKeys on the caller's own user (allowed for most users; not for root
    // or a user without iam:ListAccessKeys, then nothing is said).
    if let Some(endpoint) = s.iam.clone()
        && !id.arn.ends_with(":root")
    {
        let iam = Iam::new(endpoint, s.sts.timeout);
        if let Ok(keys) = iam.list_access_keys(&s.creds).await
            && let Some(created) = keys.iter().find(|k| k.id == s.creds.access_key_id).and_then(|k| k.created)
        {
            let days = (now - created) / 86_400;
            if days > MAX_KEY_AGE_DAYS {
                out.push(finding(
                    Severity::Warning,
                    "old-key",
                    format!(
                        "the access key {} of `{}` is {days} days old (more than {MAX_KEY_AGE_DAYS})",
                        crate::util::text::mask(&s.creds.access_key_id),
                        s.profile
                    ),
                    &format!("rolecall rotate {}", s.profile),
                ));
            }
        }
    }
    out
}

/// What `doctor --online` says while it waits.
pub fn describe(count: usize) -> String {
    format!("checking {count} profile{} with long-term keys with AWS…", if count == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    #[test]
    fn mfa_devices_from_user_arns() {
        use super::likely_mfa_device as d;
        assert_eq!(d("arn:aws:iam::123456789012:user/alice").as_deref(), Some("arn:aws:iam::123456789012:mfa/alice"));
        assert_eq!(d("arn:aws:iam::123456789012:user/eng/bob").as_deref(), Some("arn:aws:iam::123456789012:mfa/bob"));
        assert_eq!(d("arn:aws-cn:iam::123456789012:user/c").as_deref(), Some("arn:aws-cn:iam::123456789012:mfa/c"));
        assert_eq!(d("arn:aws:iam::123456789012:root"), None);
        assert_eq!(d("arn:aws:sts::123456789012:assumed-role/R/s"), None);
    }
}
