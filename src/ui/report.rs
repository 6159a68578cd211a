//! What `doctor` and `list` print for people: the findings with their hints, the profile table.
//! Everything quoted from the files goes through [`printable`]: nothing in them drives the terminal.

use crate::files::catalog::{self, Kind};
use crate::files::doctor::{Finding, Severity};
use crate::files::{AwsFiles, Key, Section};
use crate::ui::style::{Style, printable};
use std::io::Write;

/// The doctor's findings, one line and a hint each, and a summary.
pub fn findings(out: &mut dyn Write, files: &AwsFiles, findings: &[Finding], style: Style) -> std::io::Result<()> {
    if !files.any_exists() {
        writeln!(out, "no AWS files: neither {} nor {} exists", files.config.display, files.credentials.display)?;
        return Ok(());
    }
    for f in findings {
        let severity = match f.severity {
            Severity::Error => style.red("error"),
            Severity::Warning => style.yellow("warning"),
        };
        let place = if f.line == 0 { f.file.clone() } else { format!("{}:{}", f.file, f.line) };
        let profile = f.profile.as_ref().map(|p| format!(" [{p}]")).unwrap_or_default();
        // Findings quote the files: nothing in them may drive the terminal.
        writeln!(
            out,
            "{severity}[{}] {}{}: {}",
            f.code,
            printable(&place),
            printable(&profile),
            printable(&f.message)
        )?;
        writeln!(out, "  {} {}", style.dim("hint:"), printable(&f.hint))?;
    }
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
    let profiles = files.profiles.profiles().len();
    let checked = format!("{profiles} profile{}", if profiles == 1 { "" } else { "s" });
    if findings.is_empty() {
        writeln!(out, "{} {checked} checked, no problems found", style.bold("ok:"))
    } else {
        writeln!(
            out,
            "{checked} checked: {errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        )
    }
}

/// The table: column widths come from the profiles themselves, so rows stream as resolved.
pub fn profiles<'a>(
    out: &mut dyn Write,
    files: &AwsFiles,
    entries: impl Iterator<Item = catalog::Entry<'a>>,
    style: Style,
) -> std::io::Result<()> {
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
    for e in entries {
        let mut chain = match &e.error {
            // The kind says it already; a red error would only repeat it.
            Some(_) if e.kind == Kind::ConfigOnly => style.dim("(no credentials)"),
            Some(err) => style.red(&format!("error: {}", printable(err))),
            None => e.chain.join(" → "),
        };
        match e.login {
            Some(("signed-in", Some(left))) => {
                chain.push_str(&style.dim(&format!(" (signed in: {} to refresh)", crate::util::time::human_left(left))))
            }
            Some(("signed-in", None)) => chain.push_str(&style.dim(" (signed in)")),
            Some((state, _)) => {
                chain.push_str(&style.yellow(&format!(" ({state}: rolecall login {})", printable(e.name))))
            }
            None => {}
        }
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
