//! Small pieces every layer uses: the one atomic writer, private directories and the lock; time;
//! JSON out; ARNs; text for people (escaping, did-you-mean).

pub mod arn;
pub mod fs;
pub mod json;
pub mod random;
pub mod text;
pub mod time;

/// The one tokio runtime rolecall starts, on one thread, only for commands that call AWS.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the network runtime")
}
