//! What a layer has to say while it works, handed up as a value: the command decides how it
//! reaches the person (`crate::ui::notice`: one line on stderr).

/// What a fetch, a lock or the server has to say while it works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Something the person should know (`mfa_arn` used, a clock off, a cache not written).
    Warning(String),
    /// Waiting for another process (what it is doing).
    Waiting(String),
    /// A line for the person that is neither (what a session will be, a renewal that failed).
    Note(String),
}

/// Where notices go.
pub type Notify<'a> = &'a dyn Fn(Notice);
