//! The command the server serves, run as rolecall's child: its environment set, the signals a
//! person sends to rolecall passed on to it, its exit code rolecall's, and the server's private
//! files (the token) removed when it ends, however it ends.

use crate::config::Config;
use anyhow::{Context, Result, anyhow};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicI32, Ordering};

/// A 0700 directory of the server's own (`$XDG_RUNTIME_DIR/rolecall/server-…`, else under the
/// cache directory), removed with everything in it when dropped.
pub struct RuntimeDir {
    pub path: PathBuf,
}

impl RuntimeDir {
    pub fn create(cfg: &Config) -> Result<RuntimeDir> {
        let base = match cfg.var("XDG_RUNTIME_DIR") {
            Some(dir) => PathBuf::from(dir).join("rolecall"),
            None => cfg
                .cache_dir()
                .context("cannot find a runtime directory: neither XDG_RUNTIME_DIR, XDG_CACHE_HOME nor HOME is set")?
                .join("run"),
        };
        crate::util::fs::ensure_private_dir(&base)?;
        let path = base.join(format!("server-{}-{}", std::process::id(), crate::util::fs::random_hex()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(RuntimeDir { path })
    }

    /// Write `secret` to a 0600 file `name` in the directory.
    pub fn write_secret(&self, name: &str, secret: &str) -> Result<PathBuf> {
        let file = self.path.join(name);
        crate::util::fs::write_private(&file, secret.as_bytes())?;
        Ok(file)
    }
}

impl Drop for RuntimeDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The child's pid while it runs, for the signal handler (0: none).
static CHILD: AtomicI32 = AtomicI32::new(0);

/// The signals passed on to the child when someone sends them to rolecall (`kill`). Those the
/// terminal sends (Ctrl-C, a hang-up) reach the child by themselves: it is in the same
/// foreground process group; rolecall outlives them to clean up.
const FORWARDED: [libc::c_int; 6] =
    [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT, libc::SIGUSR1, libc::SIGUSR2];

extern "C" fn forward(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: `info` is the kernel's for this delivery; kill is async-signal-safe.
    let sent_by_a_process = info.is_null() || unsafe { (*info).si_code } <= 0;
    let pid = CHILD.load(Ordering::SeqCst);
    if sent_by_a_process && pid > 0 {
        unsafe { libc::kill(pid, signal) };
    }
}

fn install_forwarding() {
    for signal in FORWARDED {
        // SAFETY: a handler that only reads an atomic and calls kill.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = forward as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Run `command` with `env` (set, or removed for `None`) until it ends; its exit code (128 + the
/// signal that ended it, as a shell says; 127 not found, 126 not executable).
pub fn run(command: &[String], env: &[(String, Option<String>)], cwd: Option<&Path>) -> Result<ExitCode> {
    let Some((program, args)) = command.split_first() else {
        return Err(anyhow!("name a command to run after --"));
    };
    install_forwarding();
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    for (name, value) in env {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    let shown = crate::util::text::printable(program);
    let mut child = cmd.spawn().map_err(|e| crate::error::CannotRun::from_io(&shown, e))?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    let status = child.wait().with_context(|| format!("waiting for {shown}"));
    CHILD.store(0, Ordering::SeqCst);
    let status = status?;
    use std::os::unix::process::ExitStatusExt;
    let code = match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 1,
    };
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}
