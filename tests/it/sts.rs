//! `assume`, `exec`, `credential-process` and `whoami` against a real moto_server, with the real
//! `aws` CLI, boto3 and bash as consumers of what rolecall prints and caches.

use crate::common;

use common::TempHome;
use common::moto::{Moto, require};
use std::process::Stdio;

const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

const CONFIG: &str = "\
# a person's config: an IAM user with MFA, roles through it
[profile base]
region = eu-west-1

[profile admin]
source_profile = base
role_arn = arn:aws:iam::123456789012:role/Admin
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile ops]
source_profile = base
role_arn = arn:aws:iam::123456789012:role/Ops
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = us-east-2

[profile deep]
source_profile = admin
role_arn = arn:aws:iam::210987654321:role/Deep
role_session_name = deep-session
duration_seconds = 1800
region = eu-west-1

[profile user-mfa]
source_profile = user-mfa
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile plain]
region = us-west-2

[profile proc-role]
source_profile = procbase
role_arn = arn:aws:iam::123456789012:role/FromProcess

[profile procbase]
credential_process = printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS\", \"SecretAccessKey\": \"proc-secret-0123456789\"}'

[profile coded]
source_profile = base
role_arn = arn:aws:iam::123456789012:role/Coded
mfa_serial = arn:aws:iam::123456789012:mfa/alice
mfa_process = echo 654321
";

const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[user-mfa]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[plain]
aws_access_key_id = AKIAPLAINEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

struct World {
    home: TempHome,
    moto: Moto,
}

impl World {
    fn new() -> Option<World> {
        World::with_moto(Moto::start()?)
    }

    fn with_moto(moto: Moto) -> Option<World> {
        let home = TempHome::new();
        home.write_files(CONFIG, CREDENTIALS);
        Some(World { home, moto })
    }

    fn env(&self) -> Vec<(&str, &str)> {
        vec![("AWS_ENDPOINT_URL_STS", self.moto.url.as_str())]
    }

    fn rolecall(&self, args: &[&str]) -> common::Run {
        self.home.run_detached(args, &self.env())
    }

    /// Evaluate rolecall's bash output in bash, then run `script`; its stdout.
    fn bash(&self, code: &str, script: &str) -> String {
        let out = self
            .home
            .command("bash", &self.env())
            .arg("-c")
            .arg(format!("eval \"$1\"; {script}"))
            .arg("bash")
            .arg(code)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "bash failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn aws(&self, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
        let mut all = self.env();
        all.extend_from_slice(env);
        self.home.command("aws", &all).args(args).stdin(Stdio::null()).output().unwrap()
    }
}

#[test]
fn one_mfa_code_serves_every_role_of_the_day() {
    let Some(w) = World::new() else { return };
    let run = w.rolecall(&["assume", "admin", "--shell", "bash", "--mfa-code", "123456"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = w.moto.requests();
    let actions: Vec<&str> = requests.iter().map(|r| r.action()).collect();
    assert_eq!(actions, ["GetSessionToken", "AssumeRole"]);
    let session = &requests[0].params;
    assert_eq!(session["SerialNumber"], SERIAL);
    assert_eq!(session["TokenCode"], "123456");
    assert_eq!(session["DurationSeconds"], "43200");
    assert!(requests[0].authorization.contains("Credential=AKIAI44QH8DHBEXAMPLE/"));
    let role = &requests[1].params;
    assert_eq!(role["RoleArn"], "arn:aws:iam::123456789012:role/Admin");
    assert_eq!(role["RoleSessionName"], "tester");
    assert!(!role.contains_key("SerialNumber") && !role.contains_key("TokenCode"), "{role:?}");
    assert!(!requests[1].authorization.contains("AKIAI44QH8DHBEXAMPLE"), "AssumeRole signed with the session");

    // The shell gets the contract; the real CLI sees the assumed role.
    assert_eq!(common::exported(&run.stdout, "AWS_PROFILE"), Some("admin"));
    assert_eq!(common::exported(&run.stdout, "AWS_REGION"), Some("eu-west-1"));
    assert!(common::exported(&run.stdout, "ROLECALL_EXPIRES_AT").unwrap().parse::<i64>().is_ok());
    assert!(common::exported(&run.stdout, "AWS_CREDENTIAL_EXPIRATION").unwrap().ends_with('Z'));
    let arn = w.bash(&run.stdout, "aws sts get-caller-identity --query Arn --output text");
    assert!(arn.contains(":assumed-role/Admin/tester"), "{arn}");

    // Another role through the same user: no code, the cached MFA session serves it.
    w.moto.clear();
    let ops = w.rolecall(&["assume", "ops", "--shell", "json"]);
    assert_eq!(ops.code, 0, "{}", ops.stderr);
    let actions: Vec<String> = w.moto.requests().iter().map(|r| r.action().to_owned()).collect();
    assert_eq!(actions, ["AssumeRole"]);
    let json: serde_json::Value = serde_json::from_str(&ops.stdout).unwrap();
    assert_eq!(json["set"]["AWS_PROFILE"], "ops");
    assert!(json["unset"].as_array().unwrap().iter().any(|v| v == "AWS_SECURITY_TOKEN"));

    // Again: a cache hit, no request at all, the same credentials.
    w.moto.clear();
    let again = w.rolecall(&["assume", "admin", "--shell", "bash"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(w.moto.requests().len(), 0);
    assert_eq!(
        common::exported(&again.stdout, "AWS_ACCESS_KEY_ID"),
        common::exported(&run.stdout, "AWS_ACCESS_KEY_ID")
    );

    // A chain on top of a cached role: one AssumeRole, with the hop's own settings.
    let deep = w.rolecall(&["assume", "deep", "--shell", "bash"]);
    assert_eq!(deep.code, 0, "{}", deep.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].params["RoleArn"], "arn:aws:iam::210987654321:role/Deep");
    assert_eq!(requests[0].params["RoleSessionName"], "deep-session");
    assert_eq!(requests[0].params["DurationSeconds"], "1800");

    // --refresh fetches everything anew, the MFA session too: without a terminal or a code it
    // says what it needs, and changes nothing.
    w.moto.clear();
    let fresh = w.rolecall(&["assume", "admin", "--shell", "bash", "--refresh"]);
    assert_eq!(fresh.code, 1, "{}", fresh.stderr);
    assert!(fresh.stderr.contains("MFA code needed for"), "{}", fresh.stderr);
    assert_eq!(fresh.stdout, "");
    assert_eq!(w.moto.requests().len(), 0);
    let renewed = w.rolecall(&["assume", "admin", "--shell", "bash", "--refresh", "--mfa-code", "999999"]);
    assert_eq!(renewed.code, 0, "{}", renewed.stderr);
    assert_ne!(
        common::exported(&renewed.stdout, "AWS_ACCESS_KEY_ID"),
        common::exported(&run.stdout, "AWS_ACCESS_KEY_ID")
    );
    let actions: Vec<String> = w.moto.requests().iter().map(|r| r.action().to_owned()).collect();
    assert_eq!(actions, ["GetSessionToken", "AssumeRole"]);
    // A code given is used: a new MFA session (and the role from it), though the role is cached.
    w.moto.clear();
    let coded = w.rolecall(&["assume", "admin", "--shell", "bash", "--mfa-code", "314159"]);
    assert_eq!(coded.code, 0, "{}", coded.stderr);
    let requests = w.moto.requests();
    let actions: Vec<&str> = requests.iter().map(|r| r.action()).collect();
    assert_eq!(actions, ["GetSessionToken", "AssumeRole"]);
    assert_eq!(requests[0].params["TokenCode"], "314159");
    // And the next assume without a code is served from what it made.
    w.moto.clear();
    let cached = w.rolecall(&["assume", "admin", "--shell", "bash"]);
    assert_eq!(
        common::exported(&cached.stdout, "AWS_ACCESS_KEY_ID"),
        common::exported(&coded.stdout, "AWS_ACCESS_KEY_ID")
    );
    assert_eq!(w.moto.requests().len(), 0);
}

/// STS's role-chaining rule, which the strict layer in front of moto enforces as AWS does: a
/// role assumed with temporary credentials (GetSessionToken's too) lasts an hour at most.
#[test]
fn roles_longer_than_an_hour_are_not_chained() {
    let Some(w) = World::new() else { return };
    // One role asked for 4 h: assumed straight from the user's keys with the code, no MFA session.
    let run = w.rolecall(&["assume", "admin", "--shell", "bash", "--mfa-code", "123456", "--duration", "4h"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let p = &requests[0].params;
    assert_eq!(p["Action"], "AssumeRole");
    assert_eq!((p["SerialNumber"].as_str(), p["TokenCode"].as_str()), (SERIAL, "123456"));
    assert_eq!(p["DurationSeconds"], "14400");
    assert!(requests[0].authorization.contains("Credential=AKIAI44QH8DHBEXAMPLE/"), "signed with the user's keys");
    let left = common::exported(&run.stdout, "ROLECALL_EXPIRES_AT").unwrap().parse::<i64>().unwrap() - common::now();
    assert!((14_000..=14_400).contains(&left), "{left}");
    // Cached for its life: the same again asks nothing.
    w.moto.clear();
    let again = w.rolecall(&["assume", "admin", "--shell", "bash", "--duration", "4h"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(w.moto.requests().len(), 0);
    assert_eq!(
        common::exported(&again.stdout, "AWS_ACCESS_KEY_ID"),
        common::exported(&run.stdout, "AWS_ACCESS_KEY_ID")
    );

    // A chained hop asked for 2 h: capped at one hour before the call, said in one line.
    let deep = w.rolecall(&["assume", "deep", "--shell", "bash", "--mfa-code", "123456", "--duration", "2h"]);
    assert_eq!(deep.code, 0, "{}", deep.stderr);
    assert!(deep.stderr.contains("role chaining") && deep.stderr.contains("1 hour given"), "{}", deep.stderr);
    assert_eq!(deep.stderr.lines().filter(|l| l.starts_with("rolecall:")).count(), 1, "{}", deep.stderr);
    let hop = w.moto.requests().into_iter().find(|r| r.param("RoleArn").is_some_and(|a| a.contains("Deep"))).unwrap();
    assert_eq!(hop.params["DurationSeconds"], "3600");
    assert!(w.moto.strict.refusals().is_empty(), "{:?}", w.moto.strict.refusals());
}

#[test]
fn cache_files_are_private_and_refreshed_before_expiry() {
    use std::os::unix::fs::PermissionsExt;
    let Some(w) = World::new() else { return };
    let run = w.rolecall(&["assume", "admin", "--shell", "bash", "--mfa-code", "123456"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = w.home.path.join(".cache/rolecall");
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert!(files.len() >= 2);
    for f in &files {
        assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600, "{:?}", f.path());
        assert!(!f.file_name().to_string_lossy().ends_with(".tmp"));
    }
    // Four minutes before expiry (margin 5 min) the entry is stale: a new AssumeRole, and the
    // MFA session (12 h) is still good.
    let expires: i64 = common::exported(&run.stdout, "ROLECALL_EXPIRES_AT").unwrap().parse().unwrap();
    w.moto.clear();
    let now = (expires - 240).to_string();
    let mut env = w.env();
    env.push(("ROLECALL_NOW", &now));
    let later = w.home.run_detached(&["assume", "admin", "--shell", "bash"], &env);
    assert_eq!(later.code, 0, "{}", later.stderr);
    let actions: Vec<String> = w.moto.requests().iter().map(|r| r.action().to_owned()).collect();
    assert_eq!(actions, ["AssumeRole"]);
    // --no-cache neither reads nor writes.
    w.moto.clear();
    let before: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    let nocache = w.rolecall(&["assume", "ops", "--shell", "bash", "--no-cache", "--mfa-code", "111111"]);
    assert_eq!(nocache.code, 0, "{}", nocache.stderr);
    assert_eq!(w.moto.count("GetSessionToken"), 1);
    let after: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(before.len(), after.len());
}

#[test]
fn no_mfa_session_passes_the_code_to_assume_role() {
    let Some(w) = World::new() else { return };
    let run = w.rolecall(&[
        "assume",
        "admin",
        "--shell",
        "env",
        "--mfa-code",
        "222333",
        "--no-mfa-session",
        "--duration",
        "1h",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let p = &requests[0].params;
    assert_eq!(p["Action"], "AssumeRole");
    assert_eq!(p["SerialNumber"], SERIAL);
    assert_eq!(p["TokenCode"], "222333");
    assert_eq!(p["DurationSeconds"], "3600");
    assert!(run.stdout.lines().any(|l| l == "AWS_PROFILE=admin"), "{}", run.stdout);
}

#[test]
fn mfa_durations_and_mfa_process() {
    let Some(w) = World::new() else { return };
    let run = w.rolecall(&["assume", "coded", "--shell", "bash", "--mfa-duration", "2h", "--duration", "50m"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests[0].params["TokenCode"], "654321", "the code came from mfa_process");
    assert_eq!(requests[0].params["DurationSeconds"], "7200");
    assert_eq!(requests[1].params["DurationSeconds"], "3000");
    // Longer than an hour, the role takes the code itself (role chaining would refuse it).
    w.moto.clear();
    let long = w.rolecall(&["assume", "coded", "--shell", "bash", "--duration", "90m"]);
    assert_eq!(long.code, 0, "{}", long.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].params["TokenCode"], "654321");
    assert_eq!(requests[0].params["DurationSeconds"], "5400");
}

#[test]
fn static_profiles() {
    let Some(w) = World::new() else { return };
    // No MFA: the keys as they are, said on stderr, no expiry variables.
    let plain = w.rolecall(&["assume", "plain", "--shell", "bash"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(plain.stderr.contains("long-term keys"), "{}", plain.stderr);
    assert_eq!(common::exported(&plain.stdout, "AWS_ACCESS_KEY_ID"), Some("AKIAPLAINEXAMPLE"));
    assert!(
        plain.stdout.contains("\\builtin unset AWS_SESSION_TOKEN\n")
            && plain.stdout.contains("\\builtin unset ROLECALL_EXPIRES_AT\n")
    );
    assert_eq!(w.moto.requests().len(), 0);
    // With mfa_serial: GetSessionToken, and the session is what the shell gets.
    let user = w.rolecall(&["assume", "user-mfa", "--shell", "bash", "--mfa-code", "123456", "--duration", "3h"]);
    assert_eq!(user.code, 0, "{}", user.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].action(), "GetSessionToken");
    assert_eq!(requests[0].params["DurationSeconds"], "10800");
    assert!(common::exported(&user.stdout, "AWS_SESSION_TOKEN").is_some());
}

#[test]
fn credential_process_base_then_role() {
    let Some(w) = World::new() else { return };
    let run = w.rolecall(&["assume", "proc-role", "--shell", "bash"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].authorization.contains("Credential=AKIAPROCESS/"));
}

#[test]
fn the_aws_cli_reuses_the_role_rolecall_assumed() {
    if !require("aws") {
        return;
    }
    let Some(w) = World::new() else { return };
    let run = w.rolecall(&["assume", "admin", "--shell", "bash", "--mfa-code", "123456"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    w.moto.clear();
    let out = w.aws(&[("AWS_PROFILE", "admin")], &["sts", "get-caller-identity", "--query", "Arn", "--output", "text"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(":assumed-role/Admin/tester"));
    let actions: Vec<String> = w.moto.requests().iter().map(|r| r.action().to_owned()).collect();
    assert_eq!(actions, ["GetCallerIdentity"], "no second AssumeRole, no MFA prompt");
}

#[test]
fn boto3_uses_rolecall_as_credential_process() {
    if !require("python3") {
        return;
    }
    let Some(w) = World::new() else { return };
    let bin = env!("CARGO_BIN_EXE_rolecall");
    w.home.write(
        "config",
        &format!("{CONFIG}\n[profile tf]\ncredential_process = {bin} credential-process admin --mfa-code 123456\nregion = eu-west-1\n"),
    );
    let script = "import boto3; print(boto3.Session(profile_name='tf').client('sts').get_caller_identity()['Arn'])";
    let out = w.home.command("python3", &w.env()).args(["-c", script]).stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(":assumed-role/Admin/tester"));
    w.home.assert_no_secret_in(&String::from_utf8_lossy(&out.stderr), "");
    // And the JSON itself is v1.
    let run = w.rolecall(&["credential-process", "admin"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert!(json["Expiration"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn eight_shells_at_once_make_one_sts_call_each() {
    let Some(w) = World::new() else { return };
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = w.home.command("setsid", &w.env());
            cmd.args([
                "--wait",
                env!("CARGO_BIN_EXE_rolecall"),
                "assume",
                "admin",
                "--shell",
                "bash",
                "--mfa-code",
                "123456",
            ]);
            cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
        })
        .collect();
    let outputs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let keys: Vec<String> = outputs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let stdout = String::from_utf8_lossy(&o.stdout);
            w.home.assert_no_secret_in(&String::from_utf8_lossy(&o.stderr), &stdout);
            common::exported(&stdout, "AWS_ACCESS_KEY_ID").unwrap().to_owned()
        })
        .collect();
    assert!(keys.iter().all(|k| k == &keys[0]), "every shell got the same credentials");
    assert_eq!(w.moto.count("GetSessionToken"), 1);
    assert_eq!(w.moto.count("AssumeRole"), 1);
}

#[test]
fn exec_runs_the_command_with_the_contract() {
    let Some(w) = World::new() else { return };
    let run = w.rolecall(&[
        "exec",
        "admin",
        "--mfa-code",
        "123456",
        "--",
        "sh",
        "-c",
        "echo \"$AWS_PROFILE $AWS_REGION\"; exit 7",
    ]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert_eq!(run.stdout, "admin eu-west-1\n");
    // `assume PROFILE -- CMD` is the same.
    let run = w.rolecall(&["assume", "admin", "--", "sh", "-c", "test -n \"$AWS_SESSION_TOKEN\""]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The vault file's passphrase, given to rolecall for a script, is not passed on to CMD.
    let mut env = w.env();
    env.push(("ROLECALL_VAULT_PASSPHRASE", "correct horse"));
    for server in [&[][..], &["--server"][..]] {
        let mut args = vec!["exec"];
        args.extend_from_slice(server);
        args.extend(["admin", "--", "sh", "-c", "echo \"[${ROLECALL_VAULT_PASSPHRASE-unset}]\""]);
        let run = w.home.run_detached(&args, &env);
        assert_eq!((run.code, run.stdout.as_str()), (0, "[unset]\n"), "{server:?}: {}", run.stderr);
    }
}

#[test]
fn whoami_for_a_profile_and_for_the_environment() {
    let Some(w) = World::new() else { return };
    let run = w.rolecall(&["whoami", "admin", "--json", "--mfa-code", "123456"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["Account"], "123456789012");
    assert!(json["Arn"].as_str().unwrap().contains(":assumed-role/Admin/"));
    let code = w.rolecall(&["assume", "deep", "--shell", "bash"]).stdout;
    let bin = env!("CARGO_BIN_EXE_rolecall");
    let text = w.bash(&code, &format!("{bin} whoami"));
    assert!(text.contains("Account  210987654321") && text.contains("assumed-role/Deep/deep-session"), "{text}");
}

#[test]
fn errors_are_one_line_and_leave_stdout_empty() {
    let Some(w) = World::new() else { return };
    let check = |run: &common::Run, want: &str| {
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(run.stdout, "", "nothing for the shell to evaluate");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(want), "want {want:?} in {}", run.stderr);
    };
    check(&w.rolecall(&["assume", "admn", "--shell", "bash"]), "profile `admn` not found; did you mean `admin`?");
    // No terminal and no code.
    check(
        &w.rolecall(&["assume", "admin", "--shell", "bash"]),
        &format!("MFA code needed for {SERIAL}: pass --mfa-code or set mfa_process"),
    );
    check(&w.rolecall(&["assume", "admin", "--shell", "bash", "--mfa-code", "12"]), "must be 6 digits");
    check(&w.rolecall(&["assume", "admin", "--shell", "bash", "--duration", "5m"]), "--duration 300s: STS accepts");
    check(&w.rolecall(&["assume", "admin", "--shell", "bash", "--duration", "soon"]), "--duration \"soon\": expected");
    // STS unreachable: a port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{closed}");
    let run = w.home.run_detached(
        &["assume", "admin", "--shell", "bash", "--mfa-code", "123456"],
        &[("AWS_ENDPOINT_URL_STS", &url)],
    );
    check(&run, &format!("cannot reach {url}"));
    // A broken source chain.
    w.home.write("config", &format!("{CONFIG}\n[profile loop]\nsource_profile = loop2\nrole_arn = arn:aws:iam::1:role/a\n[profile loop2]\nsource_profile = loop\nrole_arn = arn:aws:iam::1:role/b\n"));
    check(&w.rolecall(&["assume", "loop", "--shell", "bash"]), "loop");
    check(&w.rolecall(&["assume", "--shell", "bash"]), "name a profile");
}

#[test]
fn sts_refusals_read_well() {
    // moto with auth on: every call with unknown keys is a real 403 InvalidClientTokenId.
    let Some(moto) = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]) else { return };
    let Some(w) = World::with_moto(moto) else { return };
    let run = w.rolecall(&["assume", "admin", "--shell", "bash", "--mfa-code", "123456"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("STS GetSessionToken"), "{}", run.stderr);
    assert!(run.stderr.contains("InvalidClientTokenId"), "{}", run.stderr);
}

#[test]
fn unset_clears_the_contract() {
    let home = TempHome::new();
    let run = home.run(&["assume", "--unset", "--shell", "fish"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("set -e AWS_ACCESS_KEY_ID\n") && run.stdout.contains("set -e ROLECALL_PROFILE\n"));
}

/// Drive rolecall through a pseudo-terminal with pexpect: the prompt names the profile and the
/// device, a malformed code is asked again, Ctrl-D cancels with 130.
fn pexpect(w: &World, script: &str) -> String {
    let program = format!("import pexpect, sys\nbin = {bin:?}\n{script}", bin = env!("CARGO_BIN_EXE_rolecall"),);
    let out = w.home.command("python3", &w.env()).args(["-c", &program]).stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn mfa_prompt_on_the_terminal() {
    if !require("python3") {
        return;
    }
    let Some(w) = World::new() else { return };
    let transcript = pexpect(
        &w,
        r#"
child = pexpect.spawn(bin, ["assume", "admin", "--shell", "bash"], encoding="utf-8", timeout=30)
child.expect_exact("MFA code for admin (arn:aws:iam::123456789012:mfa/alice): ")
child.sendline("12")
child.expect_exact("an MFA code is 6 digits")
child.expect_exact("MFA code for admin")
child.sendline("246810")
child.expect(pexpect.EOF)
child.close()
assert child.exitstatus == 0, child.before
print(child.before)
"#,
    );
    assert!(transcript.contains("export AWS_PROFILE='admin'"), "{transcript}");
    assert_eq!(w.moto.requests()[0].params["TokenCode"], "246810");

    let transcript = pexpect(
        &w,
        r#"
child = pexpect.spawn(bin, ["assume", "ops", "--shell", "bash", "--refresh", "--no-mfa-session"], encoding="utf-8", timeout=30)
child.expect_exact("MFA code for ops")
child.sendeof()
child.expect(pexpect.EOF)
child.close()
print(child.exitstatus)
"#,
    );
    assert_eq!(transcript.trim(), "130");
}

#[test]
fn environment_source_and_profile_level_mfa_session_off() {
    let Some(w) = World::new() else { return };
    w.home.write(
        "config",
        &format!(
            "{CONFIG}\n[profile from-env]\ncredential_source = Environment\nrole_arn = arn:aws:iam::123456789012:role/FromEnv\n\
             [profile cli-style]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/CliStyle\n\
             mfa_serial = {SERIAL}\nmfa_session = false\n"
        ),
    );
    let mut env = w.env();
    env.extend([("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENTKEY"), ("AWS_SECRET_ACCESS_KEY", "env-secret-0123456789abcdef")]);
    let run = w.home.run_detached(&["assume", "from-env", "--shell", "bash"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].authorization.contains("Credential=AKIAENVIRONMENTKEY/"));
    assert!(!run.stderr.contains("env-secret"), "{}", run.stderr);

    w.moto.clear();
    let run = w.rolecall(&["assume", "cli-style", "--shell", "bash", "--mfa-code", "135790"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = w.moto.requests();
    assert_eq!(requests.len(), 1, "no GetSessionToken with mfa_session = false");
    assert_eq!(requests[0].params["TokenCode"], "135790");
}

#[test]
fn a_silent_sts_times_out() {
    // A socket that accepts and never answers (not an STS: nothing is ever said on it).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(3).collect();
        std::thread::sleep(std::time::Duration::from_secs(10));
        drop(conns);
    });
    let home = TempHome::new();
    home.write("config", CONFIG);
    home.write("credentials", CREDENTIALS);
    let started = std::time::Instant::now();
    let run = home.run_detached(
        &["assume", "admin", "--shell", "bash", "--mfa-code", "123456"],
        &[("AWS_ENDPOINT_URL_STS", &url), ("ROLECALL_TIMEOUT", "1s")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("no answer from {url} within 1 s")), "{}", run.stderr);
    // The stated figure is the total, retries included (it was three attempts of it).
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_millis(1900), "gave up after {took:?}, not 1 s");
    drop(held);
}

/// A second shell waits for another terminal's MFA prompt a bounded time and says so; one that
/// has its own code does not wait at all.
#[test]
fn a_second_shell_does_not_wait_forever_behind_an_mfa_prompt() {
    if !require("python3") {
        return;
    }
    let Some(w) = World::new() else { return };
    let out = pexpect(
        &w,
        r#"
import subprocess, time, os
first = pexpect.spawn(bin, ["assume", "admin", "--shell", "bash"], encoding="utf-8", timeout=30)
first.expect_exact("MFA code for admin")
# Its own code: no waiting.
t = time.time()
own = subprocess.run([bin, "assume", "admin", "--shell", "bash", "--mfa-code", "111111"], capture_output=True, text=True,
                     stdin=subprocess.DEVNULL, start_new_session=True)
print("own", own.returncode, round(time.time() - t, 1))
# No code, no terminal: waits at most ROLECALL_LOCK_WAIT, saying why.
t = time.time()
waiting = subprocess.run([bin, "credential-process", "admin", "--refresh"], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, start_new_session=True, env=dict(os.environ, ROLECALL_LOCK_WAIT="2s"))
print("wait", waiting.returncode, round(time.time() - t, 1))
print("stderr", waiting.stderr.replace(chr(10), "|"))
first.sendline("222222")
first.expect(pexpect.EOF)
first.close()
print("first", first.exitstatus)
"#,
    );
    let line =
        |name: &str| out.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name}: {out}")).to_owned();
    let own: Vec<String> = line("own").split(' ').map(str::to_owned).collect();
    assert_eq!(own[1], "0", "{out}");
    assert!(own[2].parse::<f64>().unwrap() < 5.0, "the shell with its own code waited: {out}");
    let wait: Vec<String> = line("wait").split(' ').map(str::to_owned).collect();
    assert_eq!(wait[1], "1", "{out}");
    let waited = wait[2].parse::<f64>().unwrap();
    assert!((1.5..8.0).contains(&waited), "waited {waited} s for a 2 s bound: {out}");
    let stderr = line("stderr");
    assert!(stderr.contains("another shell is asking for the MFA code for `admin`: waiting (at most 2 s"), "{stderr}");
    assert!(stderr.contains("gave up"), "{stderr}");
    assert_eq!(line("first"), "first 0", "{out}");
}

/// `assume` says one line on stderr when it worked (profile · account · region · until, local
/// time), as granted and awsume do; `--quiet`, ROLECALL_QUIET=1 or `quiet = true` turn it off, and
/// scripts reading JSON never get it.
#[test]
fn assume_says_one_line_on_success_unless_asked_not_to() {
    let Some(w) = World::new() else { return };
    let mut env = w.env();
    env.push(("TZ", "UTC"));
    let run = w.home.run_detached(&["assume", "admin", "--shell", "bash", "--mfa-code", "123456"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expires: i64 = common::exported(&run.stdout, "ROLECALL_EXPIRES_AT").unwrap().parse().unwrap();
    let hm = format!("{:02}:{:02}", expires.rem_euclid(86_400) / 3600, expires.rem_euclid(86_400) / 60 % 60);
    assert_eq!(run.stderr, format!("admin · 123456789012 · eu-west-1 · until {hm}\n"));
    let quiet = |extra: &[&str], more: &[(&str, &str)]| {
        let mut args = vec!["assume", "admin"];
        args.extend_from_slice(extra);
        let mut env = env.clone();
        env.extend_from_slice(more);
        let run = w.home.run_detached(&args, &env);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{extra:?} {more:?}");
    };
    quiet(&["--shell", "bash", "--quiet"], &[]);
    quiet(&["--shell", "zsh", "-q"], &[]);
    quiet(&["--shell", "bash"], &[("ROLECALL_QUIET", "1")]);
    quiet(&["--shell", "json"], &[]);
    let settings = w.home.path.join(".config/rolecall");
    std::fs::create_dir_all(&settings).unwrap();
    std::fs::write(settings.join("config"), "quiet = true\n").unwrap();
    quiet(&["--shell", "fish"], &[]);
}
