//! `rolecall export PROFILE`: the profile's credentials for tools that read only files or
//! `.env` ([`crate::shell::export`]'s formats, on stdout), or written into the credentials file
//! as another profile (`--to-profile NAME`, through the lossless editor).

use crate::cli::{ExportArgs, ExportFormat};
use crate::config::Config;
use crate::files::chain::{self, Base};
use crate::files::change::{Files, verify_pairs};
use crate::files::{FileKind, Key};
use crate::shell::export;
use crate::util::text::printable;
use crate::util::time::format_rfc3339;
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(cfg: &Config, args: ExportArgs) -> Result<ExitCode> {
    let files = super::load_for_credentials(cfg)?;
    let profile = args.profile.as_str();
    if let Some(name) = &args.to_profile {
        crate::files::validate::check_name(name)?;
        // Checked before any fetch: a refusal costs no STS call and no MFA code.
        let plan = crate::creds::fetch::plan(&files, profile)?;
        if plan.chain.contains(&name.as_str()) {
            bail!(
                "`{}` is in `{}`'s own chain (its credentials come from there): write to another profile",
                printable(name),
                printable(profile)
            );
        }
        // Long-term keys are told by the key itself (an IAM user's `AKIA…`, not a session's
        // `ASIA…`), wherever it is written: a stray aws_session_token beside it changes nothing.
        if let Some(key) = files.profiles.profile(name).and_then(|p| p.get_value(Key::AccessKeyId))
            && !crate::util::arn::is_temporary_key_id(key.value)
            && !args.force
        {
            let file = if key.origin.file == FileKind::Config { &files.config } else { &files.credentials };
            bail!(
                "`{}` holds long-term keys in {}: not replaced (pass --force to replace them)",
                printable(name),
                file.display
            );
        }
    }
    let outcome = super::fetch(cfg, &files, profile, &args.creds)?;
    let (creds, region) = (&outcome.creds, outcome.region.as_deref());
    let Some(name) = &args.to_profile else {
        let text = match args.format {
            ExportFormat::Env => export::env(creds, region)?,
            ExportFormat::Dotenv => export::dotenv(creds, region)?,
            ExportFormat::Json => export::json(creds, region),
            ExportFormat::Ini => {
                let note = match creds.expires_at {
                    Some(t) => format!("rolecall export {profile}: until {}", format_rfc3339(t)),
                    None => format!("rolecall export {profile}: long-term keys"),
                };
                export::ini(profile, creds, region, &note)?
            }
        };
        super::write_stdout(|out| out.write_all(text.as_bytes()))?;
        return Ok(ExitCode::SUCCESS);
    };
    let (Some(token), Some(expires)) = (&creds.session_token, creds.expires_at) else {
        bail!(
            "`{}` gives long-term keys: --to-profile writes temporary credentials only (name the profile itself instead)",
            printable(profile)
        );
    };
    let note = format!(
        "rolecall export {profile}: temporary credentials until {}, written {}",
        format_rfc3339(expires),
        format_rfc3339(cfg.now())
    );
    let pairs = [
        ("aws_access_key_id", creds.access_key_id.as_str()),
        ("aws_secret_access_key", creds.secret_access_key.as_str()),
        ("aws_session_token", token.as_str()),
    ];
    let name = name.as_str();
    super::change_files(
        cfg,
        |files: &mut Files, _| {
            for (key, value) in pairs {
                files.credentials.set(name, key, value)?;
            }
            files.credentials.set_note(name, "rolecall export", &note).map(drop)
        },
        |after| {
            verify_pairs(after, name, &pairs)?;
            // The SDKs must read these keys for NAME, not a role or SSO login it also has.
            match chain::resolve(after, name) {
                Ok(plan) if plan.hops.is_empty() && matches!(plan.base, Base::AccessKey { .. }) => Ok(()),
                _ => bail!(
                    "`{name}` also has a role, an SSO login or a credential_process, which the SDKs use before keys: choose another name"
                ),
            }
        },
    )?;
    eprintln!(
        "rolecall: `{}` now holds `{}`'s temporary credentials, until {}",
        printable(name),
        printable(profile),
        format_rfc3339(expires)
    );
    Ok(ExitCode::SUCCESS)
}
