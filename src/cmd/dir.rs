//! `rolecall dir`: the `.awsprofile` that applies in this directory. With `--shell`, what the
//! init scripts' hook runs when the nearest file changed: shell code that applies a trusted file
//! (`asp`, or `assume` with `ROLECALL_DIR_ACTION=assume`) and keeps, in a shell variable, the code
//! that puts back what the shell had; for a file not (or no longer) allowed, one line on stderr
//! and nothing applied.

use crate::cli::{CredsArgs, DirArgs};
use crate::config::Config;
use crate::files::AwsFiles;
use crate::shell::dir::{self, DirFile, cwd, printable};
use crate::shell::enter::{Action, Hook, action};
use crate::shell::env::Shell;
use crate::shell::trust::{Trust, TrustStore};
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: DirArgs) -> Result<ExitCode> {
    let file = args.file.as_deref().map(Path::new);
    match args.shell.map(super::shell) {
        Some(shell) => hook(cfg, file, shell),
        None => status(cfg, file, args.json),
    }
}

/// The hook ([`crate::shell::enter`]): its shell code on stdout.
fn hook(cfg: &Config, file: Option<&Path>, shell: Shell) -> Result<ExitCode> {
    let fetch = |files: &AwsFiles, profile: &str, region: Option<String>| {
        super::fetch(cfg, files, profile, &CredsArgs { region, ..CredsArgs::default() })
    };
    let h = Hook { cfg, shell, notify: &crate::ui::notice, load: &|| super::load_checked(cfg), fetch: &fetch };
    let out = crate::shell::enter::hook(&h, file)?;
    super::write_stdout(|w| w.write_all(out.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

fn status(cfg: &Config, file: Option<&Path>, json: bool) -> Result<ExitCode> {
    let cwd = cwd(cfg)?;
    let Some(path) = file.map(Path::to_owned).or_else(|| dir::nearest(&cwd)) else {
        if json {
            super::write_stdout(|w| w.write_all(b"null\n"))?;
        } else {
            eprintln!("rolecall: no {} in {} or above", dir::FILE_NAME, printable(&cwd.to_string_lossy()));
        }
        return Ok(ExitCode::SUCCESS);
    };
    let file = DirFile::read(&path)?;
    let wanted = file.wanted()?;
    let trust = TrustStore::load(cfg)?.trust(&file);
    let action = if action(cfg)? == Action::Assume { "assume" } else { "asp" };
    let text = if json {
        let mut buf = Vec::new();
        crate::util::json::Object::start(&mut buf)
            .str("path", &file.place.to_string_lossy())
            .opt_str("profile", wanted.profile.as_deref())
            .opt_str("region", wanted.region.as_deref())
            .str("trust", trust.as_str())
            .str("action", action)
            .end();
        buf.push(b'\n');
        buf
    } else {
        let style = crate::ui::style::Style::for_stdout(cfg);
        let trust = match trust {
            Trust::Allowed => "allowed".to_owned(),
            Trust::Changed => style.yellow("changed since it was allowed: run 'rolecall allow'"),
            Trust::Unknown => style.yellow("not allowed: run 'rolecall allow'"),
        };
        let opt = |v: Option<String>| v.map(|v| printable(&v)).unwrap_or_else(|| "-".to_owned());
        format!(
            "file     {}\nprofile  {}\nregion   {}\ntrust    {trust}\naction   {action}\n",
            printable(&file.place.to_string_lossy()),
            opt(wanted.profile),
            opt(wanted.region),
        )
        .into_bytes()
    };
    super::write_stdout(|w| w.write_all(&text))?;
    Ok(ExitCode::SUCCESS)
}
