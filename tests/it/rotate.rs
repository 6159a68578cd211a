//! `rolecall rotate` against moto's IAM and STS: the key replaced in the file and in IAM; two
//! keys already (nothing changed); the new key failing its STS check (the old key back in the
//! file, IAM's state told); no secret on stderr.

use crate::common;

use common::TempHome;
use common::moto::{Moto, require};

/// boto3's IAM client on moto (`sys.argv[1]`), as an administrator, for the helpers below.
const IAM: &str = r#"import boto3, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="AKIAADMINEXAMPLE0000", aws_secret_access_key="admin")
"#;

/// An IAM user in moto with `keys` access keys: their (id, secret) pairs.
pub fn user(moto: &Moto, name: &str, keys: usize) -> Vec<(String, String)> {
    let script = format!(
        "{IAM}iam.create_user(UserName=sys.argv[2])
for _ in range(int(sys.argv[3])):
    k = iam.create_access_key(UserName=sys.argv[2])[\"AccessKey\"]
    print(k[\"AccessKeyId\"], k[\"SecretAccessKey\"])
"
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script, &moto.url, name, &keys.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (id, secret) = l.split_once(' ').unwrap();
            (id.to_owned(), secret.to_owned())
        })
        .collect()
}

/// The user's key ids as IAM lists them.
pub fn listed(moto: &Moto, name: &str) -> Vec<String> {
    let script = format!(
        "{IAM}for k in iam.list_access_keys(UserName=sys.argv[2])[\"AccessKeyMetadata\"]:
    print(k[\"AccessKeyId\"])
"
    );
    let out = std::process::Command::new("python3").args(["-c", &script, &moto.url, name]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

fn home_with(keys: &(String, String)) -> TempHome {
    let home = TempHome::new();
    home.write_files(
        "# mine\n[profile alice]\nregion = eu-west-1\n",
        &format!("# alice's key\n[alice]\naws_access_key_id = {}\naws_secret_access_key = {}\n", keys.0, keys.1),
    );
    home
}

fn credentials(home: &TempHome) -> String {
    std::fs::read_to_string(home.path.join(".aws/credentials")).unwrap()
}

#[test]
fn rotate_replaces_the_key_in_the_file_and_in_iam() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let keys = user(&moto, "alice", 1);
    let home = home_with(&keys[0]);
    let run = home.run_env(&["rotate", "alice"], &[("AWS_ENDPOINT_URL", &moto.url)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let now = listed(&moto, "alice");
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now[0], keys[0].0, "the old key is still in IAM");
    let text = credentials(&home);
    assert!(text.starts_with("# alice's key\n[alice]\n"), "{text}");
    assert!(text.contains(&format!("aws_access_key_id = {}\n", now[0])), "{text}");
    assert!(!text.contains(&keys[0].1), "the old secret is still in the file");
    assert!(run.stderr.contains(&format!("{} → {}", keys[0].0, now[0])), "{}", run.stderr);
    home.assert_no_secret_in(&run.stderr, &text);
    // The real CLI works with the new key.
    if require("aws") {
        let out = home
            .command("aws", &[("AWS_ENDPOINT_URL", &moto.url), ("AWS_PROFILE", "alice")])
            .args(["sts", "get-caller-identity", "--query", "Arn", "--output", "text"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "arn:aws:iam::123456789012:user/alice");
    }
}

#[test]
fn two_keys_already_change_nothing() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let keys = user(&moto, "bob", 2);
    let home = home_with(&keys[0]);
    let before = credentials(&home);
    let run = home.run_env(&["rotate", "alice"], &[("AWS_ENDPOINT_URL", &moto.url)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("already has two access keys") && run.stderr.contains("Nothing was changed"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert_eq!(credentials(&home), before);
    assert_eq!(listed(&moto, "bob").len(), 2);
}

#[test]
fn a_new_key_that_fails_its_check_is_taken_back_out_of_the_file() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let keys = user(&moto, "carol", 1);
    let home = home_with(&keys[0]);
    let before = credentials(&home);
    // IAM answers; STS does not (a closed port): the check of the new key fails.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let run = home.run_env(
        &["rotate", "alice"],
        &[("AWS_ENDPOINT_URL_IAM", &moto.url), ("AWS_ENDPOINT_URL_STS", &dead), ("ROLECALL_ROTATE_VERIFY_TRIES", "2")],
    );
    assert_eq!(run.code, 1);
    let now = listed(&moto, "carol");
    assert_eq!(now.len(), 2, "IAM keeps both keys: {now:?}");
    let new = now.iter().find(|k| **k != keys[0].0).unwrap();
    assert!(run.stderr.contains(&format!("the new key {new} does not work with STS")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("the file holds the old key {} again", keys[0].0)), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("aws iam delete-access-key --access-key-id {new}")), "{}", run.stderr);
    assert_eq!(credentials(&home), before, "the old key is back, byte for byte");
}

#[test]
fn profiles_without_their_own_key_are_refused() {
    let home = TempHome::new();
    home.write("config", "[profile role]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/R\n");
    home.write("credentials", "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n[tmp]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = y\naws_session_token = z\n");
    for (profile, want) in
        [("role", "no access key of its own"), ("tmp", "temporary credentials"), ("nosuch", "not found")]
    {
        let run = home.run(&["rotate", profile]);
        assert_eq!(run.code, 1, "{profile}");
        assert!(run.stderr.contains(want), "{profile}: {}", run.stderr);
    }
}
