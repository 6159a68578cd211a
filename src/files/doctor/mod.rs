//! The checks behind `rolecall doctor`: everything that makes a profile fail, or makes the SDKs
//! silently read something other than what the file seems to say.

use crate::files::Key;
use crate::files::chain::{self, CREDENTIAL_SOURCES, NotCredentials, ResolveError};
use crate::files::merge::IgnoredKind;
use crate::files::{AwsFiles, Content, FileKind, Origin, Section};
use crate::util::arn;
use crate::util::json::{Object, ToJson};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    /// The file as shown to the user (`~/.aws/config`).
    pub file: String,
    /// 1-based; 0 when the finding is about the whole file.
    pub line: usize,
    pub profile: Option<String>,
    pub message: String,
    pub hint: String,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl ToJson for &Finding {
    fn push_json(&self, out: &mut Vec<u8>) {
        Object::start(out)
            .str("severity", self.severity.as_str())
            .str("code", self.code)
            .str("file", &self.file)
            .num("line", self.line as u64)
            .opt_str("profile", self.profile.as_deref())
            .str("message", &self.message)
            .str("hint", &self.hint)
            .end();
    }
}

struct Report<'a> {
    files: &'a AwsFiles,
    findings: Vec<Finding>,
    seen: HashSet<(&'static str, Option<String>, String, usize)>,
    /// Profiles that another profile names as its source_profile.
    sources: HashSet<&'a str>,
}

impl Report<'_> {
    fn add(
        &mut self,
        severity: Severity,
        code: &'static str,
        at: Origin,
        profile: Option<&str>,
        message: String,
        hint: &str,
    ) {
        let file = self.files.file(at.file).display.clone();
        if !self.seen.insert((code, profile.map(str::to_owned), file.clone(), at.line)) {
            return;
        }
        self.findings.push(Finding {
            severity,
            code,
            file,
            line: at.line,
            profile: profile.map(str::to_owned),
            message,
            hint: hint.to_owned(),
        });
    }
}

/// Run every check. Findings come errors first, then by file and line.
pub fn check(files: &AwsFiles) -> Vec<Finding> {
    let sources =
        files.profiles.profiles().filter_map(|p| p.get(Key::SourceProfile).filter(|s| *s != p.name())).collect();
    let mut report = Report { files, findings: Vec::new(), seen: HashSet::new(), sources };
    check_files(&mut report);
    let set = &files.profiles;
    check_ignored(&mut report);
    check_duplicates(&mut report);
    for profile in set.profiles() {
        check_profile(&mut report, profile);
    }
    check_shared_keys(&mut report);
    check_process_loops(&mut report);
    let mut findings = report.findings;
    mask_secrets(files, &mut findings);
    sort(&mut findings);
    findings
}

/// What in the files could be a secret, from any line, well formed or not: the value of a key
/// that names a secret or a token (after `=` or `:`), and a line that is one long base64-like
/// word (a secret pasted without its key, in brackets or not).
fn secret_candidates(files: &AwsFiles) -> Vec<String> {
    let mut out = Vec::new();
    for file in [&files.config, &files.credentials] {
        let Some(doc) = file.document() else { continue };
        for line in doc.text().lines() {
            let line = line.trim().trim_matches(['[', ']']).trim();
            let split = line.find(['=', ':']).map(|i| (&line[..i], &line[i + 1..]));
            match split {
                Some((key, value)) => {
                    let key = key.to_ascii_lowercase();
                    if ["secret", "token", "password"].iter().any(|w| key.contains(w)) {
                        let value = value.trim();
                        if value.len() >= 8 {
                            out.push(value.to_owned());
                        }
                    }
                }
                None => {
                    let secretish = |c: char| c.is_ascii_alphanumeric() || "/+=".contains(c);
                    for word in line.split_whitespace().filter(|w| w.len() >= 30 && w.chars().all(secretish)) {
                        out.push(word.to_owned());
                    }
                }
            }
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// No finding ever contains a secret: whatever could be one is shown masked (`****EKEY`).
fn mask_secrets(files: &AwsFiles, findings: &mut [Finding]) {
    let candidates = secret_candidates(files);
    if candidates.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        for secret in &candidates {
            for text in [&mut f.message, &mut f.hint].into_iter().chain(f.profile.as_mut()) {
                if text.contains(secret.as_str()) {
                    *text = text.replace(secret.as_str(), &arn::mask(secret));
                }
            }
        }
    }
}

/// Errors first, then by file and line.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (a.severity, &a.file, a.line, a.code).cmp(&(b.severity, &b.file, b.line, b.code)));
}

fn check_files(r: &mut Report) {
    for file in [&r.files.config, &r.files.credentials] {
        let whole = Origin { file: file.kind, line: 0 };
        match &file.content {
            Content::Missing => {}
            Content::Unreadable(why) => {
                r.add(
                    Severity::Error,
                    "parse-error",
                    whole,
                    None,
                    format!("cannot read the file: {why}"),
                    "check its owner and permissions",
                );
            }
            Content::NotUtf8 => r.add(
                Severity::Error,
                "parse-error",
                whole,
                None,
                "the file is not UTF-8 text; the AWS SDKs ignore it entirely".into(),
                "save it as UTF-8",
            ),
            Content::Text(doc) => {
                if let Some(e) = file.parse_error().filter(|e| e.message != crate::files::BOM_MESSAGE) {
                    let at = Origin { file: file.kind, line: e.line };
                    let message = format!("{}; the AWS SDKs reject the whole file", e.message);
                    r.add(
                        Severity::Error,
                        "parse-error",
                        at,
                        None,
                        message,
                        "fix this line ('rolecall edit' checks as you save)",
                    );
                }
                if doc.bom {
                    r.add(
                        Severity::Error,
                        "byte-order-mark",
                        Origin { file: file.kind, line: 1 },
                        None,
                        "the file starts with a UTF-8 byte-order mark, which the AWS SDKs and CLI cannot parse".into(),
                        "save the file as UTF-8 without BOM",
                    );
                }
            }
        }
        if let Some(mode) = file.mode.filter(|m| m & 0o077 != 0 && file.kind == FileKind::Credentials) {
            r.add(
                Severity::Error,
                "file-permissions",
                whole,
                None,
                format!("credentials file has mode {mode:04o}: other users can read or change your keys"),
                &format!("chmod 600 {}", file.display),
            );
        }
    }
}

fn check_ignored(r: &mut Report) {
    for ignored in &r.files.profiles.ignored {
        let s = &ignored.section;
        let (severity, code, message, hint) = match &ignored.kind {
            IgnoredKind::MissingProfilePrefix => (
                Severity::Warning,
                "ignored-section",
                format!(
                    "[{s}] in the config file is ignored by the AWS SDKs: config sections other than [default] need the `profile` prefix"
                ),
                format!("rename it to [profile {s}]"),
            ),
            IgnoredKind::ProfilePrefixInCredentials => {
                let name = s.split_once([' ', '\t']).map_or(s.as_str(), |(_, n)| n.trim());
                (
                    Severity::Warning,
                    "ignored-section",
                    format!(
                        "[{s}] in the credentials file is ignored by the AWS SDKs: credentials sections have no prefix"
                    ),
                    format!("rename it to [{name}]"),
                )
            }
            IgnoredKind::ConfigSectionInCredentials => (
                Severity::Warning,
                "ignored-section",
                format!("[{s}] is ignored in the credentials file: this kind of section belongs in the config file"),
                "move it to the config file".to_owned(),
            ),
            IgnoredKind::DefaultShadowed => (
                Severity::Warning,
                "ignored-section",
                "[default] is ignored because [profile default] exists in the same file".into(),
                "merge the two sections into one".to_owned(),
            ),
            IgnoredKind::InvalidName => (
                Severity::Warning,
                "invalid-profile-name",
                format!("[{s}] is ignored: names may only contain letters, digits and _ - / . % @ : +"),
                "rename the section".to_owned(),
            ),
            IgnoredKind::InvalidKey(key) => (
                Severity::Warning,
                "invalid-key",
                format!("key `{key}` in [{s}] is ignored: keys may only contain letters, digits and _ - / . % @ : +"),
                "fix the key's spelling".to_owned(),
            ),
        };
        r.add(severity, code, ignored.origin, None, message, &hint);
    }
}

/// Sections and keys written twice. The SDKs merge them (later keys win); the aws CLI (v1 and v2)
/// and boto3 refuse a whole file in which a header's text or a key in one section repeats, and
/// of two headers that differ only in spacing they read the last one alone.
fn check_duplicates(r: &mut Report) {
    const REFUSED: &str = "the aws CLI and boto3 refuse the whole file (the SDKs merge)";
    let mut repeated = HashSet::new();
    for file in [&r.files.config, &r.files.credentials] {
        for section in &file.raw().sections {
            let name = section.raw_name.trim();
            if let [first, rest @ ..] = section.header_lines.as_slice() {
                for again in rest {
                    repeated.insert((file.kind, *again));
                    r.add(
                        Severity::Error,
                        "duplicate-section",
                        Origin { file: file.kind, line: *again },
                        None,
                        format!("[{name}] appears again (first at line {first}): {REFUSED}"),
                        "merge the sections into one",
                    );
                }
            }
            for (key, line) in &section.overridden {
                r.add(
                    Severity::Error,
                    "duplicate-key",
                    Origin { file: file.kind, line: *line },
                    None,
                    format!("`{key}` is set again later in [{name}]: {REFUSED}; the SDKs ignore this value"),
                    "remove one of the two lines",
                );
            }
        }
    }
    let set = &r.files.profiles;
    for profile in set.profiles().chain(set.sso_sessions()) {
        for kind in [FileKind::Config, FileKind::Credentials] {
            let headers: Vec<_> = profile.headers().filter(|o| o.file == kind).collect();
            if let [first, rest @ ..] = headers.as_slice() {
                for again in rest.iter().filter(|o| !repeated.contains(&(o.file, o.line))) {
                    r.add(
                        Severity::Warning,
                        "duplicate-section",
                        *again,
                        Some(profile.name()),
                        format!(
                            "section for `{}` appears again (first at line {}); the SDKs merge the sections (later keys win), the aws CLI reads only the last",
                            profile.name(),
                            first.line
                        ),
                        "merge the sections into one",
                    );
                }
            }
        }
    }
}

fn header(profile: Section) -> Origin {
    profile.headers().next().unwrap_or(Origin { file: FileKind::Config, line: 0 })
}

fn at_key(profile: Section, key: &str) -> Origin {
    profile.get_value(key).map_or_else(|| header(profile), |v| v.origin)
}

fn check_profile(r: &mut Report, profile: Section) {
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

fn resolution_finding(r: &mut Report, profile: Section, e: &ResolveError) {
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
        ResolveError::NotCredentials { why: NotCredentials::LoginSession, .. } => (
            Severity::Warning,
            "login-session",
            at_key(profile, "login_session"),
            "use the aws CLI for this profile, or a role or SSO profile with rolecall".into(),
        ),
    };
    r.add(severity, code, at, Some(name), e.to_string(), &hint);
}

fn check_shared_keys(r: &mut Report) {
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
                format!("access key {} is used by several profiles: {}", arn::mask(id), names.join(", ")),
                "keep one profile with the keys and point the others at it with source_profile",
            );
        }
    }
}

/// The profile a `credential_process` hands back to rolecall (`rolecall credential-process NAME`,
/// `/usr/local/bin/rolecall credential-process --refresh NAME`), if it does.
pub fn rolecall_target(command: &str) -> Option<&str> {
    let mut words = command.split_whitespace().map(|w| w.trim_matches(['\'', '"']));
    words.find(|w| w.rsplit('/').next() == Some("rolecall"))?;
    if words.next()? != "credential-process" {
        return None;
    }
    words.find(|w| !w.starts_with('-'))
}

/// A `credential_process` that runs rolecall for a profile whose credentials come back to the
/// same command: each run would start the next (rolecall stops it at run time; this says where).
fn check_process_loops(r: &mut Report) {
    let set = &r.files.profiles;
    for profile in set.profiles() {
        let Some(command) = profile.get(Key::CredentialProcess) else { continue };
        let mut path = vec![profile.name()];
        let mut next = rolecall_target(command);
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
            next = set.profile(target).and_then(|p| chain::resolve_profile(set, p).ok()).and_then(|plan| {
                match plan.base {
                    chain::Base::Process { command, .. } => rolecall_target(command),
                    _ => None,
                }
            });
        }
    }
}
