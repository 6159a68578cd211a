//! IAM Identity Center (SSO). moto has no SSO portal or OIDC service: the portal and OIDC answers
//! are replayed with the SDK's own replay client from fixtures in tests/fixtures/sso (shaped as
//! the services document them; the two portal scenarios of tests/conformance run in
//! provider_conformance.rs). STS is the real moto_server where a role hop follows the SSO base.
//! Covered: the device-authorization login through every polling state, the token cache it
//! writes (read back by botocore's own SSO token loader), the refresh of an expiring token,
//! GetRoleCredentials errors, an SSO base under a role hop, and the CLI's one-line errors.

use crate::common;

use aws_smithy_http_client::test_util::dvr::ReplayingClient;
use aws_smithy_runtime_api::client::http::SharedHttpConnector;
use common::TempHome;
use common::moto::{Moto, require};
use rolecall::aws::http::Http;
use rolecall::aws::sso::{self, Login};
use rolecall::config::Config;
use rolecall::creds::fetch;
use rolecall::creds::options::Options;
use rolecall::files::AwsFiles;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The SSO profiles (shared with `sso_pkce`).
pub(crate) const CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile legacy]
sso_start_url = https://d-abc123.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Admin

[profile deploy]
source_profile = dev
role_arn = arn:aws:iam::444455556666:role/Deploy

[sso-session corp]
sso_start_url = https://d-abc123.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
";

fn fixture(name: &str) -> ReplayingClient {
    ReplayingClient::from_file(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sso").join(format!("{name}.json")),
    )
    .unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// The requests were the recorded ones: method, URI, the bearer token, and JSON bodies.
fn check_requests(replay: ReplayingClient) {
    block_on(replay.validate(&["x-amz-sso_bearer_token"], |a, b| {
        let parse = |x: &[u8]| serde_json::from_slice::<serde_json::Value>(x).ok();
        if a == b || (parse(a).is_some() && parse(a) == parse(b)) {
            Ok(())
        } else {
            Err(format!("bodies differ: {} vs {}", String::from_utf8_lossy(a), String::from_utf8_lossy(b)).into())
        }
    }))
    .unwrap();
}

fn write_token(home: &Path, key: &str, token: serde_json::Value) -> PathBuf {
    let dir = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{key}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&token).unwrap()).unwrap();
    path
}

/// Library-level flows (one test: they set HOME for the process).
#[test]
fn login_refresh_and_role_credentials() {
    let home = TempHome::new();
    home.write("config", CONFIG);
    // The settings of this test alone (the process environment is the other tests' too).
    let home_str = home.path.to_string_lossy().into_owned();
    let cfg = Config::from_vars([("HOME", home_str.as_str())]);
    let endpoint = |service| {
        let params = rolecall::aws::endpoint::Params { region: "us-east-1", ..Default::default() };
        rolecall::aws::endpoint::resolve(service, &params).unwrap()
    };
    let corp = Login {
        session: Some("corp"),
        start_url: "https://d-abc123.awsapps.com/start",
        region: "us-east-1",
        scopes: Some("sso:account:access"),
        portal: endpoint(rolecall::aws::endpoint::Service::SsoPortal),
        oidc: endpoint(rolecall::aws::endpoint::Service::SsoOidc),
        token_dir: cfg.aws_dir("sso/cache"),
    };
    let http =
        |replay: &ReplayingClient| Http::new(Some(SharedHttpConnector::new(replay.clone())), Duration::from_secs(10));

    // The device flow: pending, pending, slow_down (5 s more), granted.
    let replay = fixture("device_flow");
    let mut shown = None;
    let mut ticks = 0;
    let path = block_on(sso::login(
        &http(&replay),
        &corp,
        |p| shown = Some((p.user_code.clone(), p.url_complete.clone())),
        || ticks += 1,
    ))
    .unwrap();
    assert_eq!(
        shown,
        Some(("QWER-TYUI".into(), Some("https://device.sso.us-east-1.amazonaws.com/?user_code=QWER-TYUI".into())))
    );
    assert_eq!(ticks, 4);
    check_requests(replay);
    assert_eq!(path, home.path.join(format!(".aws/sso/cache/{}.json", corp.cache_key())));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    let token: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(token["accessToken"], "new-access-token");
    assert_eq!(token["refreshToken"], "new-refresh-token");
    assert_eq!(token["startUrl"], "https://d-abc123.awsapps.com/start");
    // botocore's own SSO token loader reads what rolecall wrote.
    if require("python3") {
        let script = r#"
import os, sys
from botocore.utils import SSOTokenLoader, JSONFileCache
loader = SSOTokenLoader(cache=JSONFileCache(os.path.expanduser("~/.aws/sso/cache")))
token = loader(sys.argv[1], session_name="corp")
assert token["accessToken"] == "new-access-token", token
assert token["expiresAt"].endswith("Z"), token
print("botocore ok")
"#;
        let out =
            home.command("python3", &[]).args(["-c", script, "https://d-abc123.awsapps.com/start"]).output().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("botocore ok"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The person never approves, or denies: one line each, no token written.
    std::fs::remove_file(&path).unwrap();
    for (name, want) in [("device_expired", "the sign-in code expired"), ("device_denied", "denied in the browser")] {
        let err = block_on(sso::login(&http(&fixture(name)), &corp, |_| {}, || {})).unwrap_err();
        assert!(format!("{err:#}").contains(want), "{name}: {err:#}");
        assert!(!path.exists());
    }

    // An access token about to expire is refreshed first, the cache updated, then used.
    let key = corp.cache_key();
    write_token(
        &home.path,
        &key,
        serde_json::json!({
            "startUrl": "https://d-abc123.awsapps.com/start", "region": "us-east-1",
            "accessToken": "old-access-token", "expiresAt": rolecall::util::time::format_rfc3339(rolecall::util::time::now() + 60),
            "clientId": "client-id", "clientSecret": "client-secret",
            "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": "old-refresh-token",
            "somethingElse": "kept"
        }),
    );
    let replay = fixture("refresh");
    let creds = block_on(async {
        let h = http(&replay);
        let token = sso::access_token(&cfg, &h, &corp).await?;
        sso::role_credentials(&h, &corp, &token, "111122223333", "Admin").await
    })
    .unwrap();
    check_requests(replay);
    assert_eq!(creds.access_key_id, "ASIASSOEXAMPLE");
    assert_eq!(creds.account_id.as_deref(), Some("111122223333"));
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.path.join(format!(".aws/sso/cache/{key}.json"))).unwrap())
            .unwrap();
    assert_eq!(stored["accessToken"], "refreshed-access-token");
    assert_eq!(stored["refreshToken"], "old-refresh-token");
    assert_eq!(stored["somethingElse"], "kept");

    // GetRoleCredentials refusals: 401 asks for a login, 403 names the role.
    write_token(
        &home.path,
        &key,
        serde_json::json!({"accessToken": "cached-access-token", "expiresAt": "2099-01-01T00:00:00Z"}),
    );
    for (name, want) in [
        ("role_refused", "run 'rolecall login'"),
        ("role_forbidden", "no access to role Admin in account 111122223333"),
    ] {
        let files = AwsFiles::load(&cfg);
        let replay = fixture(name);
        let options =
            Options { no_cache: true, http_connector: Some(SharedHttpConnector::new(replay)), ..Options::default() };
        let err = fetch::credentials(&cfg, &files, "dev", &options, &|_| {}).unwrap_err();
        assert!(format!("{err:#}").contains(want), "{name}: {err:#}");
    }

    // A fetched SSO role goes to rolecall's cache and to ~/.aws/cli/cache, where botocore's SSO
    // provider looks before calling the portal (the aws CLI v2 points it there; v1 does not).
    let cache = home.path.join(".cache").to_string_lossy().into_owned();
    let cached = Config::from_vars([("HOME", home_str.as_str()), ("XDG_CACHE_HOME", cache.as_str())]);
    let files = AwsFiles::load(&cached);
    let options = Options { http_connector: Some(SharedHttpConnector::new(fixture("role_ok"))), ..Options::default() };
    let creds = fetch::credentials(&cached, &files, "dev", &options, &|_| {}).unwrap().creds;
    let again = fetch::credentials(&cached, &files, "dev", &Options::default(), &|_| {}).unwrap().creds;
    assert_eq!(again.access_key_id, creds.access_key_id, "the second time comes from the cache, no request");
    let cli = home.path.join(format!(".aws/cli/cache/{}.json", sso::role_cache_key(&corp, "111122223333", "Admin")));
    assert_eq!(std::fs::metadata(&cli).unwrap().permissions().mode() & 0o777, 0o600);
    if require("python3") {
        let script = r#"
import os
import botocore.session
from botocore.credentials import JSONFileCache
s = botocore.session.Session(profile="dev")
s.get_component("credential_provider").get_provider("sso").cache = JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))
c = s.get_credentials().get_frozen_credentials()
assert c.access_key == "ASIASSOEXAMPLE", c.access_key
print("botocore sso cache ok")
"#;
        let out = home
            .command("python3", &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9")])
            .args(["-c", script])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("botocore sso cache ok"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // `sso populate`: one profile per account and role, the one already set up skipped; the
    // dry run writes nothing.
    let config = format!(
        "{CONFIG}\n[profile ro]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n"
    );
    home.write("config", &config);
    let populate = |dry_run| {
        let replay = fixture("populate");
        rolecall::cmd::sso::populate(&cfg, Some("corp"), "", dry_run, Some(SharedHttpConnector::new(replay.clone())))
            .unwrap();
        check_requests(replay);
    };
    populate(true);
    assert_eq!(std::fs::read_to_string(home.path.join(".aws/config")).unwrap(), config);
    populate(false);
    let text = std::fs::read_to_string(home.path.join(".aws/config")).unwrap();
    assert_eq!(
        text,
        format!(
            "{config}\n[profile Prod-Account-AdministratorAccess]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = AdministratorAccess\n\n[profile dev-Admin]\nsso_session = corp\nsso_account_id = 444455556666\nsso_role_name = Admin\n"
        )
    );
    home.write("config", CONFIG);

    // An SSO base under a role hop: the portal replayed, AssumeRole on the real moto.
    if let Some(moto) = Moto::start() {
        let cfg = Config::from_vars([("HOME", home_str.as_str()), ("AWS_ENDPOINT_URL_STS", moto.url.as_str())]);
        let files = AwsFiles::load(&cfg);
        let options = Options {
            no_cache: true,
            http_connector: Some(SharedHttpConnector::new(fixture("role_ok"))),
            ..Options::default()
        };
        let outcome = fetch::credentials(&cfg, &files, "deploy", &options, &|_| {}).unwrap();
        assert!(outcome.creds.session_token.is_some());
        assert_eq!(moto.count("AssumeRole"), 1);
        let sent = moto.requests();
        assert!(sent.iter().any(|r| r.action() == "AssumeRole"), "moto saw no AssumeRole");
    }
}

/// What a person sees without a login: one line, exit 1, nothing on stdout; `list` shows the
/// SSO profiles.
#[test]
fn the_cli_without_a_login() {
    let home = TempHome::new();
    home.write("config", CONFIG);
    let run = home.run(&["assume", "dev", "--shell", "bash"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.trim(), "rolecall: no SSO login for sso-session `corp`: run 'rolecall login'");
    let run = home.run(&["assume", "legacy", "--shell", "bash"]);
    assert!(run.stderr.contains("no SSO login for https://d-abc123.awsapps.com/start"), "{}", run.stderr);
    let run = home.run(&["list"]);
    assert!(run.stdout.lines().any(|l| l.starts_with("dev ") && l.contains(" sso ")), "{}", run.stdout);
    home.write("credentials", "[plain]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n");
    let run = home.run(&["login", "plain"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("does not sign in through IAM Identity Center"), "{}", run.stderr);
    let run = home.run(&["login", "--sso-session", "nosuch"]);
    assert!(run.stderr.contains("no [sso-session nosuch]"), "{}", run.stderr);
    // An expired token: the same line, saying so.
    let key = Login::named(Some("corp"), "").cache_key();
    write_token(&home.path, &key, serde_json::json!({"accessToken": "t", "expiresAt": "2020-01-01T00:00:00Z"}));
    let run = home.run(&["assume", "dev", "--shell", "bash"]);
    assert_eq!(run.stderr.trim(), "rolecall: the SSO login has expired for sso-session `corp`: run 'rolecall login'");
}

/// On a terminal, `assume` of an SSO profile without a login offers to sign in; no changes nothing.
#[test]
fn assume_offers_the_login_on_a_terminal() {
    if !require("python3") {
        return;
    }
    let home = TempHome::new();
    home.write("config", CONFIG);
    let script = r#"
import pexpect, sys
c = pexpect.spawn(sys.argv[1], ["assume", "dev", "--shell", "bash"], encoding="utf-8", timeout=20)
c.expect_exact("no SSO login for sso-session `corp`: run 'rolecall login'. Sign in now? [y/N] ")
c.sendline("n")
c.expect(pexpect.EOF); c.close()
assert "export" not in c.before, c.before
sys.exit(c.exitstatus)
"#;
    let out = home.command("python3", &[]).args(["-c", script, env!("CARGO_BIN_EXE_rolecall")]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
