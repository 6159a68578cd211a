//! Shell text: the environment contract and its rendering for each shell (the only code that
//! writes shell syntax), the init scripts of `shell/`, the prompt segment, and `.awsprofile` with
//! its trust store.

pub mod dir;
pub mod enter;
pub mod env;
pub mod init;
pub mod prompt;
pub mod switch;
pub mod trust;
