//! `rolecall edit [config|credentials]`: the file in `$VISUAL`/`$EDITOR`, on a private copy,
//! checked with the doctor's checks before it replaces the file ([`crate::files::rewrite`]); on
//! errors, the choice to edit again.

use crate::cli::{EditArgs, EditFile};
use crate::config::Config;
use crate::files::FileKind;
use crate::files::doctor::Finding;
use crate::files::rewrite::Rewrite;
use anyhow::{Result, bail};
use std::process::ExitCode;

fn show(f: &Finding, note: &str) {
    let place = if f.line == 0 { f.file.clone() } else { format!("{}:{}", f.file, f.line) };
    eprintln!("rolecall: error[{}] {place}: {}{note} (hint: {})", f.code, f.message, f.hint);
}

pub fn run(cfg: &Config, args: EditArgs) -> Result<ExitCode> {
    let kind = match args.file {
        EditFile::Config => FileKind::Config,
        EditFile::Credentials => FileKind::Credentials,
    };
    let rewrite = Rewrite::start(cfg, kind)?;
    let text = loop {
        crate::ui::editor::run(cfg, &rewrite.copy)?;
        let Some(text) = rewrite.edited()? else {
            eprintln!("rolecall: no change");
            return Ok(ExitCode::SUCCESS);
        };
        let checked = rewrite.check(&text);
        if checked.new.is_empty() || args.force {
            for f in &checked.before {
                show(f, " (already there before this edit: not blocking)");
            }
            break text;
        }
        for f in &checked.new {
            show(f, "");
        }
        if !checked.before.is_empty() {
            eprintln!("rolecall: ({} more error(s) were already there before this edit)", checked.before.len());
        }
        let again = crate::ui::tty::confirm("Edit again? (no: nothing is written)", "--force to write it anyway")
            .unwrap_or(false);
        if !again {
            let (file, n) = (rewrite.display(), checked.new.len());
            bail!("{file} not written: {n} error(s); 'rolecall edit --force' writes it anyway");
        }
    };
    rewrite.save(cfg, &crate::ui::notice, &text)?;
    Ok(ExitCode::SUCCESS)
}
