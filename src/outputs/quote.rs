//! Quoting for each shell: a value becomes one word that the shell reads back exactly, whatever
//! it holds; a value no shell variable can hold (a NUL) is refused.

use anyhow::{Result, bail};

/// A value a shell can hold: no NUL (a C string ends there; bash drops it, fish cuts the line).
pub fn representable(name: &str, value: &str) -> Result<()> {
    if value.contains('\0') {
        bail!("{name} holds a NUL byte, which no shell variable can hold: nothing was printed");
    }
    Ok(())
}

/// POSIX single quotes: nothing inside is special but `'`, written as `'\''`.
pub fn posix_quote(out: &mut String, value: &str) {
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}

/// fish single quotes: only `\` and `'` are special, each escaped with a backslash.
pub fn fish_quote(out: &mut String, value: &str) {
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// PowerShell verbatim strings: a quote is doubled. PowerShell also takes the typographic
/// single quotes (U+2018..U+201B) as quotes, so those are doubled too.
pub fn powershell_quote(out: &mut String, value: &str) {
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

/// nushell raw strings, `r#'…'#`: nothing inside is special; the string ends only at `'` and as
/// many `#` as it opened with, so it opens with one more than the longest such run inside.
pub fn nu_quote(out: &mut String, value: &str) {
    let longest = value.split('\'').skip(1).map(|after| after.bytes().take_while(|&b| b == b'#').count()).max();
    let hashes = "#".repeat(longest.map_or(1, |n| n + 1));
    out.push('r');
    out.push_str(&hashes);
    out.push('\'');
    out.push_str(value);
    out.push('\'');
    out.push_str(&hashes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let q = |f: fn(&mut String, &str), v: &str| {
            let mut s = String::new();
            f(&mut s, v);
            s
        };
        assert_eq!(q(posix_quote, "it's"), r"'it'\''s'");
        assert_eq!(q(fish_quote, r"a\'b"), r"'a\\\'b'");
        assert_eq!(q(powershell_quote, "it's ‘x’"), "'it''s ‘‘x’’'");
        assert_eq!(q(nu_quote, "/opt/role call"), "r#'/opt/role call'#");
        assert_eq!(q(nu_quote, "a'#b'##"), "r###'a'#b'##'###");
    }
}
