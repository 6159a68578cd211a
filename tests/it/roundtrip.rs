//! Parsing then printing reproduces every file byte for byte: the conformance inputs, a corpus of
//! real-looking files (comments, CRLF, BOM, odd spacing, sub-properties), and random text.

use proptest::prelude::*;
use rolecall::files::document::Document;
use std::path::Path;

fn assert_round_trip(name: &str, text: &str) {
    assert_eq!(Document::parse(text).render(), text, "{name} did not round-trip");
}

#[test]
fn corpus_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_round_trip(&path.display().to_string(), &std::fs::read_to_string(&path).unwrap());
        n += 1;
    }
    for name in ["config", "credentials"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/home/.aws").join(name);
        assert_round_trip(name, &std::fs::read_to_string(path).unwrap());
        n += 1;
    }
    assert!(n >= 15);
    println!("round trip: {n} corpus files byte-identical");
}

#[test]
fn conformance_inputs_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let text = std::fs::read_to_string(dir.join("profile-parser-tests.json")).unwrap();
    let data: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut n = 0;
    for t in data["tests"].as_array().unwrap() {
        for key in ["configFile", "credentialsFile"] {
            if let Some(text) = t["input"][key].as_str() {
                assert_round_trip(t["name"].as_str().unwrap(), text);
                n += 1;
            }
        }
    }
    println!("round trip: {n} conformance inputs byte-identical");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn any_text_round_trips(text in "(\u{feff})?([\\[\\]=#; \t\r\na-z\u{a0}é🐱]{0,40}\n?){0,12}") {
        prop_assert_eq!(Document::parse(&text).render(), text);
    }
}
