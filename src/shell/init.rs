//! The shell integration: the scripts kept as real files under `shell/` (one per shell),
//! embedded at build time. The only substitutions: the binary's path (quoted for the shell), the
//! function names (checked to be plain names), which parts are on, and the command lists for
//! completion.

use super::env::Shell;
use super::quote::{fish_quote, posix_quote, powershell_quote};
use anyhow::{Result, bail};

const BASH: &str = include_str!("../../shell/rolecall.bash");
const ZSH: &str = include_str!("../../shell/rolecall.zsh");
const FISH: &str = include_str!("../../shell/rolecall.fish");
const POWERSHELL: &str = include_str!("../../shell/rolecall.ps1");

/// rolecall's subcommands, for the completion of `rolecall <TAB>` (tests/it/cli.rs checks this list
/// against the command line's definition; building that here would cost every start).
pub const COMMANDS: &[&str] = &[
    "list",
    "doctor",
    "assume",
    "console",
    "exec",
    "credential-process",
    "export",
    "whoami",
    "asp",
    "init",
    "allow",
    "deny",
    "dir",
    "prompt",
    "configure",
    "login",
    "sso",
    "setup",
    "edit",
    "rename",
    "rm",
    "rotate",
    "vault",
    "completions",
];

/// The subcommands whose first argument is a profile (`rolecall exec <TAB>` completes names).
pub const PROFILE_COMMANDS: &[&str] = &[
    "assume",
    "console",
    "exec",
    "export",
    "credential-process",
    "whoami",
    "asp",
    "configure",
    "login",
    "rename",
    "rm",
    "rotate",
];

/// The script as the shell evaluates it at start-up: without its comment lines and blank lines
/// (a third of the text, which every new shell would parse for nothing). The files under `shell/`
/// keep them; shellcheck's directives stay.
fn compact(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    for line in template.lines() {
        let code = line.trim_start();
        if code.is_empty() || (code.starts_with('#') && !code.starts_with("# shellcheck")) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The optional parts of a script.
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    /// The segment in the prompt (`--prompt`).
    pub prompt: bool,
    /// The `.awsprofile` hook (on unless `--no-dir`).
    pub dir: bool,
}

/// The script for `shell`, with `bin` as the binary and the two function names.
pub fn script(shell: Shell, bin: &str, assume: &str, asp: &str, parts: Parts) -> Result<String> {
    for name in [assume, asp] {
        let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if name.is_empty() || !plain || name.starts_with('-') || name.as_bytes()[0].is_ascii_digit() {
            bail!("function name {name:?}: use letters, digits, `_` and `-` (not first)");
        }
    }
    if assume == asp {
        bail!("--assume-cmd and --asp-cmd must differ");
    }
    let (template, quote): (&str, fn(&mut String, &str)) = match shell {
        Shell::Bash => (BASH, posix_quote),
        Shell::Zsh => (ZSH, posix_quote),
        Shell::Fish => (FISH, fish_quote),
        Shell::Powershell => (POWERSHELL, powershell_quote),
    };
    let mut quoted = String::new();
    quote(&mut quoted, bin);
    Ok(compact(template)
        .replace("__ROLECALL_BIN__", &quoted)
        .replace("__ROLECALL_ASSUME__", assume)
        .replace("__ROLECALL_ASP__", asp)
        .replace("__ROLECALL_COMMANDS__", &COMMANDS.join(" "))
        .replace("__ROLECALL_PROFILE_COMMANDS__", &PROFILE_COMMANDS.join(" "))
        .replace("__ROLECALL_PROMPT__", if parts.prompt { "1" } else { "0" })
        .replace("__ROLECALL_DIR__", if parts.dir { "1" } else { "0" }))
}
