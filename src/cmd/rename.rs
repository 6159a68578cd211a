//! `rolecall rename OLD NEW` and `rolecall rm PROFILE`: a profile's sections in both files, and
//! the `source_profile` lines that name it.

use crate::cli::{RenameArgs, RmArgs};
use crate::config::Config;
use crate::files::change::Files;
use crate::files::{FileKind, ProfileSet};
use anyhow::{Result, bail};
use std::process::ExitCode;

/// Profiles whose `source_profile` is `name`.
fn dependents(set: &ProfileSet, name: &str) -> Vec<String> {
    set.profiles().filter(|p| p.get("source_profile") == Some(name)).map(|p| p.name().to_owned()).collect()
}

fn exists(set: &ProfileSet, name: &str) -> Result<()> {
    if set.profile(name).is_none() {
        anyhow::bail!("{}", crate::util::text::not_found("profile", name, set.profiles().map(|p| p.name())));
    }
    Ok(())
}

pub fn rename(cfg: &Config, args: RenameArgs) -> Result<ExitCode> {
    let (old, new) = (args.old.as_str(), args.new.as_str());
    if old == "default" || new == "default" {
        bail!(
            "`default` is written differently from other profiles: copy its keys with 'rolecall configure set' instead"
        );
    }
    let users = std::cell::Cell::new(0);
    super::change_files(
        cfg,
        |files: &mut Files, set| {
            exists(set, old)?;
            if set.profile(new).is_some() {
                bail!("profile `{new}` already exists");
            }
            users.set(dependents(set, old).len());
            for kind in [FileKind::Config, FileKind::Credentials] {
                let file = files.file(kind);
                file.rename_profile(old, new)?;
                file.replace_values("source_profile", old, new)?;
            }
            Ok(())
        },
        |after| {
            if after.profile(old).is_some() || after.profile(new).is_none() {
                bail!("the rename does not read back");
            }
            if !dependents(after, old).is_empty() {
                bail!("a source_profile still names `{old}`");
            }
            Ok(())
        },
    )?;
    if users.get() > 0 {
        eprintln!("rolecall: {} profile(s) now take `{new}` as source_profile", users.get());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn rm(cfg: &Config, args: RmArgs) -> Result<ExitCode> {
    let RmArgs { profile, force, yes } = args;
    let profile = profile.as_str();
    let files = crate::files::AwsFiles::load(cfg);
    exists(&files.profiles, profile)?;
    let users = dependents(&files.profiles, profile);
    if !users.is_empty() && !force {
        bail!("`{profile}` is the source_profile of {}: pass --force to remove it anyway", users.join(", "));
    }
    let section = files.profiles.profile(profile).expect("checked above");
    let places: Vec<String> = section.headers().map(|o| format!("{}:{}", files.file(o.file).display, o.line)).collect();
    if !yes && !crate::ui::tty::confirm(&format!("Remove profile '{profile}' ({})?", places.join(", ")), "--yes")? {
        eprintln!("rolecall: nothing removed");
        return Ok(ExitCode::from(1));
    }
    super::change_files(
        cfg,
        |files: &mut Files, _| {
            for kind in [FileKind::Config, FileKind::Credentials] {
                files.file(kind).remove_profile(profile)?;
            }
            Ok(())
        },
        |after| match after.profile(profile) {
            None => Ok(()),
            Some(_) => bail!("`{profile}` is still there after the edit"),
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
