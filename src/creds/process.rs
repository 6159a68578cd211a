//! The commands a profile names (`credential_process`, `mfa_process`): run through `sh -c` as the
//! SDKs do, standard input closed, standard error passed on, standard output read up to a size no
//! real answer reaches. A command that runs rolecall again for a profile whose command is already
//! running (`credential_process = rolecall credential-process loop` in profile `loop`) is stopped
//! by a marker in the children's environment, not by the machine running out of processes.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};

/// The most a command may print: credential_process JSON is well under 10 KiB.
pub const MAX_OUTPUT: u64 = 1 << 20;

/// The profiles whose commands are running above this process, one per line.
pub const NESTING: &str = "__ROLECALL_NESTED";

/// How deep commands may run rolecall inside each other (a source profile's process for a role
/// whose base is another process …).
pub const MAX_DEPTH: usize = 8;

/// What a command printed and how it ended.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
}

/// The profiles in the marker this process inherited.
fn chain(cfg: &Config) -> Vec<String> {
    cfg.var(NESTING).map(|v| v.lines().map(str::to_owned).collect()).unwrap_or_default()
}

/// Refuse to fetch `profile` when a command of the same profile is what started this process,
/// or when commands run rolecall deeper than [`MAX_DEPTH`].
pub fn check_nesting(cfg: &Config, profile: &str) -> Result<()> {
    let chain = chain(cfg);
    if chain.iter().any(|p| p == profile) {
        bail!(
            "profile `{}` runs rolecall for `{}` again from its own credential_process: a loop (see 'rolecall doctor')",
            crate::util::text::printable(profile),
            crate::util::text::printable(profile)
        );
    }
    if chain.len() >= MAX_DEPTH {
        bail!("credential_process commands run rolecall more than {MAX_DEPTH} deep: a loop? (see 'rolecall doctor')");
    }
    Ok(())
}

/// Run `command` (`what` names it in errors) for `profile`.
pub fn output_for(command: &str, what: &str, profile: Option<(&Config, &str)>) -> Result<Output> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    if let Some((cfg, profile)) = profile {
        let mut chain = chain(cfg);
        chain.push(profile.replace('\n', " "));
        cmd.env(NESTING, chain.join("\n"));
    }
    let mut child = cmd.spawn().with_context(|| format!("cannot run {what}"))?;
    let mut stdout = Vec::new();
    let read = child.stdout.take().expect("piped").take(MAX_OUTPUT + 1).read_to_end(&mut stdout);
    if read.is_err() || stdout.len() as u64 > MAX_OUTPUT {
        let _ = child.kill();
        let _ = child.wait();
        bail!("{what} printed more than {} KiB: not credentials", MAX_OUTPUT / 1024);
    }
    let status = child.wait().with_context(|| format!("cannot run {what}"))?;
    Ok(Output { status, stdout })
}

/// Run `command` with no profile marker.
pub fn output(command: &str, what: &str) -> Result<Output> {
    output_for(command, what, None)
}
