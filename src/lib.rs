//! rolecall: switch AWS profiles in the current shell.
//!
//! Where things happen (the tree is the map; each folder's `mod.rs` says what it holds):
//! - the AWS files are parsed, merged and checked in [`files`] (`document`, `merge`, `doctor/`);
//! - STS and every other AWS call are made in [`aws`] (`sts`, `iam`, `sso`), reached from [`creds`];
//! - shell text is written in [`shell`] (`env` renders, `init` the scripts of `shell/`);
//! - the terminal is read in [`ui`] (`tty` is the one place that opens `/dev/tty`);
//! - long-term keys kept out of the files live in [`vault`] (Secret Service, Keychain, age file).
//!
//! Data flows one way: files -> chain -> plan -> credentials -> shell text; [`cmd`] ties them.

pub mod aws;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod creds;
pub mod error;
pub mod files;
pub mod serve;
pub mod shell;
pub mod ui;
pub mod util;
pub mod vault;

pub use error::Cancelled;

/// The one tokio runtime rolecall starts, on one thread, only for commands that call AWS.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the network runtime")
}
