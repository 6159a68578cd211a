//! `rolecall configure`: what `aws configure --profile` does (keys to the credentials file,
//! region and output to the config file; on a terminal it asks, showing current values masked),
//! plus `configure role`, `configure set` and `configure unset`. Every change goes through
//! [`crate::files::change`]: only the lines concerned change, the result is read back and
//! checked, the files are replaced atomically.

use crate::cli::{ConfigureAction, ConfigureArgs, RoleArgs};
use crate::config::Config;
use crate::files::change::{Files, file_for, verify_pairs};
use crate::files::validate::{Pairs, check_name, check_pair};
use crate::files::{FileKind, ProfileSet};
use crate::ui::tty::Tty;
use crate::util::text::printable;
use anyhow::{Context, Result, bail};
use std::io::BufRead;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: ConfigureArgs) -> Result<ExitCode> {
    match args.action {
        Some(ConfigureAction::Role(role)) => self::role(cfg, &role),
        Some(ConfigureAction::Set { profile, key, value }) => set(cfg, &profile, &key, &value),
        Some(ConfigureAction::Unset { profile, key }) => unset(cfg, &profile, &key),
        None => basics(cfg, &args),
    }
}

/// `configure [PROFILE]`: flags, or questions on the terminal.
fn basics(cfg: &Config, args: &ConfigureArgs) -> Result<ExitCode> {
    let profile = args.profile.as_deref().unwrap_or("default");
    check_name(profile)?;
    let mut pairs: Pairs = Vec::new();
    let flags =
        args.access_key_id.is_some() || args.secret_access_key_stdin || args.region.is_some() || args.output.is_some();
    if flags {
        if let Some(id) = &args.access_key_id {
            pairs.push(("aws_access_key_id", id.clone()));
        }
        if args.secret_access_key_stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("cannot read the secret from standard input")?;
            pairs.push(("aws_secret_access_key", line.trim_end_matches(['\n', '\r']).to_owned()));
        }
        if let Some(region) = &args.region {
            if let Some(w) = crate::aws::endpoint::region_warning(region) {
                eprintln!("rolecall: warning: {w}");
            }
            pairs.push(("region", region.clone()));
        }
        if let Some(output) = &args.output {
            pairs.push(("output", output.clone()));
        }
    } else {
        let tty = Tty::require("pass --access-key-id, --secret-access-key-stdin, --region or --output")?;
        pairs = crate::ui::ask::basics(&tty, &crate::files::AwsFiles::load(cfg).profiles, profile)?;
    }

    let files = crate::files::AwsFiles::load(cfg);
    let current = files.profiles.profile(profile);
    let has = |key: &str| pairs.iter().any(|(k, _)| *k == key) || current.is_some_and(|p| p.get(key).is_some());
    if has("aws_access_key_id") != has("aws_secret_access_key") {
        bail!("{profile} would have an access key id without a secret, or the reverse: give both");
    }
    if pairs.is_empty() {
        eprintln!("rolecall: nothing to change");
        return Ok(ExitCode::SUCCESS);
    }
    super::said(&crate::files::change::set_pairs(cfg, &crate::ui::notice, profile, &pairs)?);
    Ok(ExitCode::SUCCESS)
}

/// `configure role NAME --source-profile SRC --role-arn ARN …`
/// The role profile's pairs from the arguments, each checked.
fn role_pairs(args: &RoleArgs) -> Result<Pairs> {
    check_name(&args.name)?;
    if args.name == args.source_profile {
        bail!("a profile cannot be its own source_profile");
    }
    if let Some(d) = args.duration_seconds
        && !(900..=43200).contains(&d)
    {
        bail!("--duration-seconds {d}: STS takes 900 to 43200");
    }
    let mut pairs: Pairs = vec![("source_profile", args.source_profile.clone()), ("role_arn", args.role_arn.clone())];
    let optional = [
        ("mfa_serial", args.mfa_serial.clone()),
        ("external_id", args.external_id.clone()),
        ("region", args.region.clone()),
        ("duration_seconds", args.duration_seconds.map(|d| d.to_string())),
        ("role_session_name", args.role_session_name.clone()),
    ];
    pairs.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
    for (key, value) in &pairs {
        check_pair(key, value)?;
    }
    Ok(pairs)
}

fn role(cfg: &Config, args: &RoleArgs) -> Result<ExitCode> {
    let pairs = role_pairs(args)?;
    let files = crate::files::AwsFiles::load(cfg);
    if files.profiles.profile(&args.source_profile).is_none() {
        bail!(
            "{}",
            crate::util::text::not_found(
                "source profile",
                &args.source_profile,
                files.profiles.profiles().map(|p| p.name())
            )
        );
    }
    let name = args.name.as_str();
    let expected: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    super::change_files(
        cfg,
        |files: &mut Files, _| {
            for (key, value) in &pairs {
                files.config.set(name, key, value)?;
            }
            Ok(())
        },
        |after: &ProfileSet| {
            verify_pairs(after, name, &expected)?;
            // The chain must resolve: no cycle through the new profile, a usable source.
            crate::files::chain::resolve(after, name).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            Ok(())
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `configure set PROFILE KEY VALUE` (`-`: the value from standard input).
fn set(cfg: &Config, profile: &str, key: &str, value: &str) -> Result<ExitCode> {
    check_name(profile)?;
    let key = key.to_ascii_lowercase();
    let key = if key == "mfa_arn" {
        eprintln!("rolecall: writing mfa_serial, the key the SDKs and the AWS CLI read (mfa_arn is ignored by them)");
        "mfa_serial".to_owned()
    } else {
        key
    };
    let value = if value == "-" {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the value from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        value.to_owned()
    };
    check_pair(&key, &value)?;
    if key == "region"
        && let Some(w) = crate::aws::endpoint::region_warning(&value)
    {
        eprintln!("rolecall: warning: {w}");
    }
    if key == "sso_session" {
        let files = crate::files::AwsFiles::load(cfg);
        if files.profiles.sso_session(&value).is_none() {
            let known = files.profiles.sso_sessions().map(|s| s.name().to_owned()).collect::<Vec<_>>();
            let hint = crate::util::text::did_you_mean(&value, known.iter().map(String::as_str))
                .map(|n| format!(": did you mean `{n}`?"))
                .unwrap_or_else(|| {
                    format!(" (add one: [sso-session {}] with sso_start_url and sso_region)", printable(&value))
                });
            eprintln!(
                "rolecall: warning: there is no [sso-session {}] in {}{hint}",
                printable(&value),
                files.config.display
            );
        }
    }
    let kind = file_for(&key);
    super::change_files(
        cfg,
        |files: &mut Files, _| files.file(kind).set(profile, &key, &value).map(drop),
        |after: &ProfileSet| verify_pairs(after, profile, &[(key.as_str(), value.as_str())]),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `configure unset PROFILE KEY`: from both files.
fn unset(cfg: &Config, profile: &str, key: &str) -> Result<ExitCode> {
    let key = key.to_ascii_lowercase();
    super::change_files(
        cfg,
        |files: &mut Files, _| {
            for kind in [FileKind::Config, FileKind::Credentials] {
                files.file(kind).unset(profile, &key)?;
            }
            Ok(())
        },
        |after: &ProfileSet| match after.profile(profile).and_then(|p| p.get(key.as_str())) {
            None => Ok(()),
            Some(_) => bail!("{key} of {profile} is still set after the edit"),
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
