//! `rolecall list`: every profile, one line each.

use super::{load_checked, write_stdout};
use crate::catalog::{self, Entry};
use crate::style::Style;
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

pub fn run(names: bool, json: bool) -> Result<ExitCode> {
    let files = load_checked()?;
    if !files.any_exists() {
        eprintln!(
            "rolecall: no profiles: neither {} nor {} exists",
            files.config.display, files.credentials.display
        );
    }
    let entries = catalog::entries(&files);
    write_stdout(|out| {
        if names {
            for e in &entries {
                writeln!(out, "{}", e.name)?;
            }
            Ok(())
        } else if json {
            serde_json::to_writer_pretty(&mut *out, &entries)?;
            writeln!(out)
        } else {
            write_table(out, &entries, Style::for_stdout())
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn write_table(out: &mut dyn Write, entries: &[Entry], style: Style) -> std::io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let width = |f: &dyn Fn(&Entry) -> usize, title: &str| {
        entries.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let name_w = width(&|e| e.name.chars().count(), "PROFILE");
    let kind_w = width(&|e| e.kind.as_str().len(), "KIND");
    let region_w = width(&|e| e.region.map_or(1, |r| r.chars().count()), "REGION");
    let head = format!(
        "{:name_w$}  {:kind_w$}  {:region_w$}  CHAIN",
        "PROFILE", "KIND", "REGION"
    );
    writeln!(out, "{}", style.bold(head.trim_end()))?;
    for e in entries {
        let chain = match &e.error {
            Some(err) => style.red(&format!("error: {err}")),
            None => e.chain.join(" → "),
        };
        let pad =
            |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
        writeln!(
            out,
            "{}  {}  {}  {}",
            pad(e.name, name_w),
            pad(e.kind.as_str(), kind_w),
            style.dim(&pad(e.region.unwrap_or("-"), region_w)),
            chain
        )?;
    }
    Ok(())
}
