//! A chain (from [`crate::files::chain`]) as the steps that fetch its credentials, each with the
//! cache key that names everything it depends on: the base (keys, environment, instance role,
//! credential_process, web identity, SSO), the MFA session when a step needs MFA and the base is
//! an IAM user's long-term keys, then each role hop. The last cached step is where the work
//! resumes. No network here.

use super::cache;
use super::cli_cache;
use super::options::Options;
use super::settings::Settings;
use crate::files::chain::{Base, Plan, RoleHop};

/// The MFA session lasts 12 h unless `mfa_session_duration` or `--mfa-duration` says otherwise.
pub const DEFAULT_MFA_SESSION_SECS: u64 = 12 * 3600;

/// One thing to do to get from the previous credentials to the next.
#[derive(Debug)]
pub struct Step<'a> {
    /// Where its result is cached (none for a base read from the files).
    pub key: Option<String>,
    pub kind: StepKind<'a>,
}

#[derive(Debug)]
pub enum StepKind<'a> {
    Base,
    /// GetSessionToken with the device's code.
    Session {
        serial: &'a str,
        duration: Option<i32>,
    },
    /// AssumeRole, with the code itself when there is no session (`mfa`).
    Hop {
        hop: &'a RoleHop<'a>,
        duration: Option<i32>,
        mfa: Option<&'a str>,
        cli_key: String,
    },
}

impl StepKind<'_> {
    /// The MFA device whose code this step needs, if any.
    pub fn mfa(&self) -> Option<&str> {
        match self {
            StepKind::Session { serial, .. } => Some(serial),
            StepKind::Hop { mfa, .. } => *mfa,
            StepKind::Base => None,
        }
    }
}

/// The steps of `plan`, and the MFA session it uses (its device and cache key), if any.
pub struct Steps<'a> {
    pub steps: Vec<Step<'a>>,
    pub session: Option<&'a str>,
    pub session_key: Option<String>,
}

/// The longest a role assumed with temporary credentials lasts (STS's role-chaining limit, which
/// applies to credentials from GetSessionToken too).
pub const CHAINED_MAX_SECS: u64 = 3600;

/// What the base is, for cache keys (never a secret: the access key id at most).
fn base_identity(plan: &Plan, settings: &Settings) -> Vec<String> {
    match &plan.base {
        Base::AccessKey { access_key_id, .. } => vec!["keys".into(), access_key_id.to_string()],
        Base::NamedSource { source, .. } => {
            let mut id = vec!["source".into(), source.to_string()];
            if *source == "Environment" {
                id.push(settings.env_access_key.clone());
            }
            id
        }
        Base::WebIdentity { role_arn, token_file, .. } => {
            vec!["web".into(), role_arn.to_string(), token_file.to_string()]
        }
        Base::Sso { start_url, account_id, role_name, .. } => {
            vec!["sso".into(), start_url.to_string(), account_id.unwrap_or("").into(), role_name.unwrap_or("").into()]
        }
        Base::LoginSession { arn, .. } => vec!["login".into(), arn.to_string()],
        Base::Process { command, .. } => vec!["process".into(), command.to_string()],
        // The same key as before `vault import` (the index has its id): the cache stays valid.
        Base::Vault { profile, .. } => match &settings.vault_key_id {
            Some(id) => vec!["keys".into(), id.clone()],
            None => vec!["vault".into(), profile.to_string()],
        },
    }
}

fn clamp_i32(secs: u64) -> i32 {
    i32::try_from(secs).unwrap_or(i32::MAX)
}

/// The lifetime each hop asks for: its `duration_seconds`, and `--duration` for the last one.
fn hop_durations(plan: &Plan, opts: &Options) -> Vec<(Option<u64>, Option<u64>)> {
    let last_hop = plan.hops.len();
    plan.hops
        .iter()
        .enumerate()
        .map(|(i, hop)| {
            let configured = hop.duration_seconds.and_then(|d| d.trim().parse::<u64>().ok());
            let asked = if i + 1 == last_hop { opts.duration.or(configured) } else { configured };
            (configured, asked)
        })
        .collect()
}

/// The steps that fetch `plan`'s credentials with `settings` and the command line's `opts`.
///
/// Role chaining: a role assumed with temporary credentials, GetSessionToken's included, lasts
/// at most an hour. So when the first role is asked for longer, it is assumed straight from the
/// IAM user's long-term keys with the MFA code (no MFA session: one code for that role's session,
/// cached for its life); a later hop asked for longer is capped when it runs (see `fetch`).
pub fn steps<'a>(plan: &'a Plan<'a>, settings: &Settings, opts: &Options) -> Steps<'a> {
    let durations = hop_durations(plan, opts);
    let first_is_long = opts.direct || durations.first().and_then(|d| d.1).is_some_and(|d| d > CHAINED_MAX_SECS);
    // The device of an IAM user's long-term keys (theirs, or the first role's that has one).
    let device = match &plan.base {
        base if base.is_long_term() => base.user_mfa_serial().or_else(|| plan.hops.iter().find_map(|h| h.mfa_serial)),
        _ => None,
    };
    // GetSessionToken needs an IAM user's long-term keys, and its roles are chained.
    let session = device.filter(|_| settings.mfa_session && !first_is_long);
    // Without a session, a long first role takes the code itself.
    let direct = device.filter(|_| settings.mfa_session && first_is_long);
    let identity = base_identity(plan, settings);
    let session_key = session.map(|serial| cache::key("session", &[&settings.endpoint_key, &identity[1], serial]));
    let mut parts = vec![settings.endpoint_key.clone()];
    parts.extend(identity);
    let key = |parts: &[String], kind| {
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        cache::key(kind, &refs)
    };
    // Bases that are fetched (not read from the files) are cached like a role.
    let base_key = match plan.base {
        Base::WebIdentity { .. } => Some(key(&parts, "web")),
        Base::Sso { .. } => Some(key(&parts, "sso")),
        _ => None,
    };
    let mut steps = vec![Step { key: base_key, kind: StepKind::Base }];
    if let Some(serial) = session {
        let duration = if plan.hops.is_empty() { opts.duration } else { None }
            .or(opts.mfa_duration)
            .or(settings.mfa_session_secs)
            .unwrap_or(DEFAULT_MFA_SESSION_SECS);
        steps.push(Step {
            key: session_key.clone(),
            kind: StepKind::Session { serial, duration: Some(clamp_i32(duration)) },
        });
        parts.push(format!("mfa:{serial}"));
    }
    for (i, (hop, &(configured, duration))) in plan.hops.iter().zip(&durations).enumerate() {
        if i == 0
            && let Some(serial) = direct
        {
            parts.push(format!("mfa-direct:{serial}"));
        }
        parts.extend([
            hop.role_arn.to_owned(),
            hop.external_id.unwrap_or("").to_owned(),
            settings.session_name(hop.session_name),
            duration.map(|d| d.to_string()).unwrap_or_default(),
        ]);
        let cli_key = cli_cache::key(&cli_cache::KeyArgs {
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
                mfa: match (session, direct) {
                    (Some(_), _) => None,
                    (None, Some(serial)) => (i == 0).then_some(serial),
                    (None, None) => hop.mfa_serial,
                },
                cli_key,
            },
        });
    }
    Steps { steps, session, session_key }
}
