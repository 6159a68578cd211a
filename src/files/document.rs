//! A lossless model of one AWS INI file.
//!
//! Every byte of the input is kept: a UTF-8 byte-order mark, each line's text and its own line
//! ending (`\n`, `\r\n` or none on the last line), comments, blank lines, spacing and unknown keys.
//! [`Document::render`] gives the input back byte for byte, which is what lets the editor change
//! one line and leave every other byte alone.
//!
//! [`Document::raw_sections`] reads the lines with the exact rules of the AWS SDKs' parser
//! (smithy-rs `aws-runtime` `env_config::parse`, which the shared conformance tests define):
//! what is whitespace (space and tab only), where comments start, continuation lines and
//! sub-properties, and the first error that makes the whole file unreadable.

use super::FastMap;
use std::borrow::Cow;

/// The UTF-8 byte-order mark. Kept by the document; skipped when reading profiles.
pub const BOM: char = '\u{feff}';

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eol {
    None,
    Lf,
    CrLf,
}

impl Eol {
    pub fn as_str(self) -> &'static str {
        match self {
            Eol::None => "",
            Eol::Lf => "\n",
            Eol::CrLf => "\r\n",
        }
    }
}

/// The file's text after the BOM. Lines are found when read (a stored index would cost more
/// than it saves on a 10,000-profile file).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub bom: bool,
    text: String,
}

/// The first line the SDKs cannot read; they reject the whole file for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// A property as the SDK parser sees it (before identifier validation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawProperty<'a> {
    /// Lower-cased (ASCII) key.
    pub key: Cow<'a, str>,
    /// Value; continuation lines are appended as `\n` + trimmed line.
    pub value: Cow<'a, str>,
    /// 1-based line number of the `key = value` line.
    pub line: usize,
}

/// All headers with the same raw text (`[profile  a]` and `[profile a]` differ here; the SDK
/// merges them later, after normalising the name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawSection<'a> {
    /// Text between the brackets, comment removed, outer whitespace trimmed.
    pub raw_name: &'a str,
    /// 1-based line numbers of every header with this raw name.
    pub header_lines: Vec<usize>,
    /// Properties in first-definition order; a later definition of the same key replaces the
    /// value in place.
    pub properties: Vec<RawProperty<'a>>,
    /// Definitions that a later line with the same key replaced: (key, line).
    pub overridden: Vec<(Cow<'a, str>, usize)>,
}

/// The result of reading a document with the SDK rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawFile<'a> {
    pub sections: Vec<RawSection<'a>>,
    pub error: Option<ParseError>,
}

impl Document {
    pub fn parse(text: &str) -> Document {
        Document::from_string(text.to_owned())
    }

    /// Take ownership of the text (no copy unless there is a BOM to split off).
    pub fn from_string(mut text: String) -> Document {
        let bom = text.starts_with(BOM);
        if bom {
            text.drain(..BOM.len_utf8());
        }
        Document { bom, text }
    }

    /// The text after the BOM.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text after the BOM, to edit in place (the editor keeps every other byte).
    pub(super) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// The document as bytes, identical to the parsed input when nothing was edited.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 3);
        if self.bom {
            out.push(BOM);
        }
        out.push_str(&self.text);
        out
    }

    /// Each line's text (without its ending) and its ending: `\n`, `\r\n`, or none for a last
    /// line without one. A lone `\r` is part of the text, as for the SDKs.
    pub fn lines(&self) -> impl Iterator<Item = (&str, Eol)> {
        let mut rest = self.text.as_str();
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let (line, eol, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
                Some(i) => match rest[..i].strip_suffix('\r') {
                    Some(line) => (line, Eol::CrLf, &rest[i + 1..]),
                    None => (&rest[..i], Eol::Lf, &rest[i + 1..]),
                },
                None => (rest, Eol::None, ""),
            };
            rest = next;
            Some((line, eol))
        })
    }

    /// Read the lines with the SDK parser's rules, reporting each header, property and
    /// continuation to `visitor` in file order. Stops at the first error, as the SDKs do.
    pub fn read<'a>(&'a self, visitor: &mut impl Visitor<'a>) -> Result<(), ParseError> {
        let mut in_section = false;
        // Some(value was empty) once a property was read: an empty value starts sub-properties.
        let mut property: Option<bool> = None;
        for (i, (text, _)) in self.lines().enumerate() {
            let number = i + 1;
            if is_blank(text) || matches!(text.as_bytes()[0], b'#' | b';') {
                continue;
            }
            let err = |message: String| ParseError { line: number, message };
            if text.starts_with('[') {
                let inner = strip_header_comment(text)
                    .strip_suffix(']')
                    .ok_or_else(|| err("Profile definition must end with ']'".into()))?;
                visitor.header(&inner[1..], number);
                in_section = true;
                property = None;
            } else if !in_section {
                return Err(err("Expected a profile definition".into()));
            } else if matches!(text.as_bytes()[0], b' ' | b'\t') {
                let sub = property.ok_or_else(|| err("Expected a property definition, found continuation".into()))?;
                if sub {
                    split_property(text).map_err(|e| err(e.message("sub-property")))?;
                }
                visitor.continuation(trim_ws(text), number);
            } else {
                let (key, value) = split_property(text).map_err(|e| err(e.message("property")))?;
                let key = if key.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(key.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(key)
                };
                visitor.property(key, value, number);
                property = Some(value.is_empty());
            }
        }
        Ok(())
    }

    /// The sections as the SDK parser collects them before normalising names (for `doctor`).
    pub fn raw_sections(&self) -> RawFile<'_> {
        let mut builder = RawBuilder::default();
        let error = self.read(&mut builder).err();
        RawFile { sections: builder.sections, error }
    }
}

/// What [`Document::read`] reports, in file order, for lines the SDKs accept.
pub trait Visitor<'a> {
    /// `[…]`: the text between the brackets, comment removed, outer whitespace trimmed.
    fn header(&mut self, raw_name: &'a str, line: usize);
    /// `key = value`: key lower-cased, both sides trimmed, comment removed.
    fn property(&mut self, key: Cow<'a, str>, value: &'a str, line: usize);
    /// An indented line that continues the last property's value (trimmed).
    fn continuation(&mut self, text: &'a str, line: usize);
}

#[derive(Default)]
struct RawBuilder<'a> {
    sections: Vec<RawSection<'a>>,
    index: FastMap<&'a str, usize>,
    /// Where each (section, key) is in its section's properties.
    positions: FastMap<(usize, Cow<'a, str>), usize>,
    /// (section, property) the next continuation extends.
    current: Option<(usize, Option<usize>)>,
}

impl<'a> Visitor<'a> for RawBuilder<'a> {
    fn header(&mut self, raw_name: &'a str, line: usize) {
        let sections = &mut self.sections;
        let idx = *self.index.entry(raw_name).or_insert_with(|| {
            sections.push(RawSection { raw_name, ..Default::default() });
            sections.len() - 1
        });
        self.sections[idx].header_lines.push(line);
        self.current = Some((idx, None));
    }

    fn property(&mut self, key: Cow<'a, str>, value: &'a str, line: usize) {
        let Some((sec, _)) = self.current else { return };
        let section = &mut self.sections[sec];
        let new = RawProperty { key, value: Cow::Borrowed(value), line };
        let prop = match self.positions.get(&(sec, new.key.clone())) {
            Some(&p) => {
                let old = std::mem::replace(&mut section.properties[p], new);
                section.overridden.push((old.key, old.line));
                p
            }
            None => {
                self.positions.insert((sec, new.key.clone()), section.properties.len());
                section.properties.push(new);
                section.properties.len() - 1
            }
        };
        self.current = Some((sec, Some(prop)));
    }

    fn continuation(&mut self, text: &'a str, _line: usize) {
        if let Some((sec, Some(prop))) = self.current {
            let value = self.sections[sec].properties[prop].value.to_mut();
            value.push('\n');
            value.push_str(text);
        }
    }
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Trim spaces and tabs, the only whitespace the SDKs trim inside a line (not Unicode spaces).
pub fn trim_ws(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| c != b' ' && c != b'\t').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b' ' && c != b'\t').map_or(start, |i| i + 1);
    &s[start..end]
}

enum PropertyError {
    NoEquals,
    NoName,
}

impl PropertyError {
    fn message(&self, what: &str) -> String {
        match self {
            PropertyError::NoEquals => format!("Expected an '=' sign defining a {what}"),
            PropertyError::NoName => {
                let mut ctx = what.to_owned();
                ctx[..1].make_ascii_uppercase();
                format!("{ctx} did not have a name")
            }
        }
    }
}

/// `key = value` with comments removed and both sides trimmed (key not yet lower-cased): cut
/// at the first `#`/`;` that follows whitespace, trim, split at the first `=`.
fn split_property(line: &str) -> Result<(&str, &str), PropertyError> {
    let line = trim_ws(line);
    let bytes = line.as_bytes();
    let mut end = bytes.len();
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'#', b';', &bytes[from..]) {
        let at = from + i;
        if at > 0 && preceded_by_whitespace(line, at) {
            end = at;
            break;
        }
        from = at + 1;
    }
    let line = &line[..end];
    let eq = memchr::memchr(b'=', line.as_bytes()).ok_or(PropertyError::NoEquals)?;
    let k = trim_ws(&line[..eq]);
    if k.is_empty() {
        return Err(PropertyError::NoName);
    }
    Ok((k, trim_ws(&line[eq + 1..])))
}

/// Whether the character before byte `i` is whitespace (any Unicode whitespace, as the SDK).
fn preceded_by_whitespace(line: &str, i: usize) -> bool {
    match line.as_bytes()[i - 1] {
        b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' => true,
        b if b < 0x80 => false,
        _ => line[..i].chars().next_back().is_some_and(char::is_whitespace),
    }
}

/// A header line trimmed and cut at its first `#`/`;` (no whitespace needed before it there).
fn strip_header_comment(line: &str) -> &str {
    let line = trim_ws(line);
    match memchr::memchr2(b'#', b';', line.as_bytes()) {
        Some(i) => trim_ws(&line[..i]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_every_byte() {
        for text in [
            "",
            "\n",
            "\r\n",
            "[default]\r\nregion = x\r\n",
            "\u{feff}[default]\nkey=1",
            "a\rb\n",
            "[x]\n\n\n",
            "no newline at end",
        ] {
            assert_eq!(Document::parse(text).render(), text, "{text:?}");
        }
    }

    #[test]
    fn comments_in_values_need_whitespace() {
        let doc = Document::parse("[p]\na = b#c # d\n");
        let raw = doc.raw_sections();
        assert_eq!(raw.sections[0].properties[0].value, "b#c");
    }

    #[test]
    fn later_duplicate_key_replaces_and_is_recorded() {
        let doc = Document::parse("[p]\na = 1\nA = 2\n");
        let raw = doc.raw_sections();
        assert_eq!(raw.sections[0].properties.len(), 1);
        assert_eq!(raw.sections[0].properties[0].value, "2");
        assert_eq!(raw.sections[0].overridden, vec![(Cow::Borrowed("a"), 2)]);
    }

    #[test]
    fn errors_carry_line_numbers() {
        let doc = Document::parse("[default]\nk=v\n[oops\n");
        let raw = doc.raw_sections();
        assert_eq!(raw.error, Some(ParseError { line: 3, message: "Profile definition must end with ']'".into() }));
    }
}
