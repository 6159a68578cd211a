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
pub mod doctor;
pub mod engine;
pub mod json;
pub mod mfa;
pub mod profile;
pub mod resolve;
pub mod shellenv;
pub mod sts;
pub mod style;
pub mod suggest;
pub mod time;
