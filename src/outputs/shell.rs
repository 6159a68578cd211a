//! Shell text: a change of variables as code for bash/zsh, fish or PowerShell, as JSON or as
//! `NAME=value` lines, and the shell variables the init scripts keep. nushell cannot evaluate
//! code: it gets data, JSON lines its init script applies with `load-env` and `hide-env`. The only code that writes
//! shell syntax. Every value is data: it is quoted for the target shell, whatever characters it
//! holds (quotes, `$()`, backticks, newlines, `;`, unicode). A value that a shell cannot hold
//! exactly (a NUL byte) is an error before anything is written: never a lossy or partial
//! rendering.

use super::quote::{fish_quote, posix_quote, powershell_quote, representable};
use crate::util::json;
use anyhow::{Result, bail};

/// The shells with an init script and a syntax of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    /// nushell: one JSON object per line, `{"set": {...}, "unset": [...]}`, applied in order.
    Nu,
}

/// What `assume`/`asp --shell` print: code for a shell, or data for a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Shell(Shell),
    /// `{"set": {...}, "unset": [...]}`
    Json,
    /// `NAME=value` lines, for `while IFS== read`.
    Env,
}

/// Variables to set (`Some`) or unset (`None`) as `format`; an error, with nothing rendered, when a
/// value cannot be written exactly.
pub fn render(vars: &[(&str, Option<String>)], format: Format) -> Result<String> {
    for (name, value) in vars {
        if let Some(v) = value {
            representable(name, v)?;
        }
    }
    let mut out = String::with_capacity(2048);
    match format {
        Format::Json | Format::Shell(Shell::Nu) => {
            let mut buf = Vec::with_capacity(2048);
            push_json(vars, &mut buf);
            buf.push(b'\n');
            return Ok(String::from_utf8(buf).expect("JSON is UTF-8"));
        }
        Format::Env => {
            // Scripts read `VAR=value` lines; an unset variable is absent. A value that holds
            // a line break cannot be one line: refused like NUL for the shells.
            for (name, value) in vars {
                if let Some(v) = value {
                    if v.contains(['\n', '\r']) {
                        bail!("{name} holds a line break, which --shell env cannot write on one line");
                    }
                    out.push_str(name);
                    out.push('=');
                    out.push_str(v);
                    out.push('\n');
                }
            }
        }
        Format::Shell(shell) => {
            for (name, value) in vars {
                render_one(&mut out, shell, name, value.as_deref());
            }
        }
    }
    Ok(out)
}

/// `{"set": {NAME: value}, "unset": [NAME]}`.
pub fn push_json(vars: &[(&str, Option<String>)], buf: &mut Vec<u8>) {
    buf.extend_from_slice(b"{\"set\":{");
    let set: Vec<_> = vars.iter().filter_map(|(n, v)| Some((n, v.as_deref()?))).collect();
    for (i, (name, value)) in set.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        json::push_str(buf, name);
        buf.push(b':');
        json::push_str(buf, value);
    }
    buf.extend_from_slice(b"},\"unset\":[");
    let unset: Vec<_> = vars.iter().filter(|(_, v)| v.is_none()).collect();
    for (i, (name, _)) in unset.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        json::push_str(buf, name);
    }
    buf.extend_from_slice(b"]}");
}

fn render_one(out: &mut String, shell: Shell, name: &str, value: Option<&str>) {
    match (shell, value) {
        // `\builtin`: a person's alias named `export` or `unset` cannot change what this does.
        (Shell::Bash | Shell::Zsh, Some(v)) => {
            out.push_str("\\builtin export ");
            out.push_str(name);
            out.push('=');
            posix_quote(out, v);
        }
        (Shell::Bash | Shell::Zsh, None) => {
            out.push_str("\\builtin unset ");
            out.push_str(name);
        }
        (Shell::Fish, Some(v)) => {
            out.push_str("set -gx ");
            out.push_str(name);
            out.push(' ');
            fish_quote(out, v);
        }
        // `set -e` of a variable that is not set fails: only erase what is there.
        (Shell::Fish, None) => {
            out.push_str("set -q ");
            out.push_str(name);
            out.push_str("; and set -e ");
            out.push_str(name);
        }
        (Shell::Powershell, Some(v)) => {
            out.push_str("$Env:");
            out.push_str(name);
            out.push_str(" = ");
            powershell_quote(out, v);
        }
        (Shell::Powershell, None) => {
            out.push_str("Remove-Item -LiteralPath Env:");
            out.push_str(name);
            out.push_str(" -ErrorAction SilentlyContinue");
        }
        (Shell::Nu, value) => {
            let mut buf = Vec::new();
            push_json(&[(name, value.map(str::to_owned))], &mut buf);
            out.push_str(&String::from_utf8(buf).expect("JSON is UTF-8"));
        }
    }
    out.push('\n');
}

/// A variable of the shell itself (global, not exported) holding `value`: the state the init
/// scripts keep. `name` is one of rolecall's own names, never data.
pub fn render_shell_var(out: &mut String, shell: Shell, name: &str, value: &str) -> Result<()> {
    debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    representable(name, value)?;
    match shell {
        Shell::Bash | Shell::Zsh => {
            out.push_str(name);
            out.push('=');
            posix_quote(out, value);
        }
        Shell::Fish => {
            out.push_str("set -g ");
            out.push_str(name);
            out.push(' ');
            fish_quote(out, value);
        }
        Shell::Powershell => {
            out.push_str("$global:");
            out.push_str(name);
            out.push_str(" = ");
            powershell_quote(out, value);
        }
        // The init script keeps its state in the environment (nushell has no other global): a
        // JSON line of its own, as for any variable.
        Shell::Nu => {
            render_one(out, shell, name, Some(value));
            return Ok(());
        }
    }
    out.push('\n');
    Ok(())
}
