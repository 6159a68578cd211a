//! `./scripts/sandbox`, the README's first command, driven through a pseudo-terminal
//! (tests/shells/sandbox.py) in bash, zsh and fish: `assume` of a role two hops from an IAM user
//! with the MFA code typed at the prompt, the aws CLI and boto3 inside, an `.awsprofile`; on
//! `exit`, moto stopped and the temporary HOME removed, and the caller's HOME untouched.

use crate::common;

use common::TempHome;
use common::moto::require;

fn sandbox(shell: &str) {
    if !require(shell) || !require("python3") || !require("moto_server") || !require("aws") {
        return;
    }
    let home = TempHome::new();
    let before: Vec<_> = walk(&home.path);
    home.drive("sandbox.py", shell, &[]);
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
