//! The `list` and `doctor` commands as a user runs them: output (insta snapshots on fixture
//! files), exit codes, one-line errors, and no panic on any input.

use crate::common;
use common::TempHome;

#[test]
fn list_table() {
    let home = TempHome::fixture();
    let run = home.run(&["list"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn list_json() {
    let home = TempHome::fixture();
    let run = home.run(&["list", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let admin = value.as_array().unwrap().iter().find(|p| p["name"] == "admin").unwrap();
    assert_eq!(admin["chain"], serde_json::json!(["admin", "base"]));
    assert_eq!(admin["kind"], "role");
    assert_eq!(admin["line"], 9);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn list_names() {
    let home = TempHome::fixture();
    let run = home.run(&["list", "--names"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn doctor_report() {
    let home = TempHome::fixture();
    home.chmod("credentials", 0o644);
    let run = home.run(&["doctor"]);
    assert_eq!(run.code, 1, "errors in the fixture make doctor fail");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn doctor_json() {
    let home = TempHome::fixture();
    let run = home.run(&["doctor", "--json"]);
    assert_eq!(run.code, 1);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let codes: std::collections::BTreeSet<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    for code in [
        "dangling-config",
        "credentials-without-config",
        "duplicate-access-key",
        "missing-source-profile",
        "source-profile-cycle",
        "partial-credentials",
        "mfa-arn-key",
        "malformed-arn",
        "ignored-section",
        "duplicate-section",
        "secret-in-config",
        "root-keys-hint",
        "invalid-role-source",
    ] {
        assert!(codes.contains(code), "doctor did not report {code}: {codes:?}");
    }
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn doctor_codes_for_files() {
    let home = TempHome::new();
    home.write("config", "[default]\nregion = x\n[profile 'quoted']\n[profile ok]\nbad key = 1\n");
    home.write("credentials", "[x]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n");
    home.chmod("credentials", 0o640);
    let run = home.run(&["doctor", "--json"]);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    for code in ["file-permissions", "invalid-profile-name", "invalid-key"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let invalid_key = findings.iter().find(|f| f["code"] == "invalid-key").unwrap();
    assert_eq!(
        invalid_key["message"],
        "key `bad…` in [profile ok] is ignored: keys may only contain letters, digits and _ - / . % @ : +"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn doctor_clean_files_exit_zero() {
    let home = TempHome::new();
    home.write("config", "[default]\nregion = eu-west-1\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = default\n");
    home.write("credentials", "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = abc\n");
    home.chmod("credentials", 0o600);
    let run = home.run(&["doctor"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // Keys in plain text are the one warning (a warning does not fail).
    assert_eq!(
        run.stdout,
        "warning[plaintext-keys] ~/.aws/credentials:2 [default]: the long-term keys of `default` (****MPLE) are in plain text in ~/.aws/credentials\n  hint: move them into the OS keyring: rolecall vault import default\n2 profiles checked: 0 errors, 1 warning\n"
    );
    // Without them (the keys in the vault, as its index says), nothing is found.
    home.write("credentials", "[default]\ncredential_process = rolecall credential-process default\n");
    let data = home.path.join(".local/share/rolecall");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("vault.json"),
        r#"{"version": 1, "profiles": {"default": {"backend": "secret-service", "access_key_id": "AKIAIOSFODNN7EXAMPLE", "added": 0}}}"#,
    )
    .unwrap();
    std::fs::set_permissions(data.join("vault.json"), std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let run = home.run(&["doctor"]);
    assert_eq!(run.stdout, "ok: 2 profiles checked, no problems found\n");
}

#[test]
fn parse_error_is_one_line_with_file_and_line() {
    let home = TempHome::new();
    home.write("config", "[default]\nregion = x\n[profile half\n");
    let run = home.run(&["list"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "rolecall: ~/.aws/config:3: Profile definition must end with ']' (run 'rolecall doctor')\n");
    let doctor = home.run(&["doctor"]);
    assert_eq!(doctor.code, 1);
    assert!(doctor.stdout.contains("error[parse-error] ~/.aws/config:3"), "{}", doctor.stdout);
}

#[test]
fn env_overrides_file_locations() {
    let home = TempHome::new();
    let other = home.path.join("elsewhere");
    std::fs::write(&other, "[profile moved]\nregion = x\n").unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rolecall"));
    cmd.args(["list", "--names"]).env("HOME", &home.path).env("AWS_CONFIG_FILE", &other);
    cmd.env_remove("AWS_SHARED_CREDENTIALS_FILE");
    let out = cmd.output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "moved\n");
}

#[test]
fn usage_errors_exit_2() {
    let home = TempHome::new();
    assert_eq!(home.run(&["list", "--nope"]).code, 2);
    assert_eq!(home.run(&["list", "--names", "--json"]).code, 2);
}

#[test]
fn no_files_is_not_an_error() {
    let home = TempHome::new();
    let run = home.run(&["list", "--json"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.trim(), "[]");
    assert!(run.stderr.contains("no profiles"), "{}", run.stderr);
}

#[test]
fn secrets_never_printed() {
    let home = TempHome::fixture();
    let secrets = ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "leakysecret", "rootsecret", "wrongprefixsecret"];
    for args in [&["list"][..], &["list", "--json"], &["doctor"], &["doctor", "--json"]] {
        let run = home.run(args);
        for s in secrets {
            assert!(!run.stdout.contains(s) && !run.stderr.contains(s), "{args:?} printed a secret");
        }
    }
}

#[test]
fn never_panics_on_garbage() {
    let home = TempHome::new();
    let inputs: [&[u8]; 6] = [
        b"\xff\xfe\x00garbage",
        b"[",
        b"]\n[[[]]]\n=\n",
        b"[profile a]\n\tcontinuation\n",
        b"\r\r\r\n\n\t\t=\t",
        "[profile ü]\ns3 =\n é = \u{0}\n".as_bytes(),
    ];
    for input in inputs {
        std::fs::write(home.path.join(".aws/config"), input).unwrap();
        for args in [&["list"][..], &["list", "--json"], &["doctor"], &["doctor", "--json"]] {
            let run = home.run(args);
            assert!(run.code == 0 || run.code == 1, "{args:?} on {input:?}: exit {}", run.code);
            assert!(!run.stderr.contains("panicked"), "{args:?} on {input:?}: {}", run.stderr);
        }
    }
}

/// Subcommands define their arguments only when they run (`defer`): every one must still have
/// its help, usage errors and version, and `help` must still reach the nested ones.
#[test]
fn every_subcommand_defines_its_arguments_when_it_runs() {
    let home = TempHome::new();
    let top = home.run(&["--help"]);
    let names: Vec<String> = top
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() > 20, "{names:?}");
    // The completion of `rolecall <TAB>` in the init scripts lists exactly these.
    assert_eq!(names, rolecall::shell::init::COMMANDS, "init's COMMANDS and the command line");
    for name in &names {
        let run = home.run(&[name, "--help"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(run.stdout.contains(&format!("Usage: rolecall {name}")), "{name}: {}", run.stdout);
        // Each command's help opens with its own line, the one the command list shows.
        let listed = top.stdout.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap();
        let own = run.stdout.lines().next().unwrap();
        assert!(listed.trim_end().ends_with(own.trim_end()), "{name}: --help opens with {own:?}, not {listed:?}");
        // The commands whose first argument is a profile complete profile names.
        let usage = run.stdout.lines().find(|l| l.starts_with("Usage: ")).unwrap();
        let first = usage
            .split_whitespace()
            .skip(3)
            .filter(|w| *w != "[OPTIONS]")
            .find(|w| w.starts_with('<') || w.starts_with('['))
            .map(|w| w.trim_matches(['<', '>', '[', ']']));
        let takes_profile = matches!(first, Some("PROFILE" | "OLD"));
        assert_eq!(rolecall::shell::init::PROFILE_COMMANDS.contains(&name.as_str()), takes_profile, "{name}: {usage}");
        let run = home.run(&[name, "--no-such-flag"]);
        assert_eq!(run.code, 2, "{name}");
        assert!(run.stderr.contains("--no-such-flag"), "{name}: {}", run.stderr);
    }
    for path in [&["help", "configure", "role"][..], &["help", "sso", "populate"], &["configure", "set", "--help"]] {
        let run = home.run(path);
        assert_eq!(run.code, 0, "{path:?}: {}", run.stderr);
        assert!(run.stdout.contains("Usage: rolecall "), "{path:?}");
    }
}

/// `credential_process = rolecall credential-process loop` in profile `loop` (or two profiles that
/// call each other): one line and a failure, not a process per millisecond; doctor says where.
#[test]
fn a_credential_process_that_calls_itself_stops() {
    let home = TempHome::new();
    let bin = env!("CARGO_BIN_EXE_rolecall");
    home.write_files(
        &format!(
            "[profile loop]\ncredential_process = {bin} credential-process loop\n\n\
             [profile a]\ncredential_process = {bin} credential-process b\n\n\
             [profile b]\ncredential_process = {bin} credential-process --refresh a\n"
        ),
        "",
    );
    for (profile, says) in [
        // A profile naming itself is the vault's marker: with no keys in the vault, one line.
        ("loop", "the vault has none for it (not a loop rolecall follows)"),
        ("a", "again from its own credential_process: a loop"),
    ] {
        let started = std::time::Instant::now();
        let run = home.run(&["credential-process", profile]);
        assert_eq!(run.code, 1, "{profile}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{profile}: {:?}", started.elapsed());
        assert!(run.stderr.contains(says), "{profile}: {}", run.stderr);
        if profile == "loop" {
            assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        }
        assert_eq!(run.stdout, "");
    }
    let doctor = home.run(&["doctor", "--json"]);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&doctor.stdout).unwrap();
    let loops: Vec<&str> = findings
        .iter()
        .filter(|f| f["code"] == "credential-process-loop")
        .map(|f| f["profile"].as_str().unwrap())
        .collect();
    assert_eq!(loops, ["a", "b"], "{findings:?}");
    // The profile that names itself is the vault's marker, and the vault has no keys for it.
    let missing: Vec<&str> =
        findings.iter().filter(|f| f["code"] == "vault-missing").map(|f| f["profile"].as_str().unwrap()).collect();
    assert_eq!(missing, ["loop"], "{findings:?}");
}

/// The knobs the tests use (a pinned clock, a paused writer, …) exist only with the test-hooks
/// feature, never in what `cargo install` builds: every read of one is behind that feature.
#[test]
fn test_hooks_are_behind_the_feature() {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut all = Vec::new();
    files(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut all);
    let mut seen = 0;
    for path in all {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            for hook in ["\"ROLECALL_NOW\"", "\"ROLECALL_TEST_", "\"ROLECALL_PICKER_EXIT", "\"ROLECALL_ROTATE_VERIFY"] {
                if line.contains(hook) {
                    seen += 1;
                    let above = &lines[i.saturating_sub(8)..i];
                    assert!(
                        above.iter().any(|l| l.contains("#[cfg(feature = \"test-hooks\")]")),
                        "{}:{}: {hook} outside #[cfg(feature = \"test-hooks\")]",
                        path.display(),
                        i + 1
                    );
                }
            }
        }
    }
    assert!(seen >= 4, "the hooks were found ({seen})");
}

/// A panic on the alternate screen (the picker) or in raw mode (a prompt) gives the terminal
/// back: with `panic = "abort"` no destructor runs, so the panic hook does it (the injected
/// panic forgets the guards first, as an abort would).
#[test]
fn a_panic_leaves_the_terminal_as_it_was() {
    if !common::moto::require("python3") {
        return;
    }
    let home = TempHome::fixture();
    let script = r#"
import os, pexpect, sys
bin = sys.argv[1]
for args, where in [("assume --shell bash", "picker"), ("configure base", "prompt")]:
    c = pexpect.spawn("bash", ["--norc", "--noprofile", "-c", f"{bin} {args}; echo __STATUS$?; stty -a; echo __DONE"],
                      env=dict(os.environ, ROLECALL_TEST_PANIC=where), encoding="utf-8", timeout=20)
    c.expect_exact("__DONE")
    out = c.before
    # 134: aborted (release builds); 101: a panic that unwinds (debug builds), guards forgotten.
    assert "__STATUS134" in out or "__STATUS101" in out, (where, out)
    assert "test panic" in out, (where, out)
    modes = out.split("__STATUS", 1)[1]
    assert " icanon" in modes and "-icanon" not in modes and " echo " in modes, (where, modes)
    if where == "picker":
        assert "\x1b[?1049l" in out, "the alternate screen was not left"
sys.exit(0)
"#;
    let out = home.command("python3", &[]).args(["-c", script, env!("CARGO_BIN_EXE_rolecall")]).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// `exec` of a command that cannot run exits as a shell would: 127 not found, 126 not executable.
#[test]
fn exec_exit_codes_follow_the_shells() {
    let home = TempHome::new();
    home.write_files(
        "[profile s]\nregion = eu-west-1\n",
        "[s]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
    );
    let run = home.run(&["exec", "s", "--", "no-such-command-here"]);
    assert_eq!(run.code, 127, "{}", run.stderr);
    assert!(run.stderr.contains("no-such-command-here: command not found"), "{}", run.stderr);
    std::fs::write(home.path.join("plain"), "not a program").unwrap();
    let run = home.run(&["exec", "s", "--", &home.path.join("plain").to_string_lossy()]);
    assert_eq!(run.code, 126, "{}", run.stderr);
}

/// A region that matches no partition's pattern is written (it may be new), with a warning and
/// the closest known region.
#[test]
fn configure_warns_about_unknown_regions() {
    let home = TempHome::new();
    let run = home.run(&["configure", "dev", "--region", "eu-west1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("region `eu-west1` matches no AWS region's pattern: did you mean `eu-west-1`?"),
        "{}",
        run.stderr
    );
    let run = home.run(&["configure", "dev", "--region", "eu-west-1"]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}
