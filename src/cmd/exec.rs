//! `rolecall exec PROFILE -- CMD…`: run CMD with the profile's credentials, no shell between.

use crate::cli::CredsArgs;
use crate::shell::env::{DIR_RESTORE, EnvChange, Snapshot};
use anyhow::{Result, anyhow, bail};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

pub fn run(profile: &str, creds: &CredsArgs, command: &[String]) -> Result<ExitCode> {
    let Some((program, args)) = command.split_first() else {
        bail!("name a command to run after --");
    };
    let outcome = super::fetch(&super::load_for_credentials()?, profile, creds)?;
    let env = EnvChange::assume(profile, &outcome.creds, outcome.region.as_deref(), &Snapshot::from_process())
        // The profile named here wins over a directory's: a shell started in CMD must not
        // "leave" the directory's tree back to what the parent had.
        .with(DIR_RESTORE, None);
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (name, value) in &env.vars {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    // Replace this process: CMD gets the terminal, the signals and gives its exit code. A command
    // that cannot run exits as a shell's would: 127 not found, 126 not executable.
    let err = cmd.exec();
    let shown = crate::ui::style::printable(program);
    let code = match err.kind() {
        std::io::ErrorKind::NotFound => {
            eprintln!("rolecall: {shown}: command not found");
            127
        }
        std::io::ErrorKind::PermissionDenied => {
            eprintln!("rolecall: {shown}: permission denied (not executable)");
            126
        }
        _ => return Err(anyhow!("cannot run {shown}: {err}")),
    };
    Ok(ExitCode::from(code))
}
