//! A switch of the shell's profile, as `assume`, `asp` and a directory's `.awsprofile` make it:
//! the [`EnvChange`] from what the shell holds to the profile, noted in the recent list (and,
//! for credentials, their expiry, for the picker).

use crate::config::Config;
use crate::creds::options::Outcome;
use crate::files::AwsFiles;
use crate::shell::env::{EnvChange, Snapshot};
use anyhow::Result;

/// The change that puts `profile`'s fetched credentials in a shell that holds `before`.
pub fn assumed(cfg: &Config, profile: &str, outcome: &Outcome, before: &Snapshot) -> EnvChange {
    crate::creds::recent::touch(cfg, profile);
    if let Some(expires_at) = outcome.creds.expires_at {
        crate::creds::recent::note_expiry(cfg, profile, expires_at);
    }
    EnvChange::assume(profile, &outcome.creds, outcome.region.as_deref(), before)
}

/// The change that selects `profile` (no credentials: the SDKs resolve it) in a shell that holds
/// `before`, in `region` if given, else the profile's.
pub fn selected(
    cfg: &Config,
    files: &AwsFiles,
    profile: &str,
    region: Option<&str>,
    before: &Snapshot,
) -> Result<EnvChange> {
    crate::files::chain::plan_for(files, profile)?;
    let region = region.or_else(|| files.profiles.profile(profile).and_then(|p| p.get(crate::files::Key::Region)));
    crate::creds::recent::touch(cfg, profile);
    Ok(EnvChange::select_only(profile, region, before))
}
