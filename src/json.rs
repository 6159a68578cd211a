//! A small JSON writer for the outputs that must be fast (`list --json` on 10,000 profiles).
//! It appends to one buffer and copies a string whole when nothing in it needs escaping
//! (serde_json escapes byte by byte through its formatter: a quarter of the command's time).

use std::io::{self, Write};

/// Append a JSON string literal.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // No early exit: the compiler vectorises this check.
    let plain = !bytes.iter().fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if plain {
        out.extend_from_slice(bytes);
    } else {
        for &b in bytes {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0..=0x1f => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[usize::from(b >> 4)]);
                    out.push(HEX[usize::from(b & 0xf)]);
                }
                _ => out.push(b),
            }
        }
    }
    out.push(b'"');
}

/// One JSON object, written field by field.
pub struct Object<'w> {
    out: &'w mut Vec<u8>,
    empty: bool,
}

impl<'w> Object<'w> {
    pub fn start(out: &'w mut Vec<u8>) -> Object<'w> {
        out.push(b'{');
        Object { out, empty: true }
    }

    /// Field names are our own plain identifiers: written as they are.
    fn key(&mut self, name: &str) -> &mut Vec<u8> {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        self.out.extend_from_slice(if self.empty { b"\"" } else { b",\"" });
        self.empty = false;
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    pub fn str(&mut self, name: &str, value: &str) -> &mut Self {
        push_str(self.key(name), value);
        self
    }

    pub fn opt_str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.str(name, v),
            None => {
                self.key(name).extend_from_slice(b"null");
                self
            }
        }
    }

    pub fn num(&mut self, name: &str, value: u64) -> &mut Self {
        self.key(name).extend_from_slice(value.to_string().as_bytes());
        self
    }

    pub fn str_array(&mut self, name: &str, values: &[&str]) -> &mut Self {
        let out = self.key(name);
        out.push(b'[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_str(out, v);
        }
        out.push(b']');
        self
    }

    pub fn end(&mut self) {
        self.out.push(b'}');
    }
}

/// Types written as one JSON object.
pub trait ToJson {
    fn push_json(&self, out: &mut Vec<u8>);
}

/// A JSON array with one compact object per line: quick to write and read, easy to grep and diff.
/// Written in 64 KiB chunks, so a long list never sits in memory whole.
pub fn write_lines<T: ToJson>(out: &mut dyn Write, items: impl IntoIterator<Item = T>) -> io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    buf.push(b'[');
    let mut empty = true;
    for item in items {
        buf.extend_from_slice(if empty { b"\n" } else { b",\n" });
        empty = false;
        item.push_json(&mut buf);
        if buf.len() >= CHUNK {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    buf.extend_from_slice(if empty { b"]\n" } else { b"\n]\n" });
    out.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_valid_json() {
        for s in ["plain", "quote \" back \\ slash", "nl\ncr\rtab\t", "\u{1}\u{1f}", "ünï 🐱", ""] {
            let mut out = Vec::new();
            push_str(&mut out, s);
            let back: String = serde_json::from_slice(&out).unwrap();
            assert_eq!(back, s);
        }
    }
}
