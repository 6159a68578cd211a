//! `rolecall list`: every profile, one line each.

use super::{load_checked, write_stdout};
use crate::cli::ListArgs;
use crate::config::Config;
use crate::files::catalog;
use crate::ui::style::Style;
use crate::util::json;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: ListArgs) -> Result<ExitCode> {
    let ListArgs { names, json } = args;
    let files = load_checked(cfg)?;
    if !files.any_exists() {
        eprintln!(
            "rolecall: no profiles: neither {} nor {} exists (run 'rolecall setup')",
            files.config.display, files.credentials.display
        );
    }
    if names {
        return write_stdout(|out| {
            for p in files.profiles.profiles() {
                writeln!(out, "{}", p.name())?;
            }
            Ok(())
        })
        .map(|()| ExitCode::SUCCESS);
    }
    let now = cfg.now();
    let with_login = |e| with_login(cfg, &files, now, e);
    write_stdout(|out| {
        if json {
            json::write_lines(out, catalog::entries(&files).map(with_login))
        } else {
            crate::ui::report::profiles(out, &files, catalog::entries(&files).map(with_login), Style::for_stdout(cfg))
        }
    })?;
    // The process ends now: freeing 10,000 profiles one by one would only cost time.
    std::mem::forget(files);
    Ok(ExitCode::SUCCESS)
}

/// A console session's state from the sign-in cache (a file read per login_session profile).
fn with_login<'a>(
    cfg: &Config,
    files: &'a crate::files::AwsFiles,
    now: i64,
    mut e: catalog::Entry<'a>,
) -> catalog::Entry<'a> {
    if e.kind == catalog::Kind::Login
        && let Some(arn) = files.profiles.profile(e.name).and_then(|p| p.get(crate::files::Key::LoginSession))
    {
        e.login = Some(crate::creds::login::state(cfg, arn, now));
    }
    e
}
