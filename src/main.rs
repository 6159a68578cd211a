use clap::Parser;
use rolecall::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    rolecall::ui::tty::install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let args: Vec<String> = std::env::args().collect();
            if let Some(hint) = rolecall::cli::usage_hint(&err, &args) {
                eprintln!("rolecall: {hint}");
                return ExitCode::from(rolecall::error::USAGE);
            }
            err.exit()
        }
    };
    let cfg = rolecall::config::Config::from_process();
    match rolecall::cmd::run(cli.command, &cfg) {
        Ok(code) => code,
        Err(err) => rolecall::error::report(&err),
    }
}
