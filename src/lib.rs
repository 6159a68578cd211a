//! rolecall: switch AWS profiles in the current shell.
//!
//! Data flows one way: files ([`profile`]) -> plan ([`resolve`]) -> credentials -> shell text.
//! The library is what the binary and the tests share.

pub mod arn;
pub mod catalog;
pub mod cli;
pub mod cmd;
pub mod doctor;
pub mod json;
pub mod profile;
pub mod resolve;
pub mod style;
pub mod suggest;
