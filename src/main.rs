use clap::Parser;
use rolecall::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    rolecall::ui::tty::install_panic_hook();
    let cli = Cli::parse();
    let cfg = rolecall::config::Config::from_process();
    match rolecall::cmd::run(cli.command, &cfg) {
        Ok(code) => code,
        Err(err) => rolecall::error::report(&err),
    }
}
