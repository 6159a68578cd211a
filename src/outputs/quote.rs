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
    }
}
