//! `./scripts/sandbox`, the README's first command, driven through a pseudo-terminal
//! (tests/shells/sandbox.py) in bash, zsh and fish: `assume` of a role two hops from an IAM user
//! with the MFA code typed at the prompt, the aws CLI and boto3 inside, an `.awsprofile`; on
//! `exit`, moto stopped and the temporary HOME removed, and the caller's HOME untouched.

mod common;

use common::TempHome;
use common::moto::require;
use std::process::Stdio;

fn sandbox(shell: &str) {
    if !require(shell) || !require("python3") || !require("moto_server") || !require("aws") {
        return;
    }
    let home = TempHome::new();
    let before: Vec<_> = walk(&home.path);
    let driver = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shells/sandbox.py");
    let out = home
        .command("python3", &[])
        .args([driver, shell, env!("CARGO_BIN_EXE_rolecall")])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{shell} sandbox failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(&format!("{shell}: ok")), "{stdout}");
    assert_eq!(walk(&home.path), before, "the sandbox wrote into the caller's HOME");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        all.push(entry.path());
        if entry.file_type().unwrap().is_dir() {
            all.extend(walk(&entry.path()));
        }
    }
    all.sort();
    all
}

#[test]
fn sandbox_in_bash() {
    sandbox("bash");
}

#[test]
fn sandbox_in_zsh() {
    sandbox("zsh");
}

#[test]
fn sandbox_in_fish() {
    sandbox("fish");
}
