//! `rolecall console` / `assume -c`: every credential kind against a real moto_server (AssumeRole,
//! GetSessionToken, GetCallerIdentity, GetFederationToken), an SSO role from a local portal, and
//! the console's federation endpoint served locally after AWS's documented contract
//! (`getSigninToken` takes the `Session` JSON of temporary credentials and answers a
//! `SigninToken`; `Action=login` takes the token and the `Destination`). A real headless Chromium,
//! started by rolecall's own launcher, follows the sign-in page; no process's argument list ever
//! holds the token.

use crate::common;
use common::TempHome;
use common::moto::{Moto, require};
use common::serve::{Request, Response, Server};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the console tests add to [`common::BASE_ADMIN`].
const MORE: &str = "
[profile deep]
source_profile = admin
role_arn = arn:aws:iam::210987654321:role/Deep
region = eu-west-1

[profile dev]
region = us-east-2

[profile china]
source_profile = dev
role_arn = arn:aws-cn:iam::123456789012:role/Cn
region = cn-north-1

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-central-1

[sso-session corp]
sso_start_url = https://d-abc123.awsapps.com/start
sso_region = us-east-1
";

const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[dev]
aws_access_key_id = AKIAIDEVDEVDEVEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

/// What the local endpoint saw: each getSigninToken's Session and SessionDuration, the tokens it
/// issued, and each login's token and destination.
#[derive(Default)]
struct Seen {
    sessions: Vec<(serde_json::Value, Option<String>)>,
    tokens: Vec<String>,
    logins: Vec<(String, String)>,
}

/// The federation endpoint and the SSO portal, on one local server.
fn endpoint() -> (Server, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = seen.clone();
    let server = Server::start(move |r: &Request| {
        let mut seen = state.lock().unwrap();
        match (r.path(), r.param("Action").as_deref()) {
            ("/federation", Some("getSigninToken")) => {
                let session: serde_json::Value =
                    serde_json::from_str(&r.param("Session").unwrap_or_default()).unwrap_or_default();
                let field = |k: &str| session.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
                // The endpoint takes temporary credentials only: long-term keys are refused.
                if field("sessionId").is_empty() || field("sessionKey").is_empty() || field("sessionToken").is_empty() {
                    return Response::new(400, "text/plain", "Bad Request");
                }
                seen.sessions.push((session, r.param("SessionDuration")));
                let token = format!("SIGNINTOKEN{:04}x{}", seen.tokens.len(), "q".repeat(40));
                seen.tokens.push(token.clone());
                Response::new(200, "application/json", format!("{{\"SigninToken\":\"{token}\"}}"))
            }
            ("/federation", Some("login")) => {
                let token = r.param("SigninToken").unwrap_or_default();
                if !seen.tokens.contains(&token) || r.param("Issuer").as_deref() != Some("rolecall") {
                    return Response::new(400, "text/plain", "Bad Request");
                }
                seen.logins.push((token, r.param("Destination").unwrap_or_default()));
                Response::new(200, "text/html", "<html><title>AWS console</title>signed in</html>")
            }
            ("/federation/credentials", _) if r.header("x-amz-sso_bearer_token") == Some("cached-access-token") => {
                Response::new(
                    200,
                    "application/json",
                    r#"{"roleCredentials": {"accessKeyId": "ASIASSOEXAMPLE", "secretAccessKey": "sso/secret/EXAMPLEKEY", "sessionToken": "sso-session-token-0123456789", "expiration": 4102444800000}}"#,
                )
            }
            _ => Response::new(404, "text/plain", "not found"),
        }
    });
    (server, seen)
}

fn home_with_files() -> TempHome {
    let home = TempHome::new();
    home.write_files(&format!("{}{MORE}", common::BASE_ADMIN), CREDENTIALS);
    let key = sha1_smol::Sha1::from("corp").digest().to_string();
    let dir = home.path.join(".aws/sso/cache");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{key}.json")),
        r#"{"accessToken": "cached-access-token", "expiresAt": "2099-01-01T00:00:00Z", "startUrl": "https://d-abc123.awsapps.com/start", "region": "us-east-1"}"#,
    )
    .unwrap();
    home
}

/// The query parameter `name` of a URL, decoded.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    common::serve::form(query).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The access key id in `assume`'s JSON for the same profile (cached: no STS call).
fn assumed_key(home: &TempHome, env: &[(&str, &str)], profile: &str) -> String {
    let run = home.run_env(&["assume", profile, "--shell", "json"], env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    v["set"]["AWS_ACCESS_KEY_ID"].as_str().unwrap().to_owned()
}

#[test]
fn every_credential_kind_signs_in_or_says_why() {
    let Some(moto) = Moto::start() else { return };
    let (server, seen) = endpoint();
    let home = home_with_files();
    let env = [
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ("AWS_ENDPOINT_URL_SIGNIN", server.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO", server.url.as_str()),
    ];
    let last_session = || seen.lock().unwrap().sessions.last().cloned().unwrap();

    // A role with a console session length: assumed straight from the user's keys with the code
    // (the federation endpoint takes SessionDuration only for a role assumed with long-term keys,
    // never for one through the MFA session), SessionDuration sent.
    let run = home.run_env(&["console", "admin", "--url", "--mfa-code", "123456", "--duration", "2h"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let url = run.stdout.trim();
    assert!(url.starts_with(&format!("{}/federation?Action=login&Issuer=rolecall&", server.url)), "{url}");
    assert_eq!(
        param(url, "Destination").unwrap(),
        "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
    );
    let (_, duration) = last_session();
    assert_eq!(duration.as_deref(), Some("7200"));
    let direct = moto.requests();
    let actions: Vec<&str> = direct.iter().map(|r| r.action()).collect();
    assert_eq!(actions, ["AssumeRole"], "no MFA session: the role takes the code");
    assert_eq!(direct[0].param("TokenCode").as_deref(), Some("123456"));
    assert!(direct[0].authorization.contains("Credential=AKIAI44QH8DHBEXAMPLE/"), "signed with the user's keys");
    assert_eq!(param(url, "SigninToken").unwrap(), *seen.lock().unwrap().tokens.last().unwrap());
    assert!(!run.stderr.contains("SIGNINTOKEN"), "{}", run.stderr);
    // Without a session length, the role as `assume` has it (through the MFA session), and
    // `assume -c` is the same command: then the cached role serves (no new AssumeRole).
    let run = home.run_env(&["console", "admin", "--url", "--mfa-code", "123456"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(last_session().0["sessionId"], assumed_key(&home, &env, "admin"), "the cached role's credentials");
    let roles = moto.count("AssumeRole");
    let run = home.run_env(&["assume", "-c", "admin", "--url", "-s", "lambda"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(moto.count("AssumeRole"), roles);
    assert_eq!(
        param(run.stdout.trim(), "Destination").unwrap(),
        "https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1"
    );
    assert_eq!(last_session().1, None, "no --duration, no SessionDuration");

    // A chained role: --duration is not sent, and the person is told why.
    let run = home.run_env(&["console", "deep", "--url", "--duration", "2h"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(last_session().1, None);
    assert!(run.stderr.contains("the session ends with the credentials"), "{}", run.stderr);

    // An IAM user's keys (no MFA, and with MFA): GetFederationToken with the user's name and an
    // allow-all policy; one line says the session has no MFA context; a second console for the
    // same keys makes no STS call.
    for profile in ["dev", "base"] {
        let before = moto.count("GetFederationToken");
        let run = home.run_env(&["console", profile, "--url", "--service", "iam"], &env);
        assert_eq!(run.code, 0, "{profile}: {}", run.stderr);
        assert_eq!(moto.count("GetFederationToken"), before + 1, "{profile}");
        assert!(run.stderr.contains("no MFA context"), "{}", run.stderr);
        assert_eq!(
            param(run.stdout.trim(), "Destination").unwrap(),
            "https://console.aws.amazon.com/iam/home",
            "a global service"
        );
        let run = home.run_env(&["console", profile, "--url"], &env);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(moto.count("GetFederationToken"), before + 1, "{profile}: the federation session is cached");
    }
    let call = moto.requests().into_iter().rfind(|r| r.action() == "GetFederationToken").unwrap();
    let policy = call.param("Policy").unwrap();
    assert!(policy.contains(r#""Action":"*""#) && policy.contains(r#""Effect":"Allow""#), "{policy}");
    assert!(call.param("Name").is_some_and(|n| (2..=32).contains(&n.len())));
    assert_eq!(moto.count("GetSessionToken"), 1, "the MFA kind needs no code: only admin's session asked for one");

    // An SSO role: the portal's credentials, SessionDuration accepted.
    let run = home.run_env(&["console", "sso", "--url", "--duration", "1h"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (session, duration) = last_session();
    assert_eq!(session["sessionId"], "ASIASSOEXAMPLE");
    assert_eq!(duration.as_deref(), Some("3600"));
    assert_eq!(
        param(run.stdout.trim(), "Destination").unwrap(),
        "https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1"
    );

    // The shell's own credentials: a role's sign in; an MFA session is refused with the hint;
    // stdout stays empty on every refusal.
    let exported = |profile: &str| -> Vec<(String, String)> {
        let run = home.run_env(&["assume", profile, "--shell", "env"], &env);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
    };
    let role_env = exported("admin");
    let mut all: Vec<(&str, &str)> = env.to_vec();
    all.extend(role_env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let run = home.run_env(&["console", "--url"], &all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(last_session().0["sessionId"], role_env.iter().find(|(k, _)| k == "AWS_ACCESS_KEY_ID").unwrap().1);
    let session_env = exported("base");
    let mut all: Vec<(&str, &str)> = env.to_vec();
    all.extend(session_env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let signins = seen.lock().unwrap().sessions.len();
    let run = home.run_env(&["console", "--url"], &all);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.stderr);
    assert!(run.stderr.contains("an MFA session") && run.stderr.contains("rolecall console base"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(seen.lock().unwrap().sessions.len(), signins, "nothing was sent");

    // Partitions: the console of the region's partition; a destination of another is refused.
    let run = home.run_env(&["console", "china", "--url", "-s", "s3"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        param(run.stdout.trim(), "Destination").unwrap(),
        "https://cn-north-1.console.amazonaws.cn/s3/home?region=cn-north-1"
    );
    for (region, want) in [
        ("us-gov-west-1", "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"),
        ("eusc-de-east-1", "https://console.amazonaws-eusc.eu/console/home?region=eusc-de-east-1"),
    ] {
        let run = home.run_env(&["console", "admin", "--url", "--region", region], &env);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(param(run.stdout.trim(), "Destination").unwrap(), want);
    }
    let signins = seen.lock().unwrap().sessions.len();
    let run =
        home.run_env(&["console", "admin", "--url", "--destination", "https://console.amazonaws.cn/ec2/home"], &env);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.stderr);
    assert!(run.stderr.contains("not a console page of the aws partition"), "{}", run.stderr);
    let run = home.run_env(
        &["console", "admin", "--url", "--destination", "https://eu-west-1.console.aws.amazon.com/s3/buckets"],
        &env,
    );
    assert_eq!(param(run.stdout.trim(), "Destination").unwrap(), "https://eu-west-1.console.aws.amazon.com/s3/buckets");
    let run = home.run_env(&["console", "admin", "--url", "-s", "lamda"], &env);
    assert!(run.code == 1 && run.stderr.contains("did you mean `lambda`"), "{}", run.stderr);
    assert_eq!(seen.lock().unwrap().sessions.len(), signins + 1, "only the valid destination signed in");

    // No browser here (no BROWSER, no display): one line with what to do, exit 1.
    let run = home.run_env(&["console", "admin"], &env);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no browser") && run.stderr.contains("--url"), "{}", run.stderr);

    // Flags of the console without -c are refused, not ignored.
    let run = home.run_env(&["assume", "admin", "--shell", "bash", "--url"], &env);
    assert!(run.code == 1 && run.stdout.is_empty() && run.stderr.contains("add -c"), "{}", run.stderr);

    // No token, no secret on stderr of any run (run_env checks the keys; the tokens here).
    for token in &seen.lock().unwrap().tokens {
        assert!(token.starts_with("SIGNINTOKEN"));
    }
}

/// The token OSC 52 puts on the terminal's clipboard, read through a pseudo-terminal.
#[test]
fn copy_puts_the_url_on_the_terminals_clipboard() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let (server, seen) = endpoint();
    let home = home_with_files();
    let script = r#"
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "console", "admin", "--copy", "--mfa-code", "123456"])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(repr(out) + "\n" + str(os.waitstatus_to_exitcode(status)) + "\n")
"#;
    let out = home
        .command("python3", &[("AWS_ENDPOINT_URL_STS", &moto.url), ("AWS_ENDPOINT_URL_SIGNIN", &server.url)])
        .args(["-c", script, env!("CARGO_BIN_EXE_rolecall")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.trim_end().ends_with("\n0"), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let token = seen.lock().unwrap().tokens.last().cloned().unwrap();
    let start = text.find("\\x1b]52;c;").expect("an OSC 52 sequence") + "\\x1b]52;c;".len();
    let end = start + text[start..].find("\\x07").unwrap();
    let decoded = aws_smithy_types::base64::decode(&text[start..end]).unwrap();
    let url = String::from_utf8(decoded).unwrap();
    assert_eq!(param(&url, "SigninToken").unwrap(), token);
    assert!(text.contains("to the terminal's clipboard (OSC 52"), "{text}");
    // Inside tmux the plain sequence (tmux forwards it with its default set-clipboard), not a
    // passthrough wrapper that tmux 3.3 and later drop.
    let out = home
        .command(
            "python3",
            &[
                ("AWS_ENDPOINT_URL_STS", &moto.url),
                ("AWS_ENDPOINT_URL_SIGNIN", &server.url),
                ("TMUX", "/tmp/tmux-0/default,1,0"),
            ],
        )
        .args(["-c", script, env!("CARGO_BIN_EXE_rolecall")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\\x1b]52;c;") && !text.contains("\\x1bPtmux;"), "{text}");
}

/// Every process's argument list, as text.
fn command_lines() -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Ok(bytes) = std::fs::read(entry.path().join("cmdline")) {
            out.push(String::from_utf8_lossy(&bytes).replace('\0', " "));
        }
    }
    out
}

/// Kill the browsers started with a data directory under `dir`.
#[test]
fn headless_chromium_signs_in_with_a_data_directory_per_profile() {
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|b| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {b}"))
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if chromium.is_none() && !require("chromium") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let (server, seen) = endpoint();
    let home = home_with_files();
    // rolecall's own launcher: the chromium choice, with the headless flags after its name.
    let data = common::headless_chromium(&home);
    let env = [
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ("AWS_ENDPOINT_URL_SIGNIN", server.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO", server.url.as_str()),
    ];
    // The token the endpoint issues is looked for in every process's argument list, all the
    // while rolecall and the browser start.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let leaked = Arc::new(Mutex::new(Vec::<String>::new()));
    let watcher = {
        let (stop, leaked, seen) = (stop.clone(), leaked.clone(), seen.clone());
        std::thread::spawn(move || {
            let mut scans = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let tokens = seen.lock().unwrap().tokens.clone();
                for line in command_lines() {
                    if tokens.iter().any(|t| line.contains(t.as_str())) {
                        leaked.lock().unwrap().push(line);
                    }
                }
                scans += 1;
                std::thread::sleep(Duration::from_millis(2));
            }
            scans
        })
    };
    let mut destinations = HashMap::new();
    for (profile, args) in
        [("admin", vec!["console", "admin", "--mfa-code", "123456"]), ("dev", vec!["assume", "-c", "dev", "-s", "s3"])]
    {
        let logins = seen.lock().unwrap().logins.len();
        let run = home.run_env(&args, &env);
        assert_eq!(run.code, 0, "{profile}: {}", run.stderr);
        assert!(run.stderr.contains("opened the AWS console"), "{}", run.stderr);
        assert!(run.stdout.is_empty());
        // The browser follows the page to the endpoint with the token it issued.
        let deadline = Instant::now() + Duration::from_secs(30);
        while seen.lock().unwrap().logins.len() == logins {
            assert!(Instant::now() < deadline, "{profile}: the browser never reached Action=login");
            std::thread::sleep(Duration::from_millis(50));
        }
        let seen = seen.lock().unwrap();
        let (token, destination) = seen.logins.last().unwrap().clone();
        assert_eq!(&token, seen.tokens.last().unwrap(), "{profile}: the token it issued");
        assert!(!run.stderr.contains(&token));
        destinations.insert(profile, destination);
        assert!(data.join(profile).is_dir(), "{profile} has its own data directory");
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(data.join(profile)).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o700);
        // Its browser runs with that directory.
        let flag = format!("--user-data-dir={}", data.join(profile).display());
        assert!(command_lines().iter().any(|l| l.contains(&flag)), "no browser with {flag}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let scans = watcher.join().unwrap();
    common::kill_browsers(&data);
    assert!(scans > 10, "the process list was scanned {scans} times");
    assert!(leaked.lock().unwrap().is_empty(), "a sign-in token in an argument list: {:?}", leaked.lock().unwrap());
    assert_eq!(destinations["admin"], "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1");
    assert_eq!(destinations["dev"], "https://us-east-2.console.aws.amazon.com/s3/home?region=us-east-2");
}

/// A plain Linux desktop: no `$BROWSER`, a display, and a default browser chosen by a desktop file
/// (`x-scheme-handler/http` in mimeapps.list), opened through Debian's real `xdg-open`, which
/// looks at what it opens first. The browser (headless Chromium) signs in; a browser that never
/// fetches the page is an error that names the command started.
#[test]
fn xdg_open_and_a_desktop_file_default_browser_sign_in() {
    if !require("xdg-open") || !require("chromium") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let (server, seen) = endpoint();
    let home = home_with_files();
    let apps = home.path.join(".local/share/applications");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::create_dir_all(home.path.join(".config")).unwrap();
    let data = home.path.join("chromium-data");
    let launcher = home.path.join("browser.sh");
    let write_launcher = |body: &str| {
        std::fs::write(&launcher, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&launcher, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    };
    write_launcher(&format!(
        "exec chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir={} \"$1\"",
        data.display()
    ));
    std::fs::write(
        apps.join("rolecall-test-browser.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Test browser\nExec={} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;text/html;\n",
            launcher.display()
        ),
    )
    .unwrap();
    std::fs::write(
        home.path.join(".config/mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/http=rolecall-test-browser.desktop\nx-scheme-handler/https=rolecall-test-browser.desktop\ntext/html=rolecall-test-browser.desktop\n",
    )
    .unwrap();
    let env = [
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ("AWS_ENDPOINT_URL_SIGNIN", server.url.as_str()),
        ("DISPLAY", ":99"),
        ("ROLECALL_TEST_PAGE_WAIT", "20"),
    ];
    let run = home.run_env(&["console", "admin", "--mfa-code", "123456"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("opened the AWS console for `admin` with `xdg-open`"), "{}", run.stderr);
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().logins.is_empty() {
        assert!(Instant::now() < deadline, "the browser never reached Action=login");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (token, _) = seen.lock().unwrap().logins[0].clone();
    assert_eq!(&token, seen.lock().unwrap().tokens.last().unwrap());
    common::kill_browsers(&data);

    // A default browser that never fetches the page: exit 1, naming the command started.
    write_launcher("exit 0");
    let env = [env[0], env[1], env[2], ("ROLECALL_TEST_PAGE_WAIT", "2")];
    let run = home.run_env(&["console", "admin"], &env);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.stderr);
    assert!(run.stderr.contains("started `xdg-open` for `admin`, but no browser fetched"), "{}", run.stderr);
    // With $BROWSER, the message names that command, not "the default browser".
    let env = [env[0], env[1], ("ROLECALL_TEST_PAGE_WAIT", "2"), ("BROWSER", launcher.to_str().unwrap())];
    let run = home.run_env(&["console", "admin"], &env);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("started `$HOME/browser.sh` for `admin`"), "{}", run.stderr);
}
