//! Plan -> credentials: the cache first, then (only on a miss) a tokio runtime, the MFA code and
//! [`crate::aws`]. One MFA session (GetSessionToken) per access key and `mfa_serial` serves every
//! role hop until it expires, so one code covers a day of role switching. What a person should
//! hear while it works (a wait, a warning) goes to the caller's [`Notify`]: nothing here prints.

use super::cache::{self, Cache};
use super::options::{Options, Outcome};
use super::settings::{Settings, sso_login};
use super::steps::{self, DEFAULT_MFA_SESSION_SECS, Step, StepKind};
use super::{cli_cache, login, mfa, sources};
use crate::aws::http::Http;
use crate::aws::sso;
use crate::aws::sts::{self, ErrorKind, Sts};
use crate::config::Config;
use crate::files::chain::{self, Base, Plan};
use crate::files::merge::Section;
use crate::files::{AwsFiles, Key, ProfileSet};
use crate::types::Credentials;
use crate::types::{Notice, Notify};
use anyhow::{Context, Result, anyhow, bail};

/// The credentials of `profile`: from the cache, or fetched and cached.
pub fn credentials(cfg: &Config, files: &AwsFiles, profile: &str, opts: &Options, notify: Notify) -> Result<Outcome> {
    // STS's own limits, checked before any network call.
    let check = |flag: &str, secs: Option<u64>, max: u64| match secs {
        Some(s) if !(900..=max).contains(&s) => {
            Err(anyhow!("{flag} {s}s: STS accepts 15m (900) to {}h ({max})", max / 3600))
        }
        _ => Ok(()),
    };
    check("--duration", opts.duration, 43_200)?;
    check("--mfa-duration", opts.mfa_duration, 129_600)?;
    super::process::check_nesting(cfg, profile)?;
    let plan = chain::plan_for(files, profile)?;
    for warning in &plan.warnings {
        notify(Notice::Warning(warning.clone()));
    }
    let set = &files.profiles;
    let selected = set.profile(profile).expect("resolved");
    let region = opts.region.clone().or_else(|| selected.get(Key::Region).map(str::to_owned));
    let base = set.profile(plan.base.profile());
    let settings = Settings::new(cfg, set, selected, base, opts.region.as_deref(), opts.no_mfa_session);
    let steps = steps::steps(&plan, &settings, opts);
    if matches!(plan.base, Base::AccessKey { .. } | Base::Vault { .. })
        && steps.session.is_none()
        && plan.hops.is_empty()
    {
        let long_term = plan.base.is_long_term();
        return Ok(Outcome { creds: sources::long_term_keys(cfg, &plan.base, opts.ask.as_ref())?, region, long_term });
    }
    let now = cfg.now();
    let cache = if opts.no_cache { None } else { Some(Cache::open(cfg)?) };
    // --refresh renews every step; an MFA code given renews what takes one (the MFA session, or
    // a role that takes the code itself) and what follows it. Nothing before the first renewed
    // step is fetched again.
    let renewed = steps.steps.iter().position(|s| renews(opts, &s.kind)).unwrap_or(steps.steps.len());
    // The fast path: the last step is cached. No runtime, no SDK.
    let mut start = 0;
    let mut current = None;
    if let Some(cache) = cache.as_ref() {
        for (i, step) in steps.steps.iter().enumerate().take(renewed).rev() {
            if let Some(creds) = step.key.as_deref().and_then(|k| cache.get(k, now, notify)) {
                if i + 1 == steps.steps.len() {
                    return Ok(Outcome { creds, region, long_term: false });
                }
                start = i + 1;
                current = Some(creds);
                break;
            }
        }
    }
    // A console session with nothing after it: its own cache (the aws CLI's), no runtime.
    if let Base::LoginSession { arn, .. } = &plan.base
        && plan.hops.is_empty()
        && !opts.refresh
        && let Some(creds) = login::cache_dir(cfg).and_then(|d| login::cached(&login::cache_path(&d, arn), now))
    {
        return Ok(Outcome { creds, region, long_term: false });
    }
    if opts.cached_only {
        bail!("`{}` has no cached credentials", crate::util::text::printable(profile));
    }
    let run = Run {
        cfg,
        set,
        plan: &plan,
        selected,
        opts,
        settings: &settings,
        session_key: steps.session_key.clone(),
        notify,
    };
    let creds = run.run(&steps.steps, start, current, cache.as_ref())?;
    Ok(Outcome { creds, region, long_term: false })
}

/// The slow path of one fetch.
struct Run<'a> {
    cfg: &'a Config,
    set: &'a ProfileSet,
    plan: &'a Plan<'a>,
    selected: Section<'a>,
    opts: &'a Options,
    settings: &'a Settings,
    /// The cache key of the MFA session (for dropping one AWS refuses).
    session_key: Option<String>,
    notify: Notify<'a>,
}

/// What [`Run::take_turn`] found: an entry fetched by another process, or this one's turn.
enum Turn {
    Served(Credentials),
    Fetch(Option<cache::Lock>),
}

/// Whether `opts` renew a step of this kind: everything with `--refresh`, what takes an MFA code
/// when one is given.
fn renews(opts: &Options, kind: &StepKind) -> bool {
    opts.refresh || (opts.mfa_code.is_some() && kind.mfa().is_some())
}

/// Whether a step may ask a person (there is one, and nothing said not to).
fn asks(source: &mfa::Source) -> bool {
    matches!(source, mfa::Source::Terminal(_))
}

impl<'a> Run<'a> {
    /// Everything from `start` on, under the lock of the last step.
    fn run(
        &self,
        steps: &[Step<'a>],
        start: usize,
        current: Option<Credentials>,
        cache: Option<&Cache>,
    ) -> Result<Credentials> {
        let profile = self.selected.name();
        let source = if self.opts.no_prompt && self.opts.mfa_code.is_none() && self.settings.mfa_process.is_none() {
            mfa::Source::Refuse
        } else {
            mfa::Source::pick(
                self.opts.mfa_code.as_deref(),
                self.settings.mfa_process.as_deref(),
                self.opts.ask.as_ref(),
            )
        };
        if let Some(serial) = steps[start..].iter().find_map(|s| s.kind.mfa())
            && matches!(source, mfa::Source::Refuse)
        {
            let p = crate::util::text::printable(profile);
            bail!(
                "`{p}` needs a new MFA code for {serial} (the MFA session expired): run 'assume {p} --refresh' in a terminal, or set mfa_process"
            );
        }
        let renewing = steps[start..].iter().any(|s| renews(self.opts, &s.kind));
        // Asks a person for a code: those who wait for this process are told so.
        let prompts = asks(&source) && steps[start..].iter().any(|s| s.kind.mfa().is_some());
        let _lock = match (cache, steps.last().and_then(|s| s.key.as_deref())) {
            (Some(cache), Some(key)) => match self.take_turn(cache, key, &source, renewing, prompts)? {
                Turn::Served(creds) => return Ok(creds),
                Turn::Fetch(lock) => lock,
            },
            _ => None,
        };
        let runtime = crate::util::runtime()?;
        let sts = match &self.opts.http_client {
            Some(http) => Sts::with_http_client(self.settings.sts.clone(), http.clone()),
            None => Sts::new(self.settings.sts.clone()),
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
                        match self.take_turn(cache, key, source, renews(self.opts, &step.kind), asks(source))? {
                            Turn::Served(session) => return Ok(session),
                            Turn::Fetch(lock) => lock,
                        }
                    }
                    None => None,
                };
                let creds = &creds;
                let session = with_mfa(source, profile, serial, |code| async move {
                    sts.get_session_token(creds, serial, &code, *duration).await
                })
                .await?;
                let asked = duration.map_or(DEFAULT_MFA_SESSION_SECS, |d| d as u64);
                let session = self.plausible(session, asked, true, "STS GetSessionToken")?;
                if let Some(cache) = cache {
                    cache.put(key, &session)?;
                }
                Ok(session)
            }
            StepKind::Hop { hop, duration, mfa, cli_key } => {
                let creds = current.context("no credentials for AssumeRole")?;
                let name = self.settings.session_name(hop.session_name);
                // Role chaining: a role assumed with temporary credentials lasts an hour at most.
                let chained_max = steps::CHAINED_MAX_SECS as i32;
                let duration = &match duration {
                    Some(d) if *d > chained_max && creds.session_token.is_some() => {
                        (self.notify)(Notice::Warning(format!(
                            "`{}` is assumed with temporary credentials (role chaining), which AWS limits to 1 hour: {} asked, 1 hour given",
                            crate::util::text::printable(hop.profile),
                            crate::util::time::human_duration(*d as u64)
                        )));
                        Some(chained_max)
                    }
                    other => *other,
                };
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
                assumed.creds = self.plausible(assumed.creds, asked, true, "STS AssumeRole")?;
                if let Some(cache) = cache {
                    cache.put(step.key.as_deref().expect("hops have keys"), &assumed.creds)?;
                    if let Err(e) = cli_cache::put(self.cfg, cli_key, &assumed.creds, &assumed.arn, &assumed.role_id) {
                        (self.notify)(Notice::Warning(format!("AWS CLI cache not written: {e:#}")));
                    }
                }
                Ok(assumed.creds)
            }
        }
    }

    /// Wait for `key`'s lock. Someone else may have fetched the entry meanwhile: then it serves
    /// (renewing, only one another process wrote while this one waited: its modification time
    /// differs from the one seen before the wait; what was there before is what this process was
    /// asked to replace). Otherwise the lock, noted with what this process does (asking a person
    /// for an MFA code, or fetching).
    fn take_turn(&self, cache: &Cache, key: &str, source: &mfa::Source, renewing: bool, asking: bool) -> Result<Turn> {
        let seen = cache.modified(key);
        let lock = self.lock(cache, key, source)?;
        let (now, notify) = (self.cfg.now(), self.notify);
        let fetched = if renewing { cache.get_changed(key, now, seen, notify) } else { cache.get(key, now, notify) };
        if let Some(creds) = fetched {
            return Ok(Turn::Served(creds));
        }
        if let Some(lock) = &lock {
            lock.note(if asking { "mfa" } else { "fetching" });
        }
        Ok(Turn::Fetch(lock))
    }

    /// The lock of a cache entry this process is about to fetch. Another process that holds it
    /// is fetching the same thing, perhaps asking a person for an MFA code: this process waits
    /// for it (at most `ROLECALL_LOCK_WAIT`, default 2 minutes, saying so), unless it has a code
    /// of its own (`--mfa-code`, `mfa_process`) and the other one is asking a person for one.
    fn lock(&self, cache: &Cache, key: &str, source: &mfa::Source) -> Result<Option<cache::Lock>> {
        let profile = crate::util::text::printable(self.selected.name());
        if !asks(source) {
            // A process with its own code does not queue behind a person typing one; behind a
            // fetch it waits like any other (that fetch's result is what it needs).
            match cache.lock(key, cache::Wait::Never)? {
                Some(lock) => return Ok(Some(lock)),
                None if cache.lock_note(key).starts_with("mfa") => return Ok(None),
                None => {}
            }
        }
        let bound = self.cfg.lock_wait();
        let asking = std::cell::Cell::new(false);
        let told = |note: &str| {
            let mfa = note.starts_with("mfa");
            asking.set(mfa);
            let what =
                if mfa { "another shell is asking for the MFA code for" } else { "another rolecall is fetching" };
            (self.notify)(Notice::Waiting(format!(
                "{what} `{profile}`: waiting (at most {}; Ctrl-C stops)",
                crate::util::time::human_duration(bound.as_secs())
            )));
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
            ErrorKind::BadCredentials if self.session_key.is_some() => {
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
        let http = || Http::new(self.opts.http_connector.clone(), self.settings.sts.timeout);
        match &self.plan.base {
            Base::AccessKey { .. } => sources::static_keys(&self.plan.base),
            Base::Vault { profile, .. } => crate::vault::read(self.cfg, profile, self.opts.ask.as_ref()).await,
            Base::NamedSource { source, profile } => match chain::credential_source(source).unwrap_or(source) {
                "Environment" => sources::environment(self.cfg, profile),
                "EcsContainer" => sources::container(self.cfg, &http(), profile).await,
                "Ec2InstanceMetadata" => {
                    let client = self.opts.http_client.clone().unwrap_or_else(sts::https_client);
                    sources::instance(self.cfg, client, profile).await
                }
                other => bail!(
                    "profile `{profile}`: credential_source `{other}` is not one of {}",
                    chain::CREDENTIAL_SOURCES.join(", ")
                ),
            },
            Base::Process { command, account_id, profile } => {
                sources::credential_process(self.cfg, command, *account_id, profile)
                    .with_context(|| format!("profile `{profile}`"))
            }
            Base::WebIdentity { role_arn, token_file, session_name: name, profile } => {
                let token = sources::web_identity_token(profile, token_file)?;
                let session = self.settings.session_name(*name);
                let assumed = sts.assume_role_with_web_identity(role_arn, &session, &token).await?;
                self.plausible(assumed.creds, 3600, true, "STS AssumeRoleWithWebIdentity")
            }
            Base::Sso { profile, account_id: None, .. } => bail!(
                "profile `{profile}`: selected profile will resolve an access token instead of credentials \
                 (it has no sso_account_id and sso_role_name)"
            ),
            Base::Sso { profile, session_name, region, start_url, account_id: Some(account), role_name, .. } => {
                let role = role_name.unwrap_or_default();
                let login = sso_login(self.cfg, self.set, Some(self.selected), *session_name, start_url, region, None)?;
                let http = http();
                let token = sso::access_token(self.cfg, &http, &login).await?;
                let creds = sso::role_credentials(&http, &login, &token, account, role)
                    .await
                    .with_context(|| format!("profile `{profile}`"))?;
                // A permission set's session lasts at most 12 h.
                let creds = self.plausible(creds, 12 * 3600, false, "SSO GetRoleCredentials")?;
                // Where the AWS CLI looks before calling the portal itself.
                if !self.opts.no_cache
                    && let Err(e) = cli_cache::put_sso(self.cfg, &sso::role_cache_key(&login, account, role), &creds)
                {
                    (self.notify)(Notice::Warning(format!("AWS CLI cache not written: {e:#}")));
                }
                Ok(creds)
            }
            Base::LoginSession { profile, arn } => {
                let session = login::session(self.cfg, self.set, self.set.profile(profile), arn)?;
                let creds = login::credentials(self.cfg, &session, &http(), self.opts.refresh, self.notify)
                    .await
                    .with_context(|| format!("profile `{profile}`"))?;
                // Console credentials last 15 minutes.
                self.plausible(creds, 900, false, "AWS Sign-In")
            }
        }
    }

    fn plausible(&self, creds: Credentials, asked: u64, exact: bool, what: &str) -> Result<Credentials> {
        let (creds, warning) = check_expiry(creds, self.cfg.now(), asked, exact, what)?;
        if let Some(warning) = warning {
            (self.notify)(Notice::Warning(warning));
        }
        Ok(creds)
    }
}

/// How far this machine's clock may be from AWS's before rolecall says so.
pub const CLOCK_SLACK_SECS: i64 = 300;

/// Check an expiry against what was asked for and the clock: credentials that expired already
/// are refused (the clock here is probably fast); an expiry later than asked for (plus slack) is
/// taken as asked (a year-9999 answer is never cached for good); with `exact` (STS: the length is
/// what was asked), a difference of more than [`CLOCK_SLACK_SECS`] is the clock's skew. The
/// credentials, and what to tell the person.
pub fn check_expiry(
    mut creds: Credentials,
    now: i64,
    asked_secs: u64,
    exact: bool,
    what: &str,
) -> Result<(Credentials, Option<String>)> {
    use crate::util::time::{format_rfc3339, human_duration};
    let Some(expires) = creds.expires_at else { return Ok((creds, None)) };
    let asked = i64::try_from(asked_secs).unwrap_or(i64::MAX / 4);
    let skew = expires - (now + asked);
    if expires <= now {
        bail!(
            "{what} answered credentials that expired already ({}, and it is {} here): is this machine's clock {} fast?",
            format_rfc3339(expires),
            format_rfc3339(now),
            human_duration((now - expires + asked).unsigned_abs())
        );
    }
    let warning = if skew > CLOCK_SLACK_SECS {
        creds.expires_at = Some(now + asked);
        Some(format!(
            "{what} said the credentials last until {}, longer than the {} asked for: taken as {} (or this machine's clock is {} slow)",
            format_rfc3339(expires),
            human_duration(asked_secs),
            human_duration(asked_secs),
            human_duration(skew.unsigned_abs()),
        ))
    } else if exact && skew < -CLOCK_SLACK_SECS {
        Some(format!(
            "this machine's clock is about {} ahead of AWS's ({what} gave {} of the {} asked for): cached credentials will look older than they are",
            human_duration(skew.unsigned_abs()),
            human_duration((expires - now).unsigned_abs()),
            human_duration(asked_secs),
        ))
    } else {
        None
    };
    Ok((creds, warning))
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
