//! `rolecall init <shell>`: the script of [`crate::shell::init`] for this binary.

use crate::cli::InitArgs;
use crate::config::Config;
use crate::shell::init::{Parts, script};
use anyhow::{Context, Result};
use std::process::ExitCode;

pub fn run(cfg: &Config, args: InitArgs) -> Result<ExitCode> {
    let shell = super::shell(args.shell);
    let exe = std::env::current_exe().context("cannot find rolecall's own path")?;
    let bin = exe.to_str().context("rolecall's path is not UTF-8")?;
    let refresh = cfg.var("ROLECALL_AUTO_REFRESH").as_deref() == Some("1");
    let parts = Parts { prompt: args.prompt, dir: !args.no_dir, refresh, part: args.part.as_deref() };
    let text = script(shell, bin, &args.assume_cmd, &args.asp_cmd, parts)?;
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
