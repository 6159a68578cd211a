//! `rolecall prompt [--format F] [--color]`: the prompt segment for tmux status lines and prompt
//! frameworks (the shell functions of `rolecall init` draw it without a process).

use crate::cli::PromptArgs;
use crate::config::Config;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: PromptArgs) -> Result<ExitCode> {
    let Some(segment) = crate::shell::prompt::segment(&|k| cfg.raw(k), cfg.now()) else {
        return Ok(ExitCode::SUCCESS);
    };
    let text = segment.render(&args.format, args.color && !cfg.no_color());
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
