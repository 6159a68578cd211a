//! `rolecall setup`: the zero state. No AWS files yet: create `~/.aws` (0700) and both files
//! (0600), walk through a first profile (keys, region, output) and, if wanted, a role with MFA
//! ([`crate::ui::setup`]'s questions), then run the doctor.

use crate::config::Config;
use crate::files::AwsFiles;
use crate::files::change::set_pairs;
use crate::files::validate::check_name;
use crate::ui::setup;
use crate::ui::tty::Tty;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config) -> Result<ExitCode> {
    let files = AwsFiles::load(cfg);
    if files.any_exists() {
        eprintln!(
            "rolecall: already set up ({} or {} exists): 'rolecall configure' changes a profile, 'rolecall doctor' checks them",
            files.config.display, files.credentials.display
        );
        return Ok(ExitCode::SUCCESS);
    }
    let tty = Tty::require(
        "setup asks questions on a terminal; without one, use 'rolecall configure PROFILE --access-key-id … --secret-access-key-stdin'",
    )?;
    tty.write(&format!(
        "No AWS files yet: rolecall creates {} and {}.\r\nYour first profile holds an IAM user's access key (from the IAM console: Security credentials).\r\n",
        files.config.display, files.credentials.display
    ))?;
    // Each answer is asked until it is valid: nothing typed before is lost.
    let profile = crate::ui::ask::until_valid(&tty, "Profile name", "default", &check_name)?;
    let pairs = crate::ui::ask::basics(&tty, &files.profiles, &profile)?;
    let device = setup::check_key(cfg, &tty, &pairs)?;
    let role = setup::role(&tty, &profile, device.as_deref())?;
    if !pairs.is_empty() {
        super::said(&set_pairs(cfg, &crate::ui::notice, &profile, &pairs)?);
    }
    if let Some((name, role)) = &role {
        super::said(&set_pairs(cfg, &crate::ui::notice, name, role)?);
    }
    // Both files exist afterwards (empty when nothing went into one), private.
    crate::files::save::create_missing(cfg, &crate::ui::notice, &files)?;
    // Keys in plain text: offer the vault rather than end on the doctor's warning about them.
    if pairs.iter().any(|(k, _)| *k == "aws_secret_access_key") {
        setup::offer_vault(cfg, &tty, &profile)?;
    }
    tty.write("\r\n")?;
    // What `rolecall doctor` says about the new files.
    let files = AwsFiles::load(cfg);
    let findings = crate::files::doctor::check(&files);
    super::print_findings(cfg, &files, &findings, false)
}
