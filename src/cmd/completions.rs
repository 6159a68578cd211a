//! `rolecall completions <shell>`: clap_complete's script for rolecall's own commands.

use crate::cli::{Cli, CompletionsArgs, InitShell};
use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;
use std::process::ExitCode;

pub fn run(args: CompletionsArgs) -> Result<ExitCode> {
    let shell = match args.shell {
        InitShell::Bash => Shell::Bash,
        InitShell::Zsh => Shell::Zsh,
        InitShell::Fish => Shell::Fish,
        InitShell::Powershell => Shell::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rolecall", &mut out);
    super::write_stdout(|w| w.write_all(&out))?;
    Ok(ExitCode::SUCCESS)
}
