//! Credentials for the console's sign-in. The federation endpoint takes a role's (or an SSO
//! role's) temporary credentials and federation tokens, nothing else: roles and SSO profiles give
//! theirs (from the cache, or fetched as `assume` fetches them), an IAM user's long-term keys go
//! through GetFederationToken with an allow-all inline policy (the console then has the user's own
//! permissions), and an MFA session (GetSessionToken) is refused with what would work instead.

use super::cache::{self, Cache};
use super::fetch;
use super::options::Options;
use super::{settings, sources};
use crate::aws::endpoint::Service;
use crate::aws::federation::SigninToken;
use crate::aws::sts::Sts;
use crate::config::Config;
use crate::files::chain::{Base, Plan};
use crate::files::merge::Section;
use crate::files::{AwsFiles, ProfileSet};
use crate::types::{Credentials, Notice, Notify};
use anyhow::{Result, bail};

/// What the credentials are, for what the console session may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One role that is not chained, or an SSO role: the endpoint takes a `SessionDuration`.
    OneRole,
    /// A chained role, or temporary credentials whose kind is not known: the console session
    /// ends with them.
    Temporary,
    /// GetFederationToken from an IAM user's keys: the session carries no MFA context.
    Federation,
}

/// Credentials the console takes, and what they are.
#[derive(Debug)]
pub struct ForConsole {
    pub creds: Credentials,
    pub kind: Kind,
    /// The profile's region (or `--region`; the environment's region for the shell's credentials).
    pub region: Option<String>,
    /// The profile they are for, when there is one.
    pub profile: Option<String>,
}

/// A federation session lasts 1 h unless `--duration` says otherwise (STS: 15 min to 36 h).
pub const DEFAULT_FEDERATION_SECS: u64 = 3600;

/// The inline policy of a federation session: everything the IAM user may do (a session's
/// permissions are the intersection of the user's and this policy's).
pub const ALLOW_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The kind of what `plan` gives, once fetched.
fn kind_of(plan: &Plan) -> Kind {
    match (&plan.base, plan.hops.len()) {
        (Base::Sso { .. } | Base::WebIdentity { .. }, 0) => Kind::OneRole,
        (base, 1) if base.is_long_term() => Kind::OneRole,
        _ => Kind::Temporary,
    }
}

/// An MFA session: what `assume` gives for an IAM user's keys with `mfa_serial` and no role.
fn is_mfa_session(plan: &Plan) -> bool {
    plan.base.user_mfa_serial().is_some() && plan.hops.is_empty()
}

/// The console's credentials for `profile`. `federation_secs` is the lifetime of a federation
/// session, when one is made.
pub fn for_profile(
    cfg: &Config,
    files: &AwsFiles,
    profile: &str,
    opts: &Options,
    federation_secs: Option<u64>,
    notify: Notify,
) -> Result<ForConsole> {
    let plan = crate::files::chain::plan_for(files, profile)?;
    let selected = files.profiles.profile(profile).expect("resolved");
    let region = opts.region.clone().or_else(|| selected.get(crate::files::Key::Region).map(str::to_owned));
    let long_term = plan.base.is_long_term() && plan.hops.is_empty();
    let (creds, kind) = if long_term {
        let keys = sources::long_term_keys(cfg, &plan.base, opts.ask.as_ref())?;
        (federation(cfg, &files.profiles, Some(selected), keys, opts, federation_secs, notify)?, Kind::Federation)
    } else {
        let outcome = fetch::credentials(cfg, files, profile, opts, notify)?;
        match outcome.creds.session_token {
            // Long-term keys from elsewhere (credential_process, the environment).
            None => (
                federation(cfg, &files.profiles, Some(selected), outcome.creds, opts, federation_secs, notify)?,
                Kind::Federation,
            ),
            Some(_) => (outcome.creds, kind_of(&plan)),
        }
    };
    Ok(ForConsole { creds, kind, region, profile: Some(profile.to_owned()) })
}

/// The credentials this shell holds (what `assume` exported), if any.
pub fn from_env(
    cfg: &Config,
    files: &AwsFiles,
    opts: &Options,
    federation_secs: Option<u64>,
    notify: Notify,
) -> Result<Option<ForConsole>> {
    let Some(creds) = Credentials::from_env(cfg) else { return Ok(None) };
    let creds = creds.checked("the environment")?;
    let now = cfg.now();
    let expires = cfg.var("ROLECALL_EXPIRES_AT").and_then(|t| t.parse::<i64>().ok()).or(creds.expires_at);
    if let Some(t) = expires
        && t <= now
    {
        bail!(
            "the credentials in this shell expired at {}: assume the profile again, or name one (rolecall console PROFILE)",
            crate::util::time::format_rfc3339(t)
        );
    }
    let profile = cfg.var("ROLECALL_PROFILE");
    let section = profile.as_deref().and_then(|p| files.profiles.profile(p));
    let plan = profile.as_deref().and_then(|p| crate::files::chain::plan_for(files, p).ok());
    let region = opts.region.clone().or_else(|| cfg.var("AWS_REGION")).or_else(|| cfg.var("AWS_DEFAULT_REGION"));
    let (creds, kind) = match (&creds.session_token, &plan) {
        (None, _) => {
            (federation(cfg, &files.profiles, section, creds, opts, federation_secs, notify)?, Kind::Federation)
        }
        (Some(_), Some(plan)) if is_mfa_session(plan) => {
            let p = crate::util::text::printable(profile.as_deref().unwrap_or(""));
            bail!(
                "the credentials in this shell are an MFA session (GetSessionToken), which the console's sign-in refuses: 'rolecall console {p}' signs in with the profile's keys (GetFederationToken), or assume a role first"
            );
        }
        (Some(_), Some(plan)) => (creds, kind_of(plan)),
        (Some(_), None) => (creds, Kind::Temporary),
    };
    Ok(Some(ForConsole { creds, kind, region, profile }))
}

/// What `rolecall console` was asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Wanted<'a> {
    /// The profile named; none: this shell's credentials, `AWS_PROFILE`, else the command's pick.
    pub profile: Option<&'a str>,
    /// A console URL to open (`--destination`).
    pub destination: Option<&'a str>,
    /// A service's page (`-s ec2`).
    pub service: Option<&'a str>,
    /// The console session's length in seconds (`--duration`).
    pub duration: Option<u64>,
}

/// A sign-in token and where it opens: the login URL is [`crate::outputs::console::login_url`].
#[derive(Debug)]
pub struct SignIn {
    pub token: SigninToken,
    pub destination: String,
    /// Who it is for, as a person reads it (the profile, or "this shell").
    pub label: String,
    /// The profile's `console_browser`, else rolecall's setting.
    pub browser: Option<String>,
}

/// Sign in for the console: the credentials ([`for_profile`] or [`from_env`]), the page, the
/// session's length where the endpoint takes one, and a sign-in token from the partition's
/// federation endpoint. `pick` names a profile when nothing else does (the picker).
pub fn sign_in(
    cfg: &Config,
    files: &AwsFiles,
    wanted: &Wanted,
    opts: &Options,
    pick: &dyn Fn() -> Result<String>,
    notify: Notify,
) -> Result<SignIn> {
    if wanted.profile == Some("-") {
        bail!("`-` names the profile before the last switch for assume and asp; name the profile for the console");
    }
    let duration = wanted.duration;
    if let Some(d) = duration
        && !(900..=43_200).contains(&d)
    {
        bail!("--duration {d}s: a console session lasts 15m (900) to 12h (43200)");
    }
    let service = wanted.service.map(crate::aws::console::service).transpose()?;
    // The role is fetched as `assume` fetches it (its cached credentials serve); --duration is
    // the console session's. A session length is accepted only for a role assumed with
    // long-term keys: then the role is not taken through the MFA session (a chained role).
    let opts = Options { duration: None, direct: duration.is_some(), ..opts.clone() };
    let found = find(cfg, files, wanted.profile, &opts, duration, pick, notify)?;
    let label = found.profile.clone().unwrap_or_else(|| "this shell".to_owned());
    let shown = crate::util::text::printable(&label);
    let region = found.region.clone().unwrap_or_else(|| "us-east-1".to_owned());
    let destination = match wanted.destination {
        Some(url) => crate::aws::console::check_destination(url, &region)?,
        None => crate::aws::console::destination(&region, service)?,
    };
    let session_duration = match (found.kind, duration) {
        (Kind::OneRole, d) => d,
        (Kind::Temporary, Some(_)) => {
            let ends = found.creds.expires_at.map(|t| format!(" ({})", crate::util::time::format_rfc3339(t)));
            notify(Notice::Note(format!(
                "`{shown}` signs in with chained or pre-made role credentials: the console takes no session length for them, the session ends with the credentials{}",
                ends.unwrap_or_default()
            )));
            None
        }
        // A federation session was made that long.
        (Kind::Temporary | Kind::Federation, _) => None,
    };
    if found.kind == Kind::Federation {
        notify(Notice::Note(format!(
            "`{shown}` has an IAM user's keys: the console signs in through GetFederationToken, whose session carries no MFA context (actions that require MFA are denied)"
        )));
    }
    let section = found.profile.as_deref().and_then(|p| files.profiles.profile(p));
    let endpoint = settings::service_endpoint(cfg, &files.profiles, section, Service::Signin, &region)?;
    let http = crate::aws::http::Http::new(opts.http_connector.clone(), cfg.timeout());
    let token = crate::util::runtime()?.block_on(crate::aws::federation::signin_token(
        &http,
        &endpoint,
        &found.creds,
        session_duration,
    ))?;
    let browser =
        section.and_then(|p| p.get("console_browser").map(str::to_owned)).or_else(|| cfg.setting("console_browser"));
    Ok(SignIn { token, destination, label, browser })
}

/// The credentials the console signs in with: this shell's when no profile is named, else the
/// profile's (`AWS_PROFILE`, else `pick`). A federation session lasts `federation_secs`.
fn find(
    cfg: &Config,
    files: &AwsFiles,
    profile: Option<&str>,
    opts: &Options,
    federation_secs: Option<u64>,
    pick: &dyn Fn() -> Result<String>,
    notify: Notify,
) -> Result<ForConsole> {
    if profile.is_none()
        && let Some(found) = from_env(cfg, files, opts, federation_secs, notify)?
    {
        return Ok(found);
    }
    let name = match profile.map(str::to_owned).or_else(|| cfg.var("AWS_PROFILE")) {
        Some(name) => name,
        None => pick()?,
    };
    if !files.any_exists() {
        return Err(crate::files::chain::no_files(files));
    }
    for_profile(cfg, files, &name, opts, federation_secs, notify)
}

/// The IAM user's name in a caller ARN (`arn:aws:iam::123:user/path/alice` → `alice`, the root
/// user → `root`), as GetFederationToken takes it: `[\w+=,.@-]`, 2 to 32 characters.
pub fn federation_name(arn: &str, fallback: Option<&str>) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or("");
    let name = match resource.strip_prefix("user/") {
        Some(path) => path.rsplit('/').next().unwrap_or(path),
        None if resource == "root" => "root",
        None => fallback.unwrap_or("rolecall"),
    };
    settings::sanitize_session_name(name).chars().take(32).collect()
}

/// A federation session for an IAM user's long-term `keys`: cached like every other step (a
/// second console for the same keys makes no call), else GetCallerIdentity for the user's name
/// and GetFederationToken.
fn federation(
    cfg: &Config,
    set: &ProfileSet,
    profile: Option<Section>,
    keys: Credentials,
    opts: &Options,
    secs: Option<u64>,
    notify: Notify,
) -> Result<Credentials> {
    let secs = secs.unwrap_or(DEFAULT_FEDERATION_SECS);
    if !(900..=129_600).contains(&secs) {
        bail!("--duration {secs}s: a federation session lasts 15m (900) to 36h (129600)");
    }
    let cache = if opts.no_cache { None } else { Some(Cache::open(cfg)?) };
    let key = cache::key("federation", &[&keys.access_key_id, &secs.to_string()]);
    if let Some(creds) = cache.as_ref().filter(|_| !opts.refresh).and_then(|c| c.get(&key, cfg.now(), notify)) {
        return Ok(creds);
    }
    let endpoint = settings::endpoint_url(cfg, set, profile);
    let sts_settings = settings::sts_settings(cfg, profile, endpoint, opts.region.as_deref());
    let sts = match &opts.http_client {
        Some(http) => Sts::with_http_client(sts_settings, http.clone()),
        None => Sts::new(sts_settings),
    };
    let runtime = crate::util::runtime()?;
    let creds = runtime.block_on(async {
        let identity = sts.caller_identity(&keys).await?;
        let name = federation_name(&identity.arn, cfg.user().as_deref());
        let mut creds = sts.federation_token(&keys, &name, ALLOW_ALL, Some(secs as i32)).await?;
        creds.account_id = creds.account_id.or(Some(identity.account).filter(|a| !a.is_empty()));
        Ok::<_, anyhow::Error>(creds)
    })?;
    let (creds, warning) = fetch::check_expiry(creds, cfg.now(), secs, true, "STS GetFederationToken")?;
    if let Some(warning) = warning {
        notify(Notice::Warning(warning));
    }
    if let Some(cache) = &cache {
        cache.put(&key, &creds)?;
    }
    Ok(creds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn federation_names() {
        assert_eq!(federation_name("arn:aws:iam::123456789012:user/alice", None), "alice");
        assert_eq!(federation_name("arn:aws:iam::123456789012:user/eng/team/bob", None), "bob");
        assert_eq!(federation_name("arn:aws:iam::123456789012:root", None), "root");
        assert_eq!(federation_name("arn:aws:sts::1:assumed-role/R/s", Some("carol")), "carol");
        let long = format!("arn:aws:iam::1:user/{}", "x".repeat(80));
        assert_eq!(federation_name(&long, None).len(), 32);
        assert_eq!(federation_name("arn:aws:iam::1:user/dave smith", None), "dave-smith");
    }
}
