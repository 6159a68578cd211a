//! `login_session` credentials (console credentials, `aws login`): the cache the aws CLI and the
//! SDKs share (`~/.aws/login/cache/<sha256 of the session ARN>.json`, or
//! `$AWS_LOGIN_CACHE_DIRECTORY`), read without the network while its credentials have more than
//! five minutes left, else refreshed with the entry's refresh token and DPoP key
//! ([`crate::aws::signin`]) under rolecall's cache lock for the ARN, the file re-read under the
//! lock and written back atomically (0600) with every field rolecall does not know kept.
//!
//! The refresh token changes on every refresh: a refresh made with one another tool has used
//! already fails with `TOKEN_EXPIRED`. So when that happens and the file changed meanwhile (the
//! aws CLI or boto3 refreshed it outside rolecall's lock), the file is read again and, unless it
//! is good as it is, the refresh is tried once more with its token.

use super::cache::{self, Cache};
use crate::aws::endpoint::Service;
use crate::aws::http::Http;
use crate::aws::{dpop, signin};
use crate::config::Config;
use crate::files::merge::Section;
use crate::files::{Key, ProfileSet};
use crate::types::{Credentials, Notice, Notify};
use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Refresh when less than this is left (the SDKs' window).
pub const REFRESH_WINDOW_SECS: i64 = 300;

/// How long a console sign-in's refresh token lasts at most.
pub const SESSION_SECS: i64 = 12 * 3600;

/// Fields without which an entry cannot be used (botocore's list).
const REQUIRED: [&str; 4] = ["accessToken", "refreshToken", "dpopKey", "clientId"];

/// There is no usable console session: the person has to sign in (`rolecall login PROFILE`).
#[derive(Debug)]
pub struct NeedsSignIn {
    pub arn: String,
    pub why: String,
}

impl std::fmt::Display for NeedsSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} for the console session {}: run 'rolecall login'",
            self.why,
            crate::util::text::printable(&self.arn)
        )
    }
}

impl std::error::Error for NeedsSignIn {}

fn needs_sign_in(arn: &str, why: impl Into<String>) -> anyhow::Error {
    anyhow!(NeedsSignIn { arn: arn.to_owned(), why: why.into() })
}

/// Where the entries are: `$AWS_LOGIN_CACHE_DIRECTORY` (`~` expanded), else `~/.aws/login/cache`.
pub fn cache_dir(cfg: &Config) -> Option<PathBuf> {
    match cfg.var("AWS_LOGIN_CACHE_DIRECTORY") {
        Some(dir) => match dir.strip_prefix("~/") {
            Some(rest) => Some(cfg.home()?.join(rest)),
            None => Some(PathBuf::from(dir)),
        },
        None => cfg.aws_dir("login/cache"),
    }
}

/// The entry's file for `arn`: sha256 of the trimmed ARN, in hex.
pub fn cache_path(dir: &Path, arn: &str) -> PathBuf {
    use sha2::Digest;
    dir.join(format!("{}.json", hex::encode(sha2::Sha256::digest(arn.trim().as_bytes()))))
}

/// One cache entry, kept as the JSON it was read as.
#[derive(Clone)]
pub struct Entry(pub Value);

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "login::Entry(expires {:?})", self.expires_at())
    }
}

impl Entry {
    /// The entry at `path`: none when there is no file; an error for a file that is not private,
    /// not JSON, or lacks a field every entry has.
    pub fn read(path: &Path) -> Result<Option<Entry>> {
        let bytes = match crate::util::fs::read_private(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let value: Value = serde_json::from_slice(&bytes).ok().filter(Value::is_object).with_context(|| {
            format!("{} is not a console-credentials cache entry (not a JSON object)", path.display())
        })?;
        let missing: Vec<&str> = REQUIRED.into_iter().filter(|k| value.get(k).is_none_or(Value::is_null)).collect();
        if !missing.is_empty() {
            bail!("{} lacks {}: sign in again", path.display(), missing.join(", "));
        }
        Ok(Some(Entry(value)))
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    fn access(&self, key: &str) -> Option<&str> {
        self.0.get("accessToken")?.get(key)?.as_str().filter(|s| !s.is_empty())
    }

    pub fn expires_at(&self) -> Option<i64> {
        self.access("expiresAt").and_then(crate::util::time::parse_rfc3339)
    }

    pub fn refresh_token(&self) -> Option<&str> {
        self.text("refreshToken")
    }

    /// The ARN the entry's ID token names (`sub`), if it has one (Go writes `identityToken`).
    pub fn subject(&self) -> Option<String> {
        signin::id_token_subject(self.id_token()?)
    }

    /// Its ID token (`idToken`; Go writes `identityToken`).
    fn id_token(&self) -> Option<&str> {
        self.text("idToken").or_else(|| self.text("identityToken"))
    }

    /// The region it was signed in to, when the entry says (newer aws CLIs write `signInRegion`).
    pub fn region(&self) -> Option<&str> {
        self.text("signInRegion")
    }

    /// Its credentials.
    pub fn credentials(&self, path: &Path) -> Result<Credentials> {
        let field = |k: &str| {
            self.access(k).map(str::to_owned).with_context(|| format!("{} has no accessToken.{k}", path.display()))
        };
        Credentials {
            access_key_id: field("accessKeyId")?,
            secret_access_key: field("secretAccessKey")?,
            session_token: Some(field("sessionToken")?),
            expires_at: Some(self.expires_at().with_context(|| format!("{} has no valid expiresAt", path.display()))?),
            account_id: self.access("accountId").map(str::to_owned),
        }
        .checked(&path.display().to_string())
    }

    /// The entry after a refresh at `now`: new credentials and refresh token; the account, the
    /// ID token, the client, the key and every other field kept.
    pub fn refreshed(&self, tokens: &signin::Tokens, now: i64) -> Entry {
        let mut value = self.0.clone();
        let account = self.access("accountId").map(str::to_owned);
        value["accessToken"] = json!({
            "accessKeyId": tokens.access_key_id,
            "secretAccessKey": tokens.secret_access_key,
            "sessionToken": tokens.session_token,
            "accountId": account,
            "expiresAt": crate::util::time::format_rfc3339(now + tokens.expires_in),
        });
        value["refreshToken"] = json!(tokens.refresh_token);
        Entry(value)
    }

    /// Write the entry to `path` atomically, 0600 (its directory made 0700 if needed).
    pub fn write(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            crate::util::fs::ensure_private_dir(dir)?;
        }
        crate::util::fs::write_private(path, serde_json::to_string(&self.0)?.as_bytes())
    }
}

/// Where a session refreshes: the entry's file, and the token endpoint's base URL.
pub struct Session<'a> {
    pub arn: &'a str,
    pub path: PathBuf,
    /// `https://REGION.signin.aws.amazon.com`, or the configured `AWS_ENDPOINT_URL_SIGNIN`.
    pub endpoint: String,
}

/// The token endpoint's base URL for a sign-in in `region` (else the SDKs' region:
/// `AWS_REGION`, the profile's, `AWS_DEFAULT_REGION`, us-east-1), or the configured
/// `AWS_ENDPOINT_URL_SIGNIN`.
pub fn endpoint(cfg: &Config, set: &ProfileSet, profile: Option<Section>, region: Option<String>) -> Result<String> {
    let region = super::settings::sdk_region(cfg, profile, region.as_deref());
    Ok(super::settings::service_endpoint(cfg, set, profile, Service::SigninOauth, &region)?.url)
}

/// The session of `arn` for `profile` (the `login_session` profile): its entry's file, and the
/// token endpoint for the region it signed in to (the entry's `signInRegion`), else the SDKs'.
pub fn session<'a>(cfg: &Config, set: &ProfileSet, profile: Option<Section>, arn: &'a str) -> Result<Session<'a>> {
    let dir = cache_dir(cfg).context("cannot find the console sign-in cache: HOME is not set")?;
    let path = cache_path(&dir, arn);
    let signed_in = Entry::read(&path).ok().flatten().and_then(|e| e.region().map(str::to_owned));
    Ok(Session { arn, path, endpoint: endpoint(cfg, set, profile, signed_in)? })
}

/// What a browser sign-in brought back, to redeem: the code, the PKCE verifier, the client and
/// redirect it was asked with, and the new DPoP key.
pub struct Redeem<'a> {
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub code: &'a str,
    pub verifier: &'a str,
    pub redirect_uri: &'a str,
    pub key: &'a dpop::Key,
}

/// Redeem a sign-in: the session's ARN (the ID token's `sub`) and its new cache entry (written
/// by the caller), as the aws CLI writes one.
pub async fn redeem(http: &Http, r: &Redeem<'_>, now: i64) -> Result<(String, Entry)> {
    let input = signin::code_input(r.client_id, r.code, r.verifier, r.redirect_uri);
    let tokens = signin::create_token(http, r.endpoint, &input, r.key, now).await?;
    let id_token = tokens.id_token.as_deref().context("AWS Sign-In answered no ID token")?;
    let arn = signin::id_token_subject(id_token).context("AWS Sign-In's ID token names no session (no sub)")?;
    let account = crate::util::arn::account_id(&arn).map(str::to_owned);
    let value = json!({
        "accessToken": {
            "accessKeyId": tokens.access_key_id,
            "secretAccessKey": tokens.secret_access_key,
            "sessionToken": tokens.session_token,
            "accountId": account,
            "expiresAt": crate::util::time::format_rfc3339(now + tokens.expires_in),
        },
        "tokenType": tokens.token_type.as_deref().unwrap_or("aws_sigv4"),
        "clientId": r.client_id,
        "refreshToken": tokens.refresh_token,
        "idToken": id_token,
        "dpopKey": r.key.to_pem()?,
    });
    Ok((arn, Entry(value)))
}

/// The entry of `arn` when its credentials have more than the refresh window left at `now`: no
/// network, no lock (the fast path of `assume`).
pub fn cached(path: &Path, now: i64) -> Option<Credentials> {
    let entry = Entry::read(path).ok()??;
    let creds = entry.credentials(path).ok()?;
    (creds.expires_at? - now > REFRESH_WINDOW_SECS).then_some(creds)
}

/// The credentials of `session`: the cached ones while more than the window is left (unless
/// `force`), else refreshed, one process at a time per ARN.
pub async fn credentials(
    cfg: &Config,
    session: &Session<'_>,
    http: &Http,
    force: bool,
    notify: Notify<'_>,
) -> Result<Credentials> {
    let (arn, path) = (session.arn, &session.path);
    let read = || Entry::read(path)?.ok_or_else(|| needs_sign_in(arn, "no cached console sign-in"));
    let entry = read()?;
    let good = |e: &Entry, now: i64| e.expires_at().is_some_and(|t| t - now > REFRESH_WINDOW_SECS);
    if !force && good(&entry, cfg.now()) {
        return entry.credentials(path);
    }
    let seen = entry.refresh_token().map(str::to_owned);
    let cache = Cache::open(cfg)?;
    let key = cache::key("login", &[arn.trim()]);
    let told = |_: &str| {
        notify(Notice::Waiting(format!(
            "another rolecall is refreshing the console session {}: waiting",
            crate::util::text::printable(arn)
        )))
    };
    let lock = cache.lock(&key, cache::Wait::Bounded(cfg.lock_wait(), &told))?;
    if let Some(lock) = &lock {
        lock.note("fetching");
    }
    // Another process may have refreshed it while this one waited.
    let mut entry = read()?;
    let now = cfg.now();
    if good(&entry, now) && (!force || entry.refresh_token() != seen.as_deref()) {
        return entry.credentials(path);
    }
    let mut retried = false;
    loop {
        match refresh(session, http, &entry, now).await {
            Ok(next) => {
                next.write(path)
                    .with_context(|| format!("cannot save the refreshed console session in {}", path.display()))?;
                return next.credentials(path);
            }
            Err(e) => {
                let Some(refused) = e.downcast_ref::<signin::Refused>() else { return Err(e) };
                if refused.code == "TOKEN_EXPIRED" && !retried {
                    // Another tool may have refreshed the file outside the lock.
                    let again = read()?;
                    if again.refresh_token() != entry.refresh_token() {
                        retried = true;
                        if good(&again, cfg.now()) {
                            return again.credentials(path);
                        }
                        entry = again;
                        continue;
                    }
                }
                if refused.needs_sign_in() {
                    return Err(needs_sign_in(arn, refused.to_string()));
                }
                return Err(e);
            }
        }
    }
}

/// One refresh of `entry`: the new entry.
async fn refresh(session: &Session<'_>, http: &Http, entry: &Entry, now: i64) -> Result<Entry> {
    let key = dpop::Key::from_pem(entry.text("dpopKey").unwrap_or_default())?;
    let client = entry.text("clientId").context("the cache entry has no clientId")?;
    let token = entry.refresh_token().context("the cache entry has no refreshToken")?;
    let input = signin::refresh_input(client, token);
    let tokens = signin::create_token(http, &session.endpoint, &input, &key, now).await?;
    Ok(entry.refreshed(&tokens, now))
}

/// Where a console session stands, for `list` and `doctor` (no network).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// No entry: never signed in here, or signed out.
    SignedOut,
    /// The entry cannot be used (not private, not JSON, a field missing).
    Damaged(String),
    /// The entry's ID token names another session.
    OtherArn(String),
    /// Signed in; the refresh window (12 hours from the sign-in) has this much left, when the
    /// ID token says when the sign-in was.
    SignedIn { left: Option<i64> },
    /// The 12 hours are over: only a new sign-in helps.
    Over,
}

impl Entry {
    /// When the refresh window ends: 12 hours after the sign-in (the ID token's `iat`; refreshes
    /// do not renew the ID token).
    pub fn session_ends(&self) -> Option<i64> {
        let claims = signin::id_token_claims(self.id_token()?)?;
        Some(claims.get("iat")?.as_i64()? + SESSION_SECS)
    }
}

/// The status of the console session `arn` at `now`.
pub fn status(cfg: &Config, arn: &str, now: i64) -> Status {
    let Some(dir) = cache_dir(cfg) else { return Status::SignedOut };
    let entry = match Entry::read(&cache_path(&dir, arn)) {
        Ok(Some(entry)) => entry,
        Ok(None) => return Status::SignedOut,
        Err(e) => return Status::Damaged(format!("{e:#}")),
    };
    if let Some(sub) = entry.subject().filter(|s| s.trim() != arn.trim()) {
        return Status::OtherArn(sub);
    }
    match entry.session_ends() {
        Some(end) if end <= now => Status::Over,
        left => Status::SignedIn { left: left.map(|end| end - now) },
    }
}

/// The status as `list` says it: `signed-in` (and the seconds left to refresh), `signed-out`,
/// `session-over`, `other-session`, `damaged`.
pub fn state(cfg: &Config, arn: &str, now: i64) -> (&'static str, Option<i64>) {
    match status(cfg, arn, now) {
        Status::SignedIn { left } => ("signed-in", left),
        Status::SignedOut => ("signed-out", None),
        Status::Over => ("session-over", None),
        Status::OtherArn(_) => ("other-session", None),
        Status::Damaged(_) => ("damaged", None),
    }
}

/// `doctor`'s checks of `login_session` profiles: the entry is there, usable, this session's,
/// and still refreshable; and no other credentials in the profile shadow it or are shadowed.
pub fn check(cfg: &Config, files: &crate::files::AwsFiles) -> Vec<crate::files::doctor::Finding> {
    use crate::files::doctor::{Finding, Severity};
    let p = crate::util::text::printable;
    let now = cfg.now();
    let mut out = Vec::new();
    for profile in files.profiles.profiles() {
        let Some(value) = profile.get_value(Key::LoginSession) else { continue };
        let name = p(profile.name());
        let arn: &str = value.value;
        let mut finding = |severity, code, message: String, hint: String| {
            out.push(Finding {
                severity,
                code,
                file: files.file(value.origin.file).display.clone(),
                line: value.origin.line,
                profile: Some(profile.name().to_owned()),
                message,
                hint,
            })
        };
        // The SDKs' order: web identity, a role, credential_source and SSO come before it;
        // credential_process and static keys after it (the aws CLI refuses to mix them).
        let other = [
            (Key::WebIdentityTokenFile, "web identity", true),
            (Key::RoleArn, "role_arn", true),
            (Key::CredentialSource, "credential_source", true),
            (Key::SsoSession, "SSO", true),
            (Key::SsoStartUrl, "SSO", true),
            (Key::CredentialProcess, "credential_process", false),
            (Key::AccessKeyId, "access keys", false),
        ];
        if let Some((_, what, first)) = other.iter().find(|(k, _, _)| profile.get(*k).is_some()) {
            let (message, hint) = if *first {
                (
                    format!("`{name}` has login_session and {what}: the SDKs use {what}, and login_session is ignored"),
                    "keep one kind of credentials per profile (the aws CLI refuses to mix them)",
                )
            } else {
                (
                    format!(
                        "`{name}` has login_session and {what}: the SDKs use the console session, and {what} is ignored"
                    ),
                    "remove the other credentials, or move them to a profile of their own",
                )
            };
            finding(Severity::Warning, "login-session-mixed", message, hint.to_owned());
        }
        match status(cfg, arn, now) {
            Status::SignedIn { .. } => {}
            Status::SignedOut => finding(
                Severity::Warning,
                "login-not-signed-in",
                format!("`{name}` uses the console session {}, which is not signed in here", p(arn)),
                format!("rolecall login {name}"),
            ),
            Status::Over => finding(
                Severity::Warning,
                "login-session-over",
                format!("`{name}`: the console session {} is over (12 hours after its sign-in)", p(arn)),
                format!("rolecall login {name}"),
            ),
            Status::OtherArn(sub) => finding(
                Severity::Error,
                "login-cache-other-arn",
                format!("`{name}`: the cached console session is {}'s, not {}", p(&sub), p(arn)),
                format!("rolecall login {name} signs in again (or fix login_session)"),
            ),
            Status::Damaged(why) => finding(
                Severity::Error,
                "login-cache-damaged",
                format!("`{name}`: the cached console session cannot be used: {}", p(&why)),
                format!("rolecall login {name}"),
            ),
        }
    }
    out
}
