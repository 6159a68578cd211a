//! The init scripts in real bash, zsh and fish through a pseudo-terminal (pexpect drives them:
//! tests/shells/drive.py), against a real moto_server; and the rendered scripts checked by each
//! shell's own syntax check, shellcheck, and snapshots.

use crate::common;

use common::TempHome;
use common::moto::{Moto, require};
use std::process::Command;

const CONFIG: &str = "\
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

[profile broken]
source_profile = nosuch
role_arn = arn:aws:iam::123456789012:role/Broken

[profile cli-style]
source_profile = base
role_arn = arn:aws:iam::123456789012:role/CliStyle
mfa_serial = arn:aws:iam::123456789012:mfa/alice
mfa_session = false
";

const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

/// `nul`'s credential_process output: values holding NUL bytes around a value that runs code if
/// a line is cut at the NUL (what fish did).
fn nul_process(home: &TempHome) -> std::path::PathBuf {
    let nul = home.path.join("nul.json");
    std::fs::write(
        &nul,
        r#"{"Version": 1, "AccessKeyId": "a\u0000", "SecretAccessKey": "'; touch CANARY; echo '", "SessionToken": "c\u0000"}"#,
    )
    .unwrap();
    nul
}

fn drive(shell: &str) {
    if !require(shell) || !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = TempHome::new();
    // `noregion`: a role with no region of its own.
    let nul = nul_process(&home);
    let config = format!(
        "{CONFIG}\n[profile nul]\ncredential_process = cat {}\n\n[profile noregion]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/NoRegion\n",
        nul.display()
    );
    home.write_files(&config, CREDENTIALS);
    home.drive("drive.py", shell, &[("AWS_ENDPOINT_URL_STS", &moto.url)]);
    // One MFA code for the day: admin and ops share the session; cli-style asked its own.
    assert_eq!(moto.count("GetSessionToken"), 1);
}

#[test]
fn bash_session() {
    drive("bash");
}

#[test]
fn zsh_session() {
    drive("zsh");
}

#[test]
fn fish_session() {
    drive("fish");
}

/// nushell (the npm registry's build) through its own driver: nushell has no `eval`, so the
/// script applies rolecall's JSON lines with load-env (tests/shells/nu.py).
#[test]
fn nu_session() {
    if !require("nu") || !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = TempHome::new();
    let nul = nul_process(&home);
    // Values that are code in some shell: they must arrive exactly, as data (AWS never issues a
    // space or a control character in credentials: rolecall refuses those, a newline included).
    let hostile = home.path.join("hostile.json");
    std::fs::write(
        &hostile,
        r#"{"Version": 1, "AccessKeyId": "AKIAHOSTILE", "SecretAccessKey": "';touch${IFS}CANARY2;echo'\"$(touch${IFS}CANARY3)`touch${IFS}CANARY4`", "SessionToken": "(touch${IFS}CANARY5){||1}$HOME^ls"}"#,
    )
    .unwrap();
    let newline = home.path.join("newline.json");
    std::fs::write(
        &newline,
        r#"{"Version": 1, "AccessKeyId": "AKIANEWLINE", "SecretAccessKey": "a\nb", "SessionToken": "c"}"#,
    )
    .unwrap();
    let config = format!(
        "{CONFIG}\n[profile nul]\ncredential_process = cat {}\n\n[profile hostile]\ncredential_process = cat {}\n\n\
         [profile newline]\ncredential_process = cat {}\n",
        nul.display(),
        hostile.display(),
        newline.display()
    );
    home.write_files(&config, CREDENTIALS);
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_rolecall")).parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    home.drive("nu.py", "nu", &[("AWS_ENDPOINT_URL_STS", &moto.url), ("PATH", &path)]);
}

fn init(shell: &str, extra: &[&str]) -> String {
    let home = TempHome::new();
    let run = home.run(&[&["init", shell][..], extra].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

/// The scripts with the binary's path written as a fixed word, for snapshots.
fn stable(script: &str) -> String {
    script.replace(env!("CARGO_BIN_EXE_rolecall"), "/usr/local/bin/rolecall")
}

#[test]
fn scripts_snapshots() {
    for shell in ["bash", "zsh", "fish", "powershell", "nu"] {
        insta::assert_snapshot!(format!("init_{shell}"), stable(&init(shell, &[])));
    }
}

fn syntax_check(program: &str, args: &[&str], script: &str) {
    if !require(program) {
        return;
    }
    let dir = TempHome::new();
    let file = dir.path.join("script");
    std::fs::write(&file, script).unwrap();
    let out = Command::new(program).args(args).arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn scripts_pass_their_shells_checks() {
    for extra in [&[][..], &["--prompt"][..]] {
        syntax_check("bash", &["-n"], &init("bash", extra));
        syntax_check("zsh", &["-n"], &init("zsh", extra));
        syntax_check("fish", &["--no-execute"], &init("fish", extra));
        syntax_check("shellcheck", &["--shell=bash", "--severity=style"], &init("bash", extra));
        // nushell has no check without running: the script is sourced in a bare nushell.
        for nu in [&[][..], &["--no-dir"][..]] {
            syntax_check("nu", &["--no-config-file"], &init("nu", &[extra, nu].concat()));
        }
    }
    // The pieces bash and zsh load later, each alone as it is evaluated.
    for part in ["run", "segment", "prompt", "refresh", "complete"] {
        let args = ["--part", part];
        syntax_check("bash", &["-n"], &init("bash", &args));
        syntax_check("zsh", &["-n"], &init("zsh", &args));
        // (Its variables are the script's: SC2154 cannot see them in the piece alone.)
        let shellcheck = ["--shell=bash", "--severity=style", "--exclude=SC2154"];
        syntax_check("shellcheck", &shellcheck, &init("bash", &args));
    }
}

#[test]
fn custom_function_names() {
    let script = init("bash", &["--assume-cmd", "awsume", "--asp-cmd", "p"]);
    assert!(script.contains("\nfunction awsume() {") && script.contains("\nfunction p() {"));
    let home = TempHome::new();
    let run = home.run(&["init", "bash", "--assume-cmd", "x;rm"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("function name"), "{}", run.stderr);
}

#[test]
fn a_hostile_binary_path_is_quoted() {
    for (shell, quote) in [("bash", "'/tmp/it'\\''s $(x)/rolecall'"), ("fish", "'/tmp/it\\'s $(x)/rolecall'")] {
        let script = rolecall::shell::init::script(
            if shell == "bash" { rolecall::shell::env::Shell::Bash } else { rolecall::shell::env::Shell::Fish },
            "/tmp/it's $(x)/rolecall",
            "assume",
            "asp",
            rolecall::shell::init::Parts { prompt: false, dir: true, ..Default::default() },
        )
        .unwrap();
        assert!(script.contains(quote), "{shell}: {script}");
    }
}

/// nushell: the binary's path as a raw string that no quote or `#` in it can end.
#[test]
fn a_hostile_binary_path_is_a_raw_string_in_nushell() {
    if !require("nu") {
        return;
    }
    let bin = "/tmp/it's '#\"$(x)# (y)/rolecall";
    let script = rolecall::shell::init::script(
        rolecall::shell::env::Shell::Nu,
        bin,
        "assume",
        "asp",
        rolecall::shell::init::Parts { prompt: true, dir: true, ..Default::default() },
    )
    .unwrap();
    let home = TempHome::new();
    let file = home.path.join("init.nu");
    std::fs::write(&file, script).unwrap();
    let out = Command::new("nu")
        .args(["--no-config-file", "-c", &format!("source '{}'; print -n $__rolecall_bin", file.display())])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), bin);
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let home = TempHome::new();
        let run = home.run(&["completions", shell]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("credential-process"), "{shell}");
        // The init scripts complete a subcommand's flags from `rolecall __flags` (bash, zsh and
        // fish are driven through a pty in drive.py; PowerShell cannot run here: its text).
        // bash and zsh load their completion at the first Tab: the part they ask for.
        let part = if matches!(shell, "bash" | "zsh") { &["--part", "complete"][..] } else { &[] };
        let init = home.run(&[&["init", shell][..], part].concat());
        assert!(init.stdout.contains("__flags"), "{shell}: no flag completion");
    }
    let home = TempHome::new();
    let flags = home.run(&["__flags", "assume"]);
    assert!(flags.stdout.lines().any(|l| l == "--mfa-code") && flags.stdout.lines().all(|l| l.starts_with("--")));
    let ps = home.run(&["init", "powershell"]).stdout;
    assert!(ps.contains("__flags $sub") && ps.contains("__flags $words[1]") && ps.contains("-like '-*'"), "{ps}");
    assert_eq!(home.run(&["__flags", "nosuch"]).stdout, "");
}

/// bash and zsh share most of their functions: one real file per shell, and this test keeps the
/// shared part the same text in both, so that a fix in one cannot be forgotten in the other.
#[test]
fn bash_and_zsh_share_their_functions_exactly() {
    let part = |file: &str| -> String {
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shell").join(file)).unwrap();
        let start = text.find("# --- the part shared with rolecall.").expect("start marker");
        let end = text.find("# --- end of the part shared with rolecall.").expect("end marker");
        text[start..end].replace("rolecall.zsh", "OTHER").replace("rolecall.bash", "OTHER")
    };
    let (bash, zsh) = (part("rolecall.bash"), part("rolecall.zsh"));
    assert!(bash.lines().count() > 100, "the shared part is most of the script");
    if bash != zsh {
        let diff = similar::TextDiff::from_lines(&bash, &zsh);
        panic!("shell/rolecall.bash and shell/rolecall.zsh differ in their shared part:\n{}", diff.unified_diff());
    }
}
