//! Merging one parsed file into the [`ProfileSet`]: the visitor that follows the SDK's
//! normalisation, and the arena and index updates it makes.

use super::header::{DEFAULT, PROFILE_PREFIX, SSO_SESSION_PREFIX, SectionPair};
use super::*;
use crate::files::FastMap;
/// Where the lines of the current section go.
enum Target<'a> {
    /// An ignored section (or none yet): its lines are dropped.
    Dropped,
    Section {
        sso: bool,
        at: usize,
    },
    /// `[default]` in the config file: applied at the end unless `[profile default]` is there too.
    PendingDefault,
    /// `[services x]` and other prefixed sections: sub-properties only.
    Other {
        prefix: &'a str,
        name: &'a str,
    },
}

/// What the next continuation line extends.
enum Current {
    None,
    Arena { sso: bool, at: usize, prop: usize },
    PendingDefault(usize),
    Other(PendingOther),
}

struct PendingOther {
    prefix: String,
    name: String,
    key: String,
    value: String,
    origin: Origin,
}

#[derive(Default)]
struct PendingDefault {
    headers: Vec<usize>,
    properties: Vec<(String, String, usize)>,
    /// Where each key is in `properties`.
    positions: FastMap<String, usize>,
}

struct Merger<'s> {
    set: &'s mut ProfileSet,
    kind: FileKind,
    target: Target<'s>,
    /// The current section's header as written (for notes about its keys).
    raw_header: &'s str,
    current: Current,
    pending_default: Option<PendingDefault>,
    saw_prefixed_default: bool,
    /// `[services …]` properties of this file: like the SDK, a later definition of the same
    /// property replaces the whole value (sub-properties included) before any is used.
    others: Vec<PendingOther>,
    /// Where each (prefix, name, key) is in `others`.
    others_at: FastMap<(String, String, String), usize>,
}

impl Merger<'_> {
    fn ignore(&mut self, kind: IgnoredKind, raw_name: &str, line: usize) {
        let origin = Origin { file: self.kind, line };
        self.set.ignored.push(Ignored { kind, section: trim_ws(raw_name).to_owned(), origin });
    }

    /// Close the property being read (an `[services …]` value is complete only now).
    fn close_property(&mut self) {
        // Most properties are not `[services …]` ones: look before moving the state out.
        if !matches!(self.current, Current::Other(_)) {
            self.current = Current::None;
            return;
        }
        if let Current::Other(other) = std::mem::replace(&mut self.current, Current::None) {
            let id = (other.prefix.clone(), other.name.clone(), other.key.clone());
            match self.others_at.get(&id) {
                Some(&i) => self.others[i] = other,
                None => {
                    self.others_at.insert(id, self.others.len());
                    self.others.push(other);
                }
            }
        }
    }

    fn finish(mut self) {
        self.close_property();
        for other in std::mem::take(&mut self.others) {
            self.set.add_other(other);
        }
        let Some(pending) = self.pending_default.take() else { return };
        if self.saw_prefixed_default {
            for line in pending.headers {
                self.ignore(IgnoredKind::DefaultShadowed, DEFAULT, line);
            }
            return;
        }
        let at = self.set.section(false, DEFAULT);
        for (key, value, line) in &pending.properties {
            self.set.set_property(false, at, key, value, Origin { file: self.kind, line: *line });
        }
        let kind = self.kind;
        for &line in &pending.headers {
            self.set.profiles[at].add_header(Origin { file: kind, line });
        }
    }
}

impl<'a> Visitor<'a> for Merger<'a> {
    fn header(&mut self, raw_name: &'a str, line: usize) {
        self.close_property();
        self.raw_header = raw_name;
        let pair = SectionPair::parse(raw_name);
        if let Err(why) = pair.validate(self.kind) {
            self.ignore(why, raw_name, line);
            self.target = Target::Dropped;
            return;
        }
        let origin = Origin { file: self.kind, line };
        self.target = match pair.prefix {
            None if self.kind == FileKind::Config => {
                // Only `[default]` is valid here; its place in the list is kept from now on.
                self.set.section(false, DEFAULT);
                self.pending_default.get_or_insert_with(PendingDefault::default).headers.push(line);
                Target::PendingDefault
            }
            None | Some(PROFILE_PREFIX) | Some(SSO_SESSION_PREFIX) => {
                let sso = pair.prefix == Some(SSO_SESSION_PREFIX);
                if pair.is_prefixed_default() {
                    self.saw_prefixed_default = true;
                }
                let at = self.set.section(sso, pair.suffix);
                self.set.list(sso)[at].add_header(origin);
                Target::Section { sso, at }
            }
            Some(prefix) => Target::Other { prefix, name: pair.suffix },
        };
    }

    fn property(&mut self, key: Cow<'a, str>, value: &'a str, line: usize) {
        self.close_property();
        let origin = Origin { file: self.kind, line };
        if matches!(self.target, Target::Dropped) {
            return;
        }
        if !is_identifier(&key) {
            self.ignore(IgnoredKind::InvalidKey(key.into_owned()), self.raw_header, line);
            return;
        }
        self.current = match self.target {
            Target::Dropped => Current::None,
            Target::Section { sso, at } => {
                let prop = self.set.set_property(sso, at, &key, value, origin);
                Current::Arena { sso, at, prop }
            }
            Target::PendingDefault => {
                let pending = self.pending_default.get_or_insert_with(PendingDefault::default);
                let entry = (key.into_owned(), value.to_owned(), line);
                match pending.positions.get(&entry.0) {
                    Some(&p) => {
                        pending.properties[p] = entry;
                        Current::PendingDefault(p)
                    }
                    None => {
                        pending.positions.insert(entry.0.clone(), pending.properties.len());
                        pending.properties.push(entry);
                        Current::PendingDefault(pending.properties.len() - 1)
                    }
                }
            }
            Target::Other { prefix, name } => Current::Other(PendingOther {
                prefix: prefix.to_owned(),
                name: name.to_owned(),
                key: key.into_owned(),
                value: value.to_owned(),
                origin,
            }),
        };
    }

    fn continuation(&mut self, text: &'a str, _line: usize) {
        let value: &mut String = match &mut self.current {
            Current::None => return,
            Current::Arena { sso, at, prop } => {
                let (sso, at, prop) = (*sso, *at, *prop);
                self.set.arena.push('\n');
                self.set.arena.push_str(text);
                let end = self.set.arena.len() as u32;
                let prop = self.set.list(sso)[at].start as usize + prop;
                let value = &mut self.set.pool[prop].value;
                debug_assert!(value.end as usize + 1 + text.len() == end as usize, "value is last in the arena");
                value.end = end;
                return;
            }
            Current::PendingDefault(p) => match self.pending_default.as_mut() {
                Some(pending) => &mut pending.properties[*p].1,
                None => return,
            },
            Current::Other(other) => &mut other.value,
        };
        value.push('\n');
        value.push_str(text);
    }
}

impl ProfileSet {
    /// Size the tables for these documents once, before merging them: growing by doubling
    /// costs copies, page faults and TLB flushes.
    pub fn reserve(&mut self, docs: &[&Document]) {
        let headers: usize = docs.iter().map(|d| memchr::memchr_iter(b'[', d.text().as_bytes()).count()).sum();
        let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
        self.arena.reserve(bytes);
        // At most one property per 4 bytes ("k=v\n"); pages of the estimate never used are never
        // touched, so over-reserving costs nothing.
        self.pool.reserve(bytes / 4);
        self.profiles.reserve(headers);
        let profiles = &self.profiles;
        let arena = &self.arena;
        self.profile_index.reserve(headers, |&i| hash(span_text(arena, profiles[i as usize].name)));
    }

    /// Merge one file into the set (config first, then credentials, which override). On a parse
    /// error the set is left half-merged: the SDKs then use neither file, and neither may we.
    pub fn merge_document(&mut self, kind: FileKind, doc: &Document) -> Result<(), ParseError> {
        let mut merger = Merger {
            set: self,
            kind,
            target: Target::Dropped,
            raw_header: "",
            current: Current::None,
            pending_default: None,
            saw_prefixed_default: false,
            others: Vec::new(),
            others_at: Default::default(),
        };
        doc.read(&mut merger)?;
        merger.finish();
        Ok(())
    }

    fn store(&mut self, s: &str) -> Span {
        debug_assert!(self.arena.len() + s.len() < KNOWN_KEY as usize, "the arena fits u32 offsets");
        let start = self.arena.len() as u32;
        self.arena.push_str(s);
        Span { start, end: self.arena.len() as u32 }
    }

    pub(super) fn list(&mut self, sso: bool) -> &mut Vec<SectionData> {
        if sso { &mut self.sso_sessions } else { &mut self.profiles }
    }

    /// Where a section of this name is in its list.
    pub(super) fn find(&self, sso: bool, name: &str) -> Option<usize> {
        let (list, index) =
            if sso { (&self.sso_sessions, &self.sso_index) } else { (&self.profiles, &self.profile_index) };
        let found = index.find(hash(name), |&i| span_text(&self.arena, list[i as usize].name) == name);
        found.map(|&i| i as usize)
    }

    /// The section for a profile or sso-session name, created (in file order) when new.
    pub(super) fn section(&mut self, sso: bool, name: &str) -> usize {
        if let Some(at) = self.find(sso, name) {
            return at;
        }
        let name_span = self.store(name);
        let (list, index) = if sso {
            (&mut self.sso_sessions, &mut self.sso_index)
        } else {
            (&mut self.profiles, &mut self.profile_index)
        };
        let at = list.len();
        list.push(SectionData {
            name: name_span,
            known: [0; Key::COUNT],
            first_header: None,
            more_headers: Vec::new(),
            start: self.pool.len() as u32,
            len: 0,
            big: BigIndex::default(),
        });
        let arena = &self.arena;
        index.insert_unique(hash(name), at as u32, |&i| hash(span_text(arena, list[i as usize].name)));
        at
    }

    /// Set `key` in a section; the value is stored last in the arena so continuation lines can
    /// extend it in place. Returns the property's index.
    pub(super) fn set_property(&mut self, sso: bool, at: usize, key: &str, value: &str, origin: Origin) -> usize {
        let known = Key::parse(key);
        let section = self.view(if sso { &self.sso_sessions[at] } else { &self.profiles[at] });
        let existing = match known {
            Some(k) => k.position(section),
            None => search(section, key),
        };
        match existing {
            Some(p) => {
                // The value goes last into the arena, so that continuation lines can extend it.
                let value = self.store(value);
                let start = self.list(sso)[at].start as usize;
                let property = &mut self.pool[start + p];
                property.value = value;
                property.origin = origin.into();
                p
            }
            None => {
                let key = match known {
                    Some(k) => Span { start: KNOWN_KEY, end: k as u32 },
                    None => self.store(key),
                };
                let value = self.store(value);
                let p = self.append(sso, at, Property { key, value, origin: origin.into() });
                if let Some(k) = known {
                    // A section with more than 254 properties falls back to searching.
                    self.list(sso)[at].known[k as usize] = u8::try_from(p + 1).unwrap_or(0);
                }
                self.index(sso, at, p);
                p
            }
        }
    }

    /// Add a property to a section. Its properties must end the pool: a section written again
    /// after others (a second header, the credentials file) first has them copied to the end.
    fn append(&mut self, sso: bool, at: usize, property: Property) -> usize {
        let pool = &mut self.pool;
        let section = if sso { &mut self.sso_sessions[at] } else { &mut self.profiles[at] };
        let (start, len) = (section.start as usize, section.len as usize);
        if start + len != pool.len() {
            section.start = pool.len() as u32;
            pool.extend_from_within(start..start + len);
        }
        pool.push(property);
        section.len += 1;
        len
    }

    /// Keep a big section's index up to date with its property `p` (just added): the index is
    /// made the first time the section has more than [`BIG_SECTION`] properties.
    fn index(&mut self, sso: bool, at: usize, p: usize) {
        let (arena, pool) = (&self.arena, &self.pool);
        let data = if sso { &mut self.sso_sessions[at] } else { &mut self.profiles[at] };
        if data.len <= BIG_SECTION {
            return;
        }
        let start = data.start as usize;
        let key_of = |i: u32| {
            let span = pool[start + i as usize].key;
            match span.start {
                KNOWN_KEY => Key::from_index(span.end as usize).map_or("", Key::as_str),
                _ => span_text(arena, span),
            }
        };
        match &mut data.big.0 {
            Some(table) => {
                table.insert_unique(hash(key_of(p as u32)), p as u32, |&i| hash(key_of(i)));
            }
            None => {
                let mut table = hashbrown::HashTable::with_capacity(data.len as usize * 2);
                for i in 0..data.len {
                    table.insert_unique(hash(key_of(i)), i, |&j| hash(key_of(j)));
                }
                data.big.0 = Some(Box::new(table));
            }
        }
    }

    fn add_other(&mut self, other: PendingOther) {
        for line in other.value.split('\n').filter(|l| !l.is_empty()) {
            let Some((k, v)) = line.split_once('=') else { continue };
            let (sub_property, value) = (trim_ws(k), trim_ws(v).to_owned());
            let id = (other.prefix.clone(), other.name.clone(), other.key.clone(), sub_property.to_owned());
            match self.other_index.get(&id) {
                Some(&i) => {
                    let o = &mut self.other[i];
                    o.value = value;
                    o.origin = other.origin;
                }
                None => self.other.push({
                    self.other_index.insert(id, self.other.len());
                    OtherProperty {
                        section_key: other.prefix.clone(),
                        section_name: other.name.clone(),
                        property: other.key.clone(),
                        sub_property: sub_property.to_owned(),
                        value,
                        origin: other.origin,
                    }
                }),
            }
        }
    }
}
