//! The `list` and `doctor` commands as a user runs them: output (insta snapshots on fixture
//! files), exit codes, one-line errors, and no panic on any input.

mod common;
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
        "key `bad key` in [profile ok] is ignored: keys may only contain letters, digits and _ - / . % @ : +"
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
    for name in &names {
        let run = home.run(&[name, "--help"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(run.stdout.contains(&format!("Usage: rolecall {name}")), "{name}: {}", run.stdout);
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
