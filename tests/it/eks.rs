//! `rolecall eks token`: the token's presigned URL checked with botocore's own SigV4 code, the
//! same URL as `aws eks get-token` builds (aws CLI v1 and v2) apart from the time and the
//! signature, and moto answering GetCallerIdentity at it with the role assumed.

use crate::common::{self, TempHome};
use common::moto::Moto;
use serde_json::Value;

const KEYS: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "ASIAEKSEXAMPLEKEY000"),
    ("AWS_SECRET_ACCESS_KEY", "eksSecretKeyeksSecretKeyeksSecretKey0000"),
    ("AWS_SESSION_TOKEN", "eks/Session+Token=="),
];

/// The presigned URL inside an ExecCredential.
fn url_of(exec_credential: &str) -> String {
    let v: Value = serde_json::from_str(exec_credential).unwrap();
    assert_eq!(v["kind"], "ExecCredential");
    let token = v["status"]["token"].as_str().unwrap();
    let encoded = token.strip_prefix("k8s-aws-v1.").expect("the prefix");
    String::from_utf8(rolecall::aws::dpop::b64url_decode(encoded).unwrap()).unwrap()
}

/// The URL's query as sorted pairs, without the time and the signature.
fn stable(url: &str) -> Vec<(String, String)> {
    let parsed = url::Url::parse(url).unwrap();
    let mut pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| k != "X-Amz-Date" && k != "X-Amz-Signature")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs.insert(0, (parsed.host_str().unwrap().to_owned(), parsed.path().to_owned()));
    pairs
}

#[test]
fn the_token_is_what_aws_eks_get_token_builds_and_botocore_signs_alike() {
    let home = TempHome::new();
    home.write_files("", "");
    let env: Vec<(&str, &str)> =
        KEYS.iter().copied().chain([("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "eu-west-1")]).collect();
    let run = home.run_env(&["eks", "token", "--cluster-name", "prod"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ours = url_of(&run.stdout);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["apiVersion"], "client.authentication.k8s.io/v1beta1");
    // botocore signs the same request at the same time to the same signature.
    let check = r#"
import datetime, sys, urllib.parse
import botocore.auth, botocore.awsrequest, botocore.credentials
url = sys.argv[1]
q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
when = datetime.datetime.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
botocore.auth.get_current_datetime = lambda *a, **k: when
creds = botocore.credentials.Credentials(sys.argv[2], sys.argv[3], sys.argv[4])
base = url.split("?")[0] + "?Action=GetCallerIdentity&Version=2011-06-15"
request = botocore.awsrequest.AWSRequest(method="GET", url=base, headers={"x-k8s-aws-id": "prod"})
botocore.auth.SigV4QueryAuth(creds, "sts", "eu-west-1", expires=60).add_auth(request)
theirs = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(request.prepare().url).query))
print(theirs["X-Amz-Signature"] == q["X-Amz-Signature"], theirs["X-Amz-SignedHeaders"])
"#;
    let out =
        home.command("python3", &[]).args(["-c", check, &ours, KEYS[0].1, KEYS[1].1, KEYS[2].1]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "True host;x-k8s-aws-id");
    // The aws CLI v1 (PyPI) and v2 (Debian) build the same URL apart from the time and signature
    // (v1 signs for the global endpoint unless told the regional one, which v2 and rolecall use).
    let mut env = env.clone();
    env.push(("AWS_STS_REGIONAL_ENDPOINTS", "regional"));
    for aws in ["aws", "/usr/bin/aws"] {
        if aws == "/usr/bin/aws" && !common::moto::require("/usr/bin/aws") {
            continue;
        }
        let out = home.command(aws, &env).args(["eks", "get-token", "--cluster-name", "prod"]).output().unwrap();
        assert!(out.status.success(), "{aws}: {}", String::from_utf8_lossy(&out.stderr));
        let theirs = url_of(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(stable(&ours), stable(&theirs), "{aws}");
    }
    // kubectl's v1 protocol when it asks for it.
    let mut v1 = env.clone();
    v1.push((
        "KUBERNETES_EXEC_INFO",
        r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}"#,
    ));
    let run = home.run_env(&["eks", "token", "--cluster-name", "prod"], &v1);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["apiVersion"], "client.authentication.k8s.io/v1");
}

/// A profile's cached role signs the token (no STS call for it), and STS (moto) answers
/// GetCallerIdentity at the presigned URL with that role.
#[test]
fn a_profiles_role_signs_and_sts_answers_at_the_url() {
    let Some(moto) = Moto::start() else { return };
    let home = TempHome::new();
    home.write_files(common::BASE_ADMIN, "[base]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    let env = [("AWS_ENDPOINT_URL_STS", moto.url.as_str())];
    let run = home.run_env(&["assume", "admin", "--mfa-code", "123456", "--shell", "bash"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let key = common::exported(&run.stdout, "AWS_ACCESS_KEY_ID").unwrap().to_owned();
    let calls = moto.requests().len();
    let run = home.run_env(&["eks", "token", "--cluster-name", "prod", "--profile", "admin"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(moto.requests().len(), calls, "the cached role signs: no STS call");
    let url = url_of(&run.stdout);
    assert!(url.contains(&format!("X-Amz-Credential={key}%2F")), "{url}");
    // The URL's request, as the cluster's authenticator sends it to STS. moto routes a request by
    // its Authorization header's scope and does not check signatures (botocore checked this one,
    // above): the query's own credential and signature are given to it in that header.
    let fetch = r#"
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); q = dict(urllib.parse.parse_qsl(u.query))
auth = "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s" % (q["X-Amz-Credential"], q["X-Amz-SignedHeaders"], q["X-Amz-Signature"])
c = http.client.HTTPConnection(u.hostname, u.port)
c.request("GET", u.path + "?" + u.query, headers={"x-k8s-aws-id": "prod", "Authorization": auth})
print(c.getresponse().read().decode())
"#;
    let out = home.command("python3", &[]).args(["-c", fetch, &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.contains(":assumed-role/Admin/"), "{body}");
}
