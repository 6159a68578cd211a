//! How rolecall ends: the exit codes, and the errors that carry more than their text (a
//! cancellation, a profile that is not there). [`crate::ui::exit`] turns them into the line a
//! person reads.

/// Exit codes: 0 done, 1 failed, 2 a usage error (clap's own), 130 cancelled by the person.
pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;
pub const CANCELLED: u8 = 130;

/// A profile that is not in the files (the line a person reads adds a did-you-mean from `known`).
#[derive(Debug)]
pub struct UnknownProfile {
    pub name: String,
    pub known: Vec<String>,
}

impl std::fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "profile `{}` not found", self.name)
    }
}

impl std::error::Error for UnknownProfile {}

/// The person cancelled a prompt or the picker (Esc, Ctrl-C, Ctrl-D); the command exits 130.
#[derive(Debug)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// A command rolecall was to run could not start: exit 127 (not found) or 126 (not executable),
/// as a shell's would.
#[derive(Debug)]
pub struct CannotRun {
    pub program: String,
    pub code: u8,
}

impl CannotRun {
    /// The error for `err` from starting `program`: [`CannotRun`] when a shell has an exit code
    /// for it, else what the system said.
    pub fn from_io(program: &str, err: std::io::Error) -> anyhow::Error {
        let code = match err.kind() {
            std::io::ErrorKind::NotFound => 127,
            std::io::ErrorKind::PermissionDenied => 126,
            _ => return anyhow::anyhow!("cannot run {program}: {err}"),
        };
        anyhow::anyhow!(CannotRun { program: program.to_owned(), code })
    }
}

impl std::fmt::Display for CannotRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = if self.code == 127 { "command not found" } else { "permission denied (not executable)" };
        write!(f, "{}: {why}", self.program)
    }
}

impl std::error::Error for CannotRun {}
