//! Differential test: for generated config/credentials texts, rolecall's merged profiles equal
//! those of aws-config's own parser (the reference), including the parse error and its line.
//!
//! Generation is biased toward the hard parts: spacing and tabs in headers, comments with and
//! without leading whitespace, `#`/`;`/`=` inside values, continuation lines and sub-properties,
//! CRLF and lone CR, invalid names and keys, `[default]` vs `[profile default]`, sso-session
//! and services sections, and lines before any header.
//!
//! One exception is excluded by construction: the SDK merges sections whose headers differ only
//! in spacing in hash-map order (non-deterministic), so within one file each section is always
//! spelled the same way, and no name is left empty after a prefix (`[profile ]` reads as a
//! profile named `profile`). Cases: ROLECALL_DIFF_CASES (default 100000).

use aws_config::profile::ProfileSet as SdkSet;
use aws_config::profile::parser::load;
use aws_runtime::env_config::file::{EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles};
use aws_types::os_shim_internal::{Env, Fs};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rolecall::files::{AwsFiles, FileKind, Section, SourceFile};
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

const PREFIXES: &[Option<&str>] = &[None, Some("profile"), Some("sso-session"), Some("services"), Some("sso-sesion")];
const NAMES: &[&str] = &["default", "foo", "bar", "a.b-c_d", "x@y:z+1/2%", "foo!bar", "", "d e", "Äö", "profile.x"];
const KEYS: &[&str] = &[
    "region",
    "Region",
    "aws_access_key_id",
    "AWS_Secret_Access_Key",
    "role_arn",
    "source_profile",
    "s3",
    "sts",
    "sso_session",
    "x y",
    "k!",
    "",
    "mfa_serial",
];
const VALUES: &[&str] =
    &["", "us-east-1", "a=b", "x#y", "x # y", "x\t;y", "ünï 🐱", "tab\there", "val;ue", "cr\rx", "=", "\u{a0}nb"];
const WS: &[&str] = &["", " ", "\t", "  ", " \t", "\u{a0}"];
const COMMENTS: &[&str] = &["#c", ";c", "# c # d", "#", ";[x]"];
const CONTINUATIONS: &[&str] =
    &["name = value", "name =", "= v", "junk", "x#y", "k=v # c", "endpoint_url = http://h:1"];

#[derive(Clone, Debug)]
enum Line {
    /// Header of logical section `usize`; optional trailing comment; whether `]` is missing.
    Header(usize, Option<(usize, usize)>, bool),
    Property {
        key: usize,
        left: usize,
        right: usize,
        value: usize,
        comment: Option<(usize, usize)>,
    },
    NoEquals(usize),
    Continuation(usize, usize),
    Comment(usize),
    Blank(usize),
}

#[derive(Clone, Debug)]
struct FileSpec {
    /// Per logical section: (leading ws, separator ws, trailing ws) indexes.
    spellings: Vec<(usize, usize, usize)>,
    lines: Vec<(Line, usize)>,
    final_newline: bool,
}

fn line() -> impl Strategy<Value = Line> {
    let n_sections = PREFIXES.len() * NAMES.len();
    let comment = proptest::option::of((0..WS.len(), 0..COMMENTS.len()));
    prop_oneof![
        3 => (0..n_sections, comment.clone(), proptest::bool::weighted(0.02)).prop_map(|(s, c, m)| Line::Header(s, c, m)),
        8 => (0..KEYS.len(), 0..WS.len(), 0..WS.len(), 0..VALUES.len(), comment)
            .prop_map(|(key, left, right, value, comment)| Line::Property { key, left, right, value, comment }),
        1 => (0..VALUES.len()).prop_map(Line::NoEquals),
        3 => (1..WS.len(), 0..CONTINUATIONS.len()).prop_map(|(w, c)| Line::Continuation(w, c)),
        1 => (0..COMMENTS.len()).prop_map(Line::Comment),
        1 => (0..WS.len()).prop_map(Line::Blank),
    ]
}

fn file_spec() -> impl Strategy<Value = FileSpec> {
    let n_sections = PREFIXES.len() * NAMES.len();
    let spelling = (0..3usize, 1..5usize, 0..3usize);
    (
        proptest::collection::vec(spelling, n_sections),
        proptest::option::weighted(
            0.9,
            (0..n_sections, Just(None), Just(false)).prop_map(|(s, c, m)| Line::Header(s, c, m)),
        ),
        proptest::collection::vec((line(), 0..3usize), 0..24),
        any::<bool>(),
        proptest::bool::weighted(0.85),
    )
        .prop_map(|(spellings, first, mut lines, final_newline, valid)| {
            if let Some(first) = first {
                lines.insert(0, (first, 0));
            }
            if valid {
                make_valid(&mut lines);
            }
            FileSpec { spellings, lines, final_newline }
        })
}

/// Most files are made parseable, so that most cases compare profiles rather than errors:
/// a header first, every header closed, every property named and with `=`, continuation lines
/// only after a property and only of a form valid both as a value line and as a sub-property.
fn make_valid(lines: &mut Vec<(Line, usize)>) {
    if !matches!(lines.first(), Some((Line::Header(..), _))) {
        lines.insert(0, (Line::Header(NAMES.len() + 1, None, false), 0));
    }
    let mut after_property = false;
    for (line, _) in lines.iter_mut() {
        match line {
            Line::Header(_, comment, missing) => {
                *missing = false;
                // `]` followed by a non-breaking space is not the end of a header to the SDK.
                if let Some((w, _)) = comment.as_mut().filter(|(w, _)| WS[*w].contains('\u{a0}')) {
                    *w = 1;
                }
                after_property = false;
            }
            Line::Property { key, .. } => {
                if KEYS[*key].is_empty() {
                    *key = 0;
                }
                after_property = true;
            }
            Line::NoEquals(_) => *line = Line::Comment(0),
            Line::Continuation(w, c) => {
                let (w, c) = (*w, *c);
                if after_property {
                    *line = Line::Continuation(w, if c % 2 == 0 { 0 } else { 5 });
                } else {
                    let key = if KEYS[c % KEYS.len()].is_empty() { 0 } else { c % KEYS.len() };
                    *line = Line::Property { key, left: 1, right: 1, value: w, comment: None };
                    after_property = true;
                }
            }
            // A "blank" line of non-breaking spaces is a property line without `=` to the SDK.
            Line::Blank(w) if WS[*w].contains('\u{a0}') => *line = Line::Blank(0),
            Line::Comment(_) | Line::Blank(_) => {}
        }
    }
}

fn render(spec: &FileSpec) -> String {
    let mut out = String::new();
    let n = spec.lines.len();
    for (i, (line, eol)) in spec.lines.iter().enumerate() {
        match line {
            Line::Header(s, comment, missing_bracket) => {
                let (prefix, name) = (PREFIXES[s / NAMES.len()], NAMES[s % NAMES.len()]);
                let (lead, sep, trail) = spec.spellings[*s];
                out.push('[');
                out.push_str(WS[lead]);
                if let Some(prefix) = prefix {
                    out.push_str(prefix);
                    out.push_str(WS[sep]);
                }
                out.push_str(name);
                out.push_str(WS[trail]);
                if !missing_bracket {
                    out.push(']');
                }
                if let Some((w, c)) = comment {
                    out.push_str(WS[*w]);
                    out.push_str(COMMENTS[*c]);
                }
            }
            Line::Property { key, left, right, value, comment } => {
                out.push_str(KEYS[*key]);
                out.push_str(WS[*left]);
                out.push('=');
                out.push_str(WS[*right]);
                out.push_str(VALUES[*value]);
                if let Some((w, c)) = comment {
                    out.push_str(WS[*w]);
                    out.push_str(COMMENTS[*c]);
                }
            }
            Line::NoEquals(v) => out.push_str(&format!("novalue{}", VALUES[*v].replace('=', ""))),
            Line::Continuation(w, c) => {
                out.push_str(WS[*w]);
                out.push_str(CONTINUATIONS[*c]);
            }
            Line::Comment(c) => out.push_str(COMMENTS[*c]),
            Line::Blank(w) => out.push_str(WS[*w]),
        }
        if i + 1 < n || spec.final_newline {
            out.push_str(["\n", "\r\n", "\n"][*eol]);
        }
    }
    out
}

/// aws-config's loader is async but never waits for in-memory contents: poll it once.
fn now<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("in-memory profile load did not complete synchronously"),
    }
}

fn sdk_load(config: &str, credentials: &str) -> Result<SdkSet, String> {
    let files = ProfileFiles::builder()
        .with_contents(ProfileFileKind::Config, config)
        .with_contents(ProfileFileKind::Credentials, credentials)
        .build();
    now(load(&Fs::from_slice(&[]), &Env::from_slice(&[]), &files, None)).map_err(|e| {
        use std::error::Error;
        e.source().map_or_else(|| e.to_string(), |s| s.to_string())
    })
}

/// Every key the texts could define, lower-cased (for lookups in the SDK's opaque maps).
fn candidate_keys(texts: &[&str]) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = KEYS.iter().map(|k| k.to_ascii_lowercase()).collect();
    for text in texts {
        for line in text.lines() {
            if let Some((k, _)) = line.split_once('=') {
                keys.insert(k.trim_matches([' ', '\t']).to_ascii_lowercase());
            }
        }
    }
    keys
}

/// The same section names on both sides, and for each, the same value for every key the texts
/// could define (the SDK's sections cannot list their keys).
fn compare_sections<'a>(
    what: &str,
    sdk_names: BTreeSet<&str>,
    ours: impl Iterator<Item = Section<'a>> + Clone,
    sdk_get: impl Fn(&str, &str) -> Option<&'a str>,
    keys: &BTreeSet<String>,
) -> Result<(), String> {
    let our_names: BTreeSet<&str> = ours.clone().map(|p| p.name()).collect();
    if sdk_names != our_names {
        return Err(format!("{what}s: sdk {sdk_names:?} / rolecall {our_names:?}"));
    }
    for p in ours {
        for k in keys.iter().map(String::as_str).chain(p.properties().map(|(k, _)| k)) {
            let (theirs, mine) = (sdk_get(p.name(), k), p.get(k));
            if theirs != mine {
                return Err(format!("{what} {:?} key {k:?}: sdk {theirs:?} / rolecall {mine:?}", p.name()));
            }
        }
    }
    Ok(())
}

fn compare(config: &str, credentials: &str, headers: &BTreeSet<usize>) -> Result<(), String> {
    let ours = AwsFiles::from_files(
        SourceFile::from_text(FileKind::Config, "", config),
        SourceFile::from_text(FileKind::Credentials, "", credentials),
    );
    let sdk = sdk_load(config, credentials);
    let ours_err = [&ours.config, &ours.credentials]
        .iter()
        .find_map(|f| f.parse_error())
        .map(|e| format!("error parsing  on line {}:\n  {}", e.line, e.message));
    let sdk = match (sdk, ours_err) {
        (Err(a), Some(b)) if a == b => return Ok(()),
        (Ok(sdk), None) => sdk,
        (a, b) => {
            return Err(format!("error mismatch: sdk {:?} / rolecall {:?}", a.err(), b));
        }
    };
    let keys = candidate_keys(&[config, credentials]);
    compare_sections(
        "profile",
        sdk.profiles().collect(),
        ours.profiles.profiles(),
        |name, key| sdk.get_profile(name).and_then(|p| p.get(key)),
        &keys,
    )?;
    compare_sections(
        "sso-session",
        sdk.sso_sessions().collect(),
        ours.profiles.sso_sessions(),
        |name, key| sdk.sso_session(name).and_then(|p| p.get(key)),
        &keys,
    )?;
    // Other sections ([services x] …): every sub-property we found, the SDK has with the same
    // value; and every (section, property, sub-property) the texts could name agrees.
    let subs: BTreeSet<String> = CONTINUATIONS
        .iter()
        .filter_map(|c| c.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .chain(ours.profiles.other.iter().map(|o| o.sub_property.clone()))
        .collect();
    let mut sections: BTreeSet<(String, String)> =
        ours.profiles.other.iter().map(|o| (o.section_key.clone(), o.section_name.clone())).collect();
    for &s in headers {
        if let Some(prefix) = PREFIXES[s / NAMES.len()] {
            sections.insert((prefix.to_string(), NAMES[s % NAMES.len()].to_string()));
        }
    }
    for (section_key, section_name) in &sections {
        for property in &keys {
            for sub in &subs {
                let key = aws_runtime::env_config::property::PropertiesKey::builder()
                    .section_key(section_key)
                    .section_name(section_name)
                    .property_name(property)
                    .sub_property_name(sub)
                    .build()
                    .unwrap();
                let theirs = sdk.other_sections().get(&key).map(|v| v.to_string());
                let mine =
                    ours.profiles.other_property(section_key, section_name, property, sub).map(|v| v.value.clone());
                if theirs != mine {
                    return Err(format!(
                        "[{section_key} {section_name}] {property}.{sub}: sdk {theirs:?} / rolecall {mine:?}"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn merged_profiles_equal_aws_config() {
    let cases: u32 = std::env::var("ROLECALL_DIFF_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let ran = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&(file_spec(), file_spec()), |(config, credentials)| {
        let headers: BTreeSet<usize> = [&config, &credentials]
            .iter()
            .flat_map(|spec| spec.lines.iter())
            .filter_map(|(line, _)| if let Line::Header(s, ..) = line { Some(*s) } else { None })
            .collect();
        let (config, credentials) = (render(&config), render(&credentials));
        ran.fetch_add(1, Ordering::Relaxed);
        if sdk_load(&config, &credentials).is_err() {
            errors.fetch_add(1, Ordering::Relaxed);
        }
        compare(&config, &credentials, &headers)
            .map_err(|e| TestCaseError::fail(format!("{e}\nconfig:\n{config:?}\ncredentials:\n{credentials:?}")))
    });
    let ran = ran.into_inner();
    println!(
        "differential: {ran} generated cases ({} of them files both parsers reject, compared by error and line), mismatches: {}",
        errors.into_inner(),
        if result.is_ok() { "0" } else { "see failure" }
    );
    if let Err(e) = result {
        panic!("rolecall and aws-config disagree: {e}");
    }
    assert!(ran as u32 >= cases);
}

/// Regression cases found while building the parser, kept as fixed examples.
#[test]
fn regressions() {
    for (config, credentials) in [
        ("[profile foo]\ns3 =\n name = value\n\t \n name2 = value2", ""),
        ("[profile foo]\u{a0}\nx = 1", ""),
        ("[profile foo]\nk = a\u{a0}# not a comment? \n", ""),
        ("[services s]\nsts =\n endpoint_url = http://h:1\n", ""),
        ("", "[profile foo]\nk = v\n[foo]\nk = w"),
    ] {
        compare(config, credentials, &(0..PREFIXES.len() * NAMES.len()).collect()).unwrap();
    }
}
