//! The person's editor (`$VISUAL`, `$EDITOR`, else vi) on a file, with the terminal's signals
//! left to it while it runs.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use std::path::Path;

/// The signals a terminal sends to the whole foreground group: while the editor runs they are
/// the editor's (rolecall ignores them, as git does, so an editor that handles Ctrl-C keeps the
/// edit, and rolecall is there to write it or to remove the copy).
const EDITOR_SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGQUIT, libc::SIGHUP, libc::SIGTERM];

/// Ignores [`EDITOR_SIGNALS`] while it lives.
struct Ignoring([libc::sighandler_t; 4]);

impl Ignoring {
    fn start() -> Ignoring {
        // SAFETY: signal() with SIG_IGN installs no handler code; the old dispositions are kept.
        Ignoring(EDITOR_SIGNALS.map(|s| unsafe { libc::signal(s, libc::SIG_IGN) }))
    }
}

impl Drop for Ignoring {
    fn drop(&mut self) {
        for (s, old) in EDITOR_SIGNALS.iter().zip(self.0) {
            // SAFETY: puts back the disposition signal() returned above.
            unsafe { libc::signal(*s, old) };
        }
    }
}

/// The editor people set, run through `sh` so that `code -w` or `vim -u NONE` work.
pub fn run(cfg: &Config, path: &Path) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let chosen = ["VISUAL", "EDITOR"].iter().find_map(|k| cfg.var(k).filter(|v| !v.trim().is_empty()));
    // vi with no terminal would wait for a person who cannot answer (or wreck a pipe).
    if chosen.is_none() && crate::ui::tty::Tty::open().is_none() {
        anyhow::bail!(
            "edit opens an editor on the terminal, and there is none; set VISUAL or EDITOR to a command that edits the file, or use 'rolecall configure set'"
        );
    }
    let editor = chosen.unwrap_or_else(|| "vi".to_owned());
    let _ignoring = Ignoring::start();
    let mut command = std::process::Command::new("sh");
    // A plain command replaces the shell (`exec`), so that no shell sits between rolecall and the
    // editor to die of a Ctrl-C the editor itself ignores; anything with shell syntax runs as is.
    let plain = !editor.contains([';', '&', '|', '<', '>', '(', ')', '$', '`', '\n']);
    let exec = if plain { "exec " } else { "" };
    command.arg("-c").arg(format!("{exec}{editor} \"$1\"")).arg("sh").arg(path);
    // SAFETY: between fork and exec only signal() runs, which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            for s in EDITOR_SIGNALS {
                libc::signal(s, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    let status = command.status().with_context(|| format!("cannot run the editor ({editor})"))?;
    if !status.success() {
        bail!("the editor ({editor}) exited with {status}: nothing written");
    }
    Ok(())
}
