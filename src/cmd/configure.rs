//! `rolecall configure`: what `aws configure --profile` does (keys to the credentials file,
//! region and output to the config file; on a terminal it asks, showing current values masked),
//! plus `configure role`, `configure set` and `configure unset`. Every change goes through
//! [`super::editing::change`]: only the lines concerned change, the result is read back and
//! checked, the files are replaced atomically.

use super::editing::{self, Files, file_for};
use crate::cli::{ConfigureAction, ConfigureArgs, RoleArgs};
use crate::files::{FileKind, ProfileSet};
use crate::ui::tty::{Echo, Tty};
use anyhow::{Context, Result, bail};
use std::io::BufRead;
use std::process::ExitCode;

const OUTPUTS: &[&str] = &["json", "text", "table", "yaml", "yaml-stream"];

pub fn run(args: ConfigureArgs) -> Result<ExitCode> {
    match args.action {
        Some(ConfigureAction::Role(role)) => self::role(&role),
        Some(ConfigureAction::Set { profile, key, value }) => set(&profile, &key, &value),
        Some(ConfigureAction::Unset { profile, key }) => unset(&profile, &key),
        None => basics(&args),
    }
}

/// (key, value) pairs with the key in the file where it belongs.
pub(super) type Pairs = Vec<(&'static str, String)>;

pub(super) fn check_name(profile: &str) -> Result<()> {
    if profile.is_empty() || !crate::files::merge::is_identifier(profile) {
        bail!("profile name {profile:?}: use letters, digits and _-/.%@:+");
    }
    Ok(())
}

pub(super) fn check_pair(key: &str, value: &str) -> Result<()> {
    let ok = match key {
        "aws_access_key_id" => {
            (16..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }
        "aws_secret_access_key" => !value.is_empty() && !value.contains(char::is_whitespace),
        "region" => {
            !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }
        "output" => OUTPUTS.contains(&value),
        "role_arn" => crate::util::arn::is_role_arn(value),
        "mfa_serial" => crate::util::arn::is_mfa_serial(value),
        _ => true,
    };
    if !ok {
        let why = match key {
            "aws_access_key_id" => "an access key id is 16 or more upper-case letters and digits (AKIA…)",
            "aws_secret_access_key" => "a secret access key has no spaces",
            "region" => "a region looks like eu-west-1",
            "output" => "use json, text, table, yaml or yaml-stream",
            "role_arn" => "expected arn:aws:iam::123456789012:role/NAME",
            _ => "expected arn:aws:iam::123456789012:mfa/NAME or a device serial number",
        };
        let shown = if key == "aws_secret_access_key" { "(hidden)".to_owned() } else { format!("{value:?}") };
        bail!("{key} {shown}: {why}");
    }
    Ok(())
}

/// Write `pairs` to `profile`, then check that the files say exactly that.
pub(super) fn write(profile: &str, pairs: &Pairs) -> Result<()> {
    for (key, value) in pairs {
        check_pair(key, value)?;
    }
    editing::change(
        |files: &mut Files, _| {
            for (key, value) in pairs {
                files.file(file_for(key)).set(profile, key, value)?;
            }
            Ok(())
        },
        |after: &ProfileSet| {
            let section = after.profile(profile).context("the profile is missing after the edit")?;
            for (key, value) in pairs {
                if section.get(*key) != Some(value.as_str()) {
                    bail!("{key} of {profile} does not read back as written");
                }
            }
            Ok(())
        },
    )?;
    Ok(())
}

/// `configure [PROFILE]`: flags, or questions on the terminal.
fn basics(args: &ConfigureArgs) -> Result<ExitCode> {
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
            if let Some(w) = region_warning(region) {
                eprintln!("rolecall: warning: {w}");
            }
            pairs.push(("region", region.clone()));
        }
        if let Some(output) = &args.output {
            pairs.push(("output", output.clone()));
        }
    } else {
        let tty = Tty::require("pass --access-key-id, --secret-access-key-stdin, --region or --output")?;
        pairs = ask_basics(&tty, profile)?;
    }

    let files = crate::files::AwsFiles::load();
    let current = files.profiles.profile(profile);
    let has = |key: &str| pairs.iter().any(|(k, _)| *k == key) || current.is_some_and(|p| p.get(key).is_some());
    if has("aws_access_key_id") != has("aws_secret_access_key") {
        bail!("{profile} would have an access key id without a secret, or the reverse: give both");
    }
    if pairs.is_empty() {
        eprintln!("rolecall: nothing to change");
        return Ok(ExitCode::SUCCESS);
    }
    write(profile, &pairs)?;
    Ok(ExitCode::SUCCESS)
}

/// The four questions of `aws configure`, with the current values (keys masked); Enter keeps.
/// An answer that is not valid is asked again (nothing typed before it is lost), and so is the
/// secret while a new key id has none.
pub(super) fn ask_basics(tty: &Tty, profile: &str) -> Result<Pairs> {
    let files = crate::files::AwsFiles::load();
    let current = files.profiles.profile(profile);
    let get = |key: &str| current.and_then(|p| p.get(key)).map(str::to_owned);
    let mut pairs: Pairs = Vec::new();
    let questions: [(&'static str, &str, Echo); 4] = [
        ("aws_access_key_id", "AWS Access Key ID", Echo::Plain),
        ("aws_secret_access_key", "AWS Secret Access Key", Echo::Hidden),
        ("region", "Default region name", Echo::Plain),
        ("output", "Default output format", Echo::Plain),
    ];
    for (key, label, echo) in questions {
        let shown = match get(key) {
            Some(v) if key.starts_with("aws_") => crate::util::arn::mask(&v),
            Some(v) => crate::ui::style::printable(&v),
            None => "None".to_owned(),
        };
        // A new key id needs its secret: Enter does not keep "none" then.
        let required = key == "aws_secret_access_key"
            && get(key).is_none()
            && pairs.iter().any(|(k, _)| *k == "aws_access_key_id");
        loop {
            let answer = tty.read_line(&format!("{label} [{shown}]: "), echo)?.trim().to_owned();
            if answer.is_empty() {
                if required {
                    tty.write("rolecall: the new access key id needs its secret access key\r\n")?;
                    continue;
                }
                break;
            }
            match check_pair(key, &answer) {
                Ok(()) => {
                    if key == "region" {
                        warn_region(tty, &answer)?;
                    }
                    pairs.push((key, answer));
                    break;
                }
                Err(e) => tty.write(&format!("rolecall: {e:#}\r\n"))?,
            }
        }
    }
    Ok(pairs)
}

/// Regions that exist, for a did-you-mean on a region that matches none of their patterns.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// A warning for a region that no partition's pattern matches (`eu-west1`), with the closest
/// known region; `None` for one that looks right.
pub fn region_warning(region: &str) -> Option<String> {
    if crate::aws::endpoint::Partition::of_region(region).is_some() {
        return None;
    }
    let hint = crate::ui::suggest::did_you_mean(region, KNOWN_REGIONS.iter().copied())
        .map(|r| format!(": did you mean `{r}`?"))
        .unwrap_or_default();
    Some(format!("region `{}` matches no AWS region's pattern{hint}", crate::ui::style::printable(region)))
}

fn warn_region(tty: &Tty, region: &str) -> Result<()> {
    if let Some(w) = region_warning(region) {
        tty.write(&format!("rolecall: warning: {w}\r\n"))?;
    }
    Ok(())
}

/// `configure role NAME --source-profile SRC --role-arn ARN …`
fn role(args: &RoleArgs) -> Result<ExitCode> {
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
    let files = crate::files::AwsFiles::load();
    if files.profiles.profile(&args.source_profile).is_none() {
        return Err(crate::ui::suggest::not_found(
            "source profile",
            &args.source_profile,
            files.profiles.profiles().map(|p| p.name()),
        ));
    }
    let name = args.name.as_str();
    editing::change(
        |files: &mut Files, _| {
            for (key, value) in &pairs {
                files.config.set(name, key, value)?;
            }
            Ok(())
        },
        |after: &ProfileSet| {
            let section = after.profile(name).context("the profile is missing after the edit")?;
            for (key, value) in &pairs {
                if section.get(*key) != Some(value.as_str()) {
                    bail!("{key} of {name} does not read back as written");
                }
            }
            // The chain must resolve: no cycle through the new profile, a usable source.
            crate::files::chain::resolve(after, name).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            Ok(())
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `configure set PROFILE KEY VALUE` (`-`: the value from standard input).
fn set(profile: &str, key: &str, value: &str) -> Result<ExitCode> {
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
        && let Some(w) = region_warning(&value)
    {
        eprintln!("rolecall: warning: {w}");
    }
    let kind = file_for(&key);
    editing::change(
        |files: &mut Files, _| files.file(kind).set(profile, &key, &value).map(drop),
        |after: &ProfileSet| match after.profile(profile).and_then(|p| p.get(key.as_str())) {
            Some(v) if v == value => Ok(()),
            _ => bail!("{key} of {profile} does not read back as written"),
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `configure unset PROFILE KEY`: from both files.
fn unset(profile: &str, key: &str) -> Result<ExitCode> {
    let key = key.to_ascii_lowercase();
    editing::change(
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
