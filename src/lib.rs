//! rolecall: switch AWS profiles in the current shell.
//!
//! Data flows one way: files ([`profile`]) -> plan ([`resolve`]) -> credentials -> shell text.
//! The library is what the binary and the tests share.

pub mod arn;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod cmd;
pub mod creds;
pub mod dirprofile;
pub mod doctor;
pub mod engine;
pub mod fsutil;
pub mod http;
pub mod iam;
pub mod json;
pub mod mfa;
pub mod online;
pub mod partition;
pub mod picker;
pub mod process;
pub mod profile;
pub mod recent;
pub mod resolve;
pub mod segment;
pub mod shellenv;
pub mod sso;
pub mod sts;
pub mod style;
pub mod suggest;
pub mod time;
pub mod tty;

/// The person cancelled a prompt or the picker (Esc, Ctrl-C, Ctrl-D); the command exits 130.
#[derive(Debug)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// The one tokio runtime rolecall starts, on one thread, only for commands that call AWS.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the network runtime")
}
