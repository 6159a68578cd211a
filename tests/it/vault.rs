//! `rolecall vault`: a real Secret Service (gnome-keyring-daemon on a private D-Bus session bus,
//! unlocked with a test password, one per test) and the age-encrypted file with a real
//! passphrase; STS is moto; the aws CLI v1 and v2 and boto3 read vaulted profiles through
//! credential_process. kill -9 at random times during `import`: the key is always in the file,
//! the vault or both, and the file is whole.

use crate::common;
use common::TempHome;
use common::moto::{Moto, require};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const KEY_ID: &str = "AKIAI44QH8DHBEXAMPLE";

/// BASE_ADMIN (an IAM user with MFA, a role through it), an IAM user without MFA (`plain`) and a
/// role sourced from it (`ops`), which the aws CLI assumes itself without asking for a code.
fn config() -> String {
    format!(
        "{}\n[profile plain]\nregion = eu-west-1\n\n[profile ops]\nsource_profile = plain\nrole_arn = arn:aws:iam::123456789012:role/Ops\nregion = eu-west-1\n",
        common::BASE_ADMIN
    )
}

const CREDENTIALS: &str = "\
# my keys; keep this comment
[base]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[plain] ; the second user
aws_access_key_id=AKIAIPLAINPLAINEXAMP
aws_secret_access_key=plainSECRETplainSECRETplainSECRETplain00
\n[temp]
aws_access_key_id = ASIAITEMPTEMPEXAMPLE
aws_secret_access_key = tempSECRETtempSECRETtempSECRETtemp0000
aws_session_token = tempTOKENtempTOKENtempTOKEN
";

const PLAIN_SECRET: &str = "plainSECRETplainSECRETplainSECRETplain00";

/// The credentials file after `vault import base plain`: the key lines gone, the marker and
/// the note in their place, every other byte as it was.
const IMPORTED: &str = "\
# my keys; keep this comment
[base]
# rolecall vault: the keys of this profile are in the Secret Service; 'rolecall vault export base' puts them back
credential_process = rolecall credential-process base

[plain] ; the second user
# rolecall vault: the keys of this profile are in the Secret Service; 'rolecall vault export plain' puts them back
credential_process = rolecall credential-process plain
\n[temp]
aws_access_key_id = ASIAITEMPTEMPEXAMPLE
aws_secret_access_key = tempSECRETtempSECRETtempSECRETtemp0000
aws_session_token = tempTOKENtempTOKENtempTOKEN
";

/// The credentials file after `vault import plain` alone.
fn imported_plain() -> String {
    let from = |text: &str| {
        let start = text.find("[plain]").unwrap();
        text[start..start + text[start..].find("\n\n").unwrap()].to_owned()
    };
    CREDENTIALS.replace(&from(CREDENTIALS), &from(IMPORTED))
}

/// A private D-Bus session bus with gnome-keyring's Secret Service on it, for one HOME; both
/// daemons stop when this is dropped.
struct Keyring {
    bus: Child,
    daemon: Option<Child>,
    pub address: String,
    home: PathBuf,
}

fn runtime_dir(home: &Path) -> PathBuf {
    let dir = home.join("run");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    dir
}

impl Keyring {
    /// Start both, or `None` (outside CI) when they are not installed.
    fn start(home: &TempHome) -> Option<Keyring> {
        if !require("dbus-daemon") || !require("gnome-keyring-daemon") || !require("secret-tool") {
            return None;
        }
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut address = String::new();
        {
            use std::io::BufRead;
            let mut out = std::io::BufReader::new(bus.stdout.take().unwrap());
            out.read_line(&mut address).unwrap();
        }
        let address = address.trim().to_owned();
        assert!(address.starts_with("unix:"), "dbus-daemon printed {address:?}");
        let mut keyring = Keyring { bus, daemon: None, address, home: home.path.clone() };
        keyring.daemon(true);
        Some(keyring)
    }

    /// The environment that reaches this keyring.
    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            ("XDG_RUNTIME_DIR".into(), runtime_dir(&self.home).display().to_string()),
        ]
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("HOME", &self.home).env_remove("XDG_DATA_HOME").envs(self.env());
        cmd
    }

    /// (Re)start gnome-keyring-daemon: unlocked with the test password, or locked (the login
    /// keyring made by an earlier unlocked start stays locked without its password).
    fn daemon(&mut self, unlocked: bool) {
        if let Some(mut old) = self.daemon.take() {
            let _ = old.kill();
            let _ = old.wait();
        }
        let mut cmd = self.command("gnome-keyring-daemon");
        cmd.args(["--foreground", "--components=secrets"]);
        if unlocked {
            cmd.arg("--unlock");
        }
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            if unlocked {
                stdin.write_all(b"test-password").unwrap();
            }
        }
        self.daemon = Some(child);
        // Ready once the service has its name on the bus.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = self
                .command("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .unwrap();
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                break;
            }
            assert!(Instant::now() < deadline, "gnome-keyring-daemon did not register on the bus");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the keyring holds for `profile` (rolecall's item), through secret-tool.
    fn lookup(&self, profile: &str) -> Option<String> {
        let out = self
            .command("secret-tool")
            .args(["lookup", "application", "rolecall", "profile", profile])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.success() && !text.is_empty()).then_some(text)
    }

    fn clear(&self, profile: &str) {
        let _ = self.command("secret-tool").args(["clear", "application", "rolecall", "profile", profile]).status();
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn run(home: &TempHome, keyring: &Keyring, args: &[&str], extra: &[(&str, &str)]) -> common::Run {
    let env = keyring.env();
    let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend_from_slice(extra);
    home.run_env(args, &all)
}

fn credentials(home: &TempHome) -> String {
    std::fs::read_to_string(home.path.join(".aws/credentials")).unwrap()
}

/// Every file under HOME that holds `secret` in clear (gnome-keyring's own files are encrypted).
fn files_with(home: &Path, secret: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![home.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if std::fs::read(&path).is_ok_and(|b| b.windows(secret.len()).any(|w| w == secret.as_bytes())) {
                found.push(path);
            }
        }
    }
    found
}

/// PATH with the binary under test first, as `rolecall` for credential_process.
fn path_with_rolecall() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_rolecall")).parent().unwrap().display().to_string();
    format!("{bin}:{}", std::env::var("PATH").unwrap_or_default())
}

/// The ARN the aws CLI (`aws` is v1 from PyPI, `/usr/bin/aws` v2 from Debian) or boto3 gets for
/// `profile`.
fn client_arn(home: &TempHome, keyring: &Keyring, moto: &Moto, client: &str, profile: &str) -> String {
    let path = path_with_rolecall();
    let env = keyring.env();
    let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend([
        ("PATH", path.as_str()),
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let mut cmd = match client {
        "boto3" => {
            let mut c = home.command("python3", &all);
            c.args(["-c", &format!("import boto3; print(boto3.session.Session(profile_name='{profile}').client('sts', endpoint_url='{}').get_caller_identity()['Arn'])", moto.url)]);
            c
        }
        aws => {
            let mut c = home.command(aws, &all);
            c.args([
                "sts",
                "get-caller-identity",
                "--profile",
                profile,
                "--endpoint-url",
                &moto.url,
                "--query",
                "Arn",
                "--output",
                "text",
            ]);
            c
        }
    };
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{client} --profile {profile}: {stderr}");
    home.assert_no_secret_in(&stderr, "");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn cache_names(home: &TempHome) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(home.path.join(".cache/rolecall"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

#[test]
fn import_moves_the_keys_and_every_client_still_works() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = TempHome::new();
    home.write_files(&config(), CREDENTIALS);
    let Some(keyring) = Keyring::start(&home) else { return };
    let sts = [("AWS_ENDPOINT_URL_STS", moto.url.as_str())];

    // Before: the doctor names the plain-text keys; a role through MFA is cached.
    let doctor = run(&home, &keyring, &["doctor"], &[]);
    assert!(
        doctor.stdout.contains("plaintext-keys") && doctor.stdout.contains("rolecall vault import base"),
        "{}",
        doctor.stdout
    );
    let first = run(&home, &keyring, &["export", "admin", "--format", "json", "--mfa-code", "123456"], &sts);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let cached = cache_names(&home);
    assert_eq!(moto.count("GetSessionToken"), 1);

    // Import: both users (the one with a session token is skipped, said on stderr). An older
    // backup holding the keys goes too.
    home.write("credentials.bak", CREDENTIALS);
    home.chmod("credentials.bak", 0o600);
    let import = run(&home, &keyring, &["vault", "import"], &[]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    assert!(import.stderr.contains("removed ~/.aws/credentials.bak: it held the keys"), "{}", import.stderr);
    assert!(import.stderr.contains("skipped: `temp` holds temporary credentials"), "{}", import.stderr);
    assert_eq!(credentials(&home), IMPORTED);
    assert!(!home.path.join(".aws/credentials.bak").exists(), "no backup keeps the keys");
    assert_eq!(keyring.lookup("base").as_deref().map(|s| s.contains(SECRET)), Some(true));
    for secret in [SECRET, PLAIN_SECRET] {
        let holders: Vec<PathBuf> = files_with(&home.path, secret);
        assert!(holders.is_empty(), "{secret} is in clear in {holders:?}");
    }
    let doctor = run(&home, &keyring, &["doctor"], &[]);
    assert!(
        !doctor.stdout.contains("[base]: the long-term keys") && !doctor.stdout.contains("credential-process-loop"),
        "{}",
        doctor.stdout
    );

    // The cache is the same: a cached assume needs no keyring, no STS.
    assert_eq!(cache_names(&home), cached);
    let no_bus = [sts[0], ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")];
    let again = run(&home, &keyring, &["export", "admin", "--format", "json"], &no_bus);
    assert_eq!(again.code, 0, "a cache hit touches no keyring: {}", again.stderr);
    assert_eq!(again.stdout, first.stdout);
    assert_eq!(moto.count("AssumeRole"), 1);

    // A cache miss reads the key from the keyring: GetSessionToken is signed with it.
    std::fs::remove_dir_all(home.path.join(".cache/rolecall")).unwrap();
    moto.clear();
    let miss = run(&home, &keyring, &["assume", "admin", "--shell", "json", "--mfa-code", "654321"], &sts);
    assert_eq!(miss.code, 0, "{}", miss.stderr);
    let calls = moto.requests();
    let session = calls.iter().find(|r| r.action() == "GetSessionToken").expect("a new MFA session");
    assert!(session.authorization.contains(&format!("Credential={KEY_ID}/")), "{}", session.authorization);
    assert_eq!(calls.iter().filter(|r| r.action() == "AssumeRole").count(), 1);

    // The other tools: credential_process for the vaulted user, and for a role sourced from it
    // (the CLI runs `rolecall credential-process plain`, then AssumeRole itself with those keys).
    for client in ["aws", "/usr/bin/aws", "boto3"] {
        if client != "boto3" && !require(client) {
            continue;
        }
        moto.clear();
        // The CLIs share ~/.aws/cli/cache: each must assume the role itself.
        let _ = std::fs::remove_dir_all(home.path.join(".aws/cli/cache"));
        let arn = client_arn(&home, &keyring, &moto, client, "plain");
        assert!(arn.starts_with("arn:aws:"), "{client}: {arn}");
        // The aws CLI v2.9 has no per-service endpoint setting for the AssumeRole it makes
        // itself (it would go to AWS): the role is checked with v1 and boto3.
        let role = client != "/usr/bin/aws";
        if role {
            let arn = client_arn(&home, &keyring, &moto, client, "ops");
            assert!(arn.contains("assumed-role/Ops/"), "{client}: {arn}");
        }
        let signed: Vec<String> =
            moto.requests().iter().map(|r| format!("{} {}", r.action(), r.authorization)).collect();
        let with_plain = |action: &str| {
            signed.iter().any(|s| s.starts_with(action) && s.contains("Credential=AKIAIPLAINPLAINEXAMP/"))
        };
        assert!(with_plain("GetCallerIdentity") && (!role || with_plain("AssumeRole")), "{client}: {signed:?}");
    }
    let process = run(&home, &keyring, &["credential-process", "plain"], &[]);
    assert_eq!(process.code, 0, "{}", process.stderr);
    assert!(process.stdout.contains(PLAIN_SECRET));

    // list: backend and the masked key id, never a secret nor the whole key id.
    let list = run(&home, &keyring, &["vault", "list"], &[]);
    assert_eq!(list.stdout, "base   secret-service  ****MPLE\nplain  secret-service  ****XAMP\n");
    let json = run(&home, &keyring, &["vault", "list", "--json"], &[]);
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(rows[0]["profile"], "base");
    assert_eq!(rows[0]["backend"], "secret-service");
    assert_eq!(rows[1]["in_files"], true);
    for out in [&list.stdout, &json.stdout] {
        assert!(!out.contains(SECRET) && !out.contains(KEY_ID) && !out.contains(PLAIN_SECRET));
    }
    assert_eq!(run(&home, &keyring, &["list"], &[]).stdout.lines().filter(|l| l.contains(" vault ")).count(), 2);

    // And back: export puts the keys where they were, byte for byte; rm takes a profile out.
    let back = run(&home, &keyring, &["vault", "export", "base", "--yes"], &[]);
    assert_eq!(back.code, 0, "{}", back.stderr);
    let text = credentials(&home);
    assert!(text.starts_with("# my keys; keep this comment\n[base]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[plain] ; the second user\n# rolecall vault"), "{text}");
    assert_eq!(keyring.lookup("base"), None);
    let rm = run(&home, &keyring, &["vault", "rm", "plain", "--yes"], &[]);
    assert_eq!(rm.code, 0, "{}", rm.stderr);
    assert_eq!(keyring.lookup("plain"), None);
    assert!(!credentials(&home).contains("credential-process plain"));
    assert_eq!(run(&home, &keyring, &["vault", "list", "--json"], &[]).stdout.trim(), "[]");
}

/// One line on stderr, exit ≠ 0, nothing on stdout, and the files as they were.
fn refused(home: &TempHome, run: &common::Run, before: &str, says: &str) {
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(says), "want {says:?}: {}", run.stderr);
    assert_eq!(credentials(home), before, "nothing changed");
}

#[test]
fn refusals_are_one_line_and_change_nothing() {
    let home = TempHome::new();
    home.write_files(&config(), CREDENTIALS);
    let Some(mut keyring) = Keyring::start(&home) else { return };
    let settings = home.path.join(".config/rolecall");
    std::fs::create_dir_all(&settings).unwrap();

    // Temporary keys do not belong in the vault.
    let r = run(&home, &keyring, &["vault", "import", "temp"], &[]);
    refused(&home, &r, CREDENTIALS, "`temp` holds temporary credentials (a session token)");
    assert_eq!(keyring.lookup("temp"), None);

    // Missing D-Bus, the backend named.
    std::fs::write(settings.join("config"), "vault_backend = secret-service\n").unwrap();
    let r = home.run_env(&["vault", "import", "base"], &[]);
    refused(&home, &r, CREDENTIALS, "no D-Bus session bus");
    let r = home.run_env(&["vault", "import", "base"], &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")]);
    refused(&home, &r, CREDENTIALS, "Secret Service");

    // Already vaulted.
    assert_eq!(run(&home, &keyring, &["vault", "import", "base"], &[]).code, 0);
    let after = credentials(&home);
    let r = run(&home, &keyring, &["vault", "import", "base"], &[]);
    refused(&home, &r, &after, "`base` is already in the vault");
    let r = run(&home, &keyring, &["vault", "add", "base"], &[]);
    refused(&home, &r, &after, "already in the vault");

    // A locked keyring: import, and the vaulted profile's credentials, are one line each.
    keyring.daemon(false);
    let r = run(&home, &keyring, &["vault", "import", "plain"], &[]);
    refused(&home, &r, &after, "the keyring is locked");
    let r = run(&home, &keyring, &["credential-process", "base"], &[]);
    refused(&home, &r, &after, "the keyring is locked");

    // Reached without D-Bus (over SSH): the profile and the backend are named.
    let r = home.run_env(&["credential-process", "base"], &[]);
    refused(
        &home,
        &r,
        &after,
        "profile `base`: its keys are in the vault's secret-service, which cannot be reached here",
    );
    assert!(r.stderr.contains("no D-Bus session bus"), "{}", r.stderr);
}

/// Run `vault import PROFILE` under a pseudo-terminal, typing `passphrases` at its prompts.
fn import_on_a_terminal(home: &TempHome, profile: &str, passphrases: &[&str]) -> (i32, String) {
    let script = r#"
import pexpect, sys
child = pexpect.spawn(sys.argv[1], ["vault", "import", sys.argv[2]], encoding="utf-8", timeout=60)
for answer in sys.argv[3:]:
    child.expect(["New passphrase", "same passphrase", "Passphrase for"])
    child.sendline(answer)
child.expect(pexpect.EOF)
child.close()
print(child.before.replace("\r", ""))
sys.exit(child.exitstatus)
"#;
    let mut args = vec!["-c", script, env!("CARGO_BIN_EXE_rolecall"), profile];
    args.extend_from_slice(passphrases);
    let out = home.command("python3", &[]).args(&args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_encrypted_file_holds_no_key_in_clear() {
    if !require("python3") {
        return;
    }
    let home = TempHome::new();
    home.write_files(&config(), CREDENTIALS);
    let settings = home.path.join(".config/rolecall");
    std::fs::create_dir_all(&settings).unwrap();
    std::fs::write(settings.join("config"), "vault_backend = file\nvault_unlock_minutes = 0\n").unwrap();

    // The passphrase typed twice on a terminal, not echoed.
    let (code, screen) = import_on_a_terminal(&home, "plain", &["correct horse", "correct horse"]);
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("correct horse"), "the passphrase is not echoed: {screen}");
    let dir = home.path.join(".local/share/rolecall/vault");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        assert_eq!(entry.metadata().unwrap().permissions().mode() & 0o777, 0o600, "{:?}", entry.path());
    }
    assert!(files_with(&home.path, PLAIN_SECRET).is_empty(), "{:?}", files_with(&home.path, PLAIN_SECRET));
    assert!(files_with(&home.path, "correct horse").is_empty());

    // Reading needs the passphrase: a wrong one is one line, nothing on stdout.
    let before = credentials(&home);
    let r = home.run_env(&["credential-process", "plain"], &[("ROLECALL_VAULT_PASSPHRASE", "wrong")]);
    refused(&home, &r, &before, "wrong passphrase for the vault file");
    let r = home.run_env(&["credential-process", "plain"], &[]);
    refused(&home, &r, &before, "the vault file needs its passphrase");
    let ok = home.run_env(&["credential-process", "plain"], &[("ROLECALL_VAULT_PASSPHRASE", "correct horse")]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains(PLAIN_SECRET));

    // Unlocked for a while: the kernel's keyring keeps the identity, so no passphrase is asked.
    std::fs::write(settings.join("config"), "vault_backend = file\nvault_unlock_minutes = 1\n").unwrap();
    let ok = home.run_env(&["credential-process", "plain"], &[("ROLECALL_VAULT_PASSPHRASE", "correct horse")]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let kept = home.run_env(&["credential-process", "plain"], &[]);
    assert_eq!(kept.code, 0, "unlocked: {}", kept.stderr);
    assert!(kept.stdout.contains(PLAIN_SECRET));

    // Adding needs only the public half: no passphrase.
    let add = home
        .command(env!("CARGO_BIN_EXE_rolecall"), &[])
        .args(["vault", "add", "extra"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        add.stdin
            .as_ref()
            .unwrap()
            .write_all(b"AKIAIEXTRAEXTRAEXAMP\nextraSECRETextraSECRETextraSECRETextra00\n")
            .unwrap();
    }
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(files_with(&home.path, "extraSECRETextraSECRET").is_empty());
    // On a terminal: the key id echoed, the secret not.
    let script = r#"
import pexpect, sys
child = pexpect.spawn(sys.argv[1], ["vault", "add", "typed"], encoding="utf-8", timeout=60)
child.expect_exact("AWS Access Key ID for typed: "); child.sendline("AKIAITYPEDTYPEDEXAMP")
child.expect_exact("AWS Secret Access Key: "); child.sendline("typedSECRETtypedSECRETtypedSECRETtyped00")
child.expect(pexpect.EOF); child.close()
print(child.before.replace("\r", ""))
sys.exit(child.exitstatus)
"#;
    let out = home.command("python3", &[]).args(["-c", script, env!("CARGO_BIN_EXE_rolecall")]).output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}{}", String::from_utf8_lossy(&out.stderr));
    assert!(!screen.contains("typedSECRET"), "the secret was echoed: {screen}");
    assert!(files_with(&home.path, "typedSECRETtypedSECRET").is_empty());
    let list = home.run(&["vault", "list"]);
    assert_eq!(
        list.stdout,
        "extra  file            ****XAMP\nplain  file            ****XAMP\ntyped  file            ****XAMP\n"
    );
    let typed = home.run_env(&["credential-process", "typed"], &[("ROLECALL_VAULT_PASSPHRASE", "correct horse")]);
    assert!(typed.stdout.contains("typedSECRETtypedSECRETtypedSECRETtyped00"), "{}", typed.stderr);

    // `vault rm` takes out what `vault add` made: no empty `[extra]` is left behind.
    let rm = home.run_env(&["vault", "rm", "extra", "--yes"], &[]);
    assert_eq!(rm.code, 0, "{}", rm.stderr);
    assert!(!credentials(&home).contains("[extra]"), "{}", credentials(&home));

    // A typed passphrase may be wrong twice (three tries, as MFA codes).
    let script = r#"
import pexpect, sys
child = pexpect.spawn(sys.argv[1], ["credential-process", "plain"], encoding="utf-8", timeout=60)
for prompt, answer in [("Passphrase for", "wrong"), ("not accepted. Passphrase for", "still wrong"),
                       ("not accepted. Passphrase for", "correct horse")]:
    child.expect_exact(prompt)
    child.sendline(answer)
child.expect(pexpect.EOF); child.close()
print(child.before.replace("\r", ""))
sys.exit(child.exitstatus)
"#;
    std::fs::write(settings.join("config"), "vault_backend = file\nvault_unlock_minutes = 0\n").unwrap();
    let out = home.command("python3", &[]).args(["-c", script, env!("CARGO_BIN_EXE_rolecall")]).output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}{}", String::from_utf8_lossy(&out.stderr));
    assert!(screen.contains(PLAIN_SECRET), "{screen}");

    // An identity whose scrypt work factor someone raised (2^22: 4 GiB and many seconds per
    // unlock) is refused at once, before scrypt runs.
    std::fs::write(settings.join("config"), "vault_backend = file\nvault_unlock_minutes = 0\n").unwrap();
    let identity = dir.join("identity.age");
    let mut bytes = std::fs::read(&identity).unwrap();
    let at = bytes.windows(10).position(|w| w == b"-> scrypt ").expect("an scrypt stanza");
    let end = at + bytes[at..].iter().position(|b| *b == b'\n').unwrap();
    assert_eq!(&bytes[end - 3..end], b" 18", "rolecall writes 2^18");
    bytes[end - 2..end].copy_from_slice(b"22");
    std::fs::write(&identity, &bytes).unwrap();
    let before = credentials(&home);
    let started = std::time::Instant::now();
    let r = home.run_env(&["credential-process", "plain"], &[("ROLECALL_VAULT_PASSPHRASE", "correct horse")]);
    refused(&home, &r, &before, "scrypt work factor 2^22, more than rolecall writes");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
}

/// A small deterministic generator for the kill times (the seed is printed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn kill_9_at_random_times_during_import_never_loses_the_key() {
    let home = TempHome::new();
    let Some(keyring) = Keyring::start(&home) else { return };
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    eprintln!("kill -9 seed: {seed}");
    let mut rng = Lcg(seed);
    let env = keyring.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // How long an import takes here, to spread the kills over all of it.
    home.write_files(&config(), CREDENTIALS);
    let t = Instant::now();
    assert_eq!(home.run_env(&["vault", "import", "plain"], &env).code, 0);
    assert_eq!(credentials(&home), imported_plain());
    let span = (t.elapsed().as_micros() as u64).max(1000) * 5 / 4;
    let (mut in_file, mut both, mut in_vault) = (0, 0, 0);
    for round in 0..40 {
        home.write_files(&config(), CREDENTIALS);
        let _ = std::fs::remove_file(home.path.join(".local/share/rolecall/vault.json"));
        keyring.clear("plain");
        let mut child = home
            .command(env!("CARGO_BIN_EXE_rolecall"), &env)
            .args(["vault", "import", "plain"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        // SAFETY: kill(2) of our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait();
        let text = credentials(&home);
        assert!(
            text == CREDENTIALS || text == imported_plain(),
            "round {round} (seed {seed}): the file is not whole:\n{text}"
        );
        let file_has = text == CREDENTIALS;
        let vault_has = keyring.lookup("plain").is_some_and(|s| s.contains(PLAIN_SECRET));
        assert!(file_has || vault_has, "round {round} (seed {seed}): the key is in neither place");
        match (file_has, vault_has) {
            (true, false) => in_file += 1,
            (true, true) => both += 1,
            _ => in_vault += 1,
        }
        // Whatever the state, rolecall gives the profile's keys.
        let r = home.run_env(&["credential-process", "plain"], &env);
        assert!(r.code == 0 && r.stdout.contains(PLAIN_SECRET), "round {round} (seed {seed}): {}", r.stderr);
    }
    eprintln!(
        "kill -9 during import, 40 runs: key in the file only {in_file}, in both {both}, in the vault only {in_vault}"
    );
}

#[test]
fn rotate_writes_the_new_key_into_the_vault() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let keys = crate::rotate::user(&moto, "carol", 1);
    let (old_id, old_secret) = &keys[0];
    let home = TempHome::new();
    home.write_files(
        "[profile carol]\nregion = eu-west-1\n",
        &format!("# carol\n[carol]\naws_access_key_id = {old_id}\naws_secret_access_key = {old_secret}\n"),
    );
    let Some(keyring) = Keyring::start(&home) else { return };
    assert_eq!(run(&home, &keyring, &["vault", "import", "carol"], &[]).code, 0);
    let before = credentials(&home);
    let r = run(&home, &keyring, &["rotate", "carol"], &[("AWS_ENDPOINT_URL", &moto.url)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let now = crate::rotate::listed(&moto, "carol");
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(&now[0], old_id, "the old key is still in IAM");
    assert_eq!(credentials(&home), before, "the file still points at the vault, no key in it");
    let held = keyring.lookup("carol").unwrap();
    assert!(held.contains(&now[0]) && !held.contains(old_secret.as_str()), "{held}");
    let entry: serde_json::Value = serde_json::from_str(&held).unwrap();
    let new_secret = entry["SecretAccessKey"].as_str().unwrap();
    assert!(files_with(&home.path, new_secret).is_empty());
    let list = run(&home, &keyring, &["vault", "list", "--json"], &[]);
    assert!(list.stdout.contains(&format!("****{}", &now[0][now[0].len() - 4..])), "{}", list.stdout);
}

/// Without a keyring (no D-Bus, as over SSH) the vault falls back to the encrypted file and says
/// so once, when it makes the file, not at every command after.
#[test]
fn the_fallback_to_the_file_is_said_once() {
    let home = TempHome::new();
    home.write_files(&config(), CREDENTIALS);
    let add = |name: &str, key: &str| {
        let mut child = home
            .command(env!("CARGO_BIN_EXE_rolecall"), &[("ROLECALL_VAULT_PASSPHRASE", "correct horse")])
            .args(["vault", "add", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{key}\nsecretSECRETsecretSECRETsecretSECRET00\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let first = add("one", "AKIAIONEONEONEEXAMPL");
    assert!(first.contains("no OS keyring") && first.contains("encrypted file"), "{first}");
    let second = add("two", "AKIAITWOTWOTWOEXAMPL");
    assert!(!second.contains("no OS keyring"), "said again: {second}");
}
