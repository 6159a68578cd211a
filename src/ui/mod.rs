//! The terminal: the one place that opens `/dev/tty` and reads a person's keys, the picker, colour
//! and escaping for human output, did-you-mean, browsers, and how a notice reaches a person.

pub mod ask;
pub mod browser;
pub mod callback;
pub mod editor;
pub mod exit;
pub mod picker;
pub mod report;
pub mod setup;
pub mod sign_in;
pub mod style;
pub mod tty;

/// How a fetch's notice reaches a person: one line on stderr each.
pub fn notice(notice: crate::types::Notice) {
    use crate::types::Notice;
    match notice {
        Notice::Warning(text) => eprintln!("rolecall: warning: {text}"),
        Notice::Waiting(text) | Notice::Note(text) => eprintln!("rolecall: {text}"),
    }
}
