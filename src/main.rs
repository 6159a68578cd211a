use clap::Parser;
use rolecall::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    rolecall::tty::install_panic_hook();
    let cli = Cli::parse();
    match rolecall::cmd::run(cli.command) {
        Ok(code) => code,
        Err(err) if err.downcast_ref::<rolecall::Cancelled>().is_some() => {
            eprintln!("rolecall: cancelled");
            ExitCode::from(130)
        }
        // Errors quote files, the network and the environment: control and bidi characters are
        // escaped, so nothing in them can drive the terminal.
        Err(err) => {
            eprintln!("rolecall: {}", rolecall::style::printable(&format!("{err:#}")));
            ExitCode::FAILURE
        }
    }
}
