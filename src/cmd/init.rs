//! `rolecall init <shell>`: the script of [`crate::shell::init`] for this binary.

use crate::cli::InitArgs;
use crate::config::Config;
use crate::shell::init::{Parts, script};
use anyhow::{Context, Result};
use std::process::ExitCode;

pub fn run(_cfg: &Config, args: InitArgs) -> Result<ExitCode> {
    let shell = super::shell(args.shell);
    let exe = std::env::current_exe().context("cannot find rolecall's own path")?;
    let bin = exe.to_str().context("rolecall's path is not UTF-8")?;
    let parts = Parts { prompt: args.prompt, dir: !args.no_dir };
    let text = script(shell, bin, &args.assume_cmd, &args.asp_cmd, parts)?;
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
