//! The one place that turns an error into the line a person reads on stderr, and its exit code.

use std::process::ExitCode;

/// Print `err` as one line (`rolecall: what failed: why`) and give its exit code. Errors quote
/// files, the network and the environment: control and bidi characters are escaped, so nothing
/// in them can drive the terminal.
pub fn report(err: &anyhow::Error) -> ExitCode {
    if err.downcast_ref::<crate::error::Cancelled>().is_some() {
        eprintln!("rolecall: cancelled");
        return ExitCode::from(crate::error::CANCELLED);
    }
    if let Some(cannot) = err.downcast_ref::<crate::error::CannotRun>() {
        eprintln!("rolecall: {}", crate::util::text::printable(&cannot.to_string()));
        return ExitCode::from(cannot.code);
    }
    let mut text = format!("{err:#}");
    // A profile that is not there: the closest one the files have, as a hint.
    if let Some(unknown) = err.downcast_ref::<crate::error::UnknownProfile>() {
        let known = unknown.known.iter().map(String::as_str);
        text = text.replacen(&unknown.to_string(), &crate::util::text::not_found("profile", &unknown.name, known), 1);
    }
    eprintln!("rolecall: {}", crate::util::text::printable(&text));
    ExitCode::from(crate::error::FAILED)
}
