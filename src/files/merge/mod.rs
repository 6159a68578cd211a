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

mod header;
mod merger;

pub use header::{header_profile, is_identifier};

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

impl ProfileSet {
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
