//! `rolecall prompt [--format F] [--color]`: the prompt segment for tmux status lines and prompt
//! frameworks (the shell functions of `rolecall init` draw it without a process).

use anyhow::Result;
use std::process::ExitCode;

pub fn run(format: &str, color: bool) -> Result<ExitCode> {
    let env = |k: &str| std::env::var(k).ok();
    let Some(segment) = crate::shell::prompt::segment(&env, crate::util::time::now()) else {
        return Ok(ExitCode::SUCCESS);
    };
    let color = color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = segment.render(format, color);
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
