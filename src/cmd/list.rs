//! `rolecall list`: every profile, one line each.

use super::{load_checked, write_stdout};
use crate::files::Key;
use crate::files::catalog::{self, Kind};
use crate::files::{AwsFiles, Section};
use crate::ui::style::{Style, printable};
use crate::util::json;
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

pub fn run(names: bool, json: bool) -> Result<ExitCode> {
    let files = load_checked()?;
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
    write_stdout(|out| {
        if json {
            json::write_lines(out, catalog::entries(&files))
        } else {
            write_table(out, &files, Style::for_stdout())
        }
    })?;
    // The process ends now: freeing 10,000 profiles one by one would only cost time.
    std::mem::forget(files);
    Ok(ExitCode::SUCCESS)
}

/// The table: column widths come from the profiles themselves, so rows stream as resolved.
pub fn write_table(out: &mut dyn Write, files: &AwsFiles, style: Style) -> std::io::Result<()> {
    let set = &files.profiles;
    if set.profiles().len() == 0 {
        return Ok(());
    }
    let width = |f: &dyn Fn(Section) -> usize, title: &str| set.profiles().map(f).max().unwrap_or(0).max(title.len());
    let name_w = width(&|p| p.name().chars().count(), "PROFILE");
    let kind_w = width(&|p| Kind::of(p).as_str().len(), "KIND");
    let region_w = width(&|p| p.get(Key::Region).map_or(1, |r| printable(r).chars().count()), "REGION");
    // Padding by hand: a formatting width is at most 65,535, and names and regions may be longer.
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let head = format!("{}  {}  {}  CHAIN", pad("PROFILE", name_w), pad("KIND", kind_w), pad("REGION", region_w));
    writeln!(out, "{}", style.bold(head.trim_end()))?;
    for e in catalog::entries(files) {
        let chain = match &e.error {
            // The kind says it already; a red error would only repeat it.
            Some(_) if e.kind == Kind::ConfigOnly => style.dim("(no credentials)"),
            Some(err) => style.red(&format!("error: {}", printable(err))),
            None => e.chain.join(" → "),
        };
        writeln!(
            out,
            "{}  {}  {}  {}",
            pad(e.name, name_w),
            pad(e.kind.as_str(), kind_w),
            style.dim(&pad(&printable(e.region.unwrap_or("-")), region_w)),
            chain
        )?;
    }
    Ok(())
}
