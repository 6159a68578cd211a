//! `login_session` profiles (console credentials, `aws login`): the SDKs' shared cases in-process,
//! and the binary against a local AWS Sign-In endpoint that verifies DPoP proofs and PKCE
//! ([`common::signin`]), moto for a role sourced from such a profile, and the sign-in itself
//! driven by a `$BROWSER` script and by headless Chromium through rolecall's launcher.

use crate::common::{self, TempHome};
use common::moto::Moto;
use common::serve::{Request, Response, Server};
use common::signin::{SignIn, verify_dpop};
use rolecall::config::Config;
use rolecall::creds::fetch;
use rolecall::creds::options::Options;
use rolecall::files::AwsFiles;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const ARN: &str = "arn:aws:iam::123456789012:user/alice";

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn entry_path(home: &Path, arn: &str) -> PathBuf {
    rolecall::creds::login::cache_path(&home.join(".aws/login/cache"), arn)
}

fn read_entry(home: &Path, arn: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(entry_path(home, arn)).unwrap()).unwrap()
}

/// The SDKs' eight cases (aws-config, botocore and the aws CLI run the same file): the cache
/// entry in, credentials or an error out, an expired entry refreshed once (the request body as
/// the case gives it, with a DPoP proof that verifies) and the cache rewritten as the case says.
#[test]
fn login_provider_test_cases() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/login-provider-test-cases.json");
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The cases' clock: 2025-11-19T00:00:00Z (the refreshed entry expires 15 minutes later).
    const NOW: i64 = 1_763_510_400;
    let (mut passed, mut failures) = (0, Vec::new());
    for case in &cases {
        let name = case["documentation"].as_str().unwrap();
        let home = TempHome::new();
        home.write("config", case["configContents"].as_str().unwrap());
        let dir = home.path.join(".aws/login/cache");
        for (file, entry) in case["cacheContents"].as_object().unwrap() {
            write_private(&dir.join(file), &entry.to_string());
        }
        let mocks: Vec<Value> = case.get("mockApiCalls").and_then(Value::as_array).cloned().unwrap_or_default();
        let calls = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = calls.clone();
        let base = Arc::new(Mutex::new(String::new()));
        let url = base.clone();
        let server = Server::start(move |r: &Request| {
            let mut calls = seen.lock().unwrap();
            let Some(mock) = mocks.get(calls.len()) else { return Response::new(500, "text/plain", "unexpected call") };
            let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            let token_url = format!("{}/v1/token", url.lock().unwrap());
            let proof = verify_dpop(r.header("dpop"), &token_url, NOW, &mut HashSet::new());
            calls.push(match (&proof, body == mock["request"]["tokenInput"]) {
                (Ok(_), true) => "ok".into(),
                (Err(e), _) => format!("DPoP refused: {e}"),
                (_, false) => format!("body {body} is not the case's {}", mock["request"]["tokenInput"]),
            });
            match (mock.get("response"), mock.get("responseCode").and_then(Value::as_u64)) {
                (Some(response), _) => Response::new(200, "application/json", response["tokenOutput"].to_string()),
                (None, Some(code)) => Response::new(code as u16, "application/json", "{}"),
                _ => Response::new(500, "text/plain", "case has no answer"),
            }
        });
        *base.lock().unwrap() = server.url.clone();
        let cfg = Config::from_vars([
            ("HOME", home.path.to_string_lossy().into_owned()),
            ("XDG_CACHE_HOME", home.path.join(".cache").to_string_lossy().into_owned()),
            ("AWS_ENDPOINT_URL_SIGNIN", server.url.clone()),
            ("AWS_REGION", "us-east-2".into()),
        ])
        .with_clock(NOW);
        let files = AwsFiles::load(&cfg);
        let result = fetch::credentials(&cfg, &files, "signin", &Options::default(), &|_| {});
        let mut problems: Vec<String> = calls.lock().unwrap().iter().filter(|c| *c != "ok").cloned().collect();
        for outcome in case["outcomes"].as_array().unwrap() {
            match (outcome["result"].as_str().unwrap(), &result) {
                ("credentials", Ok(out)) => {
                    let c = &out.creds;
                    let want_expiry = rolecall::util::time::parse_rfc3339(outcome["expiresAt"].as_str().unwrap());
                    let got =
                        json!([c.access_key_id, c.secret_access_key, c.session_token, c.account_id, c.expires_at]);
                    let want = json!([
                        outcome["accessKeyId"],
                        outcome["secretAccessKey"],
                        outcome["sessionToken"],
                        outcome["accountId"],
                        want_expiry
                    ]);
                    if got != want {
                        problems.push(format!("credentials {got} are not {want}"));
                    }
                }
                ("cacheContents", Ok(_)) => {
                    for (file, want) in outcome.as_object().unwrap().iter().filter(|(k, _)| *k != "result") {
                        let got: Value =
                            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
                        if &got != want {
                            problems.push(format!("cache {got} is not {want}"));
                        }
                    }
                }
                ("error", Err(_)) => {}
                (kind, Ok(_)) => problems.push(format!("wanted {kind}, got credentials")),
                (kind, Err(e)) => problems.push(format!("wanted {kind}, got error {e:#}")),
            }
        }
        if problems.is_empty() {
            passed += 1;
        } else {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    println!("conformance: login-provider-test-cases.json: {passed}/{} passed", cases.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// A home with a `login_session` profile, a role sourced from it, and an entry for the session
/// expiring at `expires_at`, known to `signin`.
fn console_home(signin: &SignIn, expires_at: i64) -> TempHome {
    let home = TempHome::new();
    home.write_files(
        &format!(
            "[profile console]\nlogin_session = {ARN}\nregion = eu-west-1\n\n[profile deploy]\nsource_profile = console\nrole_arn = arn:aws:iam::123456789012:role/Deploy\n"
        ),
        "",
    );
    let pem = rolecall::aws::dpop::Key::generate().unwrap().to_pem().unwrap();
    write_private(&entry_path(&home.path, ARN), &signin.entry(&pem, expires_at).to_string());
    home
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn assume_reads_a_console_session_and_refreshes_it_when_it_expires() {
    let signin = SignIn::start(ARN);
    let home = console_home(&signin, common::now() + 600);
    let env = [("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str())];
    // Ten minutes left: served from the aws CLI's cache, no call.
    let run = home.run_env(&["assume", "console", "--shell", "bash"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIASEEDSEEDSEEDSEED"));
    assert_eq!(common::exported(&run.stdout, "AWS_PROFILE"), Some("console"));
    assert_eq!(signin.refreshes(), 0);
    // Four minutes left (inside the SDKs' five): refreshed with a DPoP proof, saved, rotated.
    let before = read_entry(&home.path, ARN);
    let mut expiring = before.clone();
    expiring["accessToken"]["expiresAt"] = json!(rolecall::util::time::format_rfc3339(common::now() + 240));
    write_private(&entry_path(&home.path, ARN), &expiring.to_string());
    let run = home.run_env(&["assume", "console", "--shell", "bash"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIALOGIN00000000000"));
    assert_eq!(signin.refreshes(), 1, "{:?}", signin.refusals());
    let after = read_entry(&home.path, ARN);
    let state = signin.state.lock().unwrap().refresh_tokens.clone();
    assert_eq!(after["refreshToken"], json!(state.last().unwrap()), "the new refresh token is saved");
    assert_ne!(after["refreshToken"], before["refreshToken"]);
    for kept in ["idToken", "dpopKey", "clientId", "tokenType"] {
        assert_eq!(after[kept], before[kept], "{kept} kept");
    }
    assert_eq!(after["accessToken"]["accountId"], "123456789012");
    assert_eq!(mode(&entry_path(&home.path, ARN)), 0o600);
    // The same again: the refreshed credentials, no second call.
    let run = home.run_env(&["credential-process", "console"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(out["AccessKeyId"], "ASIALOGIN00000000000");
    assert_eq!(signin.refreshes(), 1);
    // --refresh renews at once.
    let run = home.run_env(&["assume", "console", "--refresh", "--shell", "bash"], &env);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIALOGIN00000000001"), "{}", run.stderr);
    assert!(signin.refusals().is_empty(), "{:?}", signin.refusals());
}

#[test]
fn an_ended_console_session_asks_for_a_sign_in_and_changes_nothing() {
    let signin = SignIn::start(ARN);
    let home = console_home(&signin, common::now() - 60);
    signin.end_sessions();
    let before = std::fs::read(entry_path(&home.path, ARN)).unwrap();
    let run =
        home.run_env(&["assume", "console", "--shell", "bash"], &[("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str())]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "eval changes nothing: {}", run.stdout);
    assert!(run.stderr.contains("console session is over") && run.stderr.contains("rolecall login"), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "one line: {}", run.stderr);
    assert_eq!(std::fs::read(entry_path(&home.path, ARN)).unwrap(), before, "the entry is left as it was");
    // No entry at all: the same advice.
    std::fs::remove_file(entry_path(&home.path, ARN)).unwrap();
    let run = home.run_env(&["assume", "console", "--shell", "bash"], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no cached console sign-in") && run.stderr.contains("rolecall login"),
        "{}",
        run.stderr
    );
}

/// Eight shells at once, the entry about to expire: one refresh (the refresh token rotates, so a
/// second one would be refused), every shell gets the new credentials, the cache holds the last
/// refresh token.
#[test]
fn eight_parallel_assumes_refresh_once() {
    let signin = SignIn::start(ARN);
    let home = console_home(&signin, common::now() + 30);
    let env = [("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str())];
    let children: Vec<_> = (0..8).map(|_| home.spawn(&["assume", "console", "--shell", "bash"], &env)).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{stderr}");
        assert_eq!(common::exported(&stdout, "AWS_ACCESS_KEY_ID"), Some("ASIALOGIN00000000000"), "{stderr}");
        home.assert_no_secret_in(&stderr, &stdout);
    }
    assert_eq!(signin.refreshes(), 1, "{:?}", signin.refusals());
    assert!(signin.refusals().is_empty(), "{:?}", signin.refusals());
    let last = signin.state.lock().unwrap().refresh_tokens.last().cloned().unwrap();
    assert_eq!(read_entry(&home.path, ARN)["refreshToken"], json!(last));
}

/// A role sourced from a console session: AssumeRole is signed with the session's credentials
/// (moto saw its key id), and the role-chaining hour applies.
#[test]
fn a_role_sourced_from_a_console_session() {
    let Some(moto) = Moto::start() else { return };
    let signin = SignIn::start(ARN);
    let home = console_home(&signin, common::now() + 600);
    let env = [("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str()), ("AWS_ENDPOINT_URL_STS", moto.url.as_str())];
    let run = home.run_env(&["assume", "deploy", "--duration", "2h", "--shell", "bash"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("role chaining"), "the hour is said: {}", run.stderr);
    let requests = moto.requests();
    let roles: Vec<_> = requests.iter().filter(|r| r.action() == "AssumeRole").collect();
    assert_eq!(roles.len(), 1, "{requests:?}");
    assert!(roles[0].authorization.contains("Credential=ASIASEEDSEEDSEEDSEED/"), "{}", roles[0].authorization);
    assert_eq!(roles[0].param("DurationSeconds").as_deref(), Some("3600"));
    assert!(moto.strict.refusals().is_empty(), "{:?}", moto.strict.refusals());
}

fn config_text(home: &TempHome) -> String {
    std::fs::read_to_string(home.path.join(".aws/config")).unwrap()
}

/// `login --console NEW`: the authorization page with PKCE opened through `$BROWSER`, the
/// redirect taken on 127.0.0.1, the code redeemed with a new DPoP key, the session cached as the
/// aws CLI caches it and the profile written; `assume` then reads it and a refresh is bound to
/// the key of the sign-in; `logout` forgets it. A profile with other credentials is refused.
#[test]
fn login_console_signs_in_through_the_browser_and_writes_the_profile() {
    let signin = SignIn::start(ARN);
    let home = TempHome::new();
    home.write_files("[profile keys]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", "");
    let browser = common::browser_script(&home);
    let env = [("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str()), ("BROWSER", browser.to_str().unwrap())];
    let run = home.run_env(&["login", "--console", "laptop"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains(&format!("signed in as {ARN}")), "{}", run.stderr);
    assert_eq!(signin.state.lock().unwrap().sign_ins, 1, "{:?}", signin.refusals());
    assert!(signin.refusals().is_empty(), "{:?}", signin.refusals());
    assert!(
        config_text(&home).contains(&format!("[profile laptop]\nlogin_session = {ARN}\n")),
        "{}",
        config_text(&home)
    );
    let entry = read_entry(&home.path, ARN);
    assert_eq!(entry["clientId"], common::signin::SAME_DEVICE);
    assert!(entry["dpopKey"].as_str().unwrap().starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    assert_eq!(entry["accessToken"]["accountId"], "123456789012");
    assert_eq!(mode(&entry_path(&home.path, ARN)), 0o600);
    for secret in ["codeVerifier", "code0c"] {
        assert!(!run.stderr.contains(secret));
    }
    // The profile works, and a refresh proves the sign-in's key.
    let run = home.run_env(&["assume", "laptop", "--shell", "bash"], &env);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIALOGIN00000000000"), "{}", run.stderr);
    let run = home.run_env(&["assume", "laptop", "--refresh", "--shell", "bash"], &env);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIALOGIN00000000001"), "{}", run.stderr);
    assert_eq!(signin.refreshes(), 1, "{:?}", signin.refusals());
    // `login laptop` signs in again (the profile is a console one); the file is not touched twice.
    let before = config_text(&home);
    let run = home.run_env(&["login", "laptop"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(signin.state.lock().unwrap().sign_ins, 2);
    assert_eq!(config_text(&home), before);
    // A profile with keys: refused before any browser opens.
    let run = home.run_env(&["login", "--console", "keys"], &env);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("already has access key credentials"), "{}", run.stderr);
    assert_eq!(signin.state.lock().unwrap().sign_ins, 2);
    // logout forgets the session: assume then says to sign in.
    let run = home.run_env(&["logout", "laptop"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!entry_path(&home.path, ARN).exists());
    let run = home.run_env(&["assume", "laptop", "--shell", "bash"], &env);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("rolecall login"), "{}", run.stderr);
}

/// Over SSH: the cross-device client, the address printed, the code the page shows typed back.
#[test]
fn login_console_remote_takes_the_code_from_another_device() {
    if !common::moto::require("python3") {
        return;
    }
    let signin = SignIn::start(ARN);
    let home = TempHome::new();
    home.write_files("", "");
    home.drive("remote_login.py", "remote", &[("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str())]);
    assert_eq!(signin.state.lock().unwrap().sign_ins, 1, "{:?}", signin.refusals());
    let entry = read_entry(&home.path, ARN);
    assert_eq!(entry["clientId"], common::signin::CROSS_DEVICE);
    assert!(config_text(&home).contains(&format!("[profile remote]\nlogin_session = {ARN}\n")));
}

/// The browser step driven by a real headless Chromium, started by rolecall's launcher
/// (`console_browser`) with the profile's own data directory.
#[test]
fn headless_chromium_signs_in_through_rolecalls_launcher() {
    if !common::moto::require("chromium") {
        return;
    }
    let signin = SignIn::start(ARN);
    let home = TempHome::new();
    home.write_files("", "");
    let data = common::headless_chromium(&home);
    let run = home.run_env(
        &["login", "--console", "work"],
        &[("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str()), ("ROLECALL_TEST_PAGE_WAIT", "60")],
    );
    common::kill_browsers(&data);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("chromium with the data directory of `work`"), "{}", run.stderr);
    assert!(data.join("work").is_dir());
    assert_eq!(signin.state.lock().unwrap().sign_ins, 1, "{:?}", signin.refusals());
    assert!(config_text(&home).contains(&format!("[profile work]\nlogin_session = {ARN}\n")));
}

/// botocore (with its crt extra, as the aws CLI v2 ships it) and rolecall share the cache: boto3
/// reads and refreshes an entry rolecall refreshed (its DPoP proof verified by the endpoint),
/// rolecall reads the entry boto3 refreshed and refreshes it with boto3's new refresh token, and
/// the aws CLI v1 signs with it.
#[test]
fn botocore_and_rolecall_share_the_console_session() {
    let Some(moto) = Moto::start() else { return };
    let has_crt =
        std::process::Command::new("python3").args(["-c", "import awscrt, boto3"]).status().is_ok_and(|s| s.success());
    if !has_crt {
        common::skip("botocore's crt extra is not installed (./scripts/test installs it)");
        return;
    }
    let signin = SignIn::start(ARN);
    let home = console_home(&signin, common::now() + 240);
    let env = [("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str()), ("AWS_ENDPOINT_URL_STS", moto.url.as_str())];
    let expire_soon = || {
        let mut entry = read_entry(&home.path, ARN);
        entry["accessToken"]["expiresAt"] = json!(rolecall::util::time::format_rfc3339(common::now() + 60));
        write_private(&entry_path(&home.path, ARN), &entry.to_string());
    };
    // rolecall refreshes (1).
    let run = home.run_env(&["assume", "console", "--shell", "bash"], &env);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIALOGIN00000000000"), "{}", run.stderr);
    // boto3 reads what rolecall wrote and refreshes it (2) with its own proof of the same key.
    expire_soon();
    let out = home
        .command("python3", &env)
        .args([
            "-c",
            "import boto3; c = boto3.Session(profile_name='console').get_credentials().get_frozen_credentials(); print(c.access_key)",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ASIALOGIN00000000001", "{stderr}");
    assert_eq!(signin.refreshes(), 2, "{:?}", signin.refusals());
    // rolecall reads what boto3 wrote, then refreshes (3) with boto3's new refresh token.
    let run = home.run_env(&["assume", "console", "--shell", "bash"], &env);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIALOGIN00000000001"), "{}", run.stderr);
    expire_soon();
    let run = home.run_env(&["assume", "console", "--shell", "bash"], &env);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIALOGIN00000000002"), "{}", run.stderr);
    assert_eq!(signin.refreshes(), 3);
    assert!(signin.refusals().is_empty(), "{:?}", signin.refusals());
    // The aws CLI v1 (botocore) signs with the session rolecall refreshed.
    let out = home
        .command("aws", &[env[0], env[1], ("AWS_PROFILE", "console")])
        .args(["sts", "get-caller-identity"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let requests = moto.requests();
    let call = requests.iter().rfind(|r| r.action() == "GetCallerIdentity").expect("the CLI called STS");
    assert!(call.authorization.contains("Credential=ASIALOGIN00000000002/"), "{}", call.authorization);
}

/// The aws CLI or boto3 refreshed the entry outside rolecall's lock while rolecall's own refresh
/// was on its way: the endpoint answers TOKEN_EXPIRED (the token was used), rolecall reads the
/// file again and takes what the other tool saved.
#[test]
fn a_refresh_another_tool_made_meanwhile_is_taken() {
    let signin = SignIn::start(ARN);
    let home = console_home(&signin, common::now() + 60);
    let stale = read_entry(&home.path, ARN);
    // Another tool refreshes first (the endpoint rotates the token), then the file is put back
    // as rolecall read it, and the other tool's save is written by the endpoint when rolecall's
    // stale refresh arrives.
    let key = rolecall::aws::dpop::Key::from_pem(stale["dpopKey"].as_str().unwrap()).unwrap();
    let http_url = format!("{}/v1/token", signin.url);
    let proof = key.proof(&http_url, common::now()).unwrap();
    let body = json!({ "clientId": common::signin::SAME_DEVICE, "refreshToken": stale["refreshToken"], "grantType": "refresh_token" });
    let out = post_json(&http_url, &proof, &body.to_string());
    let answer: Value = serde_json::from_str(&out).unwrap();
    let mut theirs = stale.clone();
    theirs["accessToken"]["accessKeyId"] = answer["accessToken"]["accessKeyId"].clone();
    theirs["accessToken"]["secretAccessKey"] = answer["accessToken"]["secretAccessKey"].clone();
    theirs["accessToken"]["sessionToken"] = answer["accessToken"]["sessionToken"].clone();
    theirs["accessToken"]["expiresAt"] = json!(rolecall::util::time::format_rfc3339(common::now() + 900));
    theirs["refreshToken"] = answer["refreshToken"].clone();
    let path = entry_path(&home.path, ARN);
    signin.state.lock().unwrap().on_refused = Some(Box::new(move || write_private(&path, &theirs.to_string())));
    let run =
        home.run_env(&["assume", "console", "--shell", "bash"], &[("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"),
        Some("ASIALOGIN00000000000"),
        "the other tool's: {}",
        run.stderr
    );
    assert_eq!(signin.refusals().len(), 1, "{:?}", signin.refusals());
    assert_eq!(signin.refreshes(), 1);
}

/// POST `body` to `url` (on 127.0.0.1) with a DPoP header, as another tool would: the answer's body.
fn post_json(url: &str, proof: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nDPoP: {proof}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_once("\r\n\r\n").unwrap().1.to_owned()
}

/// `list` says where each console session stands (and its account); `doctor` finds a session
/// not signed in, one over, a cache entry of another session, and credentials mixed with it.
#[test]
fn list_and_doctor_know_console_sessions() {
    let signin = SignIn::start(ARN);
    let home = TempHome::new();
    let other = "arn:aws:iam::123456789012:user/bob";
    let over = "arn:aws:iam::123456789012:user/carol";
    home.write_files(
        &format!(
            "[profile in]\nlogin_session = {ARN}\n\n[profile out]\nlogin_session = arn:aws:iam::210987654321:user/dave\n\n[profile over]\nlogin_session = {over}\n\n[profile other]\nlogin_session = {other}\n\n[profile mixed]\nlogin_session = {ARN}\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        ),
        "",
    );
    let pem = rolecall::aws::dpop::Key::generate().unwrap().to_pem().unwrap();
    let mut entry = signin.entry(&pem, common::now() + 600);
    entry["idToken"] = json!(common::signin::id_token_at(ARN, common::now() - 3600));
    write_private(&entry_path(&home.path, ARN), &entry.to_string());
    let mut ended = entry.clone();
    ended["idToken"] = json!(common::signin::id_token_at(over, common::now() - 13 * 3600));
    write_private(&entry_path(&home.path, over), &ended.to_string());
    // bob's file holds alice's session.
    write_private(&entry_path(&home.path, other), &entry.to_string());
    let run = home.run(&["list", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.is_empty(), "{}", run.stderr);
    let rows: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap().clone();
    assert_eq!(row("in")["kind"], "login");
    assert_eq!(row("in")["login"], "signed-in");
    let left = row("in")["login_left_secs"].as_i64().unwrap();
    assert!((11 * 3600 - 60..=11 * 3600).contains(&left), "{left}");
    assert_eq!(row("in")["account_id"], "123456789012");
    assert_eq!(row("out")["login"], "signed-out");
    assert_eq!(row("out")["account_id"], "210987654321");
    assert_eq!(row("over")["login"], "session-over");
    assert_eq!(row("other")["login"], "other-session");
    let run = home.run(&["list"]);
    assert!(
        run.stdout.contains("(signed in: 10h 59m to refresh)") || run.stdout.contains("(signed in: 11h"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(signed-out: rolecall login out)"), "{}", run.stdout);
    let run = home.run(&["doctor", "--json"]);
    let findings: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["profile"].as_str().unwrap_or("").to_owned()))
        .collect();
    for want in [
        ("login-not-signed-in", "out"),
        ("login-session-over", "over"),
        ("login-cache-other-arn", "other"),
        ("login-session-mixed", "mixed"),
    ] {
        assert!(codes.contains(&(want.0.to_owned(), want.1.to_owned())), "{want:?} in {codes:?}");
    }
    assert!(!codes.iter().any(|(_, p)| p == "in"), "{codes:?}");
}

/// The other ways out of a console profile: `exec`, `export`, the credential server (boto3 in
/// the served command) and the console itself (a federation sign-in with the session's keys).
#[test]
fn exec_export_the_server_and_the_console_use_a_console_session() {
    let signin = SignIn::start(ARN);
    let home = console_home(&signin, common::now() + 600);
    let env = [("AWS_ENDPOINT_URL_SIGNIN", signin.url.as_str())];
    let run = home.run_env(&["exec", "console", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_PROFILE"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "ASIASEEDSEEDSEEDSEED console");
    let run = home.run_env(&["export", "console", "--format", "env"], &env);
    assert!(run.stdout.contains("export AWS_ACCESS_KEY_ID='ASIASEEDSEEDSEEDSEED'"), "{}", run.stderr);
    let client = "import boto3; print(boto3.Session().get_credentials().get_frozen_credentials().access_key)";
    let run = home.run_env(&["exec", "--server", "console", "--", "python3", "-c", client], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "ASIASEEDSEEDSEEDSEED");
    let run = home.run_env(&["console", "console", "--url"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("SigninToken=FEDERATIONTOKEN"), "{}", run.stdout);
    assert_eq!(signin.state.lock().unwrap().federated, vec!["ASIASEEDSEEDSEEDSEED".to_owned()]);
}
