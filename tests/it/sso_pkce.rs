//! IAM Identity Center as the aws CLI signs in since 2.22: the authorization code with PKCE for
//! `[sso-session]` profiles (a registration for that grant, reused while valid), refresh tokens
//! that renew the access token without a browser, the device flow on request or over SSH, and
//! the account id exported with the credentials. Against the local OIDC service and portal of
//! [`common::oidc`] (moto has neither), moto for STS, the aws CLI v1 (botocore) on the same cache.

use crate::common::{self, TempHome};
use common::moto::Moto;
use common::oidc::Oidc;
use serde_json::{Value, json};
use std::path::PathBuf;

use crate::sso::CONFIG;

fn token_path(home: &TempHome) -> PathBuf {
    home.path.join(".aws/sso/cache").join(format!("{}.json", sha1_smol::Sha1::from("corp").digest()))
}

fn token(home: &TempHome) -> Value {
    serde_json::from_str(&std::fs::read_to_string(token_path(home)).unwrap()).unwrap()
}

/// Move the access token's expiry to `secs` from now.
fn expire_in(home: &TempHome, secs: i64) {
    let mut t = token(home);
    t["expiresAt"] = json!(rolecall::util::time::format_rfc3339(common::now() + secs));
    std::fs::write(token_path(home), t.to_string()).unwrap();
}

/// A home with `config`, signed in to `corp` with PKCE (a `$BROWSER` script follows the page).
fn signed_in(oidc: &Oidc, config: &str) -> TempHome {
    let home = TempHome::new();
    home.write_files(config, "");
    let browser = common::browser_script(&home);
    let [sso, sso_oidc] = oidc.env();
    let run = home.run_env(&["login", "dev"], &[sso, sso_oidc, ("BROWSER", browser.to_str().unwrap())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    home
}

/// `login` signs in with PKCE through the browser; `assume` gets the role with the account id;
/// a stale access token is refreshed with the refresh token (no browser) and the rotated one
/// saved; a second login reuses the registration; `--use-device-code` registers for its own grant.
#[test]
fn pkce_sign_in_refresh_and_the_account_id() {
    let oidc = Oidc::start();
    let home = TempHome::new();
    home.write_files(CONFIG, "");
    let browser = common::browser_script(&home);
    let [sso, sso_oidc] = oidc.env();
    let env = [sso, sso_oidc, ("BROWSER", browser.to_str().unwrap())];
    let run = home.run_env(&["login", "dev"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    {
        let s = oidc.state.lock().unwrap();
        assert_eq!(s.sign_ins, 1, "{:?}", s.refusals);
        let reg = &s.registrations[0];
        assert_eq!(reg["grantTypes"], json!(["authorization_code", "refresh_token"]));
        assert_eq!(reg["redirectUris"], json!(["http://127.0.0.1/oauth/callback"]));
        assert_eq!(reg["issuerUrl"], "https://d-abc123.awsapps.com/start");
        assert_eq!(reg["scopes"], json!(["sso:account:access"]));
    }
    let t = token(&home);
    for field in ["accessToken", "refreshToken", "clientId", "clientSecret", "registrationExpiresAt", "expiresAt"] {
        assert!(t[field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {t}");
    }
    assert!(!run.stderr.contains("ssocode"), "the code is never shown: {}", run.stderr);
    // The role, with the account.
    let run = home.run_env(&["assume", "dev", "--shell", "bash"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIASSOROLE000000001"));
    assert_eq!(common::exported(&run.stdout, "AWS_ACCOUNT_ID"), Some("111122223333"));
    // Ten minutes left on the access token (inside the SDKs' 15): refreshed, no browser.
    expire_in(&home, 600);
    let before = token(&home)["refreshToken"].clone();
    let run = home.run_env(&["assume", "dev", "--refresh", "--shell", "bash"], &[sso, sso_oidc]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(common::exported(&run.stdout, "AWS_ACCESS_KEY_ID"), Some("ASIASSOROLE000000002"));
    assert_eq!(oidc.state.lock().unwrap().refreshes, 1);
    assert_ne!(token(&home)["refreshToken"], before, "the rotated refresh token is saved");
    // A second sign-in reuses the registration; the device code registers for its own grant.
    let run = home.run_env(&["login", "dev"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(oidc.state.lock().unwrap().registrations.len(), 1);
    let run = home.run_env(&["login", "dev", "--use-device-code"], &[sso, sso_oidc]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("ABCD-EFGH"), "{}", run.stderr);
    let s = oidc.state.lock().unwrap();
    assert_eq!(s.registrations.len(), 2);
    assert!(s.registrations[1].get("grantTypes").is_none());
    assert_eq!(s.sign_ins, 3);
}

/// Over SSH without a display: the device flow, with one line saying so.
#[test]
fn over_ssh_the_device_flow_is_chosen() {
    let oidc = Oidc::start();
    let home = TempHome::new();
    home.write_files(CONFIG, "");
    let [sso, sso_oidc] = oidc.env();
    let run = home.run_env(&["login", "dev"], &[sso, sso_oidc, ("SSH_CONNECTION", "10.0.0.1 5555 10.0.0.2 22")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("no display here (SSH): signing in with a device code instead"), "{}", run.stderr);
    assert_eq!(oidc.state.lock().unwrap().sign_ins, 1);
}

/// The session the administrator configured is over: the refresh is refused (invalid_grant) and
/// `assume` says to sign in, in one line, stdout empty.
#[test]
fn an_ended_sso_session_asks_for_a_sign_in() {
    let oidc = Oidc::start();
    let home = signed_in(&oidc, CONFIG);
    let [sso, sso_oidc] = oidc.env();
    expire_in(&home, -60);
    oidc.end_sessions();
    let run = home.run_env(&["assume", "dev", "--shell", "bash"], &[sso, sso_oidc]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("SSO session is over") && run.stderr.contains("rolecall login"), "{}", run.stderr);
}

/// Headless Chromium through rolecall's launcher completes the PKCE sign-in.
#[test]
fn headless_chromium_completes_the_pkce_sign_in() {
    if !common::moto::require("chromium") {
        return;
    }
    let oidc = Oidc::start();
    let home = TempHome::new();
    home.write_files(CONFIG, "");
    let data = common::headless_chromium(&home);
    let [sso, sso_oidc] = oidc.env();
    let run = home.run_env(&["login", "dev"], &[sso, sso_oidc, ("ROLECALL_TEST_PAGE_WAIT", "60")]);
    common::kill_browsers(&data);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("chromium with the data directory of `sso-corp`"), "{}", run.stderr);
    assert_eq!(oidc.state.lock().unwrap().sign_ins, 1, "{:?}", oidc.refusals());
}

/// The aws CLI v1 (botocore) uses the token rolecall got, refreshes it itself when it is stale,
/// and rolecall then refreshes the token botocore wrote.
#[test]
fn the_aws_cli_and_rolecall_share_and_refresh_the_token() {
    let Some(moto) = Moto::start() else { return };
    let oidc = Oidc::start();
    let home = signed_in(&oidc, CONFIG);
    let [sso, sso_oidc] = oidc.env();
    let sts = ("AWS_ENDPOINT_URL_STS", moto.url.as_str());
    let aws = |what: &str| {
        let out = home
            .command("aws", &[sso, sso_oidc, sts])
            .args(["sts", "get-caller-identity", "--profile", "dev"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    };
    aws("the token rolecall wrote");
    let requests = moto.requests();
    let call = requests.iter().rfind(|r| r.action() == "GetCallerIdentity").expect("the CLI called STS");
    assert!(call.authorization.contains("Credential=ASIASSOROLE"), "{}", call.authorization);
    // Stale for botocore too (within its refresh window): it refreshes and writes the token.
    expire_in(&home, 300);
    let before = token(&home)["refreshToken"].clone();
    aws("a stale token");
    assert_eq!(oidc.state.lock().unwrap().refreshes, 1, "{:?}", oidc.refusals());
    let theirs = token(&home)["refreshToken"].clone();
    assert_ne!(theirs, before, "botocore saved its rotated refresh token");
    // rolecall refreshes with the token botocore saved.
    expire_in(&home, 300);
    let run = home.run_env(&["assume", "dev", "--refresh", "--shell", "bash"], &[sso, sso_oidc]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(oidc.state.lock().unwrap().refreshes, 2, "{:?}", oidc.refusals());
}

/// Eight shells with a stale token at once, for two roles of one sso-session: one refresh (the
/// refresh token rotates), every one gets its role.
#[test]
fn parallel_assumes_refresh_the_sso_token_once() {
    let oidc = Oidc::start();
    let ops =
        format!("{CONFIG}\n[profile ops]\nsso_session = corp\nsso_account_id = 444455556666\nsso_role_name = Ops\n");
    let home = signed_in(&oidc, &ops);
    let [sso, sso_oidc] = oidc.env();
    expire_in(&home, 120);
    let children: Vec<_> = (0..8)
        .map(|i| {
            home.spawn(
                &["assume", if i % 2 == 0 { "dev" } else { "ops" }, "--refresh", "--shell", "bash"],
                &[sso, sso_oidc],
            )
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let s = oidc.state.lock().unwrap();
    assert_eq!(s.refreshes, 1, "{:?}", s.refusals);
    assert!(s.refusals.is_empty(), "{:?}", s.refusals);
}

/// boto3 reads the account id rolecall hands over: from `credential_process` and from the
/// credential server.
#[test]
fn boto3_sees_the_account_id() {
    let oidc = Oidc::start();
    let process = format!(
        "{CONFIG}\n[profile via-process]\ncredential_process = {} credential-process dev\n",
        env!("CARGO_BIN_EXE_rolecall")
    );
    let home = signed_in(&oidc, &process);
    let [sso, sso_oidc] = oidc.env();
    let account = "import boto3; c = boto3.Session(profile_name=PROFILE).get_credentials(); print(c.access_key[:11], getattr(c, 'account_id', None))";
    let out = home
        .command("python3", &[sso, sso_oidc])
        .args(["-c", &account.replace("PROFILE", "'via-process'")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ASIASSOROLE 111122223333");
    let run = home.run_env(
        &["exec", "--server", "dev", "--", "python3", "-c", &account.replace("PROFILE", "None")],
        &[sso, sso_oidc],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "ASIASSOROLE 111122223333");
}

/// The access token goes stale while `exec --server` serves: sixteen clients asking at once make
/// one token refresh (no browser), and every one gets credentials.
#[test]
fn the_credential_server_refreshes_a_stale_token_once_for_sixteen_clients() {
    let oidc = Oidc::start();
    let home = signed_in(&oidc, CONFIG);
    let [sso, sso_oidc] = oidc.env();
    // Role credentials inside the renewal margin: every round of requests renews them.
    oidc.state.lock().unwrap().role_secs = Some(200);
    let (ready, go) = (home.path.join("ready"), home.path.join("go"));
    let client = format!(
        r#"
import concurrent.futures, http.client, os, time, urllib.parse
open({ready:?}, "w").close()
while not os.path.exists({go:?}):
    time.sleep(0.02)
url = urllib.parse.urlparse(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = open(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]).read()
def fetch(_):
    c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    c.request("GET", url.path, headers={{"Authorization": token}})
    r = c.getresponse(); body = r.read()
    return r.status, b"AccessKeyId" in body
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    results = list(pool.map(fetch, range(16)))
print(sum(1 for s, ok in results if s == 200 and ok))
"#
    );
    let child = home.spawn(&["exec", "--server", "dev", "--", "python3", "-c", &client], &[sso, sso_oidc]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !ready.exists() {
        assert!(std::time::Instant::now() < deadline, "the command never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let refreshes_before = oidc.state.lock().unwrap().refreshes;
    expire_in(&home, 120);
    std::fs::write(&go, "").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "16", "{stderr}");
    home.assert_no_secret_in(&stderr, "");
    let s = oidc.state.lock().unwrap();
    assert!(s.role_calls >= 2, "the role was renewed while the command ran: {}", s.role_calls);
    assert_eq!(s.refreshes - refreshes_before, 1, "one CreateToken: {:?}", s.refusals);
    assert!(s.refusals.is_empty(), "{:?}", s.refusals);
}
