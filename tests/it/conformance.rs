//! The AWS SDKs' own conformance cases (tests/conformance, vendored from smithy-rs: see its README).
//! Each test prints how many cases it ran and passed.

use rolecall::files::chain::{Base, resolve};
use rolecall::files::location::{self, Platform};
use rolecall::files::{AwsFiles, FileKind, ProfileSet};
use rolecall::files::{SourceFile, merge::Section};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

fn conformance_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    assert!(dir.is_dir(), "conformance data not found at {}", dir.display());
    dir
}

fn read_json(name: &str) -> Value {
    let path = conformance_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn sections_json<'a>(sections: impl Iterator<Item = Section<'a>>) -> Value {
    let mut out = Map::new();
    for s in sections {
        let props: Map<String, Value> = s.properties().map(|(k, v)| (k.to_owned(), json!(v.value))).collect();
        out.insert(s.name().to_owned(), Value::Object(props));
    }
    Value::Object(out)
}

fn report(file: &str, passed: usize, total: usize, skipped: usize, failures: &[String]) {
    let skipped = if skipped > 0 { format!(" ({skipped} skipped)") } else { String::new() };
    println!("conformance: {file}: {passed}/{total} passed{skipped}");
    assert!(failures.is_empty(), "{file}: {} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn profile_parser_tests() {
    let data = read_json("profile-parser-tests.json");
    let tests = data["tests"].as_array().unwrap();
    let mut failures = Vec::new();
    for t in tests {
        let name = t["name"].as_str().unwrap();
        let input = &t["input"];
        let config = SourceFile::from_text(FileKind::Config, "config", input["configFile"].as_str().unwrap_or(""));
        let creds = SourceFile::from_text(
            FileKind::Credentials,
            "credentials",
            input["credentialsFile"].as_str().unwrap_or(""),
        );
        let files = AwsFiles::from_files(config, creds);
        let output = &t["output"];
        if let Some(expected) = output["errorContaining"].as_str() {
            match files.check() {
                Err(e) if e.to_string().contains(expected) => {}
                other => failures.push(format!("{name}: expected error containing {expected:?}, got {other:?}")),
            }
            continue;
        }
        if let Err(e) = files.check() {
            failures.push(format!("{name}: unexpected error {e}"));
            continue;
        }
        let expected = &output["config"];
        let profiles = sections_json(files.profiles.profiles());
        if profiles != expected["profiles"] {
            failures.push(format!("{name}: profiles {profiles} != {}", expected["profiles"]));
        }
        if let Some(want) = expected.get("sso_sessions") {
            let got = sections_json(files.profiles.sso_sessions());
            if &got != want {
                failures.push(format!("{name}: sso_sessions {got} != {want}"));
            }
        }
    }
    report("profile-parser-tests.json", tests.len() - failures.len(), tests.len(), 0, &failures);
    assert_eq!(tests.len(), 65);
}

#[test]
fn file_location_tests() {
    let data = read_json("file-location-tests.json");
    let tests = data["tests"].as_array().unwrap();
    let mut failures = Vec::new();
    for t in tests {
        let name = t["name"].as_str().unwrap();
        let vars = t["environment"].as_object().unwrap().clone();
        let env = move |k: &str| vars.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        // The location rules are pure functions of the environment and the platform, so the
        // Windows cases run here too.
        let platform = match t["platform"].as_str().unwrap() {
            "windows" => Platform::Windows,
            _ => Platform::Unix,
        };
        let config = location::file_path(FileKind::Config, &env, platform);
        let creds = location::file_path(FileKind::Credentials, &env, platform);
        if config != t["configLocation"].as_str().unwrap() || creds != t["credentialsLocation"].as_str().unwrap() {
            failures.push(format!("{name}: got {config} / {creds}"));
        }
        if let Some(profile) = t["profile"].as_str()
            && location::selected_profile(&env) != profile
        {
            failures.push(format!("{name}: selected profile {}", location::selected_profile(&env)));
        }
    }
    report("file-location-tests.json", tests.len() - failures.len(), tests.len(), 0, &failures);
    assert_eq!(tests.len(), 9);
}

fn opt(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        map.insert(key.into(), json!(v));
    }
}

fn chain_json(plan: &rolecall::files::chain::Plan) -> Value {
    let mut out = Vec::new();
    let mut m = Map::new();
    let base = match &plan.base {
        Base::AccessKey { access_key_id, secret_access_key, session_token, account_id, .. } => {
            m.insert("access_key_id".into(), json!(access_key_id));
            m.insert("secret_access_key".into(), json!(secret_access_key));
            opt(&mut m, "session_token", *session_token);
            opt(&mut m, "account_id", *account_id);
            json!({ "AccessKey": m })
        }
        Base::NamedSource { source, .. } => json!({ "NamedSource": source }),
        Base::WebIdentity { role_arn, token_file, session_name, .. } => {
            m.insert("role_arn".into(), json!(role_arn));
            m.insert("web_identity_token_file".into(), json!(token_file));
            opt(&mut m, "role_session_name", *session_name);
            json!({ "WebIdentityToken": m })
        }
        Base::Sso { session_name, region, start_url, account_id, role_name, .. } => {
            opt(&mut m, "sso_session", *session_name);
            m.insert("sso_region".into(), json!(region));
            m.insert("sso_start_url".into(), json!(start_url));
            opt(&mut m, "sso_account_id", *account_id);
            opt(&mut m, "sso_role_name", *role_name);
            json!({ "Sso": m })
        }
        Base::Process { command, account_id, .. } => {
            m.insert("command".into(), json!(command));
            opt(&mut m, "account_id", *account_id);
            json!({ "CredentialProcess": m })
        }
        Base::LoginSession { arn, .. } => json!({ "LoginSession": { "login_session_arn": arn } }),
        // What the SDKs run: rolecall's marker (no conformance case names it).
        Base::Vault { profile, .. } => json!({ "CredentialProcess": { "command": rolecall::vault::marker(profile) } }),
    };
    out.push(base);
    for hop in &plan.hops {
        let mut m = Map::new();
        m.insert("role_arn".into(), json!(hop.role_arn));
        opt(&mut m, "external_id", hop.external_id);
        opt(&mut m, "role_session_name", hop.session_name);
        out.push(json!({ "AssumeRole": m }));
    }
    Value::Array(out)
}

fn maps(v: &Value) -> Vec<(&str, Vec<(&str, &str)>)> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(name, props)| {
                    let props =
                        props.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect();
                    (name.as_str(), props)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn assume_role_tests() {
    let tests = read_json("assume-role-tests.json");
    let tests = tests.as_array().unwrap();
    let mut failures = Vec::new();
    for t in tests {
        let docs = t["docs"].as_str().unwrap();
        let input = &t["input"];
        let set = ProfileSet::from_maps(maps(&input["profiles"]), maps(&input["sso_sessions"]));
        let result = resolve(&set, input["selected_profile"].as_str().unwrap());
        let output = &t["output"];
        match (output.get("Error").and_then(Value::as_str), result) {
            (Some(expected), Err(e)) if e.to_string().contains(expected) => {}
            (None, Ok(plan)) if chain_json(&plan) == output["ProfileChain"] => {}
            (_, got) => failures.push(format!("{docs}: expected {output}, got {got:?}")),
        }
    }
    report("assume-role-tests.json", tests.len() - failures.len(), tests.len(), 0, &failures);
    assert_eq!(tests.len(), 28);
}

/// cli-cache-key-vectors.json: the AWS CLI's cache file names (role credentials in
/// `~/.aws/cli/cache`, SSO tokens and SSO role credentials) as rolecall computes them.
#[test]
fn cli_cache_key_vectors() {
    use rolecall::aws::sso::{Login, role_cache_key};
    use rolecall::creds::cli_cache::{KeyArgs, key};
    let data = read_json("cli-cache-key-vectors.json");
    let vectors = data["vectors"].as_array().unwrap();
    let (mut passed, mut skipped, mut failures) = (0, 0, Vec::new());
    for v in vectors {
        let want = v["sha1"].as_str().unwrap();
        let args = &v["args"];
        let s = |k: &str| args[k].as_str();
        let got = match v["kind"].as_str().unwrap() {
            // A session policy is an argument of the CLI's API call, never a profile key.
            "assume_role" | "assume_role_with_web_identity" if args.get("Policy").is_some() => {
                skipped += 1;
                continue;
            }
            "assume_role" | "assume_role_with_web_identity" => key(&KeyArgs {
                role_arn: s("RoleArn").unwrap(),
                role_session_name: s("RoleSessionName"),
                external_id: s("ExternalId"),
                serial_number: s("SerialNumber"),
                duration_seconds: args["DurationSeconds"].as_i64(),
            }),
            "sso_token" => {
                let input = v["input"].as_str().unwrap();
                Login::named(Some(input), "").cache_key()
            }
            "sso_role_credentials" => {
                let login = Login::named(s("sessionName"), s("startUrl").unwrap_or(""));
                role_cache_key(&login, s("accountId").unwrap(), s("roleName").unwrap())
            }
            other => panic!("unknown vector kind {other}"),
        };
        if got == want {
            passed += 1;
        } else {
            failures.push(format!("{v}: got {got}"));
        }
    }
    report("cli-cache-key-vectors.json", passed, vectors.len() - skipped, skipped, &failures);
}
