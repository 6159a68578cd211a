//! tests/conformance/profile-provider: the SDK's end-to-end scenarios (environment, files,
//! recorded HTTP traffic, expected credentials or error), run through rolecall's engine with the
//! SDK's own replay of the recorded traffic. One test, run alone in its binary, because each
//! scenario sets the process environment.

use aws_smithy_http_client::test_util::dvr::ReplayingClient;
use aws_smithy_runtime_api::client::http::{SharedHttpClient, SharedHttpConnector};
use rolecall::config::Config;
use rolecall::creds::fetch;
use rolecall::creds::options::Options;
use rolecall::files::AwsFiles;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where rolecall's one-line error says the same thing in its own words.
fn our_words(scenario: &str) -> Option<&'static str> {
    match scenario {
        // The SDK: "the credential provider was not enabled" (nothing configured).
        "empty_config" => Some("no profiles found"),
        // The SDK: "could not parse profile file"; rolecall names the file, line and why.
        "invalid_config" => Some("~/.aws/config:2: Property did not have a name"),
        _ => None,
    }
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance").join("profile-provider")
}

/// The scenario's environment as rolecall's settings (the process environment is not touched:
/// the other tests of this crate run beside this one).
fn settings(scenario: &Path, cache: &Path) -> (Config, String) {
    let env: Value = serde_json::from_str(&std::fs::read_to_string(scenario.join("env.json")).unwrap()).unwrap();
    let mut vars: Vec<(String, String)> = Vec::new();
    for (key, value) in env.as_object().unwrap() {
        let value = value.as_str().unwrap();
        // The scenario's files are "mounted at /": HOME=/home is fs/home here.
        let value = if key == "HOME" {
            scenario.join("fs").join(value.trim_start_matches('/')).to_string_lossy().into_owned()
        } else {
            value.to_owned()
        };
        vars.push((key.clone(), value));
    }
    vars.push(("XDG_CACHE_HOME".into(), cache.to_string_lossy().into_owned()));
    let profile = vars.iter().find(|(k, _)| k == "AWS_PROFILE").map_or("default".into(), |(_, v)| v.clone());
    (Config::from_vars(vars), profile)
}

fn run(cfg: &Config, profile: &str, replay: &ReplayingClient) -> anyhow::Result<rolecall::types::Credentials> {
    let files = AwsFiles::load(cfg);
    files.check()?;
    // STS through the SDK's client, the SSO portal through rolecall's own requests: both replay.
    let options = Options {
        no_cache: true,
        http_client: Some(SharedHttpClient::new(replay.clone())),
        http_connector: Some(SharedHttpConnector::new(replay.clone())),
        ..Options::default()
    };
    Ok(fetch::credentials(cfg, &files, profile, &options, &|_| {})?.creds)
}

#[test]
fn profile_provider_scenarios() {
    let cache = std::env::temp_dir().join(format!("rolecall-provider-{}", std::process::id()));
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("tests/conformance/profile-provider")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let (mut passed, mut failures) = (0, Vec::new());
    for name in &names {
        let scenario = dir().join(name);
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(scenario.join("test-case.json")).unwrap()).unwrap();
        let (cfg, profile) = settings(&scenario, &cache);
        // The recorded traffic is from 2021: the clock is pinned to an hour before the recorded
        // credentials expire (what a role's hour means), as the SDK's own harness pins its time.
        let cfg = match case["result"]["Ok"]["expiry"].as_i64() {
            Some(expiry) => cfg.with_clock(expiry - 3600),
            None => cfg,
        };
        let replay = ReplayingClient::from_file(scenario.join("http-traffic.json")).unwrap();
        let result = run(&cfg, &profile, &replay);
        let outcome = match (&case["result"], result) {
            (Value::Object(o), Ok(creds)) if o.contains_key("Ok") => {
                let want = &o["Ok"];
                let got = serde_json::json!({
                    "access_key_id": creds.access_key_id,
                    "secret_access_key": creds.secret_access_key,
                    "session_token": creds.session_token,
                    "account_id": creds.account_id,
                    "expiry": creds.expires_at,
                });
                let requests = tokio_block_on(replay.validate(&[], |_, _| Ok(())));
                match requests {
                    Err(e) => Err(format!("requests differ from the recording: {e}")),
                    Ok(()) if &got == want => Ok(()),
                    Ok(()) => Err(format!("got {got}, want {want}")),
                }
            }
            (Value::Object(o), Err(e)) if o.contains_key("ErrorContains") => {
                let sdk = o["ErrorContains"].as_str().unwrap();
                // The SDK wraps every provider error in this prefix; rolecall says what failed.
                let want =
                    our_words(name).unwrap_or(sdk.trim_start_matches("an error occurred while loading credentials: "));
                let message = format!("{e:#}");
                if message.contains(want) { Ok(()) } else { Err(format!("error {message:?} lacks {want:?}")) }
            }
            (want, Ok(creds)) => Err(format!("got credentials {creds:?}, want {want}")),
            (want, Err(e)) => Err(format!("got error {e:#}, want {want}")),
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    let _ = std::fs::remove_dir_all(&cache);
    println!("conformance: profile-provider: {passed}/{} passed", names.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

fn tokio_block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}
