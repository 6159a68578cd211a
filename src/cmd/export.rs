//! `rolecall export PROFILE`: the profile's credentials for tools that read only files or
//! `.env` ([`crate::outputs::export`]'s formats, on stdout), or written into the credentials file
//! as another profile (`--to-profile NAME`, [`crate::files::copy`]).

use crate::cli::ExportArgs;
use crate::config::Config;
use crate::files::copy;
use crate::util::text::printable;
use crate::util::time::format_rfc3339;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: ExportArgs) -> Result<ExitCode> {
    let files = super::load_for_credentials(cfg)?;
    let profile = args.profile.as_str();
    if let Some(name) = &args.to_profile {
        copy::check_target(&files, profile, name, args.force)?;
    }
    let outcome = super::fetch(cfg, &files, profile, &args.creds)?;
    let creds = &outcome.creds;
    let Some(name) = &args.to_profile else {
        let text = crate::outputs::export::render(args.format, profile, creds, outcome.region.as_deref())?;
        super::write_stdout(|out| out.write_all(text.as_bytes()))?;
        return Ok(ExitCode::SUCCESS);
    };
    super::said(&copy::write_temporary(cfg, &crate::ui::notice, profile, name, creds)?);
    let until = creds.expires_at.map(format_rfc3339).unwrap_or_default();
    eprintln!(
        "rolecall: `{}` now holds `{}`'s temporary credentials, until {until}",
        printable(name),
        printable(profile)
    );
    Ok(ExitCode::SUCCESS)
}
