//! `rolecall completions <shell>`: clap_complete's script for rolecall's own commands.

use crate::cli::{Cli, CompletionsArgs, FlagsArgs, InitShell};
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
        InitShell::Nu => anyhow::bail!("nushell's completions come with its init script: rolecall init nu"),
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rolecall", &mut out);
    super::write_stdout(|w| w.write_all(&out))?;
    Ok(ExitCode::SUCCESS)
}

/// `rolecall __flags SUBCOMMAND`: its long flags, one per line, for the init scripts' completion
/// (a Tab after `assume --`); nothing for a subcommand that does not exist.
pub fn flags(args: FlagsArgs) -> Result<ExitCode> {
    let mut command = Cli::command();
    command.build();
    let mut out = String::new();
    if let Some(sub) = command.find_subcommand(&args.subcommand) {
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                out.push_str("--");
                out.push_str(long);
                out.push('\n');
            }
        }
    }
    super::write_stdout(|w| w.write_all(out.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
