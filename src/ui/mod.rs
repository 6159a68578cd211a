//! The terminal: the one place that opens `/dev/tty` and reads a person's keys, the picker, colour
//! and escaping for human output, did-you-mean, and the picker's recent list.

pub mod ask;
pub mod browser;
pub mod editor;
pub mod picker;
pub mod report;
pub mod style;
pub mod suggest;
pub mod tty;
