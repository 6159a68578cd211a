//! One file per subcommand. Only this module knows about the command line.

pub mod doctor;
pub mod list;

use crate::cli::Command;
use crate::profile::{AwsFiles, Content};
use anyhow::{Context, Result, bail};
use std::io::{self, Write};
use std::process::ExitCode;

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::List { names, json } => list::run(names, json),
        Command::Doctor { json } => doctor::run(json),
    }
}

/// Load the AWS files for a command that needs them readable.
fn load_checked() -> Result<AwsFiles> {
    let files = AwsFiles::load();
    if let Err(e) = files.check() {
        bail!("{e:#} (run 'rolecall doctor')");
    }
    for file in [&files.config, &files.credentials] {
        if matches!(file.content, Content::NotUtf8) {
            eprintln!("rolecall: warning: {} is not UTF-8 text; ignored, as the AWS SDKs do", file.display);
        }
    }
    Ok(files)
}

/// Write to stdout through one buffer; a closed pipe (`rolecall list | head`) is not an error.
fn write_stdout(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    match f(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}
