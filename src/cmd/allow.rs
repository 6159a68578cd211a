//! `rolecall allow [PATH]`, `rolecall allow --list`, `rolecall deny [PATH]`: which `.awsprofile`
//! files the shell hooks apply. A file is recorded with its real path and content; an edit makes
//! it unknown again.

use crate::cli::{AllowArgs, DenyArgs};
use crate::config::Config;
use crate::shell::dir::cwd;
use crate::shell::dir::{self, DirFile, FILE_NAME, printable, shown};
use crate::shell::trust::TrustStore;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The file a PATH argument names: a directory's `.awsprofile`, a file itself, or (no argument)
/// the nearest one from here up.
fn target(path: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
    match path {
        None => dir::nearest(cwd)
            .with_context(|| format!("no {FILE_NAME} in {} or above", printable(&cwd.to_string_lossy()))),
        Some(p) if p.is_dir() => Ok(p.join(FILE_NAME)),
        Some(p) => Ok(p.to_owned()),
    }
}

pub fn run(cfg: &Config, args: AllowArgs) -> Result<ExitCode> {
    if args.list {
        return list(cfg, args.json);
    }
    let cwd = cwd(cfg)?;
    let path = args.path.as_deref();
    let path = target(path, &cwd)?;
    if !path.is_file() {
        bail!("{}: no such file", printable(&path.to_string_lossy()));
    }
    let file = DirFile::read(&path)?;
    let Some(profile) = file.wanted()?.profile else {
        bail!("{} names no profile (its first line that is not blank or a # comment)", shown(&path, &cwd));
    };
    let _lock = TrustStore::lock(cfg)?;
    let mut store = TrustStore::load(cfg)?;
    store.allow(&file)?;
    store.save()?;
    eprintln!("rolecall: allowed {} (profile '{}')", shown(&path, &cwd), printable(&profile));
    let files = crate::files::AwsFiles::load(cfg);
    if files.profiles.profile(&profile).is_none() {
        eprintln!(
            "rolecall: warning: profile '{}' is in neither {} nor {}",
            printable(&profile),
            files.config.display,
            files.credentials.display
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn deny(cfg: &Config, args: DenyArgs) -> Result<ExitCode> {
    let cwd = cwd(cfg)?;
    let path = target(args.path.as_deref(), &cwd)?;
    // The file (or its directory) may be gone: the real path of what is left of its directory,
    // and its name, is the place recorded (a symlink is not followed: the place is where it is).
    let absolute = cwd.join(&path);
    let name = absolute.file_name().map(std::ffi::OsStr::to_owned).unwrap_or_default();
    let dir = absolute.parent().unwrap_or(&absolute).to_owned();
    let real = dir
        .ancestors()
        .find_map(|existing| {
            let rest = dir.strip_prefix(existing).ok()?;
            Some(std::fs::canonicalize(existing).ok()?.join(rest).join(&name))
        })
        .unwrap_or(absolute.clone());
    let _lock = TrustStore::lock(cfg)?;
    let mut store = TrustStore::load(cfg)?;
    if store.deny(&real) {
        store.save()?;
        eprintln!("rolecall: denied {}", shown(&path, &cwd));
    } else {
        eprintln!("rolecall: {} was not allowed", shown(&path, &cwd));
    }
    Ok(ExitCode::SUCCESS)
}

fn list(cfg: &Config, json: bool) -> Result<ExitCode> {
    let store = TrustStore::load(cfg)?;
    let rows: Vec<(String, &'static str, Option<String>)> = store
        .entries
        .iter()
        .map(|entry| {
            let path = entry.path.to_string_lossy().into_owned();
            match DirFile::read(&entry.path) {
                Err(_) => (path, "missing", None),
                Ok(file) => {
                    let state =
                        if store.trust(&file) == crate::shell::trust::Trust::Allowed { "allowed" } else { "changed" };
                    (path, state, file.wanted().ok().and_then(|w| w.profile))
                }
            }
        })
        .collect();
    let mut out = Vec::new();
    if json {
        out.push(b'[');
        for (i, (path, state, profile)) in rows.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            crate::util::json::Object::start(&mut out)
                .str("path", path)
                .str("state", state)
                .opt_str("profile", profile.as_deref())
                .end();
        }
        out.extend_from_slice(if rows.is_empty() { b"]\n" } else { b"\n]\n" });
    } else {
        for (path, state, profile) in &rows {
            let profile = profile.as_deref().map(printable).unwrap_or_default();
            out.extend_from_slice(format!("{state:<8} {}  {profile}\n", printable(path)).as_bytes());
        }
    }
    super::write_stdout(|w| w.write_all(&out))?;
    Ok(ExitCode::SUCCESS)
}
