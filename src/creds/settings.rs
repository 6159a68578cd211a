//! What fetching a profile's credentials takes from the files, the command line and the
//! environment, resolved once before any step runs: where each service is (the shared config's
//! "service-specific endpoints" for STS, IAM, the SSO portal and OIDC), the region, FIPS and
//! dual-stack, the timeout, the MFA session's settings, the role session name.

use crate::aws::endpoint::{self, Configured, Endpoint, Service};
use crate::aws::{sso, sts};
use crate::config::Config;
use crate::files::merge::Section;
use crate::files::{AwsFiles, Key, ProfileSet};
use anyhow::{Context, Result, bail};

/// A service's endpoint as the settings name it: `AWS_ENDPOINT_URL_<ID>`, `AWS_ENDPOINT_URL`, the
/// profile's `[services]` section (`KEY =` / `endpoint_url`), then its `endpoint_url`; none when
/// `ignore_configured_endpoint_urls` is true.
pub fn configured_url(
    cfg: &Config,
    set: &ProfileSet,
    profile: Option<Section>,
    env_id: &str,
    key: &str,
) -> Option<Configured> {
    let ignore = cfg
        .var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .or_else(|| profile?.get("ignore_configured_endpoint_urls").map(str::to_owned))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    let named = |url: String, from: String| Configured { url, from };
    let own = format!("AWS_ENDPOINT_URL_{env_id}");
    let shown = |p: Section| crate::util::text::printable(p.name());
    cfg.var(&own)
        .map(|url| named(url, own.clone()))
        .or_else(|| cfg.var("AWS_ENDPOINT_URL").map(|url| named(url, "AWS_ENDPOINT_URL".into())))
        .or_else(|| {
            let p = profile?;
            let services = p.get("services")?;
            let url = set.other_property("services", services, key, "endpoint_url")?.value.clone();
            Some(named(url, format!("`{key} = endpoint_url` in [services {services}] of profile `{}`", shown(p))))
        })
        .or_else(|| {
            let p = profile?;
            Some(named(p.get("endpoint_url")?.to_owned(), format!("the endpoint_url of profile `{}`", shown(p))))
        })
}

/// The STS endpoint the settings name (the SDK resolves the rest).
pub fn endpoint_url(cfg: &Config, set: &ProfileSet, profile: Option<Section>) -> Option<String> {
    configured_url(cfg, set, profile, "STS", "sts").map(|c| c.url)
}

/// `use_fips_endpoint` / `use_dualstack_endpoint` from the environment or the profile.
fn endpoint_flags(cfg: &Config, profile: Option<Section>) -> (bool, bool) {
    let flag = |var: &str, key: &str| {
        cfg.var(var).or_else(|| profile?.get(key).map(str::to_owned)).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    (flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"), flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
}

/// The endpoint of a service rolecall calls without an SDK client, for `profile` in `region`.
pub fn service_endpoint(
    cfg: &Config,
    set: &ProfileSet,
    profile: Option<Section>,
    service: Service,
    region: &str,
) -> Result<Endpoint> {
    let (fips, dual_stack) = endpoint_flags(cfg, profile);
    let configured = configured_url(cfg, set, profile, service.env_id(), service.config_key());
    endpoint::resolve(service, &endpoint::Params { region, fips, dual_stack, configured })
}

/// The sign-in an SSO profile (or an `[sso-session]` alone, `profile` none) uses, with the
/// portal and OIDC endpoints for its region and the token cache the AWS CLI shares.
pub fn sso_login<'a>(
    cfg: &Config,
    set: &ProfileSet,
    profile: Option<Section>,
    session: Option<&'a str>,
    start_url: &'a str,
    region: &'a str,
    scopes: Option<&'a str>,
) -> Result<sso::Login<'a>> {
    Ok(sso::Login {
        session,
        start_url,
        region,
        scopes,
        portal: service_endpoint(cfg, set, profile, Service::SsoPortal, region)?,
        oidc: service_endpoint(cfg, set, profile, Service::SsoOidc, region)?,
        token_dir: cfg.aws_dir("sso/cache"),
    })
}

/// The region in the SDKs' order: `given` (`--region`), `AWS_REGION`, the profile's,
/// `AWS_DEFAULT_REGION`, else us-east-1.
pub fn sdk_region(cfg: &Config, profile: Option<Section>, given: Option<&str>) -> String {
    given
        .map(str::to_owned)
        .or_else(|| cfg.var("AWS_REGION"))
        .or_else(|| profile?.get(Key::Region).map(str::to_owned))
        .or_else(|| cfg.var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".into())
}

/// How to reach STS for `profile` (or for the environment alone): region in the SDKs' order
/// (`--region`, `AWS_REGION`, the profile, `AWS_DEFAULT_REGION`, us-east-1: the region_override
/// scenario), `ROLECALL_TIMEOUT`, FIPS and dual-stack from the environment or the profile.
pub fn sts_settings(
    cfg: &Config,
    profile: Option<Section>,
    endpoint_url: Option<String>,
    region: Option<&str>,
) -> sts::Settings {
    let region = sdk_region(cfg, profile, region);
    let (fips, dual_stack) = endpoint_flags(cfg, profile);
    sts::Settings { region, endpoint_url, timeout: cfg.timeout(), fips, dual_stack }
}

/// `role_session_name`, else the local user name, as STS allows it: `[\w+=,.@-]{2,64}`.
pub fn session_name(configured: Option<&str>, user: Option<&str>) -> String {
    if let Some(name) = configured {
        return name.to_owned();
    }
    sanitize_session_name(&user.map(str::to_owned).or_else(user_from_passwd).unwrap_or_default())
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

/// Everything a fetch of one profile needs besides its plan, resolved once.
#[derive(Clone, Debug)]
pub struct Settings {
    /// STS for the selected profile.
    pub sts: sts::Settings,
    /// What `sts.endpoint_url` is, for the cache keys (empty: the SDK's own).
    pub endpoint_key: String,
    /// `mfa_session = false` (or `--no-mfa-session`) turns the MFA session off.
    pub mfa_session: bool,
    /// `mfa_session_duration`, of the selected profile or the base's.
    pub mfa_session_secs: Option<u64>,
    /// `mfa_process`, of the selected profile or the base's.
    pub mfa_process: Option<String>,
    /// The role session name when a hop has none of its own.
    pub user: Option<String>,
    /// The access key id in the environment (for `credential_source = Environment` cache keys).
    pub env_access_key: String,
    /// The access key id of a vaulted base, from the vault's index (for cache keys: no keyring).
    pub vault_key_id: Option<String>,
}

impl Settings {
    /// The settings for `selected`, whose chain's base is in `base` (the same profile or another).
    pub fn new(
        cfg: &Config,
        set: &ProfileSet,
        selected: Section,
        base: Option<Section>,
        region: Option<&str>,
        no_mfa_session: bool,
    ) -> Settings {
        let setting = |name: &str| selected.get(name).or_else(|| base?.get(name)).map(str::to_owned);
        let endpoint = endpoint_url(cfg, set, Some(selected));
        Settings {
            endpoint_key: endpoint.clone().unwrap_or_default(),
            sts: sts_settings(cfg, Some(selected), endpoint, region),
            mfa_session: !no_mfa_session
                && !selected.get("mfa_session").is_some_and(|v| v.eq_ignore_ascii_case("false")),
            mfa_session_secs: setting("mfa_session_duration").and_then(|v| crate::util::time::parse_duration(&v)),
            mfa_process: setting("mfa_process"),
            user: cfg.user(),
            env_access_key: cfg.var("AWS_ACCESS_KEY_ID").unwrap_or_default(),
            vault_key_id: base
                .filter(|b| crate::files::chain::points_at_vault(*b))
                .and_then(|b| crate::vault::key_id(cfg, b.name())),
        }
    }

    /// The session name of a hop.
    pub fn session_name(&self, configured: Option<&str>) -> String {
        session_name(configured, self.user.as_deref())
    }
}

/// The sign-in `rolecall login` does for a profile (default: `AWS_PROFILE`, else `default`) or
/// an `[sso-session]`: a profile that only signs in (no account and role) is enough.
pub fn login_for<'a>(
    cfg: &Config,
    files: &'a AwsFiles,
    profile: Option<&str>,
    session: Option<&'a str>,
) -> Result<sso::Login<'a>> {
    let set = &files.profiles;
    if let Some(name) = session {
        let section =
            set.sso_session(name).with_context(|| format!("no [sso-session {name}] in {}", files.config.display))?;
        let get = |key: Key| section.get(key).with_context(|| format!("[sso-session {name}] has no {}", key.as_str()));
        return sso_login(
            cfg,
            set,
            None,
            Some(section.name()),
            get(Key::SsoStartUrl)?,
            get(Key::SsoRegion)?,
            section.get("sso_registration_scopes"),
        );
    }
    let name = profile.map(str::to_owned).or_else(|| cfg.var("AWS_PROFILE"));
    let name = name.unwrap_or_else(|| "default".to_owned());
    let Some(section) = set.profile(&name) else {
        return Err(crate::files::chain::plan_for(files, &name)
            .err()
            .unwrap_or_else(|| anyhow::anyhow!("profile not found")));
    };
    // A profile that only signs in (no account and role) is what `login` is for: the chain, not
    // the credentials check.
    let plan = crate::files::chain::resolve(set, section.name())
        .map_err(|e| anyhow::anyhow!("{e} (run 'rolecall doctor')"))?;
    let crate::files::chain::Base::Sso { session_name, region, start_url, .. } = plan.base else {
        bail!("profile `{name}` does not sign in through IAM Identity Center (no sso_session or sso_start_url)");
    };
    let scopes = session_name.and_then(|s| set.sso_session(s)).and_then(|s| s.get("sso_registration_scopes"));
    sso_login(cfg, set, Some(section), session_name, start_url, region, scopes)
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
        assert_eq!(session_name(None, Some("bob")), "bob");
        assert_eq!(session_name(Some("mine"), Some("bob")), "mine");
    }

    #[test]
    fn endpoints_from_the_settings() {
        let cfg =
            Config::from_vars([("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:1"), ("AWS_USE_FIPS_ENDPOINT", "true")]);
        let set = ProfileSet::default();
        let iam = service_endpoint(&cfg, &set, None, Service::Iam, "eu-west-1").unwrap();
        assert_eq!(iam.url, "http://127.0.0.1:1");
        let portal = service_endpoint(&cfg, &set, None, Service::SsoPortal, "eu-west-1").unwrap();
        assert_eq!(portal.url, "https://portal.sso-fips.eu-west-1.amazonaws.com");
        let sts = sts_settings(&Config::from_vars([("AWS_DEFAULT_REGION", "ap-south-1")]), None, None, None);
        assert_eq!(sts.region, "ap-south-1");
    }
}
