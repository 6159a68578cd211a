//! Edits of one AWS INI file that change only the lines they are about.
//!
//! The file is read with the SDKs' own rules ([`Document::read`]), which gives every header,
//! property and continuation line with its position; an edit then splices the text: a value
//! replaced inside its line (the key, the spacing around `=` and a trailing comment kept), a line
//! inserted after a section's last property (spaced like its neighbours, with the file's own line
//! ending), a header's name replaced inside its brackets. Comments, blank lines, order, spacing,
//! CRLF, a BOM, unknown keys and `s3 =` blocks elsewhere are never touched.

use super::FileKind;
use super::document::{Document, Eol, Visitor};
use super::merge::{header_profile, is_identifier};
use anyhow::{Result, bail};
use std::borrow::Cow;
use std::ops::Range;

/// A document being edited.
#[derive(Clone, Debug)]
pub struct Editor {
    pub kind: FileKind,
    doc: Document,
}

/// One section as written: its header line and the lines of its properties.
#[derive(Debug)]
struct Section {
    /// The profile this header names in this file, if it is a profile section.
    profile: Option<String>,
    /// `[profile default]` rather than `[default]` (config only).
    prefixed: bool,
    header: usize,
    /// Byte range of the name inside the header line's text.
    name: Range<usize>,
    props: Vec<Prop>,
}

#[derive(Debug)]
struct Prop {
    key: String,
    line: usize,
    /// Its continuation lines (comment and blank lines between them are not part of it).
    continued: Vec<usize>,
    /// The last line of the property (`line` or its last continuation).
    last: usize,
    /// Byte range of the value in the text (first line only; empty range where it would be).
    value: Range<usize>,
    /// The text between the key and the value (`" = "`, `"="`), to space new lines alike.
    separator: String,
}

/// Where each line starts and ends in the text (end before the line ending).
struct Lines {
    spans: Vec<(usize, usize, Eol)>,
}

impl Lines {
    fn of(text: &str) -> Lines {
        let doc_lines = Document::parse(text);
        let mut spans = Vec::new();
        let mut at = 0;
        for (line, eol) in doc_lines.lines() {
            spans.push((at, at + line.len(), eol));
            at += line.len() + eol.as_str().len();
        }
        Lines { spans }
    }

    /// Byte offset where line `i` (0-based) starts; the text's length past the end.
    fn start(&self, i: usize, len: usize) -> usize {
        self.spans.get(i).map_or(len, |s| s.0)
    }

    /// Byte offset just past line `i`'s ending.
    fn after(&self, i: usize, len: usize) -> usize {
        self.spans.get(i).map_or(len, |s| s.1 + s.2.as_str().len())
    }
}

struct Collector<'t> {
    kind: FileKind,
    base: usize,
    text: &'t str,
    sections: Vec<Section>,
}

impl Collector<'_> {
    fn offset(&self, s: &str) -> usize {
        s.as_ptr() as usize - self.base
    }
}

impl<'a> Visitor<'a> for Collector<'a> {
    fn header(&mut self, raw_name: &'a str, line: usize) {
        let (profile, prefixed, name) = match header_profile(self.kind, raw_name) {
            Some((name, prefixed)) => {
                let start = self.offset(name);
                (Some(name.to_owned()), prefixed, start..start + name.len())
            }
            None => (None, false, 0..0),
        };
        self.sections.push(Section { profile, prefixed, header: line - 1, name, props: Vec::new() });
    }

    fn property(&mut self, key: Cow<'a, str>, value: &'a str, line: usize) {
        let start = self.offset(value);
        let text = self.text;
        let Some(section) = self.sections.last_mut() else { return };
        // The separator: from the end of the key (as written) to the value.
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let written = &text[line_start..start];
        let key_end = written.find('=').map_or(written.len(), |eq| written[..eq].trim_end().len());
        let separator = if value.is_empty() { " = ".to_owned() } else { written[key_end..].to_owned() };
        section.props.push(Prop {
            key: key.into_owned(),
            line: line - 1,
            continued: Vec::new(),
            last: line - 1,
            value: start..start + value.len(),
            separator,
        });
    }

    fn continuation(&mut self, _text: &'a str, line: usize) {
        if let Some(prop) = self.sections.last_mut().and_then(|s| s.props.last_mut()) {
            prop.continued.push(line - 1);
            prop.last = line - 1;
        }
    }
}

/// A value the SDKs will read back exactly: one line, no outer spaces, nothing they would take
/// for a comment.
fn check_value(key: &str, value: &str) -> Result<()> {
    if value.contains(['\n', '\r']) {
        bail!("{key}: a value is one line");
    }
    if value.trim_matches([' ', '\t']) != value {
        bail!("{key}: a value cannot start or end with a space (the SDKs trim it)");
    }
    if let Some(i) = value.find([' ', '\t']).and_then(|i| value[i..].find(['#', ';']).map(|j| i + j))
        && value[..i].ends_with(char::is_whitespace)
    {
        bail!("{key}: ' #' or ' ;' in a value starts a comment for the SDKs");
    }
    Ok(())
}

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || !is_identifier(key) || key.bytes().any(|b| b.is_ascii_uppercase()) {
        bail!("key {key:?}: use lower-case letters, digits and _-/.%@:+");
    }
    Ok(())
}

impl Editor {
    pub fn new(kind: FileKind, doc: &Document) -> Editor {
        Editor { kind, doc: doc.clone() }
    }

    /// An empty file of `kind` (a file that does not exist yet).
    pub fn empty(kind: FileKind) -> Editor {
        Editor { kind, doc: Document::default() }
    }

    /// The file as it would be written.
    pub fn render(&self) -> String {
        self.doc.render()
    }

    fn text(&self) -> &str {
        self.doc.text()
    }

    fn layout(&self) -> Result<(Vec<Section>, Lines)> {
        let doc = &self.doc;
        let mut collector =
            Collector { kind: self.kind, base: doc.text().as_ptr() as usize, text: doc.text(), sections: Vec::new() };
        if let Err(e) = doc.read(&mut collector) {
            bail!(
                "line {}: {} (the AWS SDKs cannot read this file; fix it with 'rolecall edit' first)",
                e.line,
                e.message
            );
        }
        Ok((collector.sections, Lines::of(self.text())))
    }

    /// The sections that make up `profile` in this file, as the SDKs choose them: in the config
    /// file, `[profile default]` when there is one, else `[default]`.
    fn sections_of<'s>(&self, sections: &'s [Section], profile: &str) -> Vec<&'s Section> {
        let mine: Vec<&Section> = sections.iter().filter(|s| s.profile.as_deref() == Some(profile)).collect();
        if self.kind == FileKind::Config && profile == "default" && mine.iter().any(|s| s.prefixed) {
            return mine.into_iter().filter(|s| s.prefixed).collect();
        }
        mine
    }

    /// The line ending new lines get: the first line's.
    fn eol(&self, lines: &Lines) -> &'static str {
        match lines.spans.first().map(|s| s.2) {
            Some(Eol::CrLf) => "\r\n",
            _ => "\n",
        }
    }

    fn splice(&mut self, range: Range<usize>, with: &str) {
        self.doc.text_mut().replace_range(range, with);
    }

    /// Replace every range with `with`, last first so the earlier offsets stay true. How many.
    fn splice_all(&mut self, mut ranges: Vec<Range<usize>>, with: &str) -> usize {
        ranges.sort_by_key(|r| std::cmp::Reverse(r.start));
        let count = ranges.len();
        for range in ranges {
            self.splice(range, with);
        }
        count
    }

    /// Whether `profile` has a section in this file.
    pub fn has_profile(&self, profile: &str) -> Result<bool> {
        let (sections, _) = self.layout()?;
        Ok(!self.sections_of(&sections, profile).is_empty())
    }

    /// Set `key` of `profile` to `value`: the definition the SDKs read (the last one) is changed
    /// in place; a missing key is added after the section's last property; a missing profile
    /// gets a new section at the end. Whether anything changed.
    pub fn set(&mut self, profile: &str, key: &str, value: &str) -> Result<bool> {
        check_key(key)?;
        check_value(key, value)?;
        let (sections, lines) = self.layout()?;
        let len = self.text().len();
        let eol = self.eol(&lines);
        let mine = self.sections_of(&sections, profile);
        let current = mine.iter().flat_map(|s| s.props.iter()).rfind(|p| p.key == key);
        if let Some(prop) = current {
            if &self.text()[prop.value.clone()] == value && prop.continued.is_empty() {
                return Ok(false);
            }
            // Continuation lines of the old value go with it (they come after it: splice first,
            // last first).
            for &line in prop.continued.iter().rev() {
                self.splice(lines.start(line, len)..lines.after(line, len), "");
            }
            // `key =` gets a space before the value, `key=` none.
            let before = &self.text()[..prop.value.start];
            let with = if prop.value.is_empty()
                && before.ends_with('=')
                && before[..before.len() - 1].ends_with([' ', '\t'])
            {
                format!(" {value}")
            } else {
                value.to_owned()
            };
            self.splice(prop.value.clone(), &with);
            return Ok(true);
        }
        if let Some(section) = mine.last() {
            let (after, separator) = match section.props.last() {
                Some(p) => (p.last, p.separator.clone()),
                None => (section.header, " = ".to_owned()),
            };
            let at = lines.after(after, len);
            let mut insert = String::new();
            if at == len && !self.text().is_empty() && !self.text().ends_with('\n') {
                insert.push_str(eol);
            }
            insert.push_str(&format!("{key}{separator}{value}{eol}"));
            self.splice(at..at, &insert);
            return Ok(true);
        }
        let header = match (self.kind, profile) {
            (FileKind::Credentials, _) | (FileKind::Config, "default") => format!("[{profile}]"),
            (FileKind::Config, _) => format!("[profile {profile}]"),
        };
        let mut insert = String::new();
        if !self.text().is_empty() {
            if !self.text().ends_with('\n') {
                insert.push_str(eol);
            }
            let last_blank = lines.spans.last().is_some_and(|s| self.text()[s.0..s.1].trim().is_empty());
            if !last_blank {
                insert.push_str(eol);
            }
        }
        insert.push_str(&format!("{header}{eol}{key} = {value}{eol}"));
        let end = self.text().len();
        self.splice(end..end, &insert);
        Ok(true)
    }

    /// Put the comment line `# {note}` in `profile`'s section, replacing the one that starts with
    /// `# {prefix}` there (the section's own lines, up to the next header); a new one goes right
    /// under the header. The profile must have a section here. Whether anything changed.
    pub fn set_note(&mut self, profile: &str, prefix: &str, note: &str) -> Result<bool> {
        if note.contains(['\n', '\r']) || !note.starts_with(prefix) {
            bail!("a note is one line that starts with its prefix");
        }
        let (sections, lines) = self.layout()?;
        let len = self.text().len();
        let eol = self.eol(&lines);
        let Some(section) = self.sections_of(&sections, profile).last().map(|s| s.header) else {
            bail!("no section for {profile}");
        };
        let wanted = format!("# {note}");
        let old = self.note_lines(&sections, &lines, section, prefix).next();
        match old {
            Some(i) => {
                let (a, b, _) = lines.spans[i];
                if self.text()[a..b] == wanted {
                    return Ok(false);
                }
                self.splice(a..b, &wanted);
            }
            None => {
                let at = lines.after(section, len);
                let mut insert = String::new();
                if at == len && !self.text().ends_with('\n') {
                    insert.push_str(eol);
                }
                insert.push_str(&format!("{wanted}{eol}"));
                self.splice(at..at, &insert);
            }
        }
        Ok(true)
    }

    /// Remove the comment lines that start with `# {prefix}` from `profile`'s sections (see
    /// [`Editor::set_note`]). Whether anything was removed.
    pub fn remove_note(&mut self, profile: &str, prefix: &str) -> Result<bool> {
        let (sections, lines) = self.layout()?;
        let len = self.text().len();
        let ranges = self
            .sections_of(&sections, profile)
            .iter()
            .flat_map(|section| self.note_lines(&sections, &lines, section.header, prefix))
            .map(|i| lines.start(i, len)..lines.after(i, len))
            .collect();
        Ok(self.splice_all(ranges, "") > 0)
    }

    /// The lines of the section whose header is line `header` (up to the next header) that are
    /// comments starting with `prefix`: the notes of [`Editor::set_note`].
    fn note_lines<'s>(
        &'s self,
        sections: &'s [Section],
        lines: &'s Lines,
        header: usize,
        prefix: &'s str,
    ) -> impl Iterator<Item = usize> + 's {
        let next = sections.iter().map(|s| s.header).filter(|h| *h > header).min().unwrap_or(lines.spans.len());
        (header + 1..next).filter(move |&i| {
            let (a, b, _) = lines.spans[i];
            self.text()[a..b].trim_start().strip_prefix('#').is_some_and(|c| c.trim_start().starts_with(prefix))
        })
    }

    /// Remove every definition of `key` in `profile`'s sections (an earlier duplicate would
    /// otherwise become the value). Whether anything was removed.
    pub fn unset(&mut self, profile: &str, key: &str) -> Result<bool> {
        let (sections, lines) = self.layout()?;
        let len = self.text().len();
        let ranges = self
            .sections_of(&sections, profile)
            .iter()
            .flat_map(|s| s.props.iter())
            .filter(|p| p.key == key)
            .flat_map(|p| std::iter::once(p.line).chain(p.continued.iter().copied()))
            .map(|line| lines.start(line, len)..lines.after(line, len))
            .collect();
        Ok(self.splice_all(ranges, "") > 0)
    }

    /// Rename `old`'s sections to `new` (the header's spacing and comment kept). How many.
    pub fn rename_profile(&mut self, old: &str, new: &str) -> Result<usize> {
        if new.is_empty() || !is_identifier(new) {
            bail!("profile name {new:?}: use letters, digits and _-/.%@:+");
        }
        let (sections, _) = self.layout()?;
        let ranges = sections.iter().filter(|s| s.profile.as_deref() == Some(old)).map(|s| s.name.clone()).collect();
        Ok(self.splice_all(ranges, new))
    }

    /// Change every `key = from` (in any profile) to `key = to`. How many.
    pub fn replace_values(&mut self, key: &str, from: &str, to: &str) -> Result<usize> {
        check_value(key, to)?;
        let (sections, _) = self.layout()?;
        let ranges = sections
            .iter()
            .filter(|s| s.profile.is_some())
            .flat_map(|s| s.props.iter())
            .filter(|p| p.key == key && p.continued.is_empty() && self.text()[p.value.clone()] == *from)
            .map(|p| p.value.clone())
            .collect();
        Ok(self.splice_all(ranges, to))
    }

    /// Remove every section of `profile`: the header and its lines up to the last property
    /// (comments after it stay, they usually introduce what follows), and the blank lines after.
    /// Remove `profile`'s sections when none of them has a property left (what an edit that took
    /// its last keys out leaves: `[NAME]` and nothing under it); whether it did.
    pub fn remove_if_empty(&mut self, profile: &str) -> Result<bool> {
        let (sections, _) = self.layout()?;
        let mut of = sections.iter().filter(|s| s.profile.as_deref() == Some(profile)).peekable();
        if of.peek().is_none() || of.any(|s| !s.props.is_empty()) {
            return Ok(false);
        }
        self.remove_profile(profile)
    }

    pub fn remove_profile(&mut self, profile: &str) -> Result<bool> {
        let (sections, lines) = self.layout()?;
        let len = self.text().len();
        let mut ranges = Vec::new();
        for s in sections.iter().filter(|s| s.profile.as_deref() == Some(profile)) {
            let mut last = s.props.last().map_or(s.header, |p| p.last);
            while let Some(next) = lines.spans.get(last + 1) {
                if !self.text()[next.0..next.1].trim_matches([' ', '\t']).is_empty() {
                    break;
                }
                last += 1;
            }
            ranges.push(lines.start(s.header, len)..lines.after(last, len));
        }
        Ok(self.splice_all(ranges, "") > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(kind: FileKind, text: &str, f: impl FnOnce(&mut Editor)) -> String {
        let mut e = Editor::new(kind, &Document::parse(text));
        f(&mut e);
        e.render()
    }

    #[test]
    fn set_replaces_in_place_and_keeps_the_rest() {
        let text = "\u{feff}# top\r\n[profile a]  # mine\r\nregion=us-east-1 # old\r\n\r\n[profile b]\r\nx = 1\r\n";
        let out = edit(FileKind::Config, text, |e| assert!(e.set("a", "region", "eu-west-1").unwrap()));
        assert_eq!(out, text.replace("us-east-1", "eu-west-1"));
        let out = edit(FileKind::Config, text, |e| assert!(e.set("a", "output", "json").unwrap()));
        assert_eq!(out, text.replace("# old\r\n", "# old\r\noutput=json\r\n"));
        let out = edit(FileKind::Config, text, |e| assert!(e.set("c", "region", "x").unwrap()));
        assert_eq!(out, format!("{text}\r\n[profile c]\r\nregion = x\r\n"));
        let out =
            edit(FileKind::Config, "[default]\nregion = a", |e| assert!(e.set("default", "output", "json").unwrap()));
        assert_eq!(out, "[default]\nregion = a\noutput = json\n");
    }

    #[test]
    fn the_definition_the_sdk_reads_is_the_one_changed() {
        let text = "[profile a]\nregion = 1\n[profile a]\nregion = 2\n";
        let out = edit(FileKind::Config, text, |e| {
            e.set("a", "region", "3").unwrap();
        });
        assert_eq!(out, "[profile a]\nregion = 1\n[profile a]\nregion = 3\n");
        let out = edit(FileKind::Config, text, |e| assert!(e.unset("a", "region").unwrap()));
        assert_eq!(out, "[profile a]\n[profile a]\n");
        let text = "[default]\nregion = 1\n[profile default]\nx = 1\n";
        let out = edit(FileKind::Config, text, |e| {
            e.set("default", "region", "2").unwrap();
        });
        assert_eq!(out, "[default]\nregion = 1\n[profile default]\nx = 1\nregion = 2\n");
    }

    #[test]
    fn continuation_lines_go_with_their_value() {
        let text = "[profile a]\ns3 =\n  max_concurrent_requests = 20\nregion = x\n";
        let out = edit(FileKind::Config, text, |e| {
            e.set("a", "s3", "off").unwrap();
        });
        assert_eq!(out, "[profile a]\ns3 = off\nregion = x\n");
        let out = edit(FileKind::Config, text, |e| {
            e.unset("a", "s3").unwrap();
        });
        assert_eq!(out, "[profile a]\nregion = x\n");
    }

    #[test]
    fn notes_go_under_the_header_and_are_replaced() {
        let doc = Document::parse("[a]\r\nk = 1\r\n# keep\r\n\r\n[b]\r\nx = 2\r\n");
        let mut e = Editor::new(FileKind::Credentials, &doc);
        assert!(e.set_note("a", "written by", "written by rolecall export b, expires 1").unwrap());
        assert_eq!(
            e.render(),
            "[a]\r\n# written by rolecall export b, expires 1\r\nk = 1\r\n# keep\r\n\r\n[b]\r\nx = 2\r\n"
        );
        assert!(e.set_note("a", "written by", "written by rolecall export b, expires 2").unwrap());
        assert_eq!(
            e.render(),
            "[a]\r\n# written by rolecall export b, expires 2\r\nk = 1\r\n# keep\r\n\r\n[b]\r\nx = 2\r\n"
        );
        assert!(!e.set_note("a", "written by", "written by rolecall export b, expires 2").unwrap());
        assert!(e.set_note("b", "written by", "written by x").unwrap());
        assert!(e.render().ends_with("[b]\r\n# written by x\r\nx = 2\r\n"));
        assert!(e.set_note("zz", "w", "w").is_err());
        assert!(e.set_note("a", "w", "w\nx").is_err());
    }

    #[test]
    fn rename_remove_and_replace() {
        let text = "[profile a] # the one\nregion = x\n\n# about b\n[profile b]\nsource_profile = a\n";
        let out = edit(FileKind::Config, text, |e| {
            assert_eq!(e.rename_profile("a", "c").unwrap(), 1);
            assert_eq!(e.replace_values("source_profile", "a", "c").unwrap(), 1);
        });
        assert_eq!(out, "[profile c] # the one\nregion = x\n\n# about b\n[profile b]\nsource_profile = c\n");
        let out = edit(FileKind::Config, text, |e| assert!(e.remove_profile("a").unwrap()));
        assert_eq!(out, "# about b\n[profile b]\nsource_profile = a\n");
        let out = edit(FileKind::Credentials, "[a]\nk = v\n[b]\n", |e| assert!(e.remove_profile("b").unwrap()));
        assert_eq!(out, "[a]\nk = v\n");
    }

    #[test]
    fn bad_values_and_files_are_refused() {
        let mut e = Editor::new(FileKind::Config, &Document::parse("[profile a]\n"));
        assert!(e.set("a", "region", "x\ny").is_err());
        assert!(e.set("a", "region", " x").is_err());
        assert!(e.set("a", "region", "x #y").is_err());
        assert!(e.set("a", "Region", "x").is_err());
        assert!(e.set("a", "role_arn", "arn:aws:iam::1:role/a#b").is_ok());
        let mut e = Editor::new(FileKind::Config, &Document::parse("[profile a\n"));
        assert!(e.set("a", "region", "x").unwrap_err().to_string().contains("line 1"));
    }
}
