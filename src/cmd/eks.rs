//! `rolecall eks token --cluster-name NAME [--profile P]`: the ExecCredential kubectl's exec plugin
//! reads, its token signed with the profile's credentials (the cache first, as `assume` fetches
//! them) or, with no profile, the shell's `AWS_*` keys, so `assume prod; kubectl get pods` acts as
//! prod. No network when the credentials are cached.

use crate::cli::EksTokenArgs;
use crate::config::Config;
use crate::types::Credentials;
use anyhow::Result;
use std::process::ExitCode;

/// The token lasts 14 minutes (the aws CLI's), or less when the credentials end sooner.
const TOKEN_SECS: i64 = 14 * 60;

pub fn token(cfg: &Config, args: EksTokenArgs) -> Result<ExitCode> {
    let files = crate::files::AwsFiles::load(cfg);
    // A profile named, else the shell's keys, else AWS_PROFILE or default.
    let (creds, profile) = match (&args.profile, Credentials::from_env(cfg)) {
        (None, Some(keys)) => (keys, None),
        (named, _) => {
            let profile = named.clone().unwrap_or_else(|| super::profile_or_default(cfg));
            let creds = super::fetch(cfg, &super::load_for_credentials(cfg)?, &profile, &args.creds)?.creds;
            (creds, Some(profile))
        }
    };
    let section = profile.as_deref().and_then(|p| files.profiles.profile(p));
    let region = crate::creds::settings::sdk_region(cfg, section, args.creds.region.as_deref());
    let sts = crate::creds::settings::endpoint_url(cfg, &files.profiles, section)
        .unwrap_or_else(|| crate::aws::eks::sts_url(&region));
    let now = cfg.now();
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.max(0) as u64);
    let url = crate::aws::eks::presigned_url(&creds, &args.cluster_name, &sts, &region, at)?;
    let expires = creds.expires_at.map_or(now + TOKEN_SECS, |t| t.min(now + TOKEN_SECS));
    let version = crate::outputs::exec_credential::api_version(cfg.var("KUBERNETES_EXEC_INFO").as_deref());
    let text = crate::outputs::exec_credential::json(
        version,
        &crate::aws::eks::token(&url),
        &crate::util::time::format_rfc3339(expires),
    );
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
