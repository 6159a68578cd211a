use clap::Parser;
use rolecall::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    rolecall::ui::tty::install_panic_hook();
    // The shell's start-up line: `init` parsed alone (see InitOnly).
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == "init")
        && let Ok(init) = rolecall::cli::InitOnly::try_parse_from(args)
    {
        let cfg = rolecall::config::Config::from_process();
        let command = rolecall::cli::Command::Init(init.args);
        return rolecall::cmd::run(command, &cfg).unwrap_or_else(|err| rolecall::ui::exit::report(&err));
    }
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
        Err(err) => rolecall::ui::exit::report(&err),
    }
}
