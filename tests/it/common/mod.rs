//! Helpers shared by the integration tests: a private HOME per test and a way to run the binary.
#![allow(dead_code)]

pub mod kube;
pub mod moto;
pub mod oidc;
pub mod serve;
pub mod signin;
pub mod strict;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the target dir, removed when dropped.
pub struct TempHome {
    pub path: PathBuf,
}

impl TempHome {
    pub fn new() -> TempHome {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "rolecall-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join(".aws")).unwrap();
        TempHome { path }
    }

    /// A home holding copies of tests/fixtures/home/.aws.
    pub fn fixture() -> TempHome {
        let home = TempHome::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/home/.aws");
        for name in ["config", "credentials"] {
            std::fs::copy(src.join(name), home.path.join(".aws").join(name)).unwrap();
        }
        home.chmod("credentials", 0o600);
        home
    }

    /// Write both files, the credentials file private (0600).
    pub fn write_files(&self, config: &str, credentials: &str) {
        self.write("config", config);
        self.write("credentials", credentials);
        self.chmod("credentials", 0o600);
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path.join(".aws").join(name), text).unwrap();
    }

    pub fn chmod(&self, name: &str, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(self.path.join(".aws").join(name), std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Run rolecall with this HOME and a clean AWS environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// A command with this HOME and a clean AWS environment, plus `env`.
    pub fn command(&self, program: &str, env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(program);
        for (key, _) in std::env::vars() {
            // DBUS_SESSION_BUS_ADDRESS: no test reaches the person's own keyring.
            if key.starts_with("AWS_")
                || key.starts_with("ROLECALL_")
                || key.starts_with("XDG_")
                || key == "DBUS_SESSION_BUS_ADDRESS"
            {
                cmd.env_remove(key);
            }
        }
        cmd.env("HOME", &self.path).env("NO_COLOR", "1").env("USER", "tester");
        cmd.envs(env.iter().copied());
        cmd
    }

    /// Run a pexpect driver in tests/shells (`python3 DRIVER SHELL ROLECALL_BIN`) with this HOME
    /// and `env`, and check that it passed (it prints `SHELL: ok`) and put no secret on stderr.
    pub fn drive(&self, driver: &str, shell: &str, env: &[(&str, &str)]) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shells").join(driver);
        let out = self
            .command("python3", env)
            .arg(&path)
            .args([shell, env!("CARGO_BIN_EXE_rolecall")])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{driver} in {shell} failed:\n{stdout}\n{stderr}");
        assert!(stdout.contains(&format!("{shell}: ok")), "{stdout}");
        self.assert_no_secret_in(&stderr, "");
    }

    /// Run rolecall with extra environment. Every run checks that no secret reached stderr:
    /// not the fixture's keys, not the credentials printed on stdout, not the cached ones.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_rolecall"), env);
        cmd.args(args).stdin(std::process::Stdio::null());
        let out = cmd.output().unwrap();
        let run = Run::from(out, &self.path);
        self.assert_no_secret_in(&run.stderr, &run.stdout);
        // The doctor's findings are read like stderr: no secret, in any case.
        if args.first() == Some(&"doctor") {
            self.assert_no_secret_in(&run.stdout, "");
        }
        run
    }

    /// Start rolecall with `args` (and `env`) in the background, its output piped.
    pub fn spawn(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
        self.command(env!("CARGO_BIN_EXE_rolecall"), env)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Run rolecall in a new session with no controlling terminal (`setsid`).
    pub fn run_detached(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command("setsid", env);
        cmd.arg("--wait").arg(env!("CARGO_BIN_EXE_rolecall")).args(args).stdin(std::process::Stdio::null());
        let run = Run::from(cmd.output().unwrap(), &self.path);
        self.assert_no_secret_in(&run.stderr, &run.stdout);
        run
    }

    pub fn assert_no_secret_in(&self, stderr: &str, stdout: &str) {
        let mut secrets: Vec<String> = FIXTURE_SECRETS.iter().map(|s| s.to_string()).collect();
        secrets.extend(secrets_in(stdout));
        for dir in
            [self.path.join(".cache/rolecall"), self.path.join(".aws/cli/cache"), self.path.join(".aws/login/cache")]
        {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                secrets.extend(secrets_in(&std::fs::read_to_string(entry.path()).unwrap_or_default()));
            }
        }
        let lower = stderr.to_ascii_lowercase();
        for secret in secrets.iter().filter(|s| s.len() >= 8) {
            assert!(!lower.contains(&secret.to_ascii_lowercase()), "a secret reached stderr (in any case): {stderr}");
        }
    }
}

/// A person's config: an IAM user with MFA (`base`, keys in [`BASE_KEYS`]) and a role through it.
pub const BASE_ADMIN: &str = "\
[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile admin]
source_profile = base
role_arn = arn:aws:iam::123456789012:role/Admin
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1
";

/// `base`'s long-term keys, for the credentials file.
pub const BASE_KEYS: &str = "\
[base]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

/// The secret keys written in the tests' files.
pub const FIXTURE_SECRETS: &[&str] = &["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "s3cr3t-t0k3n-in-config"];

/// Secret access keys and session tokens in shell code, JSON or cache files.
pub fn secrets_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    // The console sign-in cache (camelCase) adds the refresh token and the DPoP key's PEM.
    for name in [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "SecretAccessKey",
        "SessionToken",
        "secretAccessKey",
        "sessionToken",
        "refreshToken",
        "PRIVATE KEY-----\\n",
    ] {
        let mut rest = text;
        while let Some(at) = rest.find(name) {
            rest = &rest[at + name.len()..];
            let value: String = rest
                .trim_start_matches(|c: char| "\"'=: ".contains(c))
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "+/=".contains(*c))
                .collect();
            if value.len() >= 16 {
                found.push(value);
            }
        }
    }
    found
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Output with the temporary HOME written as `$HOME`, so snapshots do not depend on it.
    pub fn from(out: Output, home: &Path) -> Run {
        let home = home.to_string_lossy();
        let clean = |b: Vec<u8>| String::from_utf8(b).unwrap().replace(home.as_ref(), "$HOME");
        Run { code: out.status.code().unwrap_or(-1), stdout: clean(out.stdout), stderr: clean(out.stderr) }
    }
}

/// The one way a test is skipped when something it needs is missing: under CI (`CI=true`) a
/// failure, never a silent pass; elsewhere one `SKIPPED: test: why` line, which `./scripts/test`
/// counts and lists in its summary.
pub fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why} (CI=true: no test is skipped)");
    }
    let thread = std::thread::current();
    eprintln!("SKIPPED: {}: {why}", thread.name().unwrap_or("?"));
}

/// A second user on this machine for a test (`useradd`, removed when dropped): files it owns,
/// links it made. Needs root, which the test machines are; elsewhere (and never under CI) the
/// test says it is skipped.
pub struct OtherUser {
    pub name: String,
    pub uid: u32,
}

impl OtherUser {
    pub fn create() -> Option<OtherUser> {
        // SAFETY: geteuid cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            skip("the second-user tests need root");
            return None;
        }
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("rctest{}x{}", std::process::id() % 100_000, N.fetch_add(1, Ordering::Relaxed));
        let status = Command::new("useradd").args(["-M", "-N", "-s", "/usr/sbin/nologin", &name]).status().unwrap();
        assert!(status.success(), "useradd {name}");
        let out = Command::new("id").args(["-u", &name]).output().unwrap();
        let uid = String::from_utf8(out.stdout).unwrap().trim().parse().unwrap();
        Some(OtherUser { name, uid })
    }

    /// Run `sh -c script` as this user.
    pub fn sh(&self, script: &str) {
        let status = Command::new("runuser").args(["-u", &self.name, "--", "sh", "-c", script]).status().unwrap();
        assert!(status.success(), "as {}: {script}", self.name);
    }

    pub fn chown(&self, path: &Path) {
        std::os::unix::fs::chown(path, Some(self.uid), None).unwrap();
    }
}

impl Drop for OtherUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
    }
}

/// Now, as unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Kill the processes (browsers) whose command line names `dir` (their data directory).
pub fn kill_browsers(dir: &Path) {
    let needle = dir.to_string_lossy().into_owned();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&needle) {
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// A `$BROWSER` in `home` that follows the page's redirects, as a browser does (Python's urllib).
pub fn browser_script(home: &TempHome) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = home.path.join("browse.py");
    std::fs::write(
        &path,
        "#!/usr/bin/env python3\nimport sys, urllib.request\nurllib.request.urlopen(sys.argv[1], timeout=10).read()\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The value `assume --shell bash` exports for `var`.
pub fn exported<'a>(code: &'a str, var: &str) -> Option<&'a str> {
    code.lines().find_map(|l| l.strip_prefix(&format!("\\builtin export {var}='"))?.strip_suffix('\''))
}

/// rolecall's own config in `home` choosing headless Chromium as the browser
/// (`console_browser`, through rolecall's launcher); the browsers' data directories.
pub fn headless_chromium(home: &TempHome) -> PathBuf {
    let config_dir = home.path.join(".config/rolecall");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config"),
        "# rolecall\nconsole_browser = chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync\n",
    )
    .unwrap();
    home.path.join(".local/share/rolecall/browser")
}
