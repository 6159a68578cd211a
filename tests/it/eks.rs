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
    // Nothing cached and no terminal (kubectl runs the plugin without one): one line, no prompt.
    let run = home.run_detached(&["eks", "token", "--cluster-name", "prod", "--profile", "admin"], &env);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty() && run.stderr.lines().count() == 1, "{}", run.stderr);
    assert!(run.stderr.contains("MFA code needed"), "{}", run.stderr);
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

/// `--role-arn`: the role is assumed with the shell's keys (session EKSGetTokenAuth, as the aws
/// CLI names it) and cached, so a second token needs no STS call; STS answers at the URL with
/// that role. A malformed ARN is one line.
#[test]
fn a_role_arn_is_assumed_once_and_signs_the_token() {
    let Some(moto) = Moto::start() else { return };
    let home = TempHome::new();
    home.write_files("", "");
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIAI44QH8DHBEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
    ];
    let args = ["eks", "token", "--cluster-name", "prod", "--role-arn", "arn:aws:iam::123456789012:role/Reader"];
    let first = home.run_env(&args, &env);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let second = home.run_env(&args, &env);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let assumed: Vec<_> = moto.requests().into_iter().filter(|r| r.action() == "AssumeRole").collect();
    assert_eq!(assumed.len(), 1, "the second token comes from the cache");
    assert_eq!(assumed[0].param("RoleSessionName").as_deref(), Some("EKSGetTokenAuth"));
    let url = url_of(&second.stdout);
    assert!(url.contains("X-Amz-Credential=ASIA"), "signed with the role's temporary key: {url}");
    let bad = home.run_env(&["eks", "token", "--cluster-name", "prod", "--role-arn", "Reader"], &env);
    assert_eq!(bad.code, 1);
    assert!(bad.stdout.is_empty() && bad.stderr.contains("not an IAM role ARN"), "{}", bad.stderr);
}

/// A cluster in moto's EKS (its own port: the strict layer is STS's), made with boto3.
fn create_cluster(moto: &Moto, name: &str) -> String {
    let make = r#"
import boto3, sys
c = boto3.client("eks", endpoint_url=sys.argv[1], region_name="eu-west-1",
                 aws_access_key_id="AKIAMAKER", aws_secret_access_key="maker")
print(c.create_cluster(name=sys.argv[2], roleArn="arn:aws:iam::123456789012:role/eks",
                       resourcesVpcConfig={})["cluster"]["arn"])
"#;
    let eks = format!("http://127.0.0.1:{}", moto.port);
    let out = std::process::Command::new("python3").args(["-c", make, &eks, name]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A kubeconfig a person already has: another cluster, comments, settings rolecall knows nothing of.
const KUBECONFIG: &str = "\
# work clusters
apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- name: kind-dev  # local
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
contexts:
- name: kind-dev
  context: {cluster: kind-dev, user: kind-dev, namespace: web}
users:
- name: kind-dev
  user:
    token: not-a-real-token
current-context: kind-dev
extensions:
- name: x
  extension: {a: 1}
";

fn yaml(text: &str) -> serde_norway::Value {
    serde_norway::from_str(text).unwrap()
}

fn names(v: &serde_norway::Value, list: &str) -> Vec<String> {
    v[list].as_sequence().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
}

/// `eks kubeconfig`: DescribeCluster through the endpoint resolver (moto's EKS), the entries
/// added beside every other (compared as parsed YAML), 0600, the old file as `.bak`, `--dry-run`
/// writing nothing, a second run replacing rather than adding, a broken file refused untouched.
#[test]
fn kubeconfig_adds_the_cluster_and_keeps_every_other_entry() {
    let Some(moto) = Moto::start() else { return };
    let arn = create_cluster(&moto, "prod");
    let home = TempHome::new();
    home.write_files("", "");
    let kube = home.path.join(".kube/config");
    std::fs::create_dir_all(kube.parent().unwrap()).unwrap();
    std::fs::write(&kube, KUBECONFIG).unwrap();
    let eks = format!("http://127.0.0.1:{}", moto.port);
    let env: Vec<(&str, &str)> =
        KEYS.iter().copied().chain([("AWS_REGION", "eu-west-1"), ("AWS_ENDPOINT_URL_EKS", eks.as_str())]).collect();
    let args = ["eks", "kubeconfig", "--cluster-name", "prod", "--alias", "prod"];

    let dry = home.run_env(&[&args[..], &["--dry-run"]].concat(), &env);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(names(&yaml(&dry.stdout), "clusters"), [arn.as_str()]);
    assert_eq!(std::fs::read_to_string(&kube).unwrap(), KUBECONFIG, "a dry run writes nothing");

    let run = home.run_env(&args, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty() && run.stderr.contains("added context prod in "), "{}", run.stderr);
    let (old, new) = (yaml(KUBECONFIG), yaml(&std::fs::read_to_string(&kube).unwrap()));
    for key in ["apiVersion", "kind", "preferences", "extensions"] {
        assert_eq!(old[key], new[key], "{key} kept");
    }
    for list in ["clusters", "contexts", "users"] {
        assert_eq!(new[list][0], old[list][0], "{list}: the other entry kept");
    }
    assert_eq!(names(&new, "clusters"), ["kind-dev", &arn]);
    assert_eq!(names(&new, "contexts"), ["kind-dev", "prod"]);
    assert_eq!(new["current-context"].as_str(), Some("prod"));
    assert!(new["clusters"][1]["cluster"]["server"].as_str().unwrap().contains(".eu-west-1.eks.amazonaws.com"));
    assert!(new["clusters"][1]["cluster"]["certificate-authority-data"].as_str().is_some_and(|d| d.len() > 100));
    let exec = &new["users"][1]["user"]["exec"];
    assert_eq!(exec["command"].as_str(), Some(env!("CARGO_BIN_EXE_rolecall")));
    let exec_args: Vec<&str> = exec["args"].as_sequence().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(exec_args, ["eks", "token", "--cluster-name", "prod", "--region", "eu-west-1"]);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&kube).unwrap().permissions().mode() & 0o777, 0o600);
    let backup = home.path.join(".kube/config.bak");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), KUBECONFIG);
    assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600);

    let again = home.run_env(&args, &env);
    assert!(again.stderr.contains("updated context prod"), "{}", again.stderr);
    assert_eq!(names(&yaml(&std::fs::read_to_string(&kube).unwrap()), "users"), ["kind-dev", "prod"]);

    for broken in ["clusters: [\n  - name: x\n", "- just\n- a list\n", "clusters: 3\n"] {
        std::fs::write(&kube, broken).unwrap();
        let run = home.run_env(&args, &env);
        assert_eq!(run.code, 1, "{broken:?}");
        assert!(run.stdout.is_empty() && run.stderr.lines().count() == 1, "{}", run.stderr);
        assert!(run.stderr.contains("was not changed"), "{}", run.stderr);
        assert_eq!(std::fs::read_to_string(&kube).unwrap(), broken, "a broken file is left as it was");
    }
    let run = home.run_env(&["eks", "kubeconfig", "--cluster-name", "nope"], &env);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("DescribeCluster of `nope` failed (HTTP 404)"), "{}", run.stderr);
}

/// Eight `eks kubeconfig` at once, each its own context: the file is valid YAML with all eight,
/// and no `config.lock` (kubectl's) is left behind.
#[test]
fn concurrent_kubeconfig_writers_leave_a_valid_file_with_every_entry() {
    let Some(moto) = Moto::start() else { return };
    create_cluster(&moto, "prod");
    let home = TempHome::new();
    home.write_files("", "");
    let eks = format!("http://127.0.0.1:{}", moto.port);
    let kube = home.path.join("kube/one");
    let kubeconfig = format!("{}:{}", kube.display(), home.path.join("kube/two").display());
    let env: Vec<(&str, &str)> = KEYS
        .iter()
        .copied()
        .chain([("AWS_REGION", "eu-west-1"), ("AWS_ENDPOINT_URL_EKS", &eks), ("KUBECONFIG", &kubeconfig)])
        .collect();
    let children: Vec<_> = (0..8)
        .map(|i| home.spawn(&["eks", "kubeconfig", "--cluster-name", "prod", "--alias", &format!("c{i}")], &env))
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let written = yaml(&std::fs::read_to_string(&kube).unwrap());
    let mut contexts = names(&written, "contexts");
    contexts.sort();
    assert_eq!(contexts, (0..8).map(|i| format!("c{i}")).collect::<Vec<_>>());
    assert_eq!(names(&written, "clusters").len(), 1);
    assert!(!home.path.join("kube/one.lock").exists() && !home.path.join("kube/two").exists());
}

/// kubectl from PyPI runs `rolecall eks token` from the kubeconfig rolecall wrote, and the API
/// stand-in lets it in as the assumed role: with `--profile` pinned, and following `assume admin`
/// in a real bash. A token for another cluster, or an old one, is refused.
#[test]
fn kubectl_gets_namespaces_as_the_assumed_role() {
    let Some(moto) = Moto::start() else { return };
    if !common::moto::require("kubectl") {
        return;
    }
    create_cluster(&moto, "prod");
    let home = TempHome::new();
    home.write_files(common::BASE_ADMIN, common::BASE_KEYS);
    let eks = format!("http://127.0.0.1:{}", moto.port);
    let kube = home.path.join(".kube/config");
    let kube_env = kube.display().to_string();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_rolecall")).parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    let env = [
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ("AWS_ENDPOINT_URL_EKS", eks.as_str()),
        ("KUBECONFIG", kube_env.as_str()),
        ("PATH", path.as_str()),
    ];
    let assumed = home.run_env(&["assume", "admin", "--mfa-code", "123456", "--shell", "bash"], &env);
    assert_eq!(assumed.code, 0, "{}", assumed.stderr);
    let key = common::exported(&assumed.stdout, "AWS_ACCESS_KEY_ID").unwrap().to_owned();
    let secret = common::exported(&assumed.stdout, "AWS_SECRET_ACCESS_KEY").unwrap().to_owned();
    for (alias, profile) in [("pinned", Some("admin")), ("follows", None)] {
        let mut args = vec!["eks", "kubeconfig", "--cluster-name", "prod", "--alias", alias];
        args.extend(profile.iter().flat_map(|p| ["--profile", *p]));
        let run = home.run_env(&args, &[&env[..], &[("AWS_PROFILE", "admin")]].concat());
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let Some(api) = common::kube::KubeApi::start("prod", &[(&key, &secret)]) else { return };
    let kubectl = |context: &str, extra: &[(&str, &str)]| {
        let out = home
            .command("kubectl", &[&env[..], extra].concat())
            .args(["--context", context, "--request-timeout", "20s"])
            .args(api.flags())
            .args(["get", "ns"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        (out.status.success(), format!("{}{said}", String::from_utf8_lossy(&out.stdout)))
    };
    let (ok, out) = kubectl("pinned", &[]);
    assert!(ok && out.contains("kube-system"), "{out}\n{}", api.log());
    assert!(api.log().contains("ok arn:aws:sts::123456789012:assumed-role/Admin/"), "{}", api.log());

    // In bash: assume admin (cached), then kubectl through the context that follows the shell.
    api.clear();
    let script = format!(
        "set -eu\neval \"$(rolecall init bash)\"\nassume admin\nkubectl --context follows --request-timeout 20s {} get ns",
        api.flags().join(" ")
    );
    let out = home.command("bash", &env).args(["-c", &script]).stdin(std::process::Stdio::null()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("prod"),
        "{stdout}{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        api.log()
    );
    assert!(
        api.log().lines().all(|l| l.starts_with("ok arn:aws:sts::123456789012:assumed-role/Admin/")),
        "{}",
        api.log()
    );

    // A token signed 20 minutes ago (kubectl would not send one past its expirationTimestamp:
    // sent by curl) and another cluster's (through kubectl) are refused.
    api.clear();
    let old = (common::now() - 1200).to_string();
    let session = common::exported(&assumed.stdout, "AWS_SESSION_TOKEN").unwrap().to_owned();
    let keys = [
        ("AWS_ACCESS_KEY_ID", key.as_str()),
        ("AWS_SECRET_ACCESS_KEY", secret.as_str()),
        ("AWS_SESSION_TOKEN", session.as_str()),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ("ROLECALL_NOW", old.as_str()),
    ];
    let run = home.run_env(&["eks", "token", "--cluster-name", "prod"], &keys);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let bearer = format!("Authorization: Bearer {}", v["status"]["token"].as_str().unwrap());
    let ca = api.dir.join("ca.pem");
    let url = format!("https://127.0.0.1:{}/api", api.port);
    let out = home
        .command("curl", &[])
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert"])
        .arg(&ca)
        .args(["-H", &bearer, &url])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "401");
    assert!(api.log().starts_with("refused expired"), "{}", api.log());
    drop(api);
    let Some(other) = common::kube::KubeApi::start("other", &[(&key, &secret)]) else { return };
    let out = home
        .command("kubectl", &env)
        .args(["--context", "pinned", "--request-timeout", "20s"])
        .args(other.flags())
        .args(["get", "ns"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(other.log().contains("refused signature does not match"), "{}", other.log());
}
