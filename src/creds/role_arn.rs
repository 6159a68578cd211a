//! `eks token --role-arn`: a role assumed with the credentials the token would otherwise be signed
//! with (session `EKSGetTokenAuth`, as `aws eks get-token --role-arn` names it), kept in the cache
//! under the base key and the role like any role, so that kubectl's calls while it lasts need no
//! network. STS's rules apply as ever (a role assumed with temporary credentials lasts an hour).

use crate::aws::sts::{RoleRequest, Sts};
use crate::config::Config;
use crate::files::{ProfileSet, Section};
use crate::types::Credentials;
use anyhow::{Result, bail};

/// The aws CLI's session name for `eks get-token --role-arn`.
pub const SESSION_NAME: &str = "EKSGetTokenAuth";

/// `role_arn`'s credentials, assumed with `base` (the cache first, one fetch at a time).
pub fn assume(
    cfg: &Config,
    set: &ProfileSet,
    profile: Option<Section>,
    base: &Credentials,
    role_arn: &str,
    region: Option<&str>,
) -> Result<Credentials> {
    if !crate::util::arn::is_role_arn(role_arn) {
        bail!(
            "--role-arn {}: not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
            crate::util::text::printable(role_arn)
        );
    }
    let cache = super::cache::Cache::open(cfg)?;
    let key = super::cache::key("role-arn", &[&base.access_key_id, role_arn]);
    let quiet = |_| {};
    if let Some(creds) = cache.get(&key, cfg.now(), &quiet) {
        return Ok(creds);
    }
    let seen = cache.modified(&key);
    let _lock = cache.lock(&key, super::cache::Wait::Always(&|_| {}))?;
    if let Some(creds) = cache.get_changed(&key, cfg.now(), seen, &quiet) {
        return Ok(creds);
    }
    let endpoint = super::settings::endpoint_url(cfg, set, profile);
    let sts = Sts::new(super::settings::sts_settings(cfg, profile, endpoint, region));
    let request =
        RoleRequest { role_arn, session_name: SESSION_NAME, external_id: None, duration_seconds: None, mfa: None };
    let assumed = crate::util::runtime()?.block_on(sts.assume_role(base, &request))?;
    cache.put(&key, &assumed.creds)?;
    Ok(assumed.creds)
}
