//! Shell text: the environment contract and its rendering for each shell (the only code that
//! writes shell syntax), the init scripts of `shell/`, the prompt segment, and `.awsprofile` with
//! its trust store.

pub mod dir;
pub mod env;
pub mod export;
pub mod init;
pub mod prompt;
pub mod quote;
pub mod switch;
pub mod trust;
