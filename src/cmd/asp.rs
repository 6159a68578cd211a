//! `rolecall asp [PROFILE|-]`: select a profile only (oh-my-zsh's habit). Sets AWS_PROFILE and
//! clears credential variables so the SDKs resolve the profile themselves; no STS call.

use crate::cli::AspArgs;
use crate::config::Config;
use crate::shell::env::{EnvChange, Snapshot};
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(cfg: &Config, args: AspArgs) -> Result<ExitCode> {
    let Some(shell) = args.shell.map(super::format) else {
        bail!("rolecall asp prints shell code: use the `asp` function of `rolecall init <shell>`, or pass --shell");
    };
    let before = Snapshot::from_config(cfg);
    let env = if args.unset {
        EnvChange::unset_all(&before)
    } else {
        let profile = super::target(cfg, args.profile.as_deref())?;
        crate::shell::switch::selected(cfg, &super::load_checked(cfg)?, &profile, None, &before)?
    };
    let text = env.render(shell)?;
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
