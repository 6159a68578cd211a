//! Every value rolecall prints for a shell is data: hostile values evaluated by the real bash,
//! zsh and fish come out byte for byte, and nothing in them runs.

mod common;

use common::TempHome;
use common::moto::require;
use rolecall::creds::Credentials;
use rolecall::shellenv::{EnvChange, Format, Shell, Snapshot};
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
    let script = format!("source '{}'; {dump}", file.display());
    let out = Command::new(shell).arg("-c").arg(&script).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn shells() -> Vec<(&'static str, Shell)> {
    [("bash", Shell::Bash), ("zsh", Shell::Zsh), ("fish", Shell::Fish)]
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
        for var in rolecall::shellenv::CONTRACT {
            assert!(env.get(var).is_none(), "{name}: {var} still set");
        }
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
