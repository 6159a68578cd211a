//! `rolecall doctor --online`: against a real moto_server with authentication on (a key that works,
//! a deleted key's real 403, an mfa_serial of another account), and a local server that answers
//! what AWS documents for the cases moto cannot make (the root user's keys, a key made in 2020).

use crate::common;

use common::TempHome;
use common::moto::{Moto, require};
use common::serve::{Response, Server};

/// moto's IAM as an administrator, for the users and keys the test needs, then auth is on: the
/// first `setup_calls` calls need none (INITIAL_NO_AUTH_ACTION_COUNT).
const SETUP: &str = r#"import boto3, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="AKIAADMINEXAMPLE0000", aws_secret_access_key="admin")
for user in ["alice", "bob"]:
    iam.create_user(UserName=user)
    k = iam.create_access_key(UserName=user)["AccessKey"]
    print(k["AccessKeyId"], k["SecretAccessKey"])
    if user == "bob":
        iam.delete_access_key(UserName=user, AccessKeyId=k["AccessKeyId"])
"#;

const CALLER: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>ARN</Arn>
    <UserId>USERID</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#;

const KEYS: &str = r#"<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListAccessKeysResult>
    <AccessKeyMetadata>
      <member>
        <UserName>old</UserName>
        <AccessKeyId>AKIAOLDKEYEXAMPLE000</AccessKeyId>
        <Status>Active</Status>
        <CreateDate>2020-01-02T03:04:05Z</CreateDate>
      </member>
    </AccessKeyMetadata>
    <IsTruncated>false</IsTruncated>
  </ListAccessKeysResult>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</ListAccessKeysResponse>"#;

#[test]
fn doctor_online_reports_what_only_aws_knows() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "5")]) else { return };
    let out = std::process::Command::new("python3").args(["-c", SETUP, &moto.url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let keys: Vec<(String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap())
        .collect();
    // The root user's keys and a key made in 2020: AWS's documented answers, served locally.
    let aws = Server::start(|req| {
        let body = req.body_text();
        let key = req.header("authorization").unwrap_or("").to_owned();
        if body.contains("Action=GetCallerIdentity") && key.contains("AKIAROOTKEYEXAMPLE00") {
            Response::xml(CALLER.replace("ARN", "arn:aws:iam::123456789012:root").replace("USERID", "123456789012"))
        } else if body.contains("Action=GetCallerIdentity") {
            Response::xml(CALLER.replace("ARN", "arn:aws:iam::123456789012:user/old").replace("USERID", "AIDAOLD"))
        } else if body.contains("Action=ListAccessKeys") {
            Response::xml(KEYS)
        } else {
            Response::new(400, "text/plain", "unexpected")
        }
    });
    let home = TempHome::new();
    let (local, moto_url) = (&aws.url, &moto.url);
    home.write_files(
        &format!(
            "[profile alice]\nregion = us-east-1\nmfa_serial = arn:aws:iam::999999999999:mfa/alice\nendpoint_url = {moto_url}\n\n\
             [profile bob]\nregion = us-east-1\nendpoint_url = {moto_url}\n\n\
             [profile root]\nregion = us-east-1\nendpoint_url = {local}\n\n\
             [profile old]\nregion = us-east-1\nendpoint_url = {local}\n\n\
             [profile role]\nsource_profile = alice\nrole_arn = arn:aws:iam::123456789012:role/R\n"
        ),
        &format!(
            "[alice]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n[bob]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n\
             [root]\naws_access_key_id = AKIAROOTKEYEXAMPLE00\naws_secret_access_key = rootsecret\n\n\
             [old]\naws_access_key_id = AKIAOLDKEYEXAMPLE000\naws_secret_access_key = oldsecret\n",
            keys[0].0, keys[0].1, keys[1].0, keys[1].1
        ),
    );
    // Without --online: no network, none of these findings.
    let offline = home.run(&["doctor", "--json"]);
    assert!(!offline.stdout.contains("keys-rejected"), "{}", offline.stdout);
    let run = home.run(&["doctor", "--online", "--json"]);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f["profile"].as_str().unwrap_or("").to_owned(), f["code"].as_str().unwrap().to_owned()))
        .collect();
    let has = |p: &str, c: &str| codes.iter().any(|(pp, cc)| pp == p && cc == c);
    assert!(has("bob", "keys-rejected"), "{codes:?}");
    assert!(has("alice", "account-mismatch"), "{codes:?}");
    assert!(!has("alice", "keys-rejected"), "alice's key works: {codes:?}");
    assert!(has("root", "root-keys"), "{codes:?}");
    assert!(has("old", "old-key"), "{codes:?}");
    assert!(!codes.iter().any(|(p, _)| p == "role"), "a role profile has no keys of its own: {codes:?}");
    let old = findings.iter().find(|f| f["code"] == "old-key").unwrap();
    assert_eq!(old["hint"], "rolecall rotate old");
    assert_eq!(run.code, 1, "errors make doctor fail");
    assert!(!run.stdout.contains(&keys[0].1) && !run.stdout.contains("rootsecret"), "a secret in a finding");
    // One GetCallerIdentity per profile with keys, to moto for the two that live there.
    assert_eq!(moto.count("GetCallerIdentity"), 2);
}
