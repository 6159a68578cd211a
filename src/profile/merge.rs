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

use super::document::{RawFile, WHITESPACE};
use super::{FileKind, Origin};
use std::collections::HashMap;

/// One property value with where it was defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    pub value: String,
    pub origin: Origin,
}

/// A profile or an sso-session: a name and its properties (keys lower-cased).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    /// Every header that contributed, in order (config first, then credentials).
    pub headers: Vec<Origin>,
    /// Properties in first-definition order.
    pub properties: Vec<(String, Value)>,
}

impl Section {
    fn new(name: &str) -> Section {
        Section {
            name: name.to_owned(),
            headers: Vec::new(),
            properties: Vec::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_value(key).map(|v| v.value.as_str())
    }

    pub fn get_value(&self, key: &str) -> Option<&Value> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    fn insert(&mut self, key: &str, value: Value) {
        match self.properties.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.properties.push((key.to_owned(), value)),
        }
    }

    /// Whether any property came from the given file.
    pub fn has_from(&self, file: FileKind) -> bool {
        self.headers.iter().any(|o| o.file == file)
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
    pub value: Value,
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

/// The merged view of both files.
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    profiles: Vec<Section>,
    profile_index: HashMap<String, usize>,
    sso_sessions: Vec<Section>,
    sso_index: HashMap<String, usize>,
    pub other: Vec<OtherProperty>,
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
        let input = raw.trim_matches(WHITESPACE);
        match input.split_once(WHITESPACE) {
            Some((prefix, suffix)) => SectionPair {
                prefix: Some(prefix.trim()),
                suffix: suffix.trim(),
            },
            None => SectionPair {
                prefix: None,
                suffix: input.trim(),
            },
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
            (FileKind::Config, Some(_)) if !is_identifier(self.suffix) => {
                Err(IgnoredKind::InvalidName)
            }
            (FileKind::Config, Some(_)) => Ok(()),
            (FileKind::Config, None) if self.is_unprefixed_default() => Ok(()),
            (FileKind::Config, None) => Err(IgnoredKind::MissingProfilePrefix),
            (FileKind::Credentials, Some(PROFILE_PREFIX)) => {
                Err(IgnoredKind::ProfilePrefixInCredentials)
            }
            (FileKind::Credentials, Some(_)) => Err(IgnoredKind::ConfigSectionInCredentials),
            (FileKind::Credentials, None) if !is_identifier(self.suffix) => {
                Err(IgnoredKind::InvalidName)
            }
            (FileKind::Credentials, None) => Ok(()),
        }
    }
}

/// Identifiers (profile names, keys) must match `[A-Za-z0-9_\-/.%@:+]+`... or be empty, as the
/// SDK's check accepts the empty string.
pub fn is_identifier(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

impl ProfileSet {
    /// Merge files in order (config first, then credentials, which override).
    pub fn merge<'a>(files: impl IntoIterator<Item = (FileKind, &'a RawFile)>) -> ProfileSet {
        let mut set = ProfileSet::default();
        for (kind, raw) in files {
            set.merge_file(kind, raw);
        }
        set
    }

    fn merge_file(&mut self, kind: FileKind, raw: &RawFile) {
        let mut valid = Vec::with_capacity(raw.sections.len());
        for section in &raw.sections {
            let pair = SectionPair::parse(&section.raw_name);
            match pair.validate(kind) {
                Ok(()) => valid.push((pair, section)),
                Err(why) => self.ignore_headers(why, section, kind),
            }
        }
        let shadow_default = valid.iter().any(|(pair, _)| pair.is_prefixed_default());
        for (pair, section) in valid {
            if shadow_default && pair.is_unprefixed_default() {
                self.ignore_headers(IgnoredKind::DefaultShadowed, section, kind);
                continue;
            }
            let (map, index) = match pair.prefix {
                None | Some(PROFILE_PREFIX) => (&mut self.profiles, &mut self.profile_index),
                Some(SSO_SESSION_PREFIX) => (&mut self.sso_sessions, &mut self.sso_index),
                Some(prefix) => {
                    self.merge_other(kind, prefix, pair.suffix, section);
                    continue;
                }
            };
            let at = *index.entry(pair.suffix.to_owned()).or_insert_with(|| {
                map.push(Section::new(pair.suffix));
                map.len() - 1
            });
            let target = &mut map[at];
            target.headers.extend(
                section
                    .header_lines
                    .iter()
                    .map(|&line| Origin { file: kind, line }),
            );
            for p in &section.properties {
                let origin = Origin {
                    file: kind,
                    line: p.line,
                };
                if is_identifier(&p.key) {
                    target.insert(
                        &p.key,
                        Value {
                            value: p.value.clone(),
                            origin,
                        },
                    );
                } else {
                    self.ignored.push(Ignored {
                        kind: IgnoredKind::InvalidKey(p.key.clone()),
                        section: section.raw_name.trim_matches(WHITESPACE).to_owned(),
                        origin,
                    });
                }
            }
        }
    }

    fn merge_other(
        &mut self,
        kind: FileKind,
        prefix: &str,
        name: &str,
        section: &super::document::RawSection,
    ) {
        for p in &section.properties {
            let origin = Origin {
                file: kind,
                line: p.line,
            };
            if !is_identifier(&p.key) {
                self.ignored.push(Ignored {
                    kind: IgnoredKind::InvalidKey(p.key.clone()),
                    section: section.raw_name.trim_matches(WHITESPACE).to_owned(),
                    origin,
                });
                continue;
            }
            for line in p.value.split('\n').filter(|l| !l.is_empty()) {
                let Some((k, v)) = line.split_once('=') else {
                    continue;
                };
                let sub_property = k.trim_matches(WHITESPACE).to_owned();
                let value = Value {
                    value: v.trim_matches(WHITESPACE).to_owned(),
                    origin,
                };
                match self.other.iter_mut().find(|o| {
                    o.section_key == prefix
                        && o.section_name == name
                        && o.property == p.key
                        && o.sub_property == sub_property
                }) {
                    Some(o) => o.value = value,
                    None => self.other.push(OtherProperty {
                        section_key: prefix.to_owned(),
                        section_name: name.to_owned(),
                        property: p.key.clone(),
                        sub_property,
                        value,
                    }),
                }
            }
        }
    }

    fn ignore_headers(
        &mut self,
        kind: IgnoredKind,
        section: &super::document::RawSection,
        file: FileKind,
    ) {
        for &line in &section.header_lines {
            self.ignored.push(Ignored {
                kind: kind.clone(),
                section: section.raw_name.trim_matches(WHITESPACE).to_owned(),
                origin: Origin { file, line },
            });
        }
    }

    pub fn profiles(&self) -> &[Section] {
        &self.profiles
    }

    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profile_index.get(name).map(|&i| &self.profiles[i])
    }

    pub fn sso_sessions(&self) -> &[Section] {
        &self.sso_sessions
    }

    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_index.get(name).map(|&i| &self.sso_sessions[i])
    }

    /// `[services NAME]` `service =` / `  key = value`.
    pub fn other_property(
        &self,
        key: &str,
        name: &str,
        property: &str,
        sub: &str,
    ) -> Option<&Value> {
        self.other
            .iter()
            .find(|o| {
                o.section_key == key
                    && o.section_name == name
                    && o.property == property
                    && o.sub_property == sub
            })
            .map(|o| &o.value)
    }

    /// Build a set directly from name -> properties maps (the conformance data's shape).
    pub fn from_maps<'a>(
        profiles: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>,
        sso_sessions: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>,
    ) -> ProfileSet {
        let mut set = ProfileSet::default();
        let origin = Origin {
            file: FileKind::Config,
            line: 0,
        };
        for (target, index, items) in [
            (
                &mut set.profiles,
                &mut set.profile_index,
                profiles.into_iter().collect::<Vec<_>>(),
            ),
            (
                &mut set.sso_sessions,
                &mut set.sso_index,
                sso_sessions.into_iter().collect(),
            ),
        ] {
            for (name, props) in items {
                let mut section = Section::new(name);
                for (k, v) in props {
                    section.insert(
                        k,
                        Value {
                            value: v.to_owned(),
                            origin,
                        },
                    );
                }
                index.insert(name.to_owned(), target.len());
                target.push(section);
            }
        }
        set
    }
}
