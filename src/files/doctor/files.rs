//! The files as a whole: readable, private, UTF-8; what the SDKs ignore; sections and keys
//! written twice.

use super::{Report, Severity};
use crate::files::merge::IgnoredKind;
use crate::files::{Content, FileKind, Origin};
use std::collections::HashSet;

pub(super) fn check_files(r: &mut Report) {
    for file in [&r.files.config, &r.files.credentials] {
        let whole = Origin { file: file.kind, line: 0 };
        match &file.content {
            Content::Missing => {}
            Content::Unreadable(why) => {
                r.add(
                    Severity::Error,
                    "parse-error",
                    whole,
                    None,
                    format!("cannot read the file: {why}"),
                    "check its owner and permissions",
                );
            }
            Content::NotUtf8 => r.add(
                Severity::Error,
                "parse-error",
                whole,
                None,
                "the file is not UTF-8 text; the AWS SDKs ignore it entirely".into(),
                "save it as UTF-8",
            ),
            Content::Text(doc) => {
                if let Some(e) = file.parse_error().filter(|e| e.message != crate::files::BOM_MESSAGE) {
                    let at = Origin { file: file.kind, line: e.line };
                    let message = format!("{}; the AWS SDKs reject the whole file", e.message);
                    r.add(
                        Severity::Error,
                        "parse-error",
                        at,
                        None,
                        message,
                        "fix this line ('rolecall edit' checks as you save)",
                    );
                }
                if doc.bom {
                    r.add(
                        Severity::Error,
                        "byte-order-mark",
                        Origin { file: file.kind, line: 1 },
                        None,
                        "the file starts with a UTF-8 byte-order mark, which the AWS SDKs and CLI cannot parse".into(),
                        "save the file as UTF-8 without BOM",
                    );
                }
            }
        }
        if let Some(mode) = file.mode.filter(|m| m & 0o077 != 0 && file.kind == FileKind::Credentials) {
            r.add(
                Severity::Error,
                "file-permissions",
                whole,
                None,
                format!("credentials file has mode {mode:04o}: other users can read or change your keys"),
                &format!("chmod 600 {}", file.display),
            );
        }
    }
}

pub(super) fn check_ignored(r: &mut Report) {
    for ignored in &r.files.profiles.ignored {
        let s = &ignored.section;
        let (severity, code, message, hint) = match &ignored.kind {
            IgnoredKind::MissingProfilePrefix => (
                Severity::Warning,
                "ignored-section",
                format!(
                    "[{s}] in the config file is ignored by the AWS SDKs: config sections other than [default] need the `profile` prefix"
                ),
                format!("rename it to [profile {s}]"),
            ),
            IgnoredKind::ProfilePrefixInCredentials => {
                let name = s.split_once([' ', '\t']).map_or(s.as_str(), |(_, n)| n.trim());
                (
                    Severity::Warning,
                    "ignored-section",
                    format!(
                        "[{s}] in the credentials file is ignored by the AWS SDKs: credentials sections have no prefix"
                    ),
                    format!("rename it to [{name}]"),
                )
            }
            IgnoredKind::ConfigSectionInCredentials => (
                Severity::Warning,
                "ignored-section",
                format!("[{s}] is ignored in the credentials file: this kind of section belongs in the config file"),
                "move it to the config file".to_owned(),
            ),
            IgnoredKind::DefaultShadowed => (
                Severity::Warning,
                "ignored-section",
                "[default] is ignored because [profile default] exists in the same file".into(),
                "merge the two sections into one".to_owned(),
            ),
            IgnoredKind::InvalidName => (
                Severity::Warning,
                "invalid-profile-name",
                format!("[{s}] is ignored: names may only contain letters, digits and _ - / . % @ : +"),
                "rename the section".to_owned(),
            ),
            IgnoredKind::InvalidKey(key) => (
                Severity::Warning,
                "invalid-key",
                format!(
                    "key `{}` in [{s}] is ignored: keys may only contain letters, digits and _ - / . % @ : +",
                    key_prefix(key)
                ),
                "fix the key's spelling (a forgotten `=` makes the value part of the key)".to_owned(),
            ),
        };
        r.add(severity, code, ignored.origin, None, message, &hint);
    }
}

/// The most of an ignored key's text a finding quotes.
const KEY_PREFIX: usize = 24;

/// What a finding may quote of a key the SDKs ignore: its first word, at most [`KEY_PREFIX`]
/// characters, and `…` for the rest. An invalid key is often a line whose `=` was forgotten
/// (`aws_session_token IQoJ…==`): the rest of it is a value, perhaps a secret.
fn key_prefix(key: &str) -> String {
    let word = key.split(|c: char| c.is_whitespace()).next().unwrap_or("");
    let shown: String = word.chars().take(KEY_PREFIX).collect();
    if shown.len() < key.len() { format!("{shown}…") } else { shown }
}

/// Sections and keys written twice. The SDKs merge them (later keys win); the aws CLI (v1 and v2)
/// and boto3 refuse a whole file in which a header's text or a key in one section repeats, and
/// of two headers that differ only in spacing they read the last one alone.
pub(super) fn check_duplicates(r: &mut Report) {
    const REFUSED: &str = "the aws CLI and boto3 refuse the whole file (the SDKs merge)";
    let mut repeated = HashSet::new();
    for file in [&r.files.config, &r.files.credentials] {
        for section in &file.raw().sections {
            let name = section.raw_name.trim();
            if let [first, rest @ ..] = section.header_lines.as_slice() {
                for again in rest {
                    repeated.insert((file.kind, *again));
                    r.add(
                        Severity::Error,
                        "duplicate-section",
                        Origin { file: file.kind, line: *again },
                        None,
                        format!("[{name}] appears again (first at line {first}): {REFUSED}"),
                        "merge the sections into one",
                    );
                }
            }
            for (key, line) in &section.overridden {
                r.add(
                    Severity::Error,
                    "duplicate-key",
                    Origin { file: file.kind, line: *line },
                    None,
                    format!("`{key}` is set again later in [{name}]: {REFUSED}; the SDKs ignore this value"),
                    "remove one of the two lines",
                );
            }
        }
    }
    let set = &r.files.profiles;
    for profile in set.profiles().chain(set.sso_sessions()) {
        for kind in [FileKind::Config, FileKind::Credentials] {
            let headers: Vec<_> = profile.headers().filter(|o| o.file == kind).collect();
            if let [first, rest @ ..] = headers.as_slice() {
                for again in rest.iter().filter(|o| !repeated.contains(&(o.file, o.line))) {
                    r.add(
                        Severity::Warning,
                        "duplicate-section",
                        *again,
                        Some(profile.name()),
                        format!(
                            "section for `{}` appears again (first at line {}); the SDKs merge the sections (later keys win), the aws CLI reads only the last",
                            profile.name(),
                            first.line
                        ),
                        "merge the sections into one",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ignored_keys_are_quoted_up_to_a_short_prefix() {
        use super::key_prefix;
        assert_eq!(key_prefix("aws_session_token iqojb3jpz2lux2vjeaiacxvzlwvhc3qtmsjgmeqcibxq"), "aws_session_token…");
        assert_eq!(key_prefix("region!"), "region!");
        assert_eq!(key_prefix(&"x".repeat(60)), format!("{}…", "x".repeat(24)));
    }
}
