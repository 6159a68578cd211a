//! The merged profile view: config then credentials, normalised with the SDK rules
//! (smithy-rs `aws-runtime` `env_config::normalize`), so that rolecall sees exactly the profiles,
//! sso-sessions and `[services …]` properties an AWS SDK sees.
//!
//! Where the SDK merges sections in hash-map order (two headers that differ only in spacing,
//! such as `[profile a]` and `[profile  a]`, both setting one key), rolecall takes file order:
//! the later line wins, like every other duplicate.
//!
//! Everything the SDK drops silently (sections without the right prefix, invalid names, invalid
//! keys, a `[default]` shadowed by `[profile default]`) is recorded as an [`Ignored`] note so that
//! `doctor` can say so.
//!
//! Names, keys and values live in one string arena and every section's properties in one pool,
//! so that a file of 10,000 profiles costs a few allocations rather than a hundred thousand
//! (`rolecall list` must stay in milliseconds).

use super::document::{Document, ParseError, Visitor, trim_ws};
use super::key::Key;
use super::{FileKind, Origin};
use std::borrow::Cow;

/// A string in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

/// `start` of a property key that is a [`Key`] (its index is `end`): not copied to the arena.
const KNOWN_KEY: u32 = u32::MAX;

/// An [`Origin`] in 8 bytes, as stored for each property and header (no file has 4 G lines: the
/// arena's offsets are `u32` too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    file: FileKind,
    line: u32,
}

impl From<Origin> for Place {
    fn from(o: Origin) -> Place {
        Place { file: o.file, line: u32::try_from(o.line).unwrap_or(u32::MAX) }
    }
}

impl From<Place> for Origin {
    fn from(p: Place) -> Origin {
        Origin { file: p.file, line: p.line as usize }
    }
}

/// One property: key, value and where the value was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Property {
    key: Span,
    value: Span,
    origin: Place,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionData {
    name: Span,
    /// For each [`Key`], 1 + the index of its property, or 0.
    known: [u8; Key::COUNT],
    /// The first header (most sections have one: no allocation for it), then any others.
    first_header: Option<Place>,
    more_headers: Vec<Place>,
    /// The properties, in first-definition order, are `pool[start..start + len]`.
    start: u32,
    len: u32,
    /// An index of the properties by key, once there are more than [`BIG_SECTION`]: a section of
    /// 100,000 keys costs a hash lookup per key, not a search.
    big: BigIndex,
}

/// Sections with more properties than this get an index of them.
const BIG_SECTION: u32 = 32;

/// Positions of a big section's properties, by the hash of the key (see [`SectionData::big`]).
#[derive(Clone, Debug, Default)]
struct BigIndex(Option<Box<hashbrown::HashTable<u32>>>);

/// The index says nothing the properties do not: sections are equal by their properties.
impl PartialEq for BigIndex {
    fn eq(&self, _: &BigIndex) -> bool {
        true
    }
}

impl Eq for BigIndex {}

impl SectionData {
    fn add_header(&mut self, origin: Origin) {
        match self.first_header {
            None => self.first_header = Some(origin.into()),
            Some(_) => self.more_headers.push(origin.into()),
        }
    }
}

/// How a property is looked up: by [`Key`] (a table lookup) or by any name (a search).
pub trait PropertyName {
    /// The index of the property among the section's own.
    fn position(self, section: Section<'_>) -> Option<usize>;
}

impl PropertyName for Key {
    fn position(self, section: Section<'_>) -> Option<usize> {
        match section.data.known[self as usize] {
            0 if section.data.len >= u32::from(u8::MAX) => search(section, self.as_str()),
            0 => None,
            i => Some(usize::from(i) - 1),
        }
    }
}

impl PropertyName for &str {
    fn position(self, section: Section<'_>) -> Option<usize> {
        match Key::parse(self) {
            Some(key) => key.position(section),
            None => search(section, self),
        }
    }
}

fn search(section: Section<'_>, key: &str) -> Option<usize> {
    let own = section.own();
    match &section.data.big.0 {
        Some(table) => table.find(hash(key), |&i| section.key_text(own[i as usize].key) == key).map(|&i| i as usize),
        None => own.iter().position(|p| section.key_text(p.key) == key),
    }
}

/// One property value with where it was defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Value<'a> {
    pub value: &'a str,
    pub origin: Origin,
}

/// A profile or an sso-session: a name and its properties (keys lower-cased).
#[derive(Clone, Copy, Debug)]
pub struct Section<'a> {
    arena: &'a str,
    pool: &'a [Property],
    data: &'a SectionData,
}

impl<'a> Section<'a> {
    fn text(&self, span: Span) -> &'a str {
        span_text(self.arena, span)
    }

    fn key_text(&self, span: Span) -> &'a str {
        match span.start {
            KNOWN_KEY => Key::from_index(span.end as usize).map_or("", Key::as_str),
            _ => self.text(span),
        }
    }

    /// This section's properties in the pool.
    fn own(&self) -> &'a [Property] {
        let start = self.data.start as usize;
        &self.pool[start..start + self.data.len as usize]
    }

    pub fn name(&self) -> &'a str {
        self.text(self.data.name)
    }

    pub fn get(&self, key: impl PropertyName) -> Option<&'a str> {
        self.get_value(key).map(|v| v.value)
    }

    pub fn get_value(&self, key: impl PropertyName) -> Option<Value<'a>> {
        let p = self.own()[key.position(*self)?];
        Some(Value { value: self.text(p.value), origin: p.origin.into() })
    }

    /// (key, value) in first-definition order.
    pub fn properties(&self) -> impl Iterator<Item = (&'a str, Value<'a>)> + use<'a> {
        let this = *self;
        self.own()
            .iter()
            .map(move |p| (this.key_text(p.key), Value { value: this.text(p.value), origin: p.origin.into() }))
    }

    /// Every header that contributed, in order (config first, then credentials).
    pub fn headers(&self) -> impl Iterator<Item = Origin> + use<'a> {
        self.data.first_header.into_iter().chain(self.data.more_headers.iter().copied()).map(Origin::from)
    }

    /// Whether a header for this section is in the given file.
    pub fn has_from(&self, file: FileKind) -> bool {
        self.headers().any(|o| o.file == file)
    }
}

/// A property of a section that is neither a profile nor an sso-session, e.g.
/// `[services s1]` `sts =` / `  endpoint_url = …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherProperty {
    pub section_key: String,
    pub section_name: String,
    pub property: String,
    pub sub_property: String,
    pub value: String,
    pub origin: Origin,
}

/// Why a section or key was dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IgnoredKind {
    /// `[x]` in the config file (needs `[profile x]`).
    MissingProfilePrefix,
    /// `[profile x]` in the credentials file.
    ProfilePrefixInCredentials,
    /// `[sso-session x]`, `[services x]`, … in the credentials file.
    ConfigSectionInCredentials,
    /// The name has characters outside `[A-Za-z0-9_\-/.%@:+]`.
    InvalidName,
    /// `[default]` shadowed by `[profile default]` in the same config file.
    DefaultShadowed,
    /// A key with characters outside the identifier set.
    InvalidKey(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored {
    pub kind: IgnoredKind,
    /// The header text between the brackets, as written (trimmed).
    pub section: String,
    pub origin: Origin,
}

/// Section names to their place in a list; the names themselves are read from the arena.
type Index = hashbrown::HashTable<u32>;

fn hash(name: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = super::Fnv::default();
    h.write(name.as_bytes());
    h.finish()
}

/// The merged view of both files.
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    arena: String,
    pool: Vec<Property>,
    profiles: Vec<SectionData>,
    profile_index: Index,
    sso_sessions: Vec<SectionData>,
    sso_index: Index,
    pub other: Vec<OtherProperty>,
    /// Where each (section key, section name, property, sub-property) is in `other`.
    other_index: super::FastMap<(String, String, String, String), usize>,
    pub ignored: Vec<Ignored>,
}

const DEFAULT: &str = "default";
const PROFILE_PREFIX: &str = "profile";
const SSO_SESSION_PREFIX: &str = "sso-session";

/// `[prefix suffix]` or `[suffix]`.
struct SectionPair<'a> {
    prefix: Option<&'a str>,
    suffix: &'a str,
}

impl<'a> SectionPair<'a> {
    fn parse(raw: &'a str) -> SectionPair<'a> {
        let input = trim_ws(raw);
        let split = memchr::memchr2(b' ', b'\t', input.as_bytes()).map(|i| (&input[..i], &input[i + 1..]));
        match split {
            Some((prefix, suffix)) => SectionPair { prefix: Some(prefix.trim()), suffix: suffix.trim() },
            None => SectionPair { prefix: None, suffix: input.trim() },
        }
    }

    fn is_unprefixed_default(&self) -> bool {
        self.prefix.is_none() && self.suffix == DEFAULT
    }

    fn is_prefixed_default(&self) -> bool {
        self.prefix == Some(PROFILE_PREFIX) && self.suffix == DEFAULT
    }

    fn validate(&self, kind: FileKind) -> Result<(), IgnoredKind> {
        match (kind, self.prefix) {
            (FileKind::Config, Some(_)) if !is_identifier(self.suffix) => Err(IgnoredKind::InvalidName),
            (FileKind::Config, Some(_)) => Ok(()),
            (FileKind::Config, None) if self.is_unprefixed_default() => Ok(()),
            (FileKind::Config, None) => Err(IgnoredKind::MissingProfilePrefix),
            (FileKind::Credentials, Some(PROFILE_PREFIX)) => Err(IgnoredKind::ProfilePrefixInCredentials),
            (FileKind::Credentials, Some(_)) => Err(IgnoredKind::ConfigSectionInCredentials),
            (FileKind::Credentials, None) if !is_identifier(self.suffix) => Err(IgnoredKind::InvalidName),
            (FileKind::Credentials, None) => Ok(()),
        }
    }
}

/// The profile a section header names in a file of `kind`, as the SDKs read it: the name and
/// whether it has the `profile` prefix (`[profile x]`, `[default]` or `[profile default]` in the
/// config file, `[x]` in the credentials file). `None` for sso-sessions, other prefixed sections
/// and headers the SDKs ignore. The name borrows from `raw_name`.
pub fn header_profile(kind: FileKind, raw_name: &str) -> Option<(&str, bool)> {
    let pair = SectionPair::parse(raw_name);
    pair.validate(kind).ok()?;
    match pair.prefix {
        None => Some((pair.suffix, false)),
        Some(PROFILE_PREFIX) => Some((pair.suffix, true)),
        Some(_) => None,
    }
}

/// Identifiers (profile names, keys) must match `[A-Za-z0-9_\-/.%@:+]*` (the SDK's check
/// accepts the empty string).
pub fn is_identifier(s: &str) -> bool {
    s.bytes().all(|c| IDENTIFIER[usize::from(c)])
}

/// Which bytes may appear in an identifier (a table: checked for every name and key).
static IDENTIFIER: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+');
        c += 1;
    }
    table
};

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
    positions: super::FastMap<String, usize>,
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
    others_at: super::FastMap<(String, String, String), usize>,
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

    fn list(&mut self, sso: bool) -> &mut Vec<SectionData> {
        if sso { &mut self.sso_sessions } else { &mut self.profiles }
    }

    /// Where a section of this name is in its list.
    fn find(&self, sso: bool, name: &str) -> Option<usize> {
        let (list, index) =
            if sso { (&self.sso_sessions, &self.sso_index) } else { (&self.profiles, &self.profile_index) };
        let found = index.find(hash(name), |&i| span_text(&self.arena, list[i as usize].name) == name);
        found.map(|&i| i as usize)
    }

    /// The section for a profile or sso-session name, created (in file order) when new.
    fn section(&mut self, sso: bool, name: &str) -> usize {
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
    fn set_property(&mut self, sso: bool, at: usize, key: &str, value: &str, origin: Origin) -> usize {
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

    fn view<'a>(&'a self, data: &'a SectionData) -> Section<'a> {
        Section { arena: &self.arena, pool: &self.pool, data }
    }

    /// Every profile: config order first, then those only in the credentials file.
    pub fn profiles(&self) -> impl ExactSizeIterator<Item = Section<'_>> + Clone {
        self.profiles.iter().map(|d| self.view(d))
    }

    pub fn profile(&self, name: &str) -> Option<Section<'_>> {
        self.find(false, name).map(|i| self.view(&self.profiles[i]))
    }

    pub fn sso_sessions(&self) -> impl ExactSizeIterator<Item = Section<'_>> + Clone {
        self.sso_sessions.iter().map(|d| self.view(d))
    }

    pub fn sso_session(&self, name: &str) -> Option<Section<'_>> {
        self.find(true, name).map(|i| self.view(&self.sso_sessions[i]))
    }

    /// `[services NAME]` `service =` / `  key = value`.
    pub fn other_property(&self, key: &str, name: &str, property: &str, sub: &str) -> Option<&OtherProperty> {
        let id = (key.to_owned(), name.to_owned(), property.to_owned(), sub.to_owned());
        self.other_index.get(&id).map(|&i| &self.other[i])
    }

    /// Build a set directly from name -> properties maps (the conformance data's shape).
    pub fn from_maps<'a>(
        profiles: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>,
        sso_sessions: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>,
    ) -> ProfileSet {
        let mut set = ProfileSet::default();
        let origin = Origin { file: FileKind::Config, line: 0 };
        for (sso, items) in
            [(false, profiles.into_iter().collect::<Vec<_>>()), (true, sso_sessions.into_iter().collect())]
        {
            for (name, props) in items {
                let at = set.section(sso, name);
                set.list(sso)[at].add_header(origin);
                for (k, v) in props {
                    set.set_property(sso, at, k, v, origin);
                }
            }
        }
        set
    }
}

/// The text of a span of the arena.
fn span_text(arena: &str, span: Span) -> &str {
    &arena[span.start as usize..span.end as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::document::Document;

    fn merged(config: &str, credentials: &str) -> ProfileSet {
        let (config, credentials) = (Document::parse(config), Document::parse(credentials));
        let mut set = ProfileSet::default();
        set.reserve(&[&config]);
        set.merge_document(FileKind::Config, &config).unwrap();
        set.merge_document(FileKind::Credentials, &credentials).unwrap();
        set
    }

    #[test]
    fn a_section_written_again_after_others_keeps_every_property() {
        let set = merged(
            "[profile a]\nregion = r1\nx = 1\n[profile b]\nregion = r2\n[profile a]\nrole_arn = arn\n  more\ny = 2\nx = 3\n",
            "[a]\naws_access_key_id = K\n[b]\nz = 4\n[a]\ncontinued =\n  s3 = v\n",
        );
        let a = set.profile("a").unwrap();
        let props: Vec<_> = a.properties().map(|(k, v)| (k, v.value)).collect();
        assert_eq!(
            props,
            [
                ("region", "r1"),
                ("x", "3"),
                ("role_arn", "arn\nmore"),
                ("y", "2"),
                ("aws_access_key_id", "K"),
                ("continued", "\ns3 = v")
            ]
        );
        assert_eq!(a.get(Key::RoleArn), Some("arn\nmore"));
        assert_eq!(a.get("x"), Some("3"));
        assert_eq!(
            a.get_value(Key::AccessKeyId).map(|v| v.origin),
            Some(Origin { file: FileKind::Credentials, line: 2 })
        );
        let b: Vec<_> = set.profile("b").unwrap().properties().map(|(k, v)| (k, v.value)).collect();
        assert_eq!(b, [("region", "r2"), ("z", "4")]);
        assert_eq!(set.profile("c").map(|p| p.name()), None);
    }

    #[test]
    fn known_keys_past_the_table_are_searched() {
        let mut text = String::from("[profile many]\n");
        for i in 0..300 {
            text.push_str(&format!("k{i} = {i}\n"));
        }
        text.push_str("region = far\nmfa_serial = m\nregion = farther\n");
        let set = merged(&text, "");
        let p = set.profile("many").unwrap();
        assert_eq!(p.get(Key::Region), Some("farther"));
        assert_eq!(p.get("mfa_serial"), Some("m"));
        assert_eq!(p.get(Key::RoleArn), None);
        assert_eq!(p.get_value(Key::Region).map(|v| v.origin.line), Some(304));
        assert_eq!(p.properties().count(), 302);
    }

    #[test]
    fn ten_thousand_names_are_found_in_the_index() {
        let text: String = (0..10_000).map(|i| format!("[profile p{i}]\nregion = r{i}\n")).collect();
        let set = merged(&text, "");
        for i in (0..10_000).step_by(97) {
            assert_eq!(set.profile(&format!("p{i}")).and_then(|p| p.get(Key::Region)), Some(format!("r{i}").as_str()));
        }
        assert!(set.profile("p10000").is_none());
    }
}
