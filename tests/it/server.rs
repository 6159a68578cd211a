//! `rolecall exec --server`: the container-credentials server against real clients (boto3, the
//! aws CLI v1 and v2, the Rust SDK's own ECS provider) and a real moto_server. Short roles
//! (`duration_seconds = 900`) with `ROLECALL_REFRESH_BEFORE` close to that make every few seconds
//! a renewal: nothing waits on a clock and the binary has no test hook for it.

use crate::common;
use common::TempHome;
use common::moto::{Moto, require};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn home() -> TempHome {
    let home = TempHome::new();
    home.write_files(&format!("{}duration_seconds = 900\n", common::BASE_ADMIN), common::BASE_KEYS);
    home
}

/// `rolecall exec --server admin -- CMD…` in the background; renewals every `every` seconds.
fn serve(home: &TempHome, moto: &Moto, every: u32, cmd: &[&str], extra: &[(&str, &str)]) -> Child {
    let before = (900 - every).to_string();
    let mut env = vec![("AWS_ENDPOINT_URL_STS", moto.url.as_str()), ("ROLECALL_REFRESH_BEFORE", before.as_str())];
    env.extend_from_slice(extra);
    home.command(env!("CARGO_BIN_EXE_rolecall"), &env)
        .args(["exec", "--server", "admin", "--mfa-code", "123456", "--"])
        .args(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What a served command wrote to `file`: its environment (`tr '\0' '\n' < /proc/$$/environ`).
fn wait_for(file: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = std::fs::read_to_string(file)
            && text.ends_with("END\n")
        {
            return text;
        }
        assert!(Instant::now() < deadline, "the served command never wrote {}", file.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn var<'a>(environ: &'a str, name: &str) -> Option<&'a str> {
    environ.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
}

/// A CMD that writes its own environment, as /proc shows it, then sleeps (as itself).
fn environ_then_sleep(file: &Path, secs: u32) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        format!(
            "tr '\\0' '\\n' < /proc/$$/environ > '{0}.tmp'; echo END >> '{0}.tmp'; mv '{0}.tmp' '{0}'; exec sleep {secs}",
            file.display()
        ),
    ]
}

/// One GET on a fresh connection (or `stream`): the status and body.
fn get(stream: Option<&mut TcpStream>, port: u16, path: &str, token: Option<&str>) -> (u16, String) {
    let mut own;
    let stream = match stream {
        Some(s) => s,
        None => {
            own = TcpStream::connect(("127.0.0.1", port)).unwrap();
            &mut own
        }
    };
    let auth = token.map(|t| format!("Authorization: {t}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n").unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        if h.trim().is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

fn endpoint(environ: &str) -> (u16, String, String) {
    let url = var(environ, "AWS_CONTAINER_CREDENTIALS_FULL_URI").expect("FULL_URI is set");
    let rest = url.strip_prefix("http://127.0.0.1:").expect("a loopback URL");
    let (port, path) = rest.split_once('/').unwrap();
    let file = var(environ, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").expect("the token file is set");
    (port.parse().unwrap(), format!("/{path}"), file.to_owned())
}

fn finish(child: Child) -> (i32, String, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn boto3_survives_renewals_from_one_mfa_session() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = home();
    // boto3 asks the server whenever less than 15 minutes are left: with 900 s roles, at every
    // call. Renewals every 5 s, for 32 s: at least 5.
    let script = format!(
        r#"
import boto3, time, sys
sts = boto3.client("sts", endpoint_url="{url}", region_name="eu-west-1")
keys, calls, deadline = [], 0, time.time() + 32
while time.time() < deadline:
    who = sts.get_caller_identity()
    assert who["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/Admin/"), who["Arn"]
    key = sts._request_signer._credentials.get_frozen_credentials().access_key
    if not keys or keys[-1] != key:
        keys.append(key)
    calls += 1
    time.sleep(0.05)
print("calls", calls, "keys", len(keys), len(set(keys)))
"#,
        url = moto.url
    );
    let child = serve(&home, &moto, 5, &["python3", "-c", &script], &[]);
    let (code, stdout, stderr) = finish(child);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let words: Vec<&str> = stdout.split_whitespace().collect();
    let (calls, keys, distinct): (usize, usize, usize) =
        (words[1].parse().unwrap(), words[3].parse().unwrap(), words[4].parse().unwrap());
    assert!(calls > 100, "{stdout}");
    assert_eq!(keys, distinct, "a key came back after it was renewed: {stdout}");
    assert!(keys >= 6, "at least 5 renewals: {stdout}");
    // One AssumeRole per renewal (and the first); one MFA session for all of them.
    assert_eq!(moto.count("AssumeRole"), keys, "{stdout}");
    assert_eq!(moto.count("GetSessionToken"), 1);
    home.assert_no_secret_in(&stderr, "");
    assert!(stderr.trim().is_empty(), "{stderr}");
}

#[test]
fn the_aws_cli_v1_and_v2_read_the_server() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    for cli in ["aws", "/usr/bin/aws"] {
        if !require(cli) {
            continue;
        }
        let before = moto.count("AssumeRole");
        // Ten seconds and at least five calls of `aws sts get-caller-identity` (a busy machine
        // makes each call slower, not the test shorter), renewals every 2 s.
        let script = format!(
            "end=$(($(date +%s) + 10)); n=0; while [ $(date +%s) -lt $end ] || [ $n -lt 5 ]; do {cli} sts get-caller-identity --endpoint-url {url} --query Arn --output text || exit 9; n=$((n+1)); done; echo calls $n",
            url = moto.url
        );
        let child = serve(&home, &moto, 2, &["sh", "-c", &script], &[]);
        let (code, stdout, stderr) = finish(child);
        assert_eq!(code, 0, "{cli}: {stdout}\n{stderr}");
        assert!(stdout.lines().filter(|l| l.contains("assumed-role/Admin/")).count() >= 3, "{cli}: {stdout}");
        let after = moto.count("AssumeRole");
        assert!(after > before + 1, "{cli}: renewed while it ran (AssumeRole {before} -> {after}): {stdout}\n{stderr}");
    }
}

/// The Rust SDK's ECS provider, in a process `rolecall exec --server` started (this test binary,
/// run again for the test below: the provider reads the process environment).
#[test]
#[ignore = "run by the_rust_sdks_ecs_provider_reads_the_server, under rolecall exec --server"]
fn rust_sdk_client() {
    use aws_credential_types::provider::ProvideCredentials;
    assert!(std::env::var("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_ok(), "not run by rolecall exec --server");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let http = aws_smithy_http_client::Builder::new().build_http();
    let config = aws_config::provider_config::ProviderConfig::without_region().with_http_client(http);
    let provider = aws_config::ecs::EcsCredentialsProvider::builder().configure(&config).build();
    let mut keys = Vec::new();
    for _ in 0..3 {
        let creds = runtime.block_on(provider.provide_credentials()).expect("the SDK's ECS provider reads the server");
        assert!(
            creds.access_key_id().starts_with("ASIA") && creds.session_token().is_some() && creds.expiry().is_some()
        );
        keys.push(creds.access_key_id().to_owned());
    }
    println!("RUST-SDK-KEY {}", keys[0]);
}

#[test]
fn the_rust_sdks_ecs_provider_reads_the_server() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    let me = std::env::current_exe().unwrap();
    let me = me.to_str().unwrap();
    let child =
        serve(&home, &moto, 60, &[me, "--exact", "server::rust_sdk_client", "--include-ignored", "--nocapture"], &[]);
    let (code, stdout, stderr) = finish(child);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    let key = stdout.lines().find_map(|l| l.strip_prefix("RUST-SDK-KEY ")).expect("the client's key");
    let cached = std::fs::read_dir(home.path.join(".cache/rolecall"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("role-"))
        .any(|e| std::fs::read_to_string(e.path()).unwrap_or_default().contains(key));
    assert!(cached, "served from the same cache as assume");
}

#[test]
fn sixteen_clients_two_hundred_requests_one_sts_call_per_renewal() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    let file = home.path.join("environ");
    let cmd = environ_then_sleep(&file, 120);
    let child = serve(&home, &moto, 1, &cmd.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let environ = wait_for(&file);
    let (port, path, token_file) = endpoint(&environ);
    let token = std::fs::read_to_string(&token_file).unwrap();
    let before = moto.count("AssumeRole");
    let start = Instant::now();
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (path, token) = (path.clone(), token.clone());
            std::thread::spawn(move || {
                let mut keys = HashSet::new();
                let mut errors = Vec::new();
                // Half the clients keep their connection, half open one per request.
                let mut kept = (i % 2 == 0).then(|| TcpStream::connect(("127.0.0.1", port)).unwrap());
                for _ in 0..200 {
                    let (status, body) = get(kept.as_mut(), port, &path, Some(&token));
                    if status != 200 {
                        errors.push(format!("{status} {body}"));
                        continue;
                    }
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    keys.insert(v["AccessKeyId"].as_str().unwrap().to_owned());
                    std::thread::sleep(Duration::from_millis(10));
                }
                (keys, errors)
            })
        })
        .collect();
    let mut keys = HashSet::new();
    let mut errors = Vec::new();
    for t in threads {
        let (k, e) = t.join().unwrap();
        keys.extend(k);
        errors.extend(e);
    }
    let took = start.elapsed();
    assert!(errors.is_empty(), "{} errors, e.g. {:?}", errors.len(), errors.first());
    // Every renewal is one AssumeRole, whatever the number of clients asking at that moment.
    let renewals = moto.count("AssumeRole") - before;
    assert!(renewals >= 2, "{renewals} renewals in {took:?}");
    assert!(keys.len() >= renewals, "{} keys for {renewals} renewals", keys.len());
    assert!(
        keys.len() <= renewals + 1,
        "{} keys for {renewals} renewals: a renewal made more than one call",
        keys.len()
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let (_, _, stderr) = finish(child);
    assert!(!Path::new(&token_file).exists(), "the token file outlived the server");
    home.assert_no_secret_in(&stderr, "");
}

/// A non-loopback IPv4 address of this machine, if it has one.
fn outside_address() -> Option<String> {
    let out = Command::new("hostname").arg("-I").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find(|a| a.contains('.') && !a.starts_with("127."))
        .map(str::to_owned)
}

#[test]
fn only_the_token_on_the_one_path_from_loopback_gets_credentials() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    let (file, other_file) = (home.path.join("environ"), home.path.join("environ2"));
    let cmd = environ_then_sleep(&file, 60);
    // Static keys and a profile in rolecall's own environment: none of it reaches CMD.
    let outer = [
        ("AWS_ACCESS_KEY_ID", "AKIAOUTEROUTEROUTER1"),
        ("AWS_SECRET_ACCESS_KEY", "outer/secret/OUTEROUTEROUTEROUTEROUTER"),
        ("AWS_SESSION_TOKEN", "outer-session-token-0123456789"),
        ("AWS_PROFILE", "base"),
    ];
    let child = serve(&home, &moto, 60, &cmd.iter().map(String::as_str).collect::<Vec<_>>(), &outer);
    let other = serve(
        &home,
        &moto,
        60,
        &environ_then_sleep(&other_file, 60).iter().map(String::as_str).collect::<Vec<_>>(),
        &[],
    );
    let environ = wait_for(&file);
    let (port, path, token_file) = endpoint(&environ);
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "ROLECALL_EXPIRES_AT",
    ] {
        assert_eq!(var(&environ, name), None, "{name} is in CMD's environment");
    }
    assert_eq!(var(&environ, "ROLECALL_PROFILE"), Some("admin"));
    assert_eq!(var(&environ, "AWS_REGION"), Some("eu-west-1"));
    assert!(!environ.contains("OUTEROUTER"), "the outer keys reached CMD");
    // The token file: 0600, in a 0700 directory.
    let meta = std::fs::metadata(&token_file).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let dir = Path::new(&token_file).parent().unwrap();
    assert_eq!(std::fs::metadata(dir).unwrap().permissions().mode() & 0o777, 0o700);
    let token = std::fs::read_to_string(&token_file).unwrap();
    assert_eq!(token.len(), 64);
    let (_, _, other_token_file) = endpoint(&wait_for(&other_file));
    let other_token = std::fs::read_to_string(&other_token_file).unwrap();
    assert_ne!(token, other_token);

    let (status, body) = get(None, port, &path, Some(&token));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    for key in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] {
        assert!(v[key].as_str().is_some_and(|s| !s.is_empty()), "{key} in {body}");
    }
    for (what, token) in [
        ("no token", None),
        ("a wrong token", Some("0".repeat(64))),
        ("another run's token", Some(other_token.clone())),
        ("a prefix", Some(token[..63].to_owned())),
    ] {
        let (status, body) = get(None, port, &path, token.as_deref());
        assert_eq!((status, body.as_str()), (403, ""), "{what}");
    }
    assert_eq!(get(None, port, "/other", Some(&token)).0, 404);
    assert_eq!(get(None, port, "/other", None).0, 403, "no token: 403 whatever the path");
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "POST {path} HTTP/1.1\r\nAuthorization: {token}\r\nContent-Length: 0\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = BufReader::new(s).read_line(&mut answer);
    assert!(answer.contains(" 405 "), "{answer}");
    // Not reachable but on loopback.
    match outside_address() {
        Some(addr) => {
            let reached =
                TcpStream::connect_timeout(&format!("{addr}:{port}").parse().unwrap(), Duration::from_secs(2));
            assert!(reached.is_err(), "the server answered on {addr}");
        }
        None => eprintln!("no non-loopback address on this machine: that check is empty here"),
    }
    // CMD killed with SIGKILL: rolecall ends with it, and its files are gone.
    let pid: i32 = std::fs::read_to_string(format!("/proc/{}/task/{}/children", child.id(), child.id()))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    unsafe { libc::kill(pid, libc::SIGKILL) };
    let (code, _, stderr) = finish(child);
    assert_eq!(code, 128 + 9, "{stderr}");
    assert!(!Path::new(&token_file).exists() && !dir.exists(), "the token outlived CMD");
    unsafe { libc::kill(other.id() as i32, libc::SIGTERM) };
    let (_, _, stderr) = finish(other);
    assert!(!PathBuf::from(&other_token_file).exists(), "SIGTERM: the token outlived the server");
    home.assert_no_secret_in(&stderr, "");
}

#[test]
fn an_mfa_session_that_ends_mid_run_fails_fast_with_one_line() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = home();
    let cache = home.path.join(".cache/rolecall");
    // Two good calls, then the MFA session is gone (as when it expires): the next renewal needs
    // a code, which the server never asks for; boto3 gets an error naming what to do.
    let script = format!(
        r#"
import boto3, glob, os, time, sys
sts = boto3.client("sts", endpoint_url="{url}", region_name="eu-west-1")
for _ in range(2):
    sts.get_caller_identity()
for f in glob.glob("{cache}/*.json"):
    if os.path.basename(f).startswith(("session-", "role-")):
        os.remove(f)
time.sleep(3)
# A client that starts now (a new session: none of the old credentials) asks the server.
try:
    boto3.session.Session().client("sts", endpoint_url="{url}", region_name="eu-west-1").get_caller_identity()
    print("no error")
except Exception as e:
    print("ERROR", e)
    sys.exit(3)
"#,
        url = moto.url,
        cache = cache.display()
    );
    let start = Instant::now();
    let child = serve(&home, &moto, 2, &["python3", "-c", &script], &[]);
    let (code, stdout, stderr) = finish(child);
    // The renewal fails, and the credentials the server holds are still valid for minutes: the
    // SDK gets those, not an error, while they last.
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("no error"), "{stdout}");
    assert!(start.elapsed() < Duration::from_secs(60), "it hung");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("needs a new MFA code")).collect();
    assert_eq!(lines.len(), 1, "one line on the terminal: {stderr}");
    assert!(lines[0].contains("run 'assume admin --refresh' in a terminal"), "a command that works: {stderr}");
    assert_eq!(moto.count("GetSessionToken"), 1, "no new MFA session was made behind the person's back");
}

/// `[default]` with keys of its own (and a role in the config), which the SDKs would read before
/// the server: the served command still acts as the profile, in boto3 and the aws CLI v1 and v2.
#[test]
fn the_served_command_acts_as_the_profile_though_default_has_keys() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = TempHome::new();
    home.write_files(
        &format!("{}\n[default]\nregion = us-west-2\ns3 =\n  max_concurrent_requests = 3\n", common::BASE_ADMIN),
        &format!(
            "{}\n[default]\naws_access_key_id = AKIADEFAULTDEFAULT01\naws_secret_access_key = defaultSecretDefaultSecretDefault0001\n",
            common::BASE_KEYS
        ),
    );
    let mut script = format!(
        "python3 -c \"import boto3; print('boto3', boto3.client('sts', endpoint_url='{url}').get_caller_identity()['Arn'])\"; ",
        url = moto.url
    );
    for cli in ["aws", "/usr/bin/aws"] {
        if require(cli) {
            script.push_str(&format!(
                "echo {cli} $({cli} sts get-caller-identity --endpoint-url {url} --query Arn --output text); ",
                url = moto.url
            ));
        }
    }
    script.push_str("echo region $AWS_REGION; cat \"$AWS_CONFIG_FILE\"");
    let child = serve(&home, &moto, 60, &["sh", "-c", &script], &[]);
    let (code, stdout, stderr) = finish(child);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let arns: Vec<&str> =
        stdout.lines().filter(|l| ["boto3 ", "aws ", "/usr/bin/aws "].iter().any(|p| l.starts_with(p))).collect();
    assert!(arns.len() >= 2, "{stdout}");
    for line in arns {
        assert!(line.contains(":assumed-role/Admin/"), "acted as another identity: {line}\n{stderr}");
    }
    // The copy CMD read keeps every other setting of `default`.
    assert!(stdout.contains("max_concurrent_requests = 3") && stdout.contains("region = us-west-2"), "{stdout}");
    assert!(!stdout.contains("AKIADEFAULT"), "{stdout}");
    home.assert_no_secret_in(&stderr, "");
}

/// `exec --server` with the served command `cmd`, rolecall under `ulimit -n 1024` (soft and
/// hard: it cannot raise it).
fn serve_limited(home: &TempHome, moto: &Moto, every: u32, cmd: &[&str]) -> Child {
    let before = (900 - every).to_string();
    let env = [("AWS_ENDPOINT_URL_STS", moto.url.as_str()), ("ROLECALL_REFRESH_BEFORE", before.as_str())];
    home.command("sh", &env)
        .args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_rolecall")])
        .args(["exec", "--server", "admin", "--mfa-code", "123456", "--"])
        .args(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Any local user can connect to 127.0.0.1: 600 connections that send a byte a second (from
/// another process, reconnecting when dropped) under `ulimit -n 1024` must neither take the
/// server down nor slow the served command's requests past a second, nor spin a core.
#[test]
fn six_hundred_slow_connections_do_not_take_the_server_down() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = home();
    let attack = r#"
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
def connect():
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s
socks = [connect() for _ in range(n)]
i = 0
while True:
    for k, s in enumerate(socks):
        try:
            s.send(b"GET /rolecall/credentials HTTP/1.1\r\n"[i % 20:i % 20 + 1])
        except OSError:
            s.close()
            socks[k] = connect()
    i += 1
    time.sleep(1)
"#;
    let client = format!(
        r#"
import os, subprocess, sys, time, urllib.request
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = open(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]).read().strip()
port = int(url.split(":")[2].split("/")[0])
attacker = subprocess.Popen([sys.executable, "-c", {attack:?}, str(port), "600"])
time.sleep(4)
server = os.getppid()
def cpu():
    fields = open("/proc/%d/stat" % server).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
def established():
    n = 0
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        parts = line.split()
        if parts[3] == "01" and int(parts[1].split(":")[1], 16) == port:
            n += 1
    return n
c0, t0 = cpu(), time.time()
worst, n, held = 0.0, 0, []
while time.time() < t0 + 10:
    start = time.time()
    body = urllib.request.urlopen(urllib.request.Request(url, headers={{"Authorization": token}}), timeout=5).read()
    assert b"AccessKeyId" in body, body
    worst = max(worst, time.time() - start)
    n += 1
    held.append(established())
    time.sleep(0.2)
used = (cpu() - c0) / (time.time() - t0)
attacker.kill()
print("requests", n, "worst", round(worst, 3), "cpu", round(used, 3), "held", min(held), max(held))
"#
    );
    let child = serve_limited(&home, &moto, 600, &["python3", "-c", &client]);
    let (code, stdout, stderr) = finish(child);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let words: Vec<&str> = stdout.split_whitespace().collect();
    let (requests, worst, cpu): (usize, f64, f64) =
        (words[1].parse().unwrap(), words[3].parse().unwrap(), words[5].parse().unwrap());
    let held_max: usize = words[8].parse().unwrap();
    assert!(held_max >= 500, "the attack held hundreds of connections open: {stdout}");
    assert!(requests >= 30, "{stdout}");
    assert!(worst < 1.0, "a request of the served command took {worst} s: {stdout}");
    assert!(cpu < 0.25, "rolecall used {cpu} of a core under the attack: {stdout}");
    home.assert_no_secret_in(&stderr, "");
}

/// STS hanging: the renewal's one call times out, every client that waited for it gets the
/// credentials the server still holds (valid for minutes), the next renewal waits a while, and
/// once STS answers again the credentials are renewed. One STS call per renewal throughout.
#[test]
fn an_sts_outage_serves_what_is_held_with_one_call_per_renewal() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    let file = home.path.join("environ");
    let cmd = environ_then_sleep(&file, 120);
    let child =
        serve(&home, &moto, 2, &cmd.iter().map(String::as_str).collect::<Vec<_>>(), &[("ROLECALL_TIMEOUT", "2")]);
    let environ = wait_for(&file);
    let (port, path, token_file) = endpoint(&environ);
    let token = std::fs::read_to_string(&token_file).unwrap();
    let (status, body) = get(None, port, &path, Some(&token));
    assert_eq!(status, 200, "{body}");
    let first: serde_json::Value = serde_json::from_str(&body).unwrap();
    moto.strict.clear();
    moto.strict.outage(common::strict::Outage::Hang);
    std::thread::sleep(Duration::from_secs(3));
    // Six clients at once while STS hangs: one renewal (one call), the held credentials for all.
    let start = Instant::now();
    let answers: Vec<(u16, String)> = (0..6)
        .map(|_| {
            let (path, token) = (path.clone(), token.clone());
            std::thread::spawn(move || get(None, port, &path, Some(&token)))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let took = start.elapsed();
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["AccessKeyId"], first["AccessKeyId"], "the held credentials");
    }
    assert_eq!(moto.strict.seen(), 1, "one STS call for six waiting clients");
    assert!(took < Duration::from_secs(6), "the clients waited for one timeout, not six: {took:?}");
    // Right after the failure: no new call (it backs off), the held credentials again.
    let (status, _) = get(None, port, &path, Some(&token));
    assert_eq!((status, moto.strict.seen()), (200, 1));
    // STS is back: after the back-off the next request renews.
    moto.strict.outage(common::strict::Outage::None);
    std::thread::sleep(Duration::from_secs(6));
    let (status, body) = get(None, port, &path, Some(&token));
    assert_eq!(status, 200, "{body}");
    let renewed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_ne!(renewed["AccessKeyId"], first["AccessKeyId"], "renewed once STS answered");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let (_, _, stderr) = finish(child);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("cannot renew")).collect();
    assert_eq!(lines.len(), 1, "one line for the run of failures: {stderr}");
    home.assert_no_secret_in(&stderr, "");
}

/// A GET with a chunked body: answered 400 and closed, its "body" never read as a request.
#[test]
fn a_chunked_get_is_refused_and_its_body_never_answered() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    let file = home.path.join("environ");
    let cmd = environ_then_sleep(&file, 60);
    let child = serve(&home, &moto, 60, &cmd.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let (port, path, token_file) = endpoint(&wait_for(&file));
    let token = std::fs::read_to_string(&token_file).unwrap();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let smuggled = format!("GET {path} HTTP/1.1\r\nAuthorization: {token}\r\n\r\n");
    let request = format!(
        "GET {path} HTTP/1.1\r\nAuthorization: {token}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{smuggled}\r\n0\r\n\r\n",
        smuggled.len()
    );
    // The server answers after the head and closes (lingering, so the rest is read and dropped).
    s.write_all(request.as_bytes()).unwrap();
    let mut all = String::new();
    s.read_to_string(&mut all).unwrap();
    assert!(all.starts_with("HTTP/1.1 400 "), "{all}");
    assert_eq!(all.matches("HTTP/1.1").count(), 1, "one answer, then closed: {all}");
    assert!(!all.contains("AccessKeyId"));
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    finish(child);
}
