//! How rolecall ends: the exit codes, and the one place that turns an error into the line a
//! person reads on stderr.

use std::process::ExitCode;

/// Exit codes: 0 done, 1 failed, 2 a usage error (clap's own), 130 cancelled by the person.
pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;
pub const CANCELLED: u8 = 130;

/// The person cancelled a prompt or the picker (Esc, Ctrl-C, Ctrl-D); the command exits 130.
#[derive(Debug)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// Print `err` as one line (`rolecall: what failed: why`) and give its exit code. Errors quote
/// files, the network and the environment: control and bidi characters are escaped, so nothing
/// in them can drive the terminal.
pub fn report(err: &anyhow::Error) -> ExitCode {
    if err.downcast_ref::<Cancelled>().is_some() {
        eprintln!("rolecall: cancelled");
        return ExitCode::from(CANCELLED);
    }
    let mut text = format!("{err:#}");
    // A profile that is not there: the closest one the files have, as a hint.
    if let Some(unknown) = err.downcast_ref::<crate::creds::fetch::UnknownProfile>() {
        let known = unknown.known.iter().map(String::as_str);
        text = text.replacen(&unknown.to_string(), &crate::util::text::not_found("profile", &unknown.name, known), 1);
    }
    eprintln!("rolecall: {}", crate::util::text::printable(&text));
    ExitCode::from(FAILED)
}
