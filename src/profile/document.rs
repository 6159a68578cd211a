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

use std::collections::HashMap;

/// The UTF-8 byte-order mark. Kept by the document; skipped when reading profiles.
pub const BOM: char = '\u{feff}';

/// What the SDKs count as whitespace inside a line.
pub const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

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

/// One physical line: its text without the line ending, and the ending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub eol: Eol,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub bom: bool,
    pub lines: Vec<Line>,
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
pub struct RawProperty {
    /// Lower-cased (ASCII) key.
    pub key: String,
    /// Value; continuation lines are appended as `\n` + trimmed line.
    pub value: String,
    /// 1-based line number of the `key = value` line.
    pub line: usize,
}

/// All headers with the same raw text (`[profile  a]` and `[profile a]` differ here; the SDK
/// merges them later, after normalising the name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawSection {
    /// Text between the brackets, comment removed, outer whitespace trimmed.
    pub raw_name: String,
    /// 1-based line numbers of every header with this raw name.
    pub header_lines: Vec<usize>,
    /// Properties in first-definition order; a later definition of the same key replaces the
    /// value in place.
    pub properties: Vec<RawProperty>,
    /// Definitions that a later line with the same key replaced: (key, line).
    pub overridden: Vec<(String, usize)>,
}

/// The result of reading a document with the SDK rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawFile {
    pub sections: Vec<RawSection>,
    pub error: Option<ParseError>,
}

impl Document {
    pub fn parse(text: &str) -> Document {
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut lines = Vec::with_capacity(body.len() / 24 + 1);
        let mut rest = body;
        while !rest.is_empty() {
            match rest.find('\n') {
                Some(i) => {
                    let (text, eol) = match rest[..i].strip_suffix('\r') {
                        Some(t) => (t, Eol::CrLf),
                        None => (&rest[..i], Eol::Lf),
                    };
                    lines.push(Line {
                        text: text.to_owned(),
                        eol,
                    });
                    rest = &rest[i + 1..];
                }
                None => {
                    lines.push(Line {
                        text: rest.to_owned(),
                        eol: Eol::None,
                    });
                    rest = "";
                }
            }
        }
        Document { bom, lines }
    }

    /// The document as bytes, identical to the parsed input when nothing was edited.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum());
        if self.bom {
            out.push(BOM);
        }
        for line in &self.lines {
            out.push_str(&line.text);
            out.push_str(line.eol.as_str());
        }
        out
    }

    /// Read the sections with the SDK parser's rules. Stops at the first error, as the SDKs do.
    pub fn raw_sections(&self) -> RawFile {
        let mut file = RawFile::default();
        let mut index: HashMap<&str, usize> = HashMap::new();
        // (section index, property index, value was empty = sub-properties follow)
        let mut current: Option<(usize, Option<(usize, bool)>)> = None;
        for (i, line) in self.lines.iter().enumerate() {
            let number = i + 1;
            let text = line.text.as_str();
            if is_blank(text) || text.starts_with(COMMENT) {
                continue;
            }
            let err = |message: String| ParseError {
                line: number,
                message,
            };
            if text.starts_with('[') {
                let inner = match strip_comment(text, false).strip_suffix(']') {
                    Some(s) => &s[1..],
                    None => {
                        file.error = Some(err("Profile definition must end with ']'".into()));
                        return file;
                    }
                };
                let idx = *index.entry(inner).or_insert_with(|| {
                    file.sections.push(RawSection {
                        raw_name: inner.to_owned(),
                        ..Default::default()
                    });
                    file.sections.len() - 1
                });
                file.sections[idx].header_lines.push(number);
                current = Some((idx, None));
            } else if text.starts_with(WHITESPACE) {
                let (sec, prop, sub) = match current {
                    None => {
                        file.error = Some(err("Expected a profile definition".into()));
                        return file;
                    }
                    Some((_, None)) => {
                        file.error = Some(err(
                            "Expected a property definition, found continuation".into(),
                        ));
                        return file;
                    }
                    Some((sec, Some((prop, sub)))) => (sec, prop, sub),
                };
                if sub {
                    if let Err(e) = split_property(text) {
                        file.error = Some(err(e.message("sub-property")));
                        return file;
                    }
                }
                let value = &mut file.sections[sec].properties[prop].value;
                value.push('\n');
                value.push_str(text.trim_matches(WHITESPACE));
            } else {
                let Some((sec, _)) = current else {
                    file.error = Some(err("Expected a profile definition".into()));
                    return file;
                };
                let (key, value) = match split_property(text) {
                    Ok(kv) => kv,
                    Err(e) => {
                        file.error = Some(err(e.message("property")));
                        return file;
                    }
                };
                let key = key.to_ascii_lowercase();
                let section = &mut file.sections[sec];
                let sub = value.is_empty();
                let new = RawProperty {
                    key,
                    value: value.to_owned(),
                    line: number,
                };
                let prop = match section.properties.iter().position(|p| p.key == new.key) {
                    Some(p) => {
                        let old = std::mem::replace(&mut section.properties[p], new);
                        section.overridden.push((old.key, old.line));
                        p
                    }
                    None => {
                        section.properties.push(new);
                        section.properties.len() - 1
                    }
                };
                current = Some((sec, Some((prop, sub))));
            }
        }
        file
    }
}

fn is_blank(line: &str) -> bool {
    line.trim_matches(WHITESPACE).is_empty()
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

/// `key = value` with comments removed and both sides trimmed (key not yet lower-cased).
fn split_property(line: &str) -> Result<(&str, &str), PropertyError> {
    let line = strip_comment(line, true);
    let (k, v) = line.split_once('=').ok_or(PropertyError::NoEquals)?;
    let k = k.trim_matches(WHITESPACE);
    if k.is_empty() {
        return Err(PropertyError::NoName);
    }
    Ok((k, v.trim_matches(WHITESPACE)))
}

/// Trim, then cut at the first `#`/`;` (in property lines only when it follows whitespace, where
/// the SDK counts any Unicode whitespace), then trim again.
fn strip_comment(line: &str, comments_need_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut prev_ws = false;
    for (idx, c) in line.char_indices() {
        if COMMENT.contains(&c) && (prev_ws || !comments_need_whitespace) {
            return line[..idx].trim_matches(WHITESPACE);
        }
        prev_ws = c.is_whitespace();
    }
    line
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
        let raw = Document::parse("[p]\na = 1\nA = 2\n").raw_sections();
        assert_eq!(raw.sections[0].properties.len(), 1);
        assert_eq!(raw.sections[0].properties[0].value, "2");
        assert_eq!(raw.sections[0].overridden, vec![("a".to_string(), 2)]);
    }

    #[test]
    fn errors_carry_line_numbers() {
        let raw = Document::parse("[default]\nk=v\n[oops\n").raw_sections();
        assert_eq!(
            raw.error,
            Some(ParseError {
                line: 3,
                message: "Profile definition must end with ']'".into()
            })
        );
    }
}
