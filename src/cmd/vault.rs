//! `rolecall vault import|add|list|rm|export`: arguments in, [`crate::vault::moves`] (which keeps
//! every key somewhere while it moves), what happened out.

use crate::cli::VaultAction;
use crate::config::Config;
use crate::files::validate::check_pair;
use crate::types::Credentials;
use crate::util::text::printable;
use crate::vault::moves::{self, Moved, backend_name};
use anyhow::{Context, Result, anyhow, bail};
use std::io::Read as _;
use std::process::ExitCode;

pub fn run(cfg: &Config, action: VaultAction) -> Result<ExitCode> {
    let person = crate::ui::tty::person();
    let say = &crate::ui::notice;
    match action {
        VaultAction::Import { profiles } => {
            for moved in moves::import(cfg, &profiles, say, Some(&person))? {
                said(&moved, "moved the keys of", "into", "; other tools get them through credential_process");
            }
        }
        VaultAction::Add { profile } => {
            moves::check_addable(cfg, &profile)?;
            let keys = read_keys(&profile)?;
            said(&moves::add(cfg, &profile, &keys, say, Some(&person))?, "added", "to", "");
        }
        VaultAction::List { json } => list(cfg, json)?,
        VaultAction::Rm { profile, yes } => {
            said(&moves::rm(cfg, &profile, &|q| confirmed(yes, q), say, Some(&person))?, "removed", "from", "");
        }
        VaultAction::Export { profile, yes } => {
            let moved = moves::export(cfg, &profile, &|q| confirmed(yes, q), say, Some(&person))?;
            said(&moved, "the keys of", "are in the credentials file again, not in", "");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `rolecall: <verb> `profile` (****MPLE) <preposition> <backend><rest>`, after the files written.
fn said(moved: &Moved, verb: &str, preposition: &str, rest: &str) {
    super::said(&moved.written);
    eprintln!(
        "rolecall: {verb} `{}` ({}) {preposition} {}{rest}",
        printable(&moved.profile),
        moved.key_id,
        backend_name(moved.backend)
    );
}

/// Go on when `yes` was passed or the person agrees on the terminal; cancelled otherwise.
fn confirmed(yes: bool, question: &str) -> Result<()> {
    if yes || crate::ui::tty::confirm(question, "--yes")? { Ok(()) } else { Err(anyhow!(crate::error::Cancelled)) }
}

/// Keys typed on the terminal (the secret hidden), or two lines on stdin.
fn read_keys(profile: &str) -> Result<Credentials> {
    use std::io::IsTerminal;
    let (id, secret) = match crate::ui::tty::Tty::open().filter(|_| std::io::stdin().is_terminal()) {
        Some(tty) => {
            let id =
                tty.read_line(&format!("AWS Access Key ID for {}: ", printable(profile)), crate::ui::tty::Echo::Plain)?;
            let secret = tty.read_line("AWS Secret Access Key: ", crate::ui::tty::Echo::Hidden)?;
            (id, secret)
        }
        None => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().take(64 * 1024), &mut text)
                .context("cannot read the keys from stdin")?;
            let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
            match (lines.next(), lines.next()) {
                (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
                _ => bail!("give the keys on stdin as two lines: the access key id, then the secret access key"),
            }
        }
    };
    let (id, secret) = (id.trim().to_owned(), secret.trim().to_owned());
    check_pair("aws_access_key_id", &id)?;
    check_pair("aws_secret_access_key", &secret).map_err(|_| anyhow!("the secret access key is not one AWS issues"))?;
    Credentials::long_term(id, secret).checked("the keys given")
}

fn list(cfg: &Config, json: bool) -> Result<()> {
    let rows = moves::list(cfg)?;
    let mut text = String::new();
    if json {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "profile": r.profile,
                    "backend": r.backend.name(),
                    "access_key_id": r.key_id,
                    "added": crate::util::time::format_rfc3339(r.added),
                    "in_files": r.in_files,
                })
            })
            .collect();
        text = serde_json::to_string_pretty(&rows)?;
        text.push('\n');
    } else if rows.is_empty() {
        eprintln!("rolecall: the vault holds no profile ('rolecall vault import' moves the keys of the files into it)");
    } else {
        let width = rows.iter().map(|r| printable(&r.profile).chars().count()).max().unwrap_or(0);
        for r in &rows {
            let note = if r.in_files { "" } else { "  (the files do not point at it)" };
            text.push_str(&format!("{:width$}  {:14}  {}{note}\n", printable(&r.profile), r.backend.name(), r.key_id));
        }
    }
    super::write_stdout(|out| out.write_all(text.as_bytes()))
}
