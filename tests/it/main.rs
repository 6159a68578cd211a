//! rolecall's integration tests, one crate (ripgrep's layout): the AWS SDK and the test helpers
//! are linked once. Each module is one area; `common` has the temporary homes, moto and a local
//! HTTP server.

mod cli;
mod common;
mod conformance;
mod consistency;
mod console;
mod differential;
mod dirprofile;
mod edit;
mod eks;
mod export;
mod hostile;
mod layers;
mod login;
mod messages;
mod no_panic;
mod online;
mod prompt;
mod provider_conformance;
mod rotate;
mod roundtrip;
mod sandbox;
mod server;
mod shells;
mod sso;
mod sso_pkce;
mod sts;
mod vault;
