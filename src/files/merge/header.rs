//! Section headers as the SDKs read them: `[prefix name]` or `[name]`, and which names are
//! identifiers.

use super::super::FileKind;
use super::super::document::trim_ws;
use super::IgnoredKind;

pub(super) const DEFAULT: &str = "default";
pub(super) const PROFILE_PREFIX: &str = "profile";
pub(super) const SSO_SESSION_PREFIX: &str = "sso-session";

/// `[prefix suffix]` or `[suffix]`.
pub(super) struct SectionPair<'a> {
    pub(super) prefix: Option<&'a str>,
    pub(super) suffix: &'a str,
}

impl<'a> SectionPair<'a> {
    pub(super) fn parse(raw: &'a str) -> SectionPair<'a> {
        let input = trim_ws(raw);
        let split = memchr::memchr2(b' ', b'\t', input.as_bytes()).map(|i| (&input[..i], &input[i + 1..]));
        match split {
            Some((prefix, suffix)) => SectionPair { prefix: Some(prefix.trim()), suffix: suffix.trim() },
            None => SectionPair { prefix: None, suffix: input.trim() },
        }
    }

    pub(super) fn is_unprefixed_default(&self) -> bool {
        self.prefix.is_none() && self.suffix == DEFAULT
    }

    pub(super) fn is_prefixed_default(&self) -> bool {
        self.prefix == Some(PROFILE_PREFIX) && self.suffix == DEFAULT
    }

    pub(super) fn validate(&self, kind: FileKind) -> Result<(), IgnoredKind> {
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
