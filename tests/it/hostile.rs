//! Every value rolecall prints for a shell is data: hostile values evaluated by the real bash,
//! zsh and fish, and applied by nushell's init script (load-env), come out byte for byte, and
//! nothing in them runs.

use crate::common;

use common::TempHome;
use common::moto::require;
use rolecall::shell::env::{EnvChange, Format, Shell, Snapshot};
use rolecall::types::Credentials;
use std::process::Command;

const HOSTILE: &[&str] = &[
    "it's",
    "\"double\"",
    "$(touch PWNED1)",
    "`touch PWNED2`",
    "a; touch PWNED3",
    "line\nbreak; touch PWNED4",
    "back\\slash\\'",
    "ünïcødé ‘quotes’ 🚀",
    "$HOME ${HOME} %s %n",
    "' ; touch PWNED5 ; echo '",
    "\\\\'\\\\",
    "-e",
    "",
];

/// Source `code` in `shell` from a file, then print the environment as JSON.
fn eval_in(shell: &str, code: &str, dir: &std::path::Path) -> serde_json::Value {
    let file = dir.join(format!("code.{shell}"));
    std::fs::write(&file, code).unwrap();
    let dump = "python3 -c 'import os, json; print(json.dumps(dict(os.environ)))'";
    let mut cmd = Command::new(shell);
    let script = if shell == "nu" {
        // nushell evaluates no code: its init script's own function applies the JSON lines.
        let init = dir.join("init.nu");
        let parts = rolecall::shell::init::Parts { dir: true, ..Default::default() };
        std::fs::write(&init, rolecall::shell::init::script(Shell::Nu, "rolecall", "assume", "asp", parts).unwrap())
            .unwrap();
        cmd.arg("--no-config-file");
        format!(
            "source '{}'; __rolecall_apply (open --raw '{}' | decode utf-8); {dump}",
            init.display(),
            file.display()
        )
    } else {
        format!("source '{}'; {dump}", file.display())
    };
    let out = cmd.arg("-c").arg(&script).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn shells() -> Vec<(&'static str, Shell)> {
    [("bash", Shell::Bash), ("zsh", Shell::Zsh), ("fish", Shell::Fish), ("nu", Shell::Nu)]
        .into_iter()
        .filter(|(name, _)| require(name))
        .collect()
}

#[test]
fn hostile_values_survive_every_shell() {
    let home = TempHome::new();
    for (name, shell) in shells() {
        for value in HOSTILE {
            let creds = Credentials {
                access_key_id: format!("AKIA{value}"),
                secret_access_key: value.to_string(),
                session_token: Some(format!("{value}{value}")),
                expires_at: Some(1_795_392_275),
                account_id: None,
            };
            let before = Snapshot::from(|n| (n == "AWS_PROFILE").then(|| "before".to_owned()));
            let code = EnvChange::assume(value, &creds, Some(value), &before).render(Format::Shell(shell)).unwrap();
            let env = eval_in(name, &code, &home.path);
            assert_eq!(env["AWS_SECRET_ACCESS_KEY"], *value, "{name}: {value:?}");
            assert_eq!(env["AWS_SESSION_TOKEN"], format!("{value}{value}"), "{name}");
            assert_eq!(env["AWS_ACCESS_KEY_ID"], format!("AKIA{value}"), "{name}");
            assert_eq!(env["AWS_REGION"], *value, "{name}");
            assert_eq!(env["AWS_CREDENTIAL_EXPIRATION"], "2026-11-23T00:04:35Z", "{name}");
            assert_eq!(env["ROLECALL_EXPIRES_AT"], "1795392275", "{name}");
            if !value.is_empty() {
                assert_eq!(env["AWS_PROFILE"], *value, "{name}");
                assert_eq!(env["ROLECALL_PREVIOUS"], "before", "{name}");
            }
            for n in 1..=5 {
                assert!(!home.path.join(format!("PWNED{n}")).exists(), "{name} ran code from {value:?}");
            }
        }
    }
}

#[test]
fn unset_removes_what_assume_set() {
    let home = TempHome::new();
    for (name, shell) in shells() {
        let creds = Credentials {
            access_key_id: "AKIA".into(),
            secret_access_key: "x".into(),
            session_token: Some("y".into()),
            expires_at: Some(1),
            account_id: None,
        };
        let assumed = EnvChange::assume("p", &creds, Some("r"), &Snapshot::default());
        let after = Snapshot::default().apply(&assumed);
        let code = assumed.render(Format::Shell(shell)).unwrap()
            + &EnvChange::unset_all(&after).render(Format::Shell(shell)).unwrap();
        let env = eval_in(name, &code, &home.path);
        for var in rolecall::shell::env::CONTRACT.iter().filter(|v| **v != "ROLECALL_PREVIOUS") {
            assert!(env.get(var).is_none(), "{name}: {var} still set");
        }
        assert_eq!(
            env.get("ROLECALL_PREVIOUS").and_then(|v| v.as_str()),
            Some("p"),
            "{name}: `assume -` brings it back"
        );
    }
}

#[test]
fn hostile_region_from_the_files_through_the_binary() {
    // A region value in ~/.aws/config is arbitrary text up to the end of the line.
    let home = TempHome::new();
    let region = "eu-west-1'\"; touch PWNED1; echo $(touch PWNED2) `touch PWNED3` ‘x’";
    home.write("config", &format!("[profile odd]\nregion = {region}\n"));
    home.write(
        "credentials",
        "[odd]\naws_access_key_id = AKIAODDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    for (name, _) in shells() {
        let run = home.run(&["assume", "odd", "--shell", name]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let env = eval_in(name, &run.stdout, &home.path);
        assert_eq!(env["AWS_REGION"], region, "{name}");
        assert_eq!(env["AWS_PROFILE"], "odd");
        for n in 1..=3 {
            assert!(!home.path.join(format!("PWNED{n}")).exists(), "{name} ran code");
        }
    }
}

#[test]
fn powershell_quotes_are_doubled() {
    // PowerShell cannot be installed here: the rendering is checked as text.
    let creds = Credentials {
        access_key_id: "AKIA".into(),
        secret_access_key: "a'b‘c’d‚e‛f$(x)`n".into(),
        session_token: None,
        expires_at: None,
        account_id: None,
    };
    let code =
        EnvChange::assume("p'q", &creds, None, &Snapshot::default()).render(Format::Shell(Shell::Powershell)).unwrap();
    assert!(code.contains("$Env:AWS_SECRET_ACCESS_KEY = 'a''b‘‘c’’d‚‚e‛‛f$(x)`n'\n"), "{code}");
    assert!(code.contains("$Env:AWS_PROFILE = 'p''q'\n"));
    assert!(code.contains("Remove-Item -LiteralPath Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue\n"));
}

/// A server on 127.0.0.1 that answers every request with a body of `size` bytes (zeros), with a
/// Content-Length or chunked, sent as long as the client reads.
fn flood(chunked: bool, size: u64) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                let _ = stream.read(&mut buf);
                let head = if chunked {
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned()
                } else {
                    format!("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {size}\r\n\r\n")
                };
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b'<'; 1 << 20];
                let mut sent = 0u64;
                while sent < size {
                    let ok = if chunked {
                        stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).is_ok()
                            && stream.write_all(&chunk).is_ok()
                            && stream.write_all(b"\r\n").is_ok()
                    } else {
                        stream.write_all(&chunk).is_ok()
                    };
                    if !ok {
                        return;
                    }
                    sent += chunk.len() as u64;
                }
            });
        }
    });
    url
}

/// An endpoint that answers gigabytes: rolecall reads at most 1 MiB of any answer and fails with
/// one line, in little memory, whether the length is announced or the body chunked.
#[test]
fn huge_answers_are_not_read() {
    if !require("python3") {
        return;
    }
    let home = TempHome::new();
    home.write_files(
        "[profile r]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/R\n",
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    for chunked in [false, true] {
        let url = flood(chunked, 4 << 30);
        // The child's peak memory, as the kernel counts it.
        let script = r#"
import resource, subprocess, sys, time
t = time.time()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True, stdin=subprocess.DEVNULL)
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, round(time.time() - t, 1))
print(p.stderr.strip())
print(p.stdout, end="")
"#;
        let out = home
            .command("python3", &[("AWS_ENDPOINT_URL_STS", &url), ("ROLECALL_TIMEOUT", "20s")])
            .args(["-c", script, env!("CARGO_BIN_EXE_rolecall"), "assume", "r", "--shell", "bash"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let figures: Vec<&str> = lines.next().unwrap().split(' ').collect();
        let stderr = lines.next().unwrap_or("");
        assert_eq!(figures[0], "1", "chunked={chunked}: {text}");
        let kib: u64 = figures[1].parse().unwrap();
        assert!(kib < 64 * 1024, "chunked={chunked}: rolecall took {kib} KiB for a 4 GiB answer");
        assert!(stderr.contains("larger than 1024 KiB"), "chunked={chunked}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(lines.next().is_none(), "stdout: {text}");
    }
}

/// STS's documented AssumeRole answer, with what the test puts in it.
fn assume_role_answer(secret: &str, expiration: &str) -> String {
    format!(
        r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/R/tester</Arn>
      <AssumedRoleId>AROA123EXAMPLE123:tester</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>{secret}</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#
    )
}

/// An STS that answers what no real one does: credentials that expired already, an expiry in
/// the year 9999, a NUL in a secret. Refused, taken as what was asked for (with a warning), and
/// refused before anything is printed.
#[test]
fn implausible_sts_answers() {
    use common::serve::{Response, Server};
    use std::sync::{Arc, Mutex};
    let answer = Arc::new(Mutex::new(String::new()));
    let served = answer.clone();
    let sts = Server::start(move |_| Response::xml(served.lock().unwrap().clone()));
    let home = TempHome::new();
    home.write_files(
        "[profile r]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/R\nregion = eu-west-1\n",
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    let run = |secret: &str, expiration: &str| {
        *answer.lock().unwrap() = assume_role_answer(secret, expiration);
        home.run_env(&["assume", "r", "--shell", "json", "--no-cache"], &[("AWS_ENDPOINT_URL_STS", &sts.url)])
    };
    let good = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    let expired = run(good, "2019-11-09T13:34:41Z");
    assert_eq!(expired.code, 1);
    assert!(expired.stderr.contains("expired already") && expired.stderr.contains("clock"), "{}", expired.stderr);
    assert_eq!(expired.stdout, "");

    let forever = run(good, "9999-12-31T00:00:00Z");
    assert_eq!(forever.code, 0, "{}", forever.stderr);
    assert!(forever.stderr.contains("longer than the 1h00m asked for"), "{}", forever.stderr);
    let env: serde_json::Value = serde_json::from_str(&forever.stdout).unwrap();
    let at: i64 = env["set"]["ROLECALL_EXPIRES_AT"].as_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((at - now - 3600).abs() < 60, "taken as the hour asked for: {at} vs {now}");

    let nul = run("abc&#0;; touch CANARY; echo &#0;", "2099-01-01T00:00:00Z");
    assert_eq!(nul.code, 1, "{}", nul.stdout);
    assert!(nul.stderr.contains("SecretAccessKey holds characters AWS never issues"), "{}", nul.stderr);
    assert_eq!(nul.stdout, "");
}

/// With this machine's clock two hours fast, STS's hour is over before it began: rolecall says
/// the clock is off instead of caching credentials that never hit.
#[test]
fn a_fast_clock_is_named() {
    let Some(moto) = common::moto::Moto::start() else { return };
    let home = TempHome::new();
    home.write_files(
        "[profile r]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/R\n",
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let fast = (now + 2 * 3600).to_string();
    let run = home
        .run_env(&["assume", "r", "--shell", "bash"], &[("AWS_ENDPOINT_URL_STS", &moto.url), ("ROLECALL_NOW", &fast)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Two hours, give or take the second between this line and moto's answer.
    let named = ["is this machine's clock 2h00m fast?", "is this machine's clock 1h59m fast?"];
    assert!(named.iter().any(|n| run.stderr.contains(n)), "{}", run.stderr);
    let slow = (now - 20 * 60).to_string();
    let run = home
        .run_env(&["assume", "r", "--shell", "bash"], &[("AWS_ENDPOINT_URL_STS", &moto.url), ("ROLECALL_NOW", &slow)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Twenty minutes, plus the seconds between this test's clock and moto's answer.
    let named = ["clock is 20m slow", "clock is 20m01s slow", "clock is 20m02s slow", "clock is 20m03s slow"];
    assert!(named.iter().any(|n| run.stderr.contains(n)), "{}", run.stderr);
}

/// Text from the files, the network and the environment never drives the terminal: control and
/// bidi characters are escaped in `list`, `doctor`, and every error.
#[test]
fn human_output_escapes_control_and_bidi_characters() {
    let home = TempHome::new();
    home.write_files(
        "[profile esc]\nregion = eu\x1b[31m-west-1\u{202e}\nrole_arn = arn:aws:iam::123456789012:role/R\x1b]0;pwned\x07\nsource_profile = base\n",
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    let raw = |text: &str| text.contains('\x1b') || text.contains('\u{202e}') || text.contains('\x07');
    for args in [&["list"][..], &["doctor"], &["assume", "esc", "--shell", "bash"], &["dir"]] {
        let run = home.run_env(args, &[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"), ("ROLECALL_TIMEOUT", "2")]);
        assert!(!raw(&run.stdout), "{args:?}: raw escape on stdout: {:?}", run.stdout);
        assert!(!raw(&run.stderr), "{args:?}: raw escape on stderr: {:?}", run.stderr);
    }
    let list = home.run(&["list"]);
    assert!(list.stdout.contains("eu\\u{1b}[31m-west-1\\u{202e}"), "{}", list.stdout);
}

/// No doctor finding quotes a secret, also from lines the SDKs cannot read.
#[test]
fn doctor_never_quotes_a_secret_from_a_malformed_line() {
    let secret = "Zq8s/Yr2+Bx7Lm3Kp9Vt4Wn6Hj1Cf5DgExAmPlEkEy";
    let home = TempHome::new();
    for credentials in [
        format!("[default]\naws_secret_access_key: {secret}\n"),
        format!("[default]\naws access key = x\naws secret key = {secret}\n"),
        format!("[profile x]\naws_secret_access_key = {secret}\n"),
        format!("[{secret}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
        format!("[de fault]\naws_secret_access_key = {secret}\n"),
        format!("[default]\n{secret}\n"),
        format!("[default]\nbad key {secret} = 1\n"),
        // The `=` forgotten, and the token ends in `=` as base64 does: the line splits there.
        format!("[default]\naws_session_token {TOKEN}\n"),
        format!("[default]\naws_secret_access_key {secret}==\n"),
    ] {
        home.write_files("[profile x]\nregion = eu-west-1\n", &credentials);
        for args in [&["doctor"][..], &["doctor", "--json"]] {
            let run = home.run(args);
            for text in [&run.stdout, &run.stderr] {
                let lower = text.to_ascii_lowercase();
                for secret in [secret, TOKEN.trim_end_matches('=')] {
                    let piece = &secret.to_ascii_lowercase()[..20];
                    assert!(!lower.contains(piece), "{args:?} on {credentials:?}: {text}");
                }
            }
        }
    }
    // The finding still says what is wrong, quoting only the key's first word.
    home.write_files("", &format!("[default]\naws_session_token {TOKEN}\n"));
    let run = home.run(&["doctor"]);
    assert!(run.stdout.contains("key `aws_session_token…` in [default] is ignored"), "{}", run.stdout);
}

/// A session token as STS issues them (base64, ending in `=`).
const TOKEN: &str =
    "IQoJb3JpZ2luX2VjEAIaCXVzLWVhc3QtMSJGMEQCIBxExAmPlEtOkEnVaLuEaBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789Q==";

/// Values of any length, in a profile name or a region: no command panics (list used to abort
/// on a width over 65,535), the picker included.
#[test]
fn long_values_do_not_panic() {
    let home = TempHome::new();
    let (name, region) = ("p".repeat(70_000), "r".repeat(70_000));
    home.write_files(
        &format!("[profile {name}]\nregion = {region}\n\n[profile short]\nregion = {region}\n"),
        &format!("[{name}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n"),
    );
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["doctor"],
        &["doctor", "--json"],
        &["assume", "short", "--shell", "bash"],
    ] {
        let run = home.run(args);
        assert!(
            run.code == 0 || run.code == 1,
            "{args:?} exited {}: {}",
            run.code,
            &run.stderr[..run.stderr.len().min(300)]
        );
        assert!(!run.stderr.contains("panicked"), "{args:?}");
    }
    if require("script") {
        // The picker's first frame on a pseudo-terminal (util-linux `script`).
        let bin = env!("CARGO_BIN_EXE_rolecall");
        let out = home
            .command("script", &[("ROLECALL_PICKER_EXIT_AFTER_FIRST_FRAME", "1")])
            .args(["-qec", &format!("{bin} assume --shell bash; echo __STATUS$?"), "/dev/null"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("__STATUS130"),
            "the picker did not end as cancelled: {}",
            &text[text.len().saturating_sub(300)..]
        );
        assert!(!text.contains("panicked"));
    }
}

/// Files no person writes: 100,000 keys in one section, 20,000 `[services]` entries, a chain of
/// 10,000 role hops. Every
/// command stays linear (they took 14 s and minutes), and the chain is refused past 64 hops
/// with one finding at its top.
#[test]
fn pathological_files_stay_fast() {
    let home = TempHome::new();
    let mut config = String::from("[profile big]\nregion = eu-west-1\n");
    for i in 0..100_000 {
        config.push_str(&format!("key{i} = value{i}\n"));
    }
    config.push_str("services = many\n[services many]\n");
    for i in 0..20_000 {
        config.push_str(&format!("svc{i} =\n  endpoint_url = http://127.0.0.1:{i}\n"));
    }
    config.push_str("[profile h0]\nregion = eu-west-1\n");
    for i in 1..=10_000 {
        config.push_str(&format!(
            "[profile h{i}]\nsource_profile = h{}\nrole_arn = arn:aws:iam::123456789012:role/R{i}\n",
            i - 1
        ));
    }
    home.write_files(&config, "[big]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n[h0]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n");
    for args in [
        &["list", "--json"][..],
        &["list"],
        &["doctor", "--json"],
        &["asp", "big", "--shell", "bash"],
        &["assume", "big", "--shell", "bash"],
    ] {
        let started = std::time::Instant::now();
        let run = home.run(args);
        let took = started.elapsed();
        // A debug build; release builds take a tenth of this (the README has the figures).
        assert!(took < std::time::Duration::from_secs(8), "{args:?} took {took:?}");
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        if args == ["doctor", "--json"] {
            let findings: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
            let deep: Vec<_> = findings.iter().filter(|f| f["code"] == "chain-too-deep").collect();
            assert_eq!(deep.len(), 1, "one finding, at the top of the chain");
            assert_eq!(deep[0]["profile"], "h10000");
        }
    }
    let run = home.run(&["asp", "h64", "--shell", "bash"]);
    assert_eq!(run.code, 0, "64 hops are fine: {}", run.stderr);
    let run = home.run(&["asp", "h65", "--shell", "bash"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("more than 64 role hops"), "{}", run.stderr);
}

/// What another user on the machine can plant: a symlink to an allowed `.awsprofile` in a
/// directory of theirs, cache entries of theirs, a symlinked cache directory. None of it is
/// trusted; and editing the files as root leaves them their owner's.
#[test]
fn another_users_plants_are_not_trusted() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(other) = common::OtherUser::create() else { return };
    let Some(moto) = common::moto::Moto::start() else { return };
    let home = TempHome::new();
    home.write_files(
        "[profile base]\nregion = eu-west-1\n[profile r]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/R\n",
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    // The trust store binds a file to the place it was found: a link elsewhere is unknown.
    std::fs::create_dir_all(home.path.join("proj")).unwrap();
    std::fs::write(home.path.join("proj/.awsprofile"), "r\n").unwrap();
    let allowed = home.path.join("proj/.awsprofile");
    let run = home.command(env!("CARGO_BIN_EXE_rolecall"), &[]).arg("allow").arg(&allowed).output().unwrap();
    assert!(run.status.success());
    let theirs = std::env::temp_dir().join(format!("{}-dir", other.name));
    other.sh(&format!("mkdir -p '{0}' && ln -sf '{1}' '{0}/.awsprofile'", theirs.display(), allowed.display()));
    let clone = home.path.join("clone");
    std::fs::create_dir_all(&clone).unwrap();
    std::os::unix::fs::symlink(&allowed, clone.join(".awsprofile")).unwrap();
    for dir in [&theirs, &clone] {
        let out = home
            .command(env!("CARGO_BIN_EXE_rolecall"), &[("PWD", &dir.to_string_lossy())])
            .args(["dir", "--shell", "bash", "--"])
            .arg(dir.join(".awsprofile"))
            .current_dir(dir)
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!stdout.contains("AWS_PROFILE"), "{}: a link to an allowed file was applied: {stdout}", dir.display());
        assert!(stderr.contains("run 'rolecall allow'"), "{stderr}");
    }
    let _ = std::fs::remove_dir_all(&theirs);

    // A cache entry that is another user's, or readable by others, is not used.
    let env = [("AWS_ENDPOINT_URL_STS", moto.url.as_str())];
    assert_eq!(home.run_env(&["assume", "r", "--shell", "bash"], &env).code, 0);
    let cache = home.path.join(".cache/rolecall");
    let entry = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("role-") && p.extension().is_some_and(|e| e == "json")
        })
        .unwrap();
    let calls = || moto.count("AssumeRole");
    assert_eq!(calls(), 1);
    assert_eq!(home.run_env(&["assume", "r", "--shell", "bash"], &env).code, 0);
    assert_eq!(calls(), 1, "a cache hit");
    other.chown(&entry);
    let run = home.run_env(&["assume", "r", "--shell", "bash"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("ignored the cache entry") && run.stderr.contains("not private"), "{}", run.stderr);
    assert_eq!(calls(), 2, "another user's entry was used");
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::chown(&entry, Some(0), None).unwrap();
    assert_eq!(home.run_env(&["assume", "r", "--shell", "bash"], &env).code, 0);
    assert_eq!(calls(), 3, "an entry others can read was used");
    // A NUL in a cache entry: treated as absent, never printed.
    std::fs::write(&entry, "{\"Version\": 1, \"AccessKeyId\": \"ASIA\\u0000\", \"SecretAccessKey\": \"x\", \"SessionToken\": \"y\", \"Expiration\": \"2099-01-01T00:00:00Z\"}").unwrap();
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = home.run_env(&["assume", "r", "--shell", "bash"], &env);
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains('\0'));
    assert_eq!(calls(), 4);

    // A symlinked cache directory (to a directory of another user's) is refused, not chmod'ed.
    std::fs::remove_dir_all(&cache).unwrap();
    let target = std::env::temp_dir().join(format!("{}-cache", other.name));
    other.sh(&format!("mkdir -p '{0}' && chmod 755 '{0}'", target.display()));
    std::os::unix::fs::symlink(&target, &cache).unwrap();
    let run = home.run_env(&["assume", "r", "--shell", "bash", "--refresh"], &env);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("is a symbolic link: not used"), "{}", run.stderr);
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o755,
        "the link's target was changed"
    );
    std::fs::remove_file(&cache).unwrap();
    let _ = std::fs::remove_dir_all(&target);

    // Root editing the user's files (sudo rolecall configure …) keeps them the user's.
    let credentials = home.path.join(".aws/credentials");
    other.chown(&credentials);
    other.chown(&home.path.join(".aws/config"));
    let mut child = home
        .command(env!("CARGO_BIN_EXE_rolecall"), &[])
        .args([
            "configure",
            "base",
            "--access-key-id",
            "AKIAIOSFODNN7NEWKEY1",
            "--secret-access-key-stdin",
            "--region",
            "eu-north-1",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"newsecret/EXAMPLE\n").unwrap();
    assert!(child.wait().unwrap().success());
    for name in [".aws/credentials", ".aws/credentials.bak", ".aws/config", ".aws/config.bak"] {
        let meta = std::fs::metadata(home.path.join(name)).unwrap();
        assert_eq!(meta.uid(), other.uid, "{name} was taken from its owner");
    }
    assert_eq!(std::fs::metadata(&credentials).unwrap().permissions().mode() & 0o777, 0o600);
}

/// Every value rendered for a shell comes back exactly when that shell evaluates it the way the
/// init scripts do (bash and zsh `eval "$(…)"`, fish `string join \n -- (…) | source`), or is
/// refused: random strings over all of unicode, control characters and NUL included, in
/// batches per shell.
#[test]
fn random_values_round_trip_in_every_shell_or_are_refused() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let home = TempHome::new();
    let mut runner = TestRunner::deterministic();
    let strategy = proptest::collection::vec(proptest::prelude::any::<String>(), 400);
    let mut values = strategy.new_tree(&mut runner).unwrap().current();
    values.extend(HOSTILE.iter().map(|s| s.to_string()));
    values.extend(["a\0b".to_owned(), "\0".to_owned(), "\r\n\r".to_owned(), "\u{feff}x\u{202e}".to_owned()]);
    let mut refused = 0;
    for (name, shell) in shells() {
        let mut script = String::new();
        if name == "nu" {
            let init = home.path.join("init.nu");
            let parts = rolecall::shell::init::Parts { dir: true, ..Default::default() };
            std::fs::write(&init, rolecall::shell::init::script(shell, "rolecall", "assume", "asp", parts).unwrap())
                .unwrap();
            script.push_str(&format!("source '{}'\n", init.display()));
        }
        let mut expected = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let creds = Credentials {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: value.clone(),
                session_token: None,
                expires_at: None,
                account_id: None,
            };
            match EnvChange::assume("p", &creds, None, &Snapshot::default()).render(Format::Shell(shell)) {
                Err(e) => {
                    assert!(value.contains('\0'), "{name}: refused {value:?}: {e}");
                    refused += 1;
                    continue;
                }
                Ok(code) => {
                    assert!(!value.contains('\0'), "{name}: rendered a NUL");
                    let file = home.path.join(format!("v{i}.{name}"));
                    std::fs::write(&file, code).unwrap();
                    let path = file.display();
                    script.push_str(&match name {
                        "fish" => format!(
                            "set -l code (cat '{path}'); string join \\n -- $code | source; printf '%s\\0' \"$AWS_SECRET_ACCESS_KEY\"\n"
                        ),
                        "nu" => format!(
                            "__rolecall_apply (open --raw '{path}' | decode utf-8); print -n $env.AWS_SECRET_ACCESS_KEY; print -n (char -i 0)\n"
                        ),
                        _ => format!(
                            "code=\"$(cat '{path}')\"; eval \"$code\"; printf '%s\\0' \"$AWS_SECRET_ACCESS_KEY\"\n"
                        ),
                    });
                    expected.push(value.clone());
                }
            }
        }
        let file = home.path.join(format!("all.{name}"));
        std::fs::write(&file, &script).unwrap();
        let mut cmd = Command::new(name);
        if name == "fish" {
            cmd.arg("--no-config");
        }
        if name == "nu" {
            cmd.arg("--no-config-file");
        }
        let out = cmd.arg(&file).current_dir(&home.path).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        // Each value as the shell holds it, ended by a NUL (which no value has).
        let got: Vec<&[u8]> = out.stdout.split(|b| *b == 0).collect();
        assert_eq!(got.len(), expected.len() + 1, "{name}: {}", String::from_utf8_lossy(&out.stderr));
        for (got, want) in got.iter().zip(&expected) {
            assert_eq!(*got, want.as_bytes(), "{name}: {want:?} did not come back exactly");
        }
        for n in 1..=5 {
            assert!(!home.path.join(format!("PWNED{n}")).exists(), "{name} ran code");
        }
    }
    assert!(refused > 0, "the NUL values were refused");
}
