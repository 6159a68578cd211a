//! Plan -> credentials: the cache first, then (only on a miss) a tokio runtime, the MFA code and
//! STS. One MFA session (GetSessionToken) per access key and `mfa_serial` serves every role hop
//! until it expires, so one code covers a day of role switching.
//!
//! The steps of a plan: the base (keys, environment, instance role, credential_process, web
//! identity), the MFA session when a step needs MFA and the base is an IAM user's long-term
//! keys, then each role hop. Each step after the base has a cache key that names everything
//! it depends on; the last cached step is where the work resumes.

use crate::aws::http::Http;
use crate::aws::sso;
use crate::aws::sts::{self, ErrorKind, Sts};
use crate::creds::Credentials;
use crate::creds::cache::{self, Cache};
use crate::creds::mfa;
use crate::files::chain::{self, Base, Plan, ResolveError, RoleHop};
use crate::files::merge::Section;
use crate::files::{AwsFiles, Key, ProfileSet};
use anyhow::{Context, Result, anyhow, bail};
use std::time::Duration;

/// What the command line adds to the files.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub mfa_code: Option<String>,
    pub region: Option<String>,
    /// Seconds, for the last step (the selected profile's role, or the MFA session).
    pub duration: Option<u64>,
    pub mfa_duration: Option<u64>,
    pub refresh: bool,
    pub no_cache: bool,
    pub no_mfa_session: bool,
    /// The HTTP client for STS (tests replay recorded traffic); default: rustls over hyper.
    pub http_client: Option<aws_smithy_runtime_api::client::http::SharedHttpClient>,
    /// The same for the calls made without an SDK client (the SSO portal and OIDC).
    pub http_connector: Option<aws_smithy_runtime_api::client::http::SharedHttpConnector>,
}

/// The credentials of a profile, and what to say about them.
#[derive(Debug)]
pub struct Outcome {
    pub creds: Credentials,
    /// The profile's region (or `--region`), for the environment.
    pub region: Option<String>,
    /// Long-term keys exported as they are (no expiry).
    pub long_term: bool,
}

/// How long a process waits for another one fetching the same credentials
/// (`ROLECALL_LOCK_WAIT`, e.g. `30s`; default 2 minutes: long enough to type a code there).
pub fn lock_wait() -> Duration {
    let secs = env_var("ROLECALL_LOCK_WAIT").and_then(|v| crate::util::time::parse_duration(&v)).unwrap_or(120);
    Duration::from_secs(secs)
}

/// The MFA session lasts 12 h unless `mfa_session_duration` or `--mfa-duration` says otherwise.
pub const DEFAULT_MFA_SESSION_SECS: u64 = 12 * 3600;

/// The error for files that hold no profile at all.
pub fn no_profiles(files: &AwsFiles) -> anyhow::Error {
    anyhow!("no profiles found in {} or {} (run 'rolecall setup')", files.config.display, files.credentials.display)
}

/// Resolve `profile` with a did-you-mean for an unknown name.
pub fn plan<'a>(files: &'a AwsFiles, profile: &'a str) -> Result<Plan<'a>> {
    let set = &files.profiles;
    if set.profile(profile).is_none() {
        if set.profiles().len() == 0 {
            return Err(no_profiles(files));
        }
        return Err(crate::ui::suggest::not_found("profile", profile, set.profiles().map(|p| p.name())));
    }
    chain::resolve(set, profile)
        .and_then(|plan| chain::credentials_check(&plan).map(|()| plan))
        .map_err(|e: ResolveError| anyhow!("{e} (run 'rolecall doctor')"))
}

/// The credentials of `profile`: from the cache, or fetched and cached.
pub fn credentials(files: &AwsFiles, profile: &str, opts: &Options) -> Result<Outcome> {
    // STS's own limits, checked before any network call.
    let check = |flag: &str, secs: Option<u64>, max: u64| match secs {
        Some(s) if !(900..=max).contains(&s) => {
            Err(anyhow!("{flag} {s}s: STS accepts 15m (900) to {}h ({max})", max / 3600))
        }
        _ => Ok(()),
    };
    check("--duration", opts.duration, 43_200)?;
    check("--mfa-duration", opts.mfa_duration, 129_600)?;
    crate::creds::process::check_nesting(profile)?;
    let plan = plan(files, profile)?;
    for warning in &plan.warnings {
        eprintln!("rolecall: warning: {warning}");
    }
    let set = &files.profiles;
    let selected = set.profile(profile).expect("resolved");
    let region = opts.region.clone().or_else(|| selected.get(Key::Region).map(str::to_owned));
    let ctx = Run::new(set, &plan, selected, opts);
    if let (Base::AccessKey { session_token, .. }, None) = (&plan.base, &ctx.session)
        && plan.hops.is_empty()
    {
        let long_term = session_token.is_none();
        return Ok(Outcome { creds: ctx.base_keys()?, region, long_term });
    }
    let steps = ctx.steps();
    let now = crate::util::time::now();
    let cache = if opts.no_cache { None } else { Some(Cache::open()?) };
    // The fast path: the last step is cached. No runtime, no SDK.
    let mut start = 0;
    let mut current = None;
    if let Some(cache) = cache.as_ref() {
        for (i, step) in steps.iter().enumerate().rev() {
            // --refresh renews the roles; the MFA session too only when a code comes with it.
            let renew = opts.refresh && (!matches!(step.kind, StepKind::Session { .. }) || opts.mfa_code.is_some());
            if renew {
                continue;
            }
            if let Some(creds) = step.key.as_deref().and_then(|k| cache.get(k, now)) {
                if i + 1 == steps.len() {
                    return Ok(Outcome { creds, region, long_term: false });
                }
                start = i + 1;
                current = Some(creds);
                break;
            }
        }
    }
    let creds = ctx.run(&steps, start, current, cache.as_ref())?;
    Ok(Outcome { creds, region, long_term: false })
}

/// One thing to do to get from the previous credentials to the next.
#[derive(Debug)]
struct Step<'a> {
    key: Option<String>,
    kind: StepKind<'a>,
}

#[derive(Debug)]
enum StepKind<'a> {
    Base,
    Session { serial: &'a str, duration: Option<i32> },
    Hop { hop: &'a RoleHop<'a>, duration: Option<i32>, mfa: Option<&'a str>, cli_key: String },
}

struct Run<'a> {
    set: &'a ProfileSet,
    plan: &'a Plan<'a>,
    selected: Section<'a>,
    opts: &'a Options,
    /// The MFA device of the session, when the plan uses one.
    session: Option<&'a str>,
    /// The cache key of that session (for `steps` and for dropping a session AWS refuses).
    session_key: Option<String>,
    endpoint_url: Option<String>,
}

impl<'a> Run<'a> {
    fn new(set: &'a ProfileSet, plan: &'a Plan<'a>, selected: Section<'a>, opts: &'a Options) -> Run<'a> {
        let enabled =
            !opts.no_mfa_session && !selected.get("mfa_session").is_some_and(|v| v.eq_ignore_ascii_case("false"));
        let session = match &plan.base {
            // GetSessionToken needs an IAM user's long-term keys.
            Base::AccessKey { session_token: None, mfa_serial, .. } if enabled => {
                mfa_serial.or_else(|| plan.hops.iter().find_map(|h| h.mfa_serial))
            }
            _ => None,
        };
        let endpoint_url = endpoint_url(set, Some(selected));
        let mut run = Run { set, plan, selected, opts, session, session_key: None, endpoint_url };
        run.session_key = session.map(|serial| {
            let endpoint = run.endpoint_url.clone().unwrap_or_default();
            cache::key("session", &[&endpoint, &run.base_identity()[1], serial])
        });
        run
    }

    fn base_keys(&self) -> Result<Credentials> {
        match &self.plan.base {
            Base::AccessKey { profile, access_key_id, secret_access_key, session_token, account_id, .. } => {
                Credentials {
                    access_key_id: access_key_id.to_string(),
                    secret_access_key: secret_access_key.to_string(),
                    session_token: session_token.map(str::to_owned),
                    expires_at: None,
                    account_id: account_id.map(str::to_owned),
                }
                .checked(&format!("profile `{profile}`"))
            }
            _ => bail!("profile `{}` has no keys of its own", self.plan.base.profile()),
        }
    }

    /// What the base is, for cache keys (never a secret: the access key id at most).
    fn base_identity(&self) -> Vec<String> {
        match &self.plan.base {
            Base::AccessKey { access_key_id, .. } => vec!["keys".into(), access_key_id.to_string()],
            Base::NamedSource { source, .. } => {
                let mut id = vec!["source".into(), source.to_string()];
                if *source == "Environment" {
                    id.push(std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default());
                }
                id
            }
            Base::WebIdentity { role_arn, token_file, .. } => {
                vec!["web".into(), role_arn.to_string(), token_file.to_string()]
            }
            Base::Sso { start_url, account_id, role_name, .. } => {
                vec![
                    "sso".into(),
                    start_url.to_string(),
                    account_id.unwrap_or("").into(),
                    role_name.unwrap_or("").into(),
                ]
            }
            Base::LoginSession { arn, .. } => vec!["login".into(), arn.to_string()],
            Base::Process { command, .. } => vec!["process".into(), command.to_string()],
        }
    }

    fn steps(&self) -> Vec<Step<'a>> {
        let mut parts = vec![self.endpoint_url.clone().unwrap_or_default()];
        parts.extend(self.base_identity());
        let key = |parts: &[String], kind| {
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            cache::key(kind, &refs)
        };
        let last_hop = self.plan.hops.len();
        // Bases that are fetched (not read from the files) are cached like a role.
        let base_key = match self.plan.base {
            Base::WebIdentity { .. } => Some(key(&parts, "web")),
            Base::Sso { .. } => Some(key(&parts, "sso")),
            _ => None,
        };
        let mut steps = vec![Step { key: base_key, kind: StepKind::Base }];
        if let Some(serial) = self.session {
            let duration = if last_hop == 0 { self.opts.duration } else { None }
                .or(self.opts.mfa_duration)
                .or_else(|| self.setting("mfa_session_duration").and_then(crate::util::time::parse_duration))
                .unwrap_or(DEFAULT_MFA_SESSION_SECS);
            steps.push(Step {
                key: self.session_key.clone(),
                kind: StepKind::Session { serial, duration: Some(clamp_i32(duration)) },
            });
            parts.push(format!("mfa:{serial}"));
        }
        for (i, hop) in self.plan.hops.iter().enumerate() {
            let configured = hop.duration_seconds.and_then(|d| d.trim().parse::<u64>().ok());
            let duration = if i + 1 == last_hop { self.opts.duration.or(configured) } else { configured };
            let session_name = session_name(hop.session_name);
            parts.extend([
                hop.role_arn.to_owned(),
                hop.external_id.unwrap_or("").to_owned(),
                session_name,
                duration.map(|d| d.to_string()).unwrap_or_default(),
            ]);
            let cli_key = cache::cli::key(&cache::cli::KeyArgs {
                role_arn: hop.role_arn,
                role_session_name: hop.session_name,
                external_id: hop.external_id,
                serial_number: hop.mfa_serial,
                duration_seconds: configured.map(|d| d as i64),
            });
            steps.push(Step {
                key: Some(key(&parts, "role")),
                kind: StepKind::Hop {
                    hop,
                    duration: duration.map(clamp_i32),
                    mfa: if self.session.is_some() { None } else { hop.mfa_serial },
                    cli_key,
                },
            });
        }
        steps
    }

    /// A rolecall setting of the selected profile, else of the profile that holds the base.
    fn setting(&self, name: &str) -> Option<&'a str> {
        self.selected.get(name).or_else(|| self.set.profile(self.plan.base.profile())?.get(name))
    }

    fn sts_settings(&self) -> sts::Settings {
        sts_settings(Some(self.selected), self.endpoint_url.clone(), self.opts.region.as_deref())
    }

    /// The slow path: everything from `start` on, under the lock of the last step.
    fn run(
        &self,
        steps: &[Step<'a>],
        start: usize,
        current: Option<Credentials>,
        cache: Option<&Cache>,
    ) -> Result<Credentials> {
        let profile = self.selected.name();
        let source = mfa::Source::pick(self.opts.mfa_code.as_deref(), self.setting("mfa_process"));
        // Asks a person for a code: those who wait for this process are told so.
        let asks = matches!(source, mfa::Source::Terminal)
            && steps[start..].iter().any(|s| match &s.kind {
                StepKind::Session { .. } => true,
                StepKind::Hop { mfa, .. } => mfa.is_some(),
                StepKind::Base => false,
            });
        let _lock = match (cache, steps.last().and_then(|s| s.key.as_deref())) {
            (Some(cache), Some(key)) => {
                let lock = self.lock(cache, key, &source)?;
                // Someone else may have fetched it while this process waited.
                if !self.opts.refresh
                    && let Some(creds) = cache.get(key, crate::util::time::now())
                {
                    return Ok(creds);
                }
                if let Some(lock) = &lock {
                    lock.note(if asks { "mfa" } else { "fetching" });
                }
                lock
            }
            _ => None,
        };
        let runtime = crate::runtime()?;
        let sts = match &self.opts.http_client {
            Some(http) => Sts::with_http_client(self.sts_settings(), http.clone()),
            None => Sts::new(self.sts_settings()),
        };
        runtime.block_on(async {
            let mut current = current;
            for (i, step) in steps.iter().enumerate().skip(start) {
                let is_last = i + 1 == steps.len();
                let next = self.step(step, is_last, current.take(), &sts, &source, cache).await?;
                current = Some(next);
            }
            current.ok_or_else(|| anyhow!("profile `{profile}` gave no credentials"))
        })
    }

    async fn step(
        &self,
        step: &Step<'a>,
        is_last: bool,
        current: Option<Credentials>,
        sts: &Sts,
        source: &mfa::Source,
        cache: Option<&Cache>,
    ) -> Result<Credentials> {
        let profile = self.selected.name();
        match &step.kind {
            StepKind::Base => {
                let creds = self.base(sts).await?;
                if let (Some(cache), Some(key)) = (cache, &step.key) {
                    cache.put(key, &creds)?;
                }
                Ok(creds)
            }
            StepKind::Session { serial, duration } => {
                let creds = current.context("no credentials for GetSessionToken")?;
                let key = step.key.as_deref().expect("sessions have keys");
                // The last step's lock is already held by `run` (a second flock would wait on it).
                let _lock = match cache.filter(|_| !is_last) {
                    Some(cache) => {
                        let lock = self.lock(cache, key, source)?;
                        if !(self.opts.refresh && self.opts.mfa_code.is_some())
                            && let Some(session) = cache.get(key, crate::util::time::now())
                        {
                            return Ok(session);
                        }
                        if let Some(lock) = &lock {
                            lock.note(if matches!(source, mfa::Source::Terminal) { "mfa" } else { "fetching" });
                        }
                        lock
                    }
                    None => None,
                };
                let creds = &creds;
                let session = with_mfa(source, profile, serial, |code| async move {
                    sts.get_session_token(creds, serial, &code, *duration).await
                })
                .await?;
                let asked = duration.map_or(DEFAULT_MFA_SESSION_SECS, |d| d as u64);
                let session = plausible(session, asked, "STS GetSessionToken")?;
                if let Some(cache) = cache {
                    cache.put(key, &session)?;
                }
                Ok(session)
            }
            StepKind::Hop { hop, duration, mfa, cli_key } => {
                let creds = current.context("no credentials for AssumeRole")?;
                let name = session_name(hop.session_name);
                let call = |code: Option<String>| {
                    let (creds, name) = (&creds, &name);
                    async move {
                        let req = sts::RoleRequest {
                            role_arn: hop.role_arn,
                            session_name: name,
                            external_id: hop.external_id,
                            duration_seconds: *duration,
                            mfa: mfa.zip(code.as_deref()),
                        };
                        sts.assume_role(creds, &req).await
                    }
                };
                let mut assumed = match mfa {
                    Some(serial) => with_mfa(source, profile, serial, |code| call(Some(code))).await,
                    None => call(None).await.map_err(|e| self.explain(e, cache)),
                }?;
                let asked = duration.map_or(3600, |d| d as u64);
                assumed.creds = plausible(assumed.creds, asked, "STS AssumeRole")?;
                if let Some(cache) = cache {
                    cache.put(step.key.as_deref().expect("hops have keys"), &assumed.creds)?;
                    if let Err(e) = cache::cli::put(cli_key, &assumed.creds, &assumed.arn, &assumed.role_id) {
                        eprintln!("rolecall: warning: AWS CLI cache not written: {e:#}");
                    }
                }
                Ok(assumed.creds)
            }
        }
    }

    /// The lock of a cache entry this process is about to fetch. Another process that holds it
    /// is fetching the same thing, perhaps asking a person for an MFA code: this process waits
    /// for it (at most `ROLECALL_LOCK_WAIT`, default 2 minutes, saying so), unless it has a code
    /// of its own (`--mfa-code`, `mfa_process`), then it goes on without the lock.
    fn lock(&self, cache: &Cache, key: &str, source: &mfa::Source) -> Result<Option<cache::Lock>> {
        let profile = crate::ui::style::printable(self.selected.name());
        if !matches!(source, mfa::Source::Terminal) {
            // A process with its own code does not queue behind a person typing one; behind a
            // fetch it waits like any other (that fetch's result is what it needs).
            match cache.lock(key, cache::Wait::Never)? {
                Some(lock) => return Ok(Some(lock)),
                None if cache.lock_note(key).starts_with("mfa") => return Ok(None),
                None => {}
            }
        }
        let bound = lock_wait();
        let asking = std::cell::Cell::new(false);
        let told = |note: &str| {
            let mfa = note.starts_with("mfa");
            asking.set(mfa);
            let what =
                if mfa { "another shell is asking for the MFA code for" } else { "another rolecall is fetching" };
            eprintln!(
                "rolecall: {what} `{profile}`: waiting (at most {}; Ctrl-C stops)",
                crate::util::time::human_duration(bound.as_secs())
            );
        };
        cache.lock(key, cache::Wait::Bounded(bound, &told)).map_err(|e| {
            if e.downcast_ref::<crate::util::fs::Timeout>().is_none() {
                return e;
            }
            let what = if asking.get() {
                "another shell has been asking for the MFA code for"
            } else {
                "another rolecall has been fetching"
            };
            anyhow!(
                "{what} `{profile}` for {}: gave up (answer there first, or pass --mfa-code)",
                crate::util::time::human_duration(bound.as_secs())
            )
        })
    }

    /// Add what to do to an STS error; a cached MFA session AWS no longer accepts is dropped.
    fn explain(&self, e: sts::StsError, cache: Option<&Cache>) -> anyhow::Error {
        match e.kind {
            ErrorKind::BadCredentials if self.session.is_some() => {
                if let (Some(cache), Some(key)) = (cache, &self.session_key) {
                    cache.remove(key);
                }
                anyhow!("{e} (the cached MFA session was dropped: run the command again for a new one)")
            }
            ErrorKind::Duration => anyhow!("{e} (lower duration_seconds or --duration)"),
            _ => anyhow!(e),
        }
    }

    async fn base(&self, sts: &Sts) -> Result<Credentials> {
        match &self.plan.base {
            Base::AccessKey { .. } => self.base_keys(),
            Base::NamedSource { source, profile } => named_source(source, profile).await,
            Base::Process { command, account_id, profile } => {
                run_credential_process(command, *account_id, profile).with_context(|| format!("profile `{profile}`"))
            }
            Base::WebIdentity { role_arn, token_file, session_name: name, profile } => {
                let token = std::fs::read_to_string(token_file).with_context(|| {
                    format!("profile `{profile}`: cannot read web_identity_token_file {token_file}")
                })?;
                let assumed = sts.assume_role_with_web_identity(role_arn, &session_name(*name), token.trim()).await?;
                plausible(assumed.creds, 3600, "STS AssumeRoleWithWebIdentity")
            }
            Base::Sso { profile, account_id: None, .. } => bail!(
                "profile `{profile}`: selected profile will resolve an access token instead of credentials \
                 (it has no sso_account_id and sso_role_name)"
            ),
            Base::Sso { profile, session_name, region, start_url, account_id: Some(account), role_name, .. } => {
                let role = role_name.unwrap_or_default();
                let login = sso_login(self.set, Some(self.selected), *session_name, start_url, region, None)?;
                let http = Http::new(self.opts.http_connector.clone(), self.sts_settings().timeout);
                let token = sso::access_token(&http, &login).await?;
                let creds = sso::role_credentials(&http, &login, &token, account, role)
                    .await
                    .with_context(|| format!("profile `{profile}`"))?;
                // A permission set's session lasts at most 12 h.
                let creds = plausible_within(creds, 12 * 3600, "SSO GetRoleCredentials")?;
                // Where the AWS CLI looks before calling the portal itself.
                if !self.opts.no_cache
                    && let Err(e) = cache::cli::put_sso(&sso::role_cache_key(&login, account, role), &creds)
                {
                    eprintln!("rolecall: warning: AWS CLI cache not written: {e:#}");
                }
                Ok(creds)
            }
            Base::LoginSession { profile, .. } => {
                bail!("profile `{profile}` uses login_session credentials, which rolecall cannot assume yet")
            }
        }
    }
}

/// How far this machine's clock may be from AWS's before rolecall says so.
pub const CLOCK_SLACK_SECS: i64 = 300;

/// Check an expiry against what was asked for and the clock: credentials that expired already
/// are refused (the clock here is probably fast); an expiry later than asked for (plus slack) is
/// taken as asked (a year-9999 answer is never cached for good); a difference of more than
/// [`CLOCK_SLACK_SECS`] is said once, as the clock's skew.
pub fn plausible(creds: Credentials, asked_secs: u64, what: &str) -> Result<Credentials> {
    check_expiry(creds, asked_secs, true, what)
}

/// [`plausible`] where the length is at most `max_secs` (SSO: the permission set decides): only
/// an expiry in the past or past the maximum is a finding.
pub fn plausible_within(creds: Credentials, max_secs: u64, what: &str) -> Result<Credentials> {
    check_expiry(creds, max_secs, false, what)
}

fn check_expiry(mut creds: Credentials, asked_secs: u64, exact: bool, what: &str) -> Result<Credentials> {
    let Some(expires) = creds.expires_at else { return Ok(creds) };
    let now = crate::util::time::now();
    let asked = i64::try_from(asked_secs).unwrap_or(i64::MAX / 4);
    let skew = expires - (now + asked);
    if expires <= now {
        bail!(
            "{what} answered credentials that expired already ({}, and it is {} here): is this machine's clock {} fast?",
            crate::util::time::format_rfc3339(expires),
            crate::util::time::format_rfc3339(now),
            crate::util::time::human_duration((now - expires + asked).unsigned_abs())
        );
    }
    if skew > CLOCK_SLACK_SECS {
        eprintln!(
            "rolecall: warning: {what} said the credentials last until {}, longer than the {} asked for: taken as {} (or this machine's clock is {} slow)",
            crate::util::time::format_rfc3339(expires),
            crate::util::time::human_duration(asked_secs),
            crate::util::time::human_duration(asked_secs),
            crate::util::time::human_duration(skew.unsigned_abs()),
        );
        creds.expires_at = Some(now + asked);
    } else if exact && skew < -CLOCK_SLACK_SECS {
        eprintln!(
            "rolecall: warning: this machine's clock is about {} ahead of AWS's ({what} gave {} of the {} asked for): cached credentials will look older than they are",
            crate::util::time::human_duration(skew.unsigned_abs()),
            crate::util::time::human_duration((expires - now).unsigned_abs()),
            crate::util::time::human_duration(asked_secs),
        );
    }
    Ok(creds)
}

fn clamp_i32(secs: u64) -> i32 {
    i32::try_from(secs).unwrap_or(i32::MAX)
}

/// Ask for a code and call `f` with it; ask again (up to [`mfa::ATTEMPTS`]) when AWS rejects a
/// typed code.
async fn with_mfa<T, F, Fut>(source: &mfa::Source, profile: &str, serial: &str, f: F) -> Result<T>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, sts::StsError>>,
{
    let mut attempt = 1;
    loop {
        let code = source.code(profile, serial, attempt)?;
        match f(code).await {
            Ok(v) => return Ok(v),
            Err(e) if e.kind == ErrorKind::WrongMfaCode && source.can_retry() && attempt < mfa::ATTEMPTS => {
                attempt += 1;
            }
            Err(e) if e.kind == ErrorKind::WrongMfaCode => {
                return Err(anyhow!("{e} (the MFA code for {serial} was not accepted)"));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `role_session_name`, else the local user name, as STS allows it: `[\w+=,.@-]{2,64}`.
pub fn session_name(configured: Option<&str>) -> String {
    if let Some(name) = configured {
        return name.to_owned();
    }
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).ok().filter(|u| !u.is_empty());
    sanitize_session_name(&user.or_else(user_from_passwd).unwrap_or_default())
}

/// The name of this process's uid in /etc/passwd (no `id -un` fork).
fn user_from_passwd() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_owned())
    })
}

pub fn sanitize_session_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) { c } else { '-' })
        .take(64)
        .collect();
    if clean.trim_matches('-').len() < 2 { "rolecall".to_owned() } else { clean }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A service's endpoint as the settings name it (shared config "Service-specific endpoints"):
/// `AWS_ENDPOINT_URL_<ID>`, `AWS_ENDPOINT_URL`, the profile's `[services]` section (`KEY =` /
/// `endpoint_url`), then its `endpoint_url`; none when `ignore_configured_endpoint_urls` is true.
pub fn configured_url(set: &ProfileSet, profile: Option<Section>, env_id: &str, key: &str) -> Option<String> {
    let ignore = env_var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .or_else(|| profile?.get("ignore_configured_endpoint_urls").map(str::to_owned))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    env_var(&format!("AWS_ENDPOINT_URL_{env_id}"))
        .or_else(|| env_var("AWS_ENDPOINT_URL"))
        .or_else(|| {
            let services = profile?.get("services")?;
            Some(set.other_property("services", services, key, "endpoint_url")?.value.clone())
        })
        .or_else(|| profile?.get("endpoint_url").map(str::to_owned))
}

/// The STS endpoint the settings name (the SDK resolves the rest).
pub fn endpoint_url(set: &ProfileSet, profile: Option<Section>) -> Option<String> {
    configured_url(set, profile, "STS", "sts")
}

/// `use_fips_endpoint` / `use_dualstack_endpoint` from the environment or the profile.
fn endpoint_flags(profile: Option<Section>) -> (bool, bool) {
    let flag = |var: &str, key: &str| {
        env_var(var).or_else(|| profile?.get(key).map(str::to_owned)).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    (flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"), flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
}

/// The endpoint of a service rolecall calls without an SDK client, for `profile` in `region`.
pub fn service_endpoint(
    set: &ProfileSet,
    profile: Option<Section>,
    service: crate::aws::endpoint::Service,
    region: &str,
) -> Result<crate::aws::endpoint::Endpoint> {
    let (fips, dual_stack) = endpoint_flags(profile);
    let configured = configured_url(set, profile, service.env_id(), service.config_key());
    crate::aws::endpoint::resolve(service, &crate::aws::endpoint::Params { region, fips, dual_stack, configured })
}

/// The sign-in an SSO profile (or an `[sso-session]` alone, `profile` none) uses, with the
/// portal and OIDC endpoints for its region.
pub fn sso_login<'a>(
    set: &ProfileSet,
    profile: Option<Section>,
    session: Option<&'a str>,
    start_url: &'a str,
    region: &'a str,
    scopes: Option<&'a str>,
) -> Result<sso::Login<'a>> {
    use crate::aws::endpoint::Service;
    Ok(sso::Login {
        session,
        start_url,
        region,
        scopes,
        portal: service_endpoint(set, profile, Service::SsoPortal, region)?.url,
        oidc: service_endpoint(set, profile, Service::SsoOidc, region)?.url,
    })
}

/// How to reach STS for `profile` (or for the environment alone): region in the SDKs' order
/// (`--region`, `AWS_REGION`, the profile, `AWS_DEFAULT_REGION`, us-east-1: the region_override
/// scenario), `ROLECALL_TIMEOUT`, fips and dual-stack from the environment or the profile.
pub fn sts_settings(profile: Option<Section>, endpoint_url: Option<String>, region: Option<&str>) -> sts::Settings {
    let region = region
        .map(str::to_owned)
        .or_else(|| env_var("AWS_REGION"))
        .or_else(|| profile?.get(Key::Region).map(str::to_owned))
        .or_else(|| env_var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".into());
    let timeout = env_var("ROLECALL_TIMEOUT").and_then(|t| crate::util::time::parse_duration(&t)).unwrap_or(10);
    let (fips, dual_stack) = endpoint_flags(profile);
    sts::Settings { region, endpoint_url, timeout: Duration::from_secs(timeout), fips, dual_stack }
}

/// Run `credential_process` as the SDKs do (`sh -c` on Unix) and parse JSON v1. Messages follow
/// aws-config's; the output itself is never quoted.
pub fn run_credential_process(command: &str, account_id: Option<&str>, profile: &str) -> Result<Credentials> {
    let out = crate::creds::process::output_for(command, "credential_process", Some(profile))
        .context("Error retrieving credentials: could not start the external process")?;
    if !out.status.success() {
        bail!("Error retrieving credentials: external process exited with code {}", out.status);
    }
    let text = String::from_utf8(out.stdout).map_err(|_| {
        anyhow!(
            "Error retrieving credentials from external process, could not parse response: invalid JSON in response"
        )
    })?;
    let mut creds = Credentials::from_process_json(&text)
        .map_err(|e| anyhow!("Error retrieving credentials from external process, {e}"))?;
    if creds.account_id.is_none() {
        creds.account_id = account_id.map(str::to_owned);
    }
    creds.checked("credential_process")
}

async fn named_source(source: &str, profile: &str) -> Result<Credentials> {
    use aws_credential_types::provider::ProvideCredentials;
    match chain::credential_source(source).unwrap_or(source) {
        "Environment" => Credentials::from_env()
            .with_context(|| {
                format!(
                    "profile `{profile}`: credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
                )
            })?
            .checked("the environment"),
        "Ec2InstanceMetadata" | "EcsContainer" => {
            let config =
                aws_config::provider_config::ProviderConfig::without_region().with_http_client(sts::https_client());
            let found = if source == "EcsContainer" {
                aws_config::ecs::EcsCredentialsProvider::builder()
                    .configure(&config)
                    .build()
                    .provide_credentials()
                    .await
            } else {
                aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                    .configure(&config)
                    .build()
                    .provide_credentials()
                    .await
            };
            let c = found.map_err(|e| anyhow!("profile `{profile}`: {source} credentials: {e}"))?;
            Credentials {
                access_key_id: c.access_key_id().to_owned(),
                secret_access_key: c.secret_access_key().to_owned(),
                session_token: c.session_token().map(str::to_owned),
                expires_at: c
                    .expiry()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs() as i64),
                account_id: c.account_id().map(|a| a.as_str().to_owned()),
            }
            .checked(source)
        }
        other => bail!(
            "profile `{profile}`: credential_source `{other}` is not one of {}",
            chain::CREDENTIAL_SOURCES.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names() {
        assert_eq!(sanitize_session_name("alice"), "alice");
        assert_eq!(sanitize_session_name("dom\\alice smith"), "dom-alice-smith");
        assert_eq!(sanitize_session_name("é"), "rolecall");
        assert_eq!(sanitize_session_name(""), "rolecall");
        assert_eq!(sanitize_session_name(&"x".repeat(80)).len(), 64);
    }
}
