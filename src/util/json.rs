//! A small JSON writer for the outputs that must be fast (`list --json` on 10,000 profiles).
//! It appends to one buffer and copies a string whole when nothing in it needs escaping
//! (serde_json escapes byte by byte through its formatter: a quarter of the command's time).

use std::io::{self, Write};

/// Whether any byte is a control character, `"` or `\\`: eight bytes at a time, the last eight
/// overlapping the others (no byte-by-byte tail), a short string padded with spaces.
fn needs_escape(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(LO) & !x & HI != 0;
    let bad = |x: u64| {
        let below_space = x.wrapping_sub(0x20 * LO) & !x & HI != 0;
        below_space || has_zero(x ^ (u64::from(b'"') * LO)) || has_zero(x ^ (u64::from(b'\\') * LO))
    };
    let word = |chunk: &[u8]| u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
    if bytes.len() < 8 {
        let mut padded = [b' '; 8];
        padded[..bytes.len()].copy_from_slice(bytes);
        return bad(u64::from_le_bytes(padded));
    }
    let mut chunks = bytes.chunks_exact(8);
    if chunks.any(|c| bad(word(c))) {
        return true;
    }
    !chunks.remainder().is_empty() && bad(word(&bytes[bytes.len() - 8..]))
}

/// Append a JSON string literal.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !needs_escape(bytes) {
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    out.push(b'"');
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

    /// Field names are our own plain identifiers: `,"name":` is written in one copy.
    fn key(&mut self, name: &str) -> &mut Vec<u8> {
        debug_assert!(name.len() <= 28 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        let mut buf = [0u8; 32];
        let start = usize::from(self.empty);
        buf[0] = b',';
        buf[1] = b'"';
        buf[2..2 + name.len()].copy_from_slice(name.as_bytes());
        buf[2 + name.len()..4 + name.len()].copy_from_slice(b"\":");
        self.out.extend_from_slice(&buf[start..4 + name.len()]);
        self.empty = false;
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

    /// The field only when there is a value (for readers that reject `null`).
    pub fn some_str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(name, v);
        }
        self
    }

    pub fn num(&mut self, name: &str, value: u64) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut v = value;
        loop {
            at -= 1;
            digits[at] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.key(name).extend_from_slice(&digits[at..]);
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

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii=True`).
pub fn python_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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

    #[test]
    fn escape_detection_matches_bytewise() {
        let samples =
            ["", "abcdefgh", "abcdefg\"", "x\\yyyyyyyyyyyyy", "0123456789abcdef\u{1f}", "ünïcödé ✓ 🐱 long enough"];
        for s in samples {
            let slow = s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
            assert_eq!(needs_escape(s.as_bytes()), slow, "{s:?}");
        }
        for b in 0..=255u8 {
            let bytes = [b'a', b'a', b'a', b, b'a', b'a', b'a', b'a', b'a'];
            assert_eq!(needs_escape(&bytes[..8]), b < 0x20 || b == b'"' || b == b'\\', "{b}");
        }
        // Every length (short, whole words, a tail) with the one bad byte at every place.
        for len in 0..=25 {
            assert!(!needs_escape(&vec![b'a'; len]), "{len}");
            for at in 0..len {
                for bad in [b'"', b'\\', b'\n', 0, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = bad;
                    assert!(needs_escape(&bytes), "{len} {at} {bad}");
                }
            }
        }
    }

    #[test]
    fn numbers() {
        for n in [0, 7, 10, 12345, u64::MAX] {
            let mut out = Vec::new();
            Object::start(&mut out).num("n", n).end();
            assert_eq!(String::from_utf8(out).unwrap(), format!("{{\"n\":{n}}}"));
        }
    }
}
