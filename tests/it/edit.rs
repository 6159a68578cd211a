//! Editing the AWS files: every command on a corpus of real-looking files (comments everywhere,
//! CRLF, a BOM, tabs, continuation lines, `s3 =` blocks, duplicate sections, no final newline)
//! changes exactly the lines it is about (insta snapshots of the line diffs), and the real aws
//! CLI reads the new values back; random documents × random edits leave everything else
//! identical (proptest); a writer killed at any point leaves the old or the new file, never a
//! partial one; symlinks, modes, backups, the lock; the refusals.

use crate::common;

use common::TempHome;
use common::moto::require;
use proptest::prelude::*;
use rolecall::files::document::{Document, Visitor};
use rolecall::files::edit::Editor;
use rolecall::files::{AwsFiles, FileKind, SourceFile};
use std::borrow::Cow;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

const CONFIG: &str = "\
# Team config: edited by hand for years.
[default]
region = eu-west-1   # Ireland
output=json

; the IAM user
[profile base]
region\t=\tus-east-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice
s3 =
  max_concurrent_requests = 20
  addressing_style = path
cli_pager=

# the admin role (wiki says mfa_arn)
[profile admin]  # the one you want
source_profile = base
role_arn = arn:aws:iam::123456789012:role/Admin
region = eu-central-1
unknown_key = kept

[profile admin]
region = eu-west-3

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
";

const CREDENTIALS: &str = "\
# keys
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[old]
aws_access_key_id=AKIAI44QH8DHBEXAMPLE
aws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
";

/// The corpus: each variant of the two files, by name.
fn corpus() -> Vec<(&'static str, String, String)> {
    let crlf = |s: &str| s.replace('\n', "\r\n");
    vec![
        ("lf", CONFIG.to_owned(), CREDENTIALS.to_owned()),
        ("crlf", crlf(CONFIG), crlf(CREDENTIALS)),
        ("no_final_newline", CONFIG.trim_end().to_owned(), CREDENTIALS.trim_end().to_owned()),
        ("missing", String::new(), String::new()),
        // botocore's configparser refuses a BOM and duplicate sections, and reads a `# comment`
        // after a value as part of it (the SDKs do not): the variant the real CLI reads back.
        (
            "readable_by_the_cli",
            CONFIG.replace("\n[profile admin]\nregion = eu-west-3\n", "").replace("   # Ireland", ""),
            CREDENTIALS.to_owned(),
        ),
    ]
}

/// (profile, key, value) the aws CLI must read back after a command (`None`: not set).
type ReadBack = (&'static str, &'static str, Option<&'static str>);

/// The commands, each with what the aws CLI must read back afterwards.
fn commands() -> Vec<(&'static str, Vec<&'static str>, Vec<ReadBack>)> {
    vec![
        (
            "set_existing",
            vec!["configure", "set", "base", "region", "eu-north-1"],
            vec![("base", "region", Some("eu-north-1"))],
        ),
        ("set_new_key", vec!["configure", "set", "admin", "output", "text"], vec![("admin", "output", Some("text"))]),
        (
            "set_duplicate",
            vec!["configure", "set", "admin", "region", "ap-south-1"],
            vec![("admin", "region", Some("ap-south-1"))],
        ),
        (
            "set_default",
            vec!["configure", "set", "default", "region", "us-west-2"],
            vec![("default", "region", Some("us-west-2"))],
        ),
        (
            "set_subproperty_block",
            vec!["configure", "set", "base", "s3", "off"],
            vec![("base", "region", Some("us-east-1"))],
        ),
        (
            "set_new_profile",
            vec!["configure", "set", "fresh", "region", "sa-east-1"],
            vec![("fresh", "region", Some("sa-east-1"))],
        ),
        ("unset", vec!["configure", "unset", "admin", "region"], vec![("admin", "region", None)]),
        (
            "configure_keys",
            vec![
                "configure",
                "base",
                "--access-key-id",
                "AKIAIOSFODNN7NEWKEY1",
                "--secret-access-key-stdin",
                "--output",
                "yaml",
            ],
            vec![("base", "aws_access_key_id", Some("AKIAIOSFODNN7NEWKEY1")), ("base", "output", Some("yaml"))],
        ),
        (
            "role",
            vec![
                "configure",
                "role",
                "ops",
                "--source-profile",
                "admin",
                "--role-arn",
                "arn:aws:iam::210987654321:role/Ops",
                "--mfa-serial",
                "arn:aws:iam::123456789012:mfa/alice",
                "--duration-seconds",
                "3600",
                "--region",
                "us-east-2",
            ],
            vec![
                ("ops", "role_arn", Some("arn:aws:iam::210987654321:role/Ops")),
                ("ops", "duration_seconds", Some("3600")),
            ],
        ),
        (
            "rename",
            vec!["rename", "base", "user"],
            vec![("user", "region", Some("us-east-1")), ("admin", "source_profile", Some("user"))],
        ),
        ("rm", vec!["rm", "old", "--yes"], vec![("old", "aws_access_key_id", None)]),
    ]
}

fn unified(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new).unified_diff().context_radius(1).to_string()
}

#[test]
fn each_command_changes_only_its_lines() {
    for (variant, config, credentials) in corpus() {
        for (name, args, expect) in commands() {
            let home = TempHome::new();
            if !config.is_empty() {
                home.write_files(&config, &credentials);
            } else if name != "set_new_profile" && name != "configure_keys" {
                continue; // the other commands need the files
            }
            let mut cmd = home.command(env!("CARGO_BIN_EXE_rolecall"), &[]);
            let mut child =
                cmd.args(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
            {
                use std::io::Write;
                // Only `--secret-access-key-stdin` reads it; the others may have exited already.
                let _ = child.stdin.take().unwrap().write_all(b"newSecret/EXAMPLEKEY\n");
            }
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{variant}/{name}: {stderr}");
            assert!(!stderr.contains("newSecret") && !stderr.contains("wJalrXUtn"), "a secret on stderr: {stderr}");
            let read = |f: &str| std::fs::read_to_string(home.path.join(".aws").join(f)).unwrap_or_default();
            let diff = format!(
                "--- config\n{}--- credentials\n{}",
                unified(&config, &read("config")),
                unified(&credentials, &read("credentials"))
            );
            insta::assert_snapshot!(format!("edit_{variant}_{name}"), diff);
            // Backups hold the previous bytes; the credentials file stays private.
            if !config.is_empty() && read("config") != config {
                assert_eq!(std::fs::read_to_string(home.path.join(".aws/config.bak")).unwrap(), config);
            }
            let mode = std::fs::metadata(home.path.join(".aws/credentials")).map(|m| m.permissions().mode() & 0o777);
            assert!(matches!(mode, Ok(0o600) | Err(_)), "{variant}/{name}: credentials mode {mode:?}");
            if variant == "readable_by_the_cli" && require("aws") {
                for (profile, key, value) in &expect {
                    let got = home
                        .command("aws", &[])
                        .args(["configure", "get", key, "--profile", profile])
                        .output()
                        .unwrap();
                    let got = String::from_utf8_lossy(&got.stdout).trim().to_owned();
                    assert_eq!(
                        got,
                        value.unwrap_or(""),
                        "{variant}/{name}: aws configure get {key} --profile {profile}"
                    );
                }
            }
        }
    }
}

#[test]
fn refusals_are_one_line_and_change_nothing() {
    let home = TempHome::new();
    home.write_files(CONFIG, CREDENTIALS);
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "configure",
                "role",
                "loop",
                "--source-profile",
                "loop",
                "--role-arn",
                "arn:aws:iam::123456789012:role/X",
            ],
            "its own source_profile",
        ),
        (
            &[
                "configure",
                "role",
                "base",
                "--source-profile",
                "admin",
                "--role-arn",
                "arn:aws:iam::123456789012:role/X",
            ],
            "loop",
        ),
        (
            &["configure", "role", "x", "--source-profile", "bsae", "--role-arn", "arn:aws:iam::123456789012:role/X"],
            "did you mean `base`",
        ),
        (&["configure", "role", "x", "--source-profile", "base", "--role-arn", "arn:aws:iam::1234:role/X"], "role_arn"),
        (&["configure", "set", "base", "region", "a b"], "region"),
        (&["configure", "set", "base", "role_arn", "x #y"], "role_arn"),
        (&["configure", "base", "--output", "xml"], "output"),
        (&["configure", "new", "--access-key-id", "AKIAIOSFODNN7NEWKEY1"], "give both"),
        (&["rename", "base", "admin"], "already exists"),
        (&["rename", "nosuch", "x"], "not found"),
        (&["rm", "base", "--yes"], "source_profile of admin"),
        (&["rm", "old"], "pass --yes"),
        (&["configure"], "no terminal"),
    ];
    for (args, want) in cases {
        let run = home.run(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(want) && run.stderr.trim().lines().count() == 1, "{args:?}: {}", run.stderr);
        assert_eq!(std::fs::read_to_string(home.path.join(".aws/config")).unwrap(), CONFIG, "{args:?}");
        assert_eq!(std::fs::read_to_string(home.path.join(".aws/credentials")).unwrap(), CREDENTIALS, "{args:?}");
    }
    // A file the SDKs cannot read is not edited.
    home.write("config", "[profile a\nregion = x\n");
    let run = home.run(&["configure", "set", "a", "region", "y"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("~/.aws/config:1"), "{}", run.stderr);
}

#[test]
fn symlinks_modes_and_new_files() {
    let home = TempHome::new();
    let dotfiles = home.path.join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    std::fs::write(dotfiles.join("aws-config"), CONFIG).unwrap();
    std::fs::set_permissions(dotfiles.join("aws-config"), std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink(dotfiles.join("aws-config"), home.path.join(".aws/config")).unwrap();
    let run = home.run(&["configure", "set", "base", "region", "eu-north-1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = std::fs::symlink_metadata(home.path.join(".aws/config")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced by a file");
    let target = std::fs::read_to_string(dotfiles.join("aws-config")).unwrap();
    assert!(target.contains("region\t=\teu-north-1"), "{target}");
    assert_eq!(std::fs::metadata(dotfiles.join("aws-config")).unwrap().permissions().mode() & 0o777, 0o640);
    assert_eq!(std::fs::metadata(dotfiles.join("aws-config.bak")).unwrap().permissions().mode() & 0o777, 0o600);
    // No ~/.aws at all: the directory 0700 and the credentials file 0600 are created.
    let fresh = TempHome::new();
    std::fs::remove_dir(fresh.path.join(".aws")).unwrap();
    let run =
        fresh.run_env(&["configure", "--access-key-id", "AKIAIOSFODNN7NEWKEY1", "--secret-access-key-stdin"], &[]);
    // stdin is /dev/null here: an empty secret is refused, nothing is created.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!fresh.path.join(".aws").exists());
    let mut child = fresh
        .command(env!("CARGO_BIN_EXE_rolecall"), &[])
        .args([
            "configure",
            "--access-key-id",
            "AKIAIOSFODNN7NEWKEY1",
            "--secret-access-key-stdin",
            "--region",
            "eu-west-1",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(b"s3cret/EXAMPLE\n").unwrap();
    }
    assert!(child.wait().unwrap().success());
    let mode = |p: &str| std::fs::metadata(fresh.path.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(".aws"), 0o700);
    assert_eq!(mode(".aws/credentials"), 0o600);
    assert_eq!(
        std::fs::read_to_string(fresh.path.join(".aws/credentials")).unwrap(),
        "[default]\naws_access_key_id = AKIAIOSFODNN7NEWKEY1\naws_secret_access_key = s3cret/EXAMPLE\n"
    );
    assert_eq!(std::fs::read_to_string(fresh.path.join(".aws/config")).unwrap(), "[default]\nregion = eu-west-1\n");
}

/// Where a test kills a writer: as soon as it is started, at one of its stops (the hook
/// `ROLECALL_TEST_WRITE_STOP`: it says it reached the stop by creating a file, then waits), or not
/// at all. Nothing is timed: each kill lands where it is meant to.
#[derive(Clone, Copy, Debug)]
enum Kill {
    AtOnce,
    AtStop(usize),
    Never,
}

/// Wait until the writer `child` created `stop` (it reached its stop and waits there).
fn wait_for_stop(child: &mut std::process::Child, stop: &std::path::Path, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !stop.exists() {
        assert!(child.try_wait().unwrap().is_none(), "{what}: it ended first");
        assert!(std::time::Instant::now() < deadline, "{what}: never reached");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Run rolecall with `args` and kill it as `kill` says.
fn write_and_kill(home: &TempHome, args: &[&str], kill: Kill) {
    let stop = home.path.join("write-stop");
    let _ = std::fs::remove_file(&stop);
    let hook = match kill {
        Kill::AtStop(n) => format!("{n}:{}", stop.display()),
        _ => String::new(),
    };
    let env: Vec<(&str, &str)> = if hook.is_empty() { vec![] } else { vec![("ROLECALL_TEST_WRITE_STOP", &hook)] };
    let mut child =
        home.command(env!("CARGO_BIN_EXE_rolecall"), &env).args(args).stderr(Stdio::null()).spawn().unwrap();
    match kill {
        Kill::AtOnce => drop(child.kill()),
        Kill::AtStop(n) => {
            wait_for_stop(&mut child, &stop, &format!("{args:?} at its stop {n}"));
            child.kill().unwrap();
        }
        Kill::Never => {}
    }
    let status = child.wait().unwrap();
    if let Kill::Never = kill {
        assert!(status.success(), "{args:?}");
    }
}

/// A writer killed at any moment leaves the old file or the new one, never a mix: killed with
/// the new file staged beside the old one, the old one; not killed, the new one.
#[test]
fn a_killed_writer_leaves_the_old_or_the_new_file() {
    let home = TempHome::new();
    home.write("config", CONFIG);
    let path = home.path.join(".aws/config");
    for (i, kill) in [Kill::AtStop(0), Kill::AtOnce, Kill::Never, Kill::AtStop(0), Kill::AtOnce].into_iter().enumerate()
    {
        let old = std::fs::read_to_string(&path).unwrap();
        let value = format!("region-{i}");
        write_and_kill(&home, &["configure", "set", "admin", "role_session_name", &value], kill);
        let now = std::fs::read_to_string(&path).unwrap();
        let mut expected = Editor::new(FileKind::Config, &Document::parse(&old));
        expected.set("admin", "role_session_name", &value).unwrap();
        match kill {
            Kill::AtStop(_) => assert_eq!(now, old, "{kill:?}: the staged file is in place"),
            Kill::Never => assert_eq!(now, expected.render(), "{kill:?}"),
            Kill::AtOnce => {
                assert!(now == old || now == expected.render(), "{kill:?}: neither the old nor the new file")
            }
        }
    }
    // The next write removes what the killed ones left (their temporary copies of the file), and
    // no name is taken twice.
    let run = home.run(&["configure", "set", "admin", "role_session_name", "after"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(home.path.join(".aws"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "copies of the file left behind: {left:?}");
}

/// Two writers at once: the lock makes the second wait, and both changes are in the file.
#[test]
fn concurrent_writers_both_land() {
    let home = TempHome::new();
    home.write("config", CONFIG);
    // The first stops holding the lock, its file staged; the second starts and must wait for it.
    let stop = home.path.join("write-stop");
    let hook = format!("0:{}", stop.display());
    let spawn = |key: &str, value: &str, env: &[(&str, &str)]| {
        home.command(env!("CARGO_BIN_EXE_rolecall"), env)
            .args(["configure", "set", "base", key, value])
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut a = spawn("output", "table", &[("ROLECALL_TEST_WRITE_STOP", &hook)]);
    wait_for_stop(&mut a, &stop, "the first writer at its stop");
    let mut b = spawn("cli_pager", "less", &[]);
    std::fs::remove_file(&stop).unwrap();
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    let text = std::fs::read_to_string(home.path.join(".aws/config")).unwrap();
    // Which one lands first decides the spacing of `output` (it follows its neighbour's).
    let files = AwsFiles::from_files(
        SourceFile::from_text(FileKind::Config, "config", &text),
        SourceFile::from_text(FileKind::Credentials, "credentials", ""),
    );
    let base = files.profiles.profile("base").unwrap();
    assert_eq!((base.get("output"), base.get("cli_pager")), (Some("table"), Some("less")), "{text}");
}

/// `configure PROFILE` on a terminal: current values masked, the secret not echoed, Enter keeps.
#[test]
fn configure_asks_on_the_terminal() {
    if !require("python3") {
        return;
    }
    let home = TempHome::new();
    home.write_files(CONFIG, CREDENTIALS);
    let script = r#"
import pexpect, sys
c = pexpect.spawn(sys.argv[1], ["configure", "base"], encoding="utf-8", timeout=20)
c.expect_exact("AWS Access Key ID [****MPLE]: "); c.sendline("")
c.expect_exact("AWS Secret Access Key [****EKEY]: "); c.send("typed/SECRET/EXAMPLE\r")
c.expect_exact("Default region name [us-east-1]: "); c.sendline("nowhere 1")
c.expect_exact("region"); c.expect_exact("Default region name [us-east-1]: "); c.sendline("ap-east-1")
c.expect_exact("Default output format [None]: "); c.sendline("")
c.expect(pexpect.EOF); c.close()
assert "typed/SECRET" not in c.before, "the secret was echoed"
sys.exit(c.exitstatus)
"#;
    let out = home.command("python3", &[]).args(["-c", script, env!("CARGO_BIN_EXE_rolecall")]).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let files = std::fs::read_to_string(home.path.join(".aws/credentials")).unwrap();
    assert!(files.contains("aws_secret_access_key = typed/SECRET/EXAMPLE"), "{files}");
    assert!(files.contains("aws_access_key_id = AKIAIOSFODNN7EXAMPLE"), "{files}");
    let config = std::fs::read_to_string(home.path.join(".aws/config")).unwrap();
    assert_eq!(config, CONFIG.replace("region\t=\tus-east-1", "region\t=\tap-east-1"));
}

/// Every (line, key) a document defines in a profile section, by 1-based line: for the
/// property test's check of which lines an edit may touch.
#[derive(Default)]
struct Defs {
    current: Option<String>,
    lines: Vec<(usize, Option<String>, String)>,
}

impl<'a> Visitor<'a> for Defs {
    fn header(&mut self, raw_name: &'a str, _line: usize) {
        self.current = rolecall::files::merge::header_profile(FileKind::Config, raw_name).map(|(n, _)| n.to_owned());
    }
    fn property(&mut self, key: Cow<'a, str>, _value: &'a str, line: usize) {
        self.lines.push((line, self.current.clone(), key.into_owned()));
    }
    fn continuation(&mut self, _text: &'a str, line: usize) {
        if let Some(last) = self.lines.last().cloned() {
            self.lines.push((line, last.1, last.2));
        }
    }
}

fn merged(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let files = AwsFiles::from_files(
        SourceFile::from_text(FileKind::Config, "config", text),
        SourceFile::from_text(FileKind::Credentials, "credentials", ""),
    );
    assert!(files.check().is_ok(), "{text:?}");
    let mut all: Vec<(String, Vec<(String, String)>)> = files
        .profiles
        .profiles()
        .map(|p| (p.name().to_owned(), p.properties().map(|(k, v)| (k.to_owned(), v.value.to_owned())).collect()))
        .collect();
    all.sort();
    all
}

fn document() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec!["a", "b", "default", "c-d"]);
    let key = prop::sample::select(vec!["region", "output", "role_arn", "x"]);
    let sep = prop::sample::select(vec![" = ", "=", "\t=  ", " ="]);
    let value = prop::sample::select(vec!["v1", "eu-west-1", "a#b", "x y"]);
    let line = prop_oneof![
        (name.clone(), prop::bool::ANY).prop_map(|(n, c)| {
            let h = if n == "default" { "[default]".to_owned() } else { format!("[profile {n}]") };
            if c { format!("{h}  # note") } else { h }
        }),
        (key.clone(), sep, value).prop_map(|(k, s, v)| format!("{k}{s}{v}")),
        Just("# comment".to_owned()),
        Just("; other comment".to_owned()),
        Just(String::new()),
        Just("  continued = 1".to_owned()),
    ];
    (prop::collection::vec(line, 0..14), prop::bool::ANY, prop::bool::ANY).prop_filter_map(
        "readable by the SDKs",
        |(lines, crlf, final_newline)| {
            let mut text = String::from("[profile a]\n");
            text.push_str(&lines.join("\n"));
            if final_newline {
                text.push('\n');
            }
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            Document::parse(&text).raw_sections().error.is_none().then_some(text)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random documents × random edits: the edited key reads back, every other key of every
    /// profile is unchanged, and the only old lines gone are definitions of the edited key.
    #[test]
    fn random_edits_touch_nothing_else(
        text in document(),
        profile in prop::sample::select(vec!["a", "b", "default", "new"]),
        key in prop::sample::select(vec!["region", "output", "x"]),
        set in prop::bool::ANY,
    ) {
        let before = merged(&text);
        let mut editor = Editor::new(FileKind::Config, &Document::parse(&text));
        if set {
            editor.set(profile, key, "edited-1").unwrap();
        } else {
            editor.unset(profile, key).unwrap();
        }
        let new = editor.render();
        let after = merged(&new);
        let strip = |all: &[(String, Vec<(String, String)>)]| -> Vec<(String, Vec<(String, String)>)> {
            all.iter()
                .map(|(n, props)| (n.clone(), props.iter().filter(|(k, _)| !(n == profile && k == key)).cloned().collect::<Vec<_>>()))
                .filter(|(n, props)| !(n == profile && props.is_empty()))
                .collect()
        };
        prop_assert_eq!(strip(&before), strip(&after));
        let value = after.iter().find(|(n, _)| n == profile).and_then(|(_, p)| p.iter().find(|(k, _)| k == key)).map(|(_, v)| v.as_str());
        prop_assert_eq!(value, set.then_some("edited-1"));
        // Every old line that is not a definition of the edited key is still there, in order
        // (a last line without a newline may have got one). A diff would be ambiguous where
        // lines repeat; a subsequence is not.
        let mut defs = Defs::default();
        Document::parse(&text).read(&mut defs).unwrap();
        let old_lines: Vec<&str> = text.split_inclusive('\n').collect();
        let kept: Vec<(usize, &str)> = old_lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, *l))
            .filter(|(line, _)| !defs.lines.iter().any(|(l, p, k)| l == line && p.as_deref() == Some(profile) && k == key))
            .collect();
        let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
        let same = |old: usize, a: &str, b: &str| a == b || (old == old_lines.len() && !a.ends_with('\n') && b.trim_end_matches(['\r', '\n']) == a);
        let mut at = 0;
        for (line, text_line) in &kept {
            match new_lines[at..].iter().position(|n| same(*line, text_line, n)) {
                Some(i) => at += i + 1,
                None => prop_assert!(false, "line {} {:?} changed by {} {} {}", line, text_line, set, profile, key),
            }
        }
    }
}

/// An `$EDITOR` for the tests: a shell script with `body` (the file is `$1`).
fn editor(home: &TempHome, name: &str, body: &str) -> String {
    let path = home.path.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn edit_checks_before_writing() {
    let home = TempHome::new();
    home.write_files(CONFIG, CREDENTIALS);
    let config = || std::fs::read_to_string(home.path.join(".aws/config")).unwrap();
    // A known change: written, the previous version kept.
    let good = editor(&home, "good", "sed -i 's/eu-central-1/eu-south-1/' \"$1\"");
    let run = home.run_env(&["edit"], &[("EDITOR", &good)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(config(), CONFIG.replace("eu-central-1", "eu-south-1"));
    assert_eq!(std::fs::read_to_string(home.path.join(".aws/config.bak")).unwrap(), CONFIG);
    // An invalid change: the doctor's errors, nothing written (no terminal to ask on).
    let before = config();
    let bad = editor(&home, "bad", "printf '[profile broken\\n' >> \"$1\"");
    let run = home.run_env(&["edit"], &[("EDITOR", &bad)]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[parse-error]") && run.stderr.contains("not written"), "{}", run.stderr);
    assert_eq!(config(), before);
    let run = home.run_env(&["edit", "--force"], &[("EDITOR", &bad)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(config().ends_with("[profile broken\n"));
    // VISUAL wins over EDITOR; an unchanged file is not rewritten.
    let run = home.run_env(&["edit", "credentials"], &[("VISUAL", "true"), ("EDITOR", &bad)]);
    assert_eq!((run.code, run.stderr.trim()), (0, "rolecall: no change"));
    // The copy of the credentials is private, and gone afterwards.
    let spy = editor(
        &home,
        "spy",
        "stat -c '%a' \"$1\" \"$(dirname \"$1\")\" > \"$HOME/modes\"; echo \"$1\" > \"$HOME/copy\"",
    );
    let run = home.run_env(&["edit", "credentials"], &[("EDITOR", &spy)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(home.path.join("modes")).unwrap(), "600\n700\n");
    let copy = std::fs::read_to_string(home.path.join("copy")).unwrap();
    assert!(!std::path::Path::new(copy.trim()).exists(), "the private copy was left behind");
    // A failing editor writes nothing; a file changed meanwhile is not overwritten.
    let run = home.run_env(&["edit"], &[("EDITOR", "false")]);
    assert_eq!(run.code, 1);
    home.write("config", CONFIG);
    let racing = editor(&home, "racing", "echo '# other' >> \"$HOME/.aws/config\"; echo '# mine' >> \"$1\"");
    let run = home.run_env(&["edit"], &[("EDITOR", &racing)]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("changed while you were editing"), "{}", run.stderr);
    assert!(config().ends_with("# other\n"));
}

#[test]
fn setup_from_nothing() {
    if !require("python3") {
        return;
    }
    let Some(moto) = crate::common::moto::Moto::start() else { return };
    let sts = [("AWS_ENDPOINT_URL_STS", moto.url.as_str())];
    let home = TempHome::new();
    std::fs::remove_dir(home.path.join(".aws")).unwrap();
    let run = home.run(&["list"]);
    assert!(run.stderr.contains("run 'rolecall setup'"), "{}", run.stderr);
    // The key is checked with STS as soon as it is typed, and the user's ARN gives the likely MFA
    // device as the default; the keys may stay in the file (the doctor then says so).
    let script = r#"
import pexpect, sys
c = pexpect.spawn(sys.argv[1], ["setup"], encoding="utf-8", timeout=30)
c.expect_exact("Profile name [default]: "); c.sendline("alice")
c.expect_exact("AWS Access Key ID [None]: "); c.sendline("AKIAIOSFODNN7EXAMPLE")
c.expect_exact("AWS Secret Access Key [None]: "); c.send("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r")
c.expect_exact("Default region name [None]: "); c.sendline("eu-west-1")
c.expect_exact("Default output format [None]: "); c.sendline("")
c.expect_exact("the key works: arn:aws:")
c.expect_exact("with MFA? (y/n) [n]: "); c.sendline("y")
c.expect_exact("Role profile name [admin]: "); c.sendline("")
c.expect_exact("Role ARN"); c.sendline("not-an-arn")
c.expect_exact("expected arn:aws:iam::123456789012:role/NAME")
c.expect_exact("Role ARN"); c.sendline("arn:aws:iam::123456789012:role/Admin")
c.expect_exact("MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME; - for none) [arn:aws:iam::123456789012:mfa/")
c.sendline("arn:aws:iam::123456789012:mfa/alice")
c.expect_exact("(rolecall vault import)? (y/n) [y]: "); c.sendline(sys.argv[2])
c.expect_exact(sys.argv[3])
c.expect(pexpect.EOF); c.close()
assert "wJalrXUtn" not in c.before
sys.exit(c.exitstatus)
"#;
    let setup = |home: &TempHome, answer: &str, expect: &str, env: &[(&str, &str)]| {
        let out = home
            .command("python3", env)
            .args(["-c", script, env!("CARGO_BIN_EXE_rolecall"), answer, expect])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    setup(&home, "n", "2 profiles checked: 0 errors, 1 warning", &sts);
    let vaulted = TempHome::new();
    std::fs::remove_dir(vaulted.path.join(".aws")).unwrap();
    std::fs::create_dir_all(vaulted.path.join(".config/rolecall")).unwrap();
    std::fs::write(vaulted.path.join(".config/rolecall/config"), "vault_backend = file\n").unwrap();
    let with_vault = [sts[0], ("ROLECALL_VAULT_PASSPHRASE", "correct horse")];
    setup(&vaulted, "y", "ok: 2 profiles checked, no problems found", &with_vault);
    let creds = std::fs::read_to_string(vaulted.path.join(".aws/credentials")).unwrap();
    assert!(
        creds.contains("credential_process = rolecall credential-process alice") && !creds.contains("wJalrXUtn"),
        "{creds}"
    );
    let mode = |p: &str| std::fs::metadata(home.path.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(".aws"), mode(".aws/config"), mode(".aws/credentials")), (0o700, 0o600, 0o600));
    assert_eq!(
        std::fs::read_to_string(home.path.join(".aws/config")).unwrap(),
        "[profile alice]\nregion = eu-west-1\n\n[profile admin]\nsource_profile = alice\nrole_arn = arn:aws:iam::123456789012:role/Admin\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
    );
    let run = home.run(&["setup"]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("already set up"), "{}", run.stderr);
    let empty = TempHome::new();
    let run = empty.run(&["setup"]);
    assert!(run.stderr.contains("already set up") || run.stderr.contains("terminal"), "{}", run.stderr);
}

/// Errors the file already had do not block an edit (they are named as old); new ones do. Ctrl-C
/// (SIGINT to the whole group) while the editor runs goes to the editor: rolecall stays, writes
/// the edit, and removes its private copy; copies that killed runs left behind are removed.
#[test]
fn edit_blocks_only_new_errors_and_outlives_ctrl_c() {
    if !require("setsid") {
        return;
    }
    let home = TempHome::new();
    let broken = format!("{CONFIG}\n[profile badarn]\nsource_profile = base\nrole_arn = nope\n");
    home.write_files(&broken, CREDENTIALS);
    let config = || std::fs::read_to_string(home.path.join(".aws/config")).unwrap();
    let good = editor(&home, "good", "sed -i 's/eu-central-1/eu-south-1/' \"$1\"");
    let run = home.run_env(&["edit"], &[("EDITOR", &good)]);
    assert_eq!(run.code, 0, "an old error blocked the edit: {}", run.stderr);
    assert!(run.stderr.contains("already there before this edit"), "{}", run.stderr);
    assert_eq!(config(), broken.replace("eu-central-1", "eu-south-1"));
    let worse =
        editor(&home, "worse", "printf '[profile worse]\\nrole_arn = bad\\nsource_profile = base\\n' >> \"$1\"");
    let run = home.run_env(&["edit"], &[("EDITOR", &worse)]);
    assert_eq!(run.code, 1, "a new error was written: {}", run.stderr);
    assert!(run.stderr.contains("[worse]") || run.stderr.contains("`bad`"), "{}", run.stderr);
    assert!(!config().contains("[profile worse]"));

    let cache = home.path.join(".cache/rolecall");
    std::fs::create_dir_all(cache.join("edit-99999999")).unwrap();
    std::fs::write(cache.join("edit-99999999/credentials"), CREDENTIALS).unwrap();
    // The editor takes Ctrl-C (it ignores it, as vim does) and saves; the group got SIGINT.
    let interrupted = editor(&home, "interrupted", "trap '' INT; kill -INT 0; sleep 0.2; echo '# kept' >> \"$1\"");
    let run = home.run_detached(&["edit", "credentials"], &[("EDITOR", &interrupted)]);
    assert_eq!(run.code, 0, "rolecall died with the editor's Ctrl-C: {}", run.stderr);
    let credentials = std::fs::read_to_string(home.path.join(".aws/credentials")).unwrap();
    assert!(credentials.ends_with("# kept\n"), "the edit was lost: {credentials}");
    let left: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("edit-"))
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "private copies of the files were left: {left:?}");
}

/// An edit of both files with the disk full: nothing is changed (the new contents are written
/// beside the files before either is renamed), and nothing is left behind. On a small tmpfs.
#[test]
fn a_full_disk_changes_neither_file() {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        common::skip("mounting a tmpfs needs root");
        return;
    }
    let home = TempHome::new();
    let disk = home.path.join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k"])
        .arg("tmpfs")
        .arg(&disk)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount a tmpfs");
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(disk.clone());
    let config = "[profile base]\nregion = eu-west-1\n\n[profile admin]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/A\n";
    let credentials = format!(
        "{}[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
        "# padding\n".repeat(4000)
    );
    std::fs::write(disk.join("config"), config).unwrap();
    std::fs::write(disk.join("credentials"), &credentials).unwrap();
    // Fill the disk but for a few pages: the config's new content fits, the credentials' not.
    let filler = disk.join("filler");
    let mut size = 256 * 1024 - 40_000 - 3 * 4096;
    while size > 0 && std::fs::write(&filler, vec![0u8; size]).is_err() {
        size -= 4096;
    }
    let env = [
        ("AWS_CONFIG_FILE", disk.join("config").to_string_lossy().into_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", disk.join("credentials").to_string_lossy().into_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = home.run_env(&["rename", "base", "alice"], &env);
    assert_eq!(run.code, 1, "the edit went through on a full disk: {}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(disk.join("config")).unwrap(), config, "config changed");
    assert_eq!(std::fs::read_to_string(disk.join("credentials")).unwrap(), credentials, "credentials changed");
    let left: Vec<_> = std::fs::read_dir(&disk)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `rename` touches both files; a kill at any moment leaves the old pair or the new pair once the
/// next command has read the files (it finishes what the killed one had written).
#[test]
fn a_killed_edit_of_both_files_leaves_a_consistent_pair() {
    let home = TempHome::new();
    let config = "[profile base]\nregion = eu-west-1\n\n[profile admin]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/A\n";
    let credentials = "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n";
    // Stop 0: both files staged, none in place (the old pair); stop 1: the first renamed, the
    // journal written (the next read finishes the new pair).
    let cases = [(Kill::AtStop(0), "old"), (Kill::AtStop(1), "new"), (Kill::AtOnce, "either"), (Kill::Never, "new")];
    for (i, (kill, expected)) in cases.into_iter().enumerate() {
        home.write_files(config, credentials);
        write_and_kill(&home, &["rename", "base", "alice"], kill);
        let list = home.run(&["list", "--json"]);
        assert_eq!(list.code, 0, "{}", list.stderr);
        let entries: Vec<serde_json::Value> = serde_json::from_str(&list.stdout).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e["name"].as_str().unwrap()).collect();
        let errors: Vec<&serde_json::Value> = entries.iter().filter(|e| !e["error"].is_null()).collect();
        assert!(errors.is_empty(), "kill {i}: a broken pair: {errors:?}");
        let found = match names.as_slice() {
            ["base", "admin"] => "old",
            ["alice", "admin"] => "new",
            other => panic!("kill {i}: {other:?}"),
        };
        assert!(expected == "either" || found == expected, "{kill:?}: the {found} pair, not the {expected}");
        let admin = entries.iter().find(|e| e["name"] == "admin").unwrap();
        assert_eq!(admin["chain"][1], names[0], "kill {i}: admin's source");
    }
}
