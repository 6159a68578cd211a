//! The shell integration: the scripts kept as real files under `shell/` (one per shell),
//! embedded at build time. The only substitutions: the binary's path (quoted for the shell), the
//! function names (checked to be plain names), which parts are on, and the command lists for
//! completion.

use super::env::Shell;
use crate::outputs::quote::{fish_quote, nu_quote, posix_quote, powershell_quote};
use anyhow::{Result, bail};

const BASH: &str = include_str!("../../shell/rolecall.bash");
const ZSH: &str = include_str!("../../shell/rolecall.zsh");
const FISH: &str = include_str!("../../shell/rolecall.fish");
const POWERSHELL: &str = include_str!("../../shell/rolecall.ps1");
const NU: &str = include_str!("../../shell/rolecall.nu");

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
    "logout",
    "sso",
    "eks",
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
    "logout",
    "rename",
    "rm",
    "rotate",
];

/// The optional parts of a script.
#[derive(Clone, Copy, Debug, Default)]
pub struct Parts<'a> {
    /// The segment in the prompt (`--prompt`).
    pub prompt: bool,
    /// The `.awsprofile` hook (on unless `--no-dir`).
    pub dir: bool,
    /// Auto-refresh is on (`ROLECALL_AUTO_REFRESH=1` when `init` runs): its check is carried
    /// rather than loaded at the first prompt.
    pub refresh: bool,
    /// One piece that loads later (`--part NAME`: `# --- part NAME` … `# --- end part` in the
    /// bash and zsh scripts) instead of the script: what the first call of one of its functions
    /// asks for. The script itself carries the pieces its prompts need (the segment with
    /// `--prompt`) and leaves the others out.
    pub part: Option<&'a str>,
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
        Shell::Nu => (NU, nu_quote),
    };
    let mut quoted = String::new();
    quote(&mut quoted, bin);
    let (commands, profile_commands) = (COMMANDS.join(" "), PROFILE_COMMANDS.join(" "));
    let on = |b: bool| if b { "1" } else { "0" };
    let subs = [
        ("__ROLECALL_BIN__", quoted.as_str()),
        ("__ROLECALL_ASSUME__", assume),
        ("__ROLECALL_ASP__", asp),
        ("__ROLECALL_COMMANDS__", &commands),
        ("__ROLECALL_PROFILE_COMMANDS__", &profile_commands),
        ("__ROLECALL_PROMPT__", on(parts.prompt)),
        ("__ROLECALL_DIR__", on(parts.dir)),
    ];
    let mut inline = Vec::new();
    if parts.prompt {
        inline.extend(["segment", "prompt"]);
    }
    if parts.refresh {
        inline.push("refresh");
    }
    if let Some(name) = parts.part
        && !template.lines().any(|l| l.trim_start().strip_prefix("# --- part ") == Some(name))
    {
        bail!("the {shell:?} script has no part {name:?}");
    }
    Ok(render(template, &subs, parts.part, &inline))
}

/// The script as the shell evaluates it at start-up, in one pass over the template: without its
/// comment lines and blank lines (a third of the text, which every new shell would parse for
/// nothing; the files under `shell/` keep them, shellcheck's directives stay), and each
/// `__ROLECALL_…__` placeholder replaced.
fn render(template: &str, subs: &[(&str, &str)], only: Option<&str>, inline: &[&str]) -> String {
    const MARK: &str = "__ROLECALL_";
    let mark = memchr::memmem::Finder::new(MARK);
    let mut out = String::with_capacity(template.len());
    let mut part: Option<&str> = None;
    for line in template.split_terminator('\n') {
        let code = line.trim_start();
        if let Some(name) = code.strip_prefix("# --- part ") {
            part = Some(name);
            continue;
        }
        if code == "# --- end part" {
            part = None;
            continue;
        }
        let wanted = match (only, part) {
            (Some(only), part) => part == Some(only),
            (None, Some(part)) => inline.contains(&part),
            (None, None) => true,
        };
        if !wanted || code.is_empty() || (code.starts_with('#') && !code.starts_with("# shellcheck")) {
            continue;
        }
        let mut rest = line;
        while let Some(at) = mark.find(rest.as_bytes()) {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            let (skip, with) = subs.iter().find(|(k, _)| tail.starts_with(k)).map_or((MARK, MARK), |(k, v)| (*k, *v));
            out.push_str(with);
            rest = &tail[skip.len()..];
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}
