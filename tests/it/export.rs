//! `rolecall export`: each format read back by the real clients (bash evaluating `env`, a shell
//! sourcing `dotenv`, boto3 reading `json` through credential_process and `ini` as a credentials
//! file), and `--to-profile` writing into ~/.aws/credentials byte for byte around its section,
//! read by the aws CLI v1 and v2. STS is a real moto_server.

use crate::common;
use common::TempHome;
use common::moto::{Moto, require};
use std::os::unix::fs::PermissionsExt;

const CONFIG: &str = common::BASE_ADMIN;

const CREDENTIALS: &str = "\
# my keys; keep this comment
[base]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[dev]
aws_access_key_id=AKIAIDEVDEVDEVEXAMPLE
aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
region=us-east-2
";

/// The role's credentials as `assume` has them (cached).
fn role(home: &TempHome, env: &[(&str, &str)]) -> serde_json::Value {
    let run = home.run_env(&["export", "admin", "--format", "json"], env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// boto3's caller ARN with `env` (and a profile), or its error.
fn boto3_arn(home: &TempHome, moto: &Moto, env: &[(&str, &str)], profile: Option<&str>) -> String {
    let script = format!(
        "import boto3; s = boto3.session.Session(profile_name={profile}); print(s.client('sts', endpoint_url='{url}', region_name='eu-west-1').get_caller_identity()['Arn'])",
        profile = profile.map(|p| format!("'{p}'")).unwrap_or("None".into()),
        url = moto.url
    );
    let out = home.command("python3", env).args(["-c", &script]).output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn every_format_reads_back_in_the_real_clients() {
    if !require("python3") {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let home = TempHome::new();
    home.write_files(CONFIG, CREDENTIALS);
    let env = [("AWS_ENDPOINT_URL_STS", moto.url.as_str())];
    let first = home.run_env(&["export", "admin", "--mfa-code", "123456"], &env);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let creds = role(&home, &env);
    let key = creds["AccessKeyId"].as_str().unwrap();
    assert_eq!(creds["Region"], "eu-west-1");
    assert_eq!(moto.count("AssumeRole"), 1, "the other formats come from the cache");

    // env: bash evaluates it; the values are exactly the credentials.
    let bin = env!("CARGO_BIN_EXE_rolecall");
    let out = home
        .command("bash", &env)
        .args(["-c", &format!("eval \"$('{bin}' export admin)\" && printf '%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SESSION_TOKEN\" \"$AWS_REGION\"")])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{key}|{}|eu-west-1", creds["SessionToken"].as_str().unwrap())
    );

    // dotenv: docker's --env-file (the real docker CLI, against a stand-in engine that records
    // what it was sent) and python-dotenv read the same values; a shell sources it (`set -a`),
    // and boto3 signs with what it set.
    let dotenv = home.run_env(&["export", "admin", "--format", "dotenv"], &env).stdout;
    assert!(dotenv.lines().all(|l| l.starts_with("AWS_") && !l.contains('"')), "{dotenv}");
    let file = home.path.join("creds.env");
    std::fs::write(&file, &dotenv).unwrap();
    let want: Vec<(String, String)> =
        dotenv.lines().map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).unwrap()).collect();
    assert_eq!(want[2], ("AWS_SESSION_TOKEN".to_owned(), creds["SessionToken"].as_str().unwrap().to_owned()));
    if let Some(read) = docker_env_file(&home, &file) {
        assert_eq!(read, want, "docker --env-file");
    }
    let script = format!(
        "import dotenv, json; print(json.dumps(list(dotenv.dotenv_values({:?}).items())))",
        file.to_str().unwrap()
    );
    let out = home.command("python3", &[]).args(["-c", &script]).output().unwrap();
    let read: Vec<(String, String)> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("python-dotenv: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(read, want, "python-dotenv");
    let script = format!(
        "set -a; . '{}'; set +a; python3 -c \"import boto3; print(boto3.client('sts', endpoint_url='{}', region_name='eu-west-1').get_caller_identity()['Arn'])\"",
        file.display(),
        moto.url
    );
    let out = home.command("sh", &[]).args(["-c", &script]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("assumed-role/Admin/"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // json: the credential_process shape boto3 reads.
    let json = home.run_env(&["export", "admin", "--format", "json"], &env).stdout;
    let file = home.path.join("creds.json");
    std::fs::write(&file, &json).unwrap();
    let config = home.path.join("json-config");
    std::fs::write(&config, format!("[profile fromjson]\ncredential_process = cat {}\n", file.display())).unwrap();
    let arn = boto3_arn(&home, &moto, &[("AWS_CONFIG_FILE", config.to_str().unwrap())], Some("fromjson"));
    assert!(arn.contains("assumed-role/Admin/"), "{arn}");

    // ini: a credentials file of its own.
    let ini = home.run_env(&["export", "admin", "--format", "ini"], &env).stdout;
    assert!(ini.starts_with("[admin]\n# rolecall export admin: until "), "{ini}");
    let file = home.path.join("creds.ini");
    std::fs::write(&file, &ini).unwrap();
    let empty = home.path.join("empty-config");
    std::fs::write(&empty, "").unwrap();
    let arn = boto3_arn(
        &home,
        &moto,
        &[("AWS_SHARED_CREDENTIALS_FILE", file.to_str().unwrap()), ("AWS_CONFIG_FILE", empty.to_str().unwrap())],
        Some("admin"),
    );
    assert!(arn.contains("assumed-role/Admin/"), "{arn}");
    assert_eq!(moto.count("AssumeRole"), 1);
}

#[test]
fn to_profile_writes_one_section_and_nothing_else() {
    let Some(moto) = Moto::start() else { return };
    let home = TempHome::new();
    home.write_files(CONFIG, CREDENTIALS);
    let env = [("AWS_ENDPOINT_URL_STS", moto.url.as_str())];
    let path = home.path.join(".aws/credentials");
    let run = home.run_env(&["export", "admin", "--to-profile", "tmp", "--mfa-code", "123456"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let creds = role(&home, &env);
    let (key, secret, token) = (
        creds["AccessKeyId"].as_str().unwrap(),
        creds["SecretAccessKey"].as_str().unwrap(),
        creds["SessionToken"].as_str().unwrap(),
    );
    let after = std::fs::read_to_string(&path).unwrap();
    let (kept, added) = after.split_at(CREDENTIALS.len());
    assert_eq!(kept, CREDENTIALS, "every byte before the new section is kept");
    let mut lines = added.lines();
    assert_eq!(lines.next(), Some(""));
    assert_eq!(lines.next(), Some("[tmp]"));
    let note = lines.next().unwrap();
    assert!(
        note.starts_with("# rolecall export admin: temporary credentials until ") && note.contains(", written "),
        "{note}"
    );
    assert_eq!(
        lines.collect::<Vec<_>>(),
        [
            format!("aws_access_key_id = {key}"),
            format!("aws_secret_access_key = {secret}"),
            format!("aws_session_token = {token}"),
        ]
    );
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(home.path.join(".aws/credentials.bak")).unwrap(), CREDENTIALS);

    // The aws CLI v1 and v2 use the new profile.
    for cli in ["aws", "/usr/bin/aws"] {
        if !require(cli) {
            continue;
        }
        let out = home
            .command(cli, &[])
            .args([
                "sts",
                "get-caller-identity",
                "--profile",
                "tmp",
                "--endpoint-url",
                &moto.url,
                "--region",
                "eu-west-1",
            ])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("assumed-role/Admin/"),
            "{cli}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // Again, with new credentials: the same section, only its values and note change.
    let run = home.run_env(&["export", "admin", "--to-profile", "tmp", "--refresh", "--mfa-code", "123456"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let again = std::fs::read_to_string(&path).unwrap();
    let changed: Vec<(&str, &str)> = after.lines().zip(again.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(after.lines().count(), again.lines().count());
    assert_eq!(changed.len(), 4, "{changed:?}");
    assert!(changed.iter().all(|(a, _)| a.starts_with("# rolecall export") || a.starts_with("aws_")));

    // Refused: the profile's own base, a section of long-term keys (unless --force), a profile
    // that gives long-term keys. Nothing written, stdout empty.
    let before = std::fs::read_to_string(&path).unwrap();
    for (args, why) in [
        (&["export", "admin", "--to-profile", "base"][..], "own chain"),
        (&["export", "admin", "--to-profile", "dev"][..], "long-term keys"),
        (&["export", "dev", "--to-profile", "tmp"][..], "long-term keys"),
        (&["export", "admin", "--to-profile", "bad name"][..], "profile name"),
    ] {
        let run = home.run_env(args, &env);
        assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{args:?}: {}", run.stderr);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "{args:?} wrote");
    }
    // A stray aws_session_token for dev in the config file leaves its keys long-term.
    home.write("config", &format!("{CONFIG}\n[profile dev]\naws_session_token = stray-token-in-the-config\n"));
    let run = home.run_env(&["export", "admin", "--to-profile", "dev"], &env);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.stderr);
    assert!(run.stderr.contains("long-term keys"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "a stray token let dev's keys be replaced");
    home.write("config", CONFIG);
    let run = home.run_env(&["export", "admin", "--to-profile", "dev", "--force"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("[dev]\n# rolecall export admin:") && text.contains("region=us-east-2"), "{text}");

    // [default] works.
    let run = home.run_env(&["export", "admin", "--to-profile", "default"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\n[default]\n# rolecall export admin:"), "{text}");
    let who = home.run_env(&["whoami", "default"], &env);
    assert!(who.stdout.contains("assumed-role/Admin/"), "{}", who.stderr);
}

/// What the real docker CLI reads from `--env-file FILE`: `docker create` sends it to the engine
/// as the container's `Env`, which a stand-in engine on a private socket records (and refuses the
/// container, so nothing else is asked).
fn docker_env_file(home: &TempHome, file: &std::path::Path) -> Option<Vec<(String, String)>> {
    use std::io::{BufRead, BufReader, Read, Write};
    if !require("docker") {
        return None;
    }
    let socket = home.path.join("docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut stream = stream;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    if h.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let (status, text) = if line.contains("/_ping") {
                    ("200 OK", "OK".to_owned())
                } else if line.contains("/containers/create") {
                    let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
                    ("500 Internal Server Error", r#"{"message":"stand-in engine: nothing is created"}"#.to_owned())
                } else {
                    ("404 Not Found", r#"{"message":"not here"}"#.to_owned())
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nApi-Version: 1.47\r\nOstype: linux\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
                    text.len()
                );
            }
        }
    });
    let host = format!("unix://{}", socket.display());
    let out = home
        .command("docker", &[("DOCKER_HOST", host.as_str()), ("DOCKER_CONFIG", home.path.to_str().unwrap())])
        .args(["create", "--env-file", file.to_str().unwrap(), "busybox"])
        .output()
        .unwrap();
    let body = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("docker sent no container: {}", String::from_utf8_lossy(&out.stderr)));
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    let env = value["Env"].as_array().unwrap().iter();
    Some(env.map(|v| v.as_str().unwrap().split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).unwrap()).collect())
}
