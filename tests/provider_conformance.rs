//! tests/conformance/profile-provider: the SDK's end-to-end scenarios (environment, files,
//! recorded HTTP traffic, expected credentials or error), run through rolecall's engine with the
//! SDK's own replay of the recorded traffic. One test, run alone in its binary, because each
//! scenario sets the process environment.

use aws_smithy_http_client::test_util::dvr::ReplayingClient;
use aws_smithy_runtime_api::client::http::{SharedHttpClient, SharedHttpConnector};
use rolecall::creds::fetch::{self, Options};
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

fn set_env(scenario: &Path, cache: &Path) -> String {
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") || key.starts_with("ROLECALL_") {
            unsafe { std::env::remove_var(key) };
        }
    }
    let env: Value = serde_json::from_str(&std::fs::read_to_string(scenario.join("env.json")).unwrap()).unwrap();
    for (key, value) in env.as_object().unwrap() {
        let value = value.as_str().unwrap();
        // The scenario's files are "mounted at /": HOME=/home is fs/home here.
        let value = if key == "HOME" { scenario.join("fs").join(value.trim_start_matches('/')) } else { value.into() };
        unsafe { std::env::set_var(key, value) };
    }
    unsafe { std::env::set_var("XDG_CACHE_HOME", cache) };
    std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into())
}

fn run(profile: &str, replay: &ReplayingClient) -> anyhow::Result<rolecall::creds::Credentials> {
    let files = AwsFiles::load();
    files.check()?;
    // STS through the SDK's client, the SSO portal through rolecall's own requests: both replay.
    let options = Options {
        no_cache: true,
        http_client: Some(SharedHttpClient::new(replay.clone())),
        http_connector: Some(SharedHttpConnector::new(replay.clone())),
        ..Options::default()
    };
    Ok(fetch::credentials(&files, profile, &options)?.creds)
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
        let profile = set_env(&scenario, &cache);
        // The recorded traffic is from 2021: the clock is pinned to an hour before the recorded
        // credentials expire (what a role's hour means), as the SDK's own harness pins its time.
        match case["result"]["Ok"]["expiry"].as_i64() {
            Some(expiry) => unsafe { std::env::set_var("ROLECALL_NOW", (expiry - 3600).to_string()) },
            None => unsafe { std::env::remove_var("ROLECALL_NOW") },
        }
        let replay = ReplayingClient::from_file(scenario.join("http-traffic.json")).unwrap();
        let result = run(&profile, &replay);
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
