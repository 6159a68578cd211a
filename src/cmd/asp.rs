//! `rolecall asp [PROFILE|-]`: select a profile only (oh-my-zsh's habit). Sets AWS_PROFILE and
//! clears credential variables so the SDKs resolve the profile themselves; no STS call.

use crate::shell::env::{EnvChange, Format, Snapshot};
use anyhow::{Result, bail};
use std::process::ExitCode;

/// The change that selects `profile` in a shell that holds `before`, in `region` if given, else
/// the profile's.
pub fn selected(
    files: &crate::files::AwsFiles,
    profile: &str,
    region: Option<&str>,
    before: &Snapshot,
) -> Result<EnvChange> {
    crate::creds::fetch::plan(files, profile)?;
    let region = region.or_else(|| files.profiles.profile(profile).and_then(|p| p.get(crate::files::Key::Region)));
    crate::ui::recent::touch(profile);
    Ok(EnvChange::select_only(profile, region, before))
}

pub fn run(profile: Option<&str>, shell: Option<Format>, unset: bool) -> Result<ExitCode> {
    let Some(shell) = shell else {
        bail!("rolecall asp prints shell code: use the `asp` function of `rolecall init <shell>`, or pass --shell");
    };
    let before = Snapshot::from_process();
    let env = if unset {
        EnvChange::unset_all(&before)
    } else {
        let profile = super::assume::target(profile)?;
        selected(&super::load_checked()?, &profile, None, &before)?
    };
    let text = env.render(shell)?;
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
