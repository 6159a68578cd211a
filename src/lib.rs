//! rolecall: switch AWS profiles in the current shell.
//!
//! ## Layers, top to bottom
//!
//! A module uses the ones below it, never one above, and the files inside one folder use each
//! other without a circle (`tests/it/layers.rs` reads this list and every `crate::` path, and
//! fails on an edge that points up). Prompts, the browser and notices go down as values (the
//! `Ask` trait, `Notify`); only [`cmd`] and [`ui`] print or open the terminal.
//!
//! 1. [`cmd`] — one file per subcommand: arguments in, the layers below, what happened out.
//! 2. [`ui`] — the terminal: `/dev/tty`, the picker, colour, browsers, how a notice is shown.
//! 3. [`serve`] — the credential server for `exec --server`, and running a command as a profile.
//! 4. [`shell`] — the init scripts of `shell/`, the prompt segment, `.awsprofile` and its trust.
//! 5. [`outputs`] — credentials out: shell text per shell, env/dotenv/json/ini, credential_process
//!    and container JSON, the console URL; each a pure function writing to what it is given.
//! 6. [`cli`] — the command line, declared only.
//! 7. [`creds`] — profile -> credentials: steps, cache, MFA, sources, renewal.
//! 8. [`vault`] — long-term keys in the OS keyring or an age file.
//! 9. [`aws`] — every AWS call: one HTTP stack, endpoints, STS, IAM, SSO, sign-in federation.
//! 10. [`files`] — `~/.aws/config` and `credentials`: parse, merge, chain, edit, doctor.
//! 11. [`error`] — exit codes and the errors that carry more than text.
//! 12. [`types`] — plain data every layer passes: `Credentials`, the `Ask` trait.
//! 13. [`config`] — every setting from the environment, in one `Config`.
//! 14. [`util`] — atomic writes, time, JSON, ARNs, text.
//!
//! Data flows one way: files -> chain -> steps -> credentials -> outputs; [`cmd`] ties them.

pub mod aws;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod creds;
pub mod error;
pub mod files;
pub mod outputs;
pub mod serve;
pub mod shell;
pub mod types;
pub mod ui;
pub mod util;
pub mod vault;

pub use error::Cancelled;
