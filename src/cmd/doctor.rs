//! `rolecall doctor`: the findings of [`crate::files::doctor`], for people or as JSON.

use super::write_stdout;
use crate::files::AwsFiles;
use crate::files::doctor::{self, Finding, Severity};
use crate::ui::style::{Style, printable};
use crate::util::json;
use anyhow::Result;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub fn run(json: bool, online: bool) -> Result<ExitCode> {
    let files = AwsFiles::load();
    let mut findings = doctor::check(&files);
    if online {
        let progress = std::io::stderr().is_terminal();
        findings.extend(crate::creds::online::check(&files, |count| {
            if progress && count > 0 {
                eprintln!("rolecall: {}", crate::creds::online::describe(count));
            }
        })?);
        doctor::sort(&mut findings);
    }
    write_stdout(|out| {
        if json { json::write_lines(out, &findings) } else { write_report(out, &files, &findings, Style::for_stdout()) }
    })?;
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

pub fn write_report(out: &mut dyn Write, files: &AwsFiles, findings: &[Finding], style: Style) -> std::io::Result<()> {
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
