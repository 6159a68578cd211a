//! The messages a person meets, each one line with what to do: where a failing endpoint's URL
//! came from, a network failure's cause, masked key ids and a summary from `doctor --online`,
//! `exec` without `--`, `edit` without a terminal, an unknown `sso_session` or region, an
//! unknown console service.

use crate::common;
use common::TempHome;
use common::serve::{Response, Server};

const SSO: &str = "
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://d-abc123.awsapps.com/start
sso_region = us-east-1
";

fn home() -> TempHome {
    let home = TempHome::new();
    home.write_files(&format!("{}{SSO}", common::BASE_ADMIN), common::BASE_KEYS);
    home
}

/// One line on stderr, exit 1, nothing on stdout.
fn one_line(run: &common::Run, says: &str) {
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(says), "want {says:?}: {}", run.stderr);
}

#[test]
fn a_failing_endpoint_says_where_its_url_came_from() {
    let server = Server::start(|r| {
        if r.path().starts_with("/federation") {
            Response::new(404, "text/plain", "")
        } else {
            Response::new(500, "text/plain", "")
        }
    });
    let home = home();
    // The console's sign-in, with credentials in the shell (no STS call): 404.
    let env = [
        ("AWS_ENDPOINT_URL", server.url.as_str()),
        ("AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLETOKEN0123456789"),
    ];
    let run = home.run_env(&["console", "--url"], &env);
    one_line(&run, "HTTP 404 (the endpoint is from AWS_ENDPOINT_URL)");
    // `rolecall login`: the OIDC service answers 500.
    let run = home.run_detached(&["login", "dev", "--no-browser"], &[("AWS_ENDPOINT_URL", server.url.as_str())]);
    one_line(&run, "SSO OIDC RegisterClient: HTTP 500 (the endpoint is from AWS_ENDPOINT_URL)");
    let run =
        home.run_detached(&["login", "dev", "--no-browser"], &[("AWS_ENDPOINT_URL_SSO_OIDC", server.url.as_str())]);
    one_line(&run, "(the endpoint is from AWS_ENDPOINT_URL_SSO_OIDC)");
}

#[test]
fn a_network_failure_says_what_failed() {
    let home = home();
    let run = home
        .run_detached(&["login", "dev", "--no-browser"], &[("AWS_ENDPOINT_URL_SSO_OIDC", "http://nosuchhost.invalid")]);
    one_line(&run, "cannot reach nosuchhost.invalid");
    assert!(!run.stderr.contains("io error"), "{}", run.stderr);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{closed}");
    let run = home.run_detached(&["login", "dev", "--no-browser"], &[("AWS_ENDPOINT_URL_SSO_OIDC", url.as_str())]);
    one_line(&run, &format!("cannot reach 127.0.0.1:{closed}"));
    assert!(run.stderr.to_ascii_lowercase().contains("connection refused"), "{}", run.stderr);
}

#[test]
fn doctor_online_masks_key_ids_and_sums_up() {
    let home = home();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{closed}");
    let run = home.run_env(&["doctor", "--online"], &[("AWS_ENDPOINT_URL_STS", url.as_str())]);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("online-check-failed") && all.contains("****MPLE"), "{all}");
    assert!(!all.contains("AKIAI44QH8DHBEXAMPLE"), "a full key id: {all}");
    assert!(
        run.stderr.contains("checked 1 profile with long-term keys with AWS: 0 without findings, 1 with"),
        "{}",
        run.stderr
    );
}

#[test]
fn exec_without_the_double_dash_says_where_it_goes() {
    let home = home();
    let run = home.run(&["exec", "admin", "aws", "s3", "ls"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("put `--` before the command, as in `rolecall exec admin -- aws s3 ls`"),
        "{}",
        run.stderr
    );
}

#[test]
fn edit_without_a_terminal_or_an_editor_is_refused() {
    let home = home();
    let before = std::fs::read_to_string(home.path.join(".aws/config")).unwrap();
    let run = home.run_detached(&["edit"], &[]);
    one_line(&run, "there is none; set VISUAL or EDITOR");
    assert_eq!(std::fs::read_to_string(home.path.join(".aws/config")).unwrap(), before);
}

#[test]
fn unknown_sso_sessions_regions_and_services_are_said() {
    let home = home();
    let run = home.run(&["configure", "set", "dev", "sso_session", "crop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: there is no [sso-session crop]") && run.stderr.contains("did you mean `corp`"),
        "{}",
        run.stderr
    );
    let run = home.run(&["assume", "base", "--shell", "bash", "--region", "moon-1", "--no-cache"]);
    assert!(run.stderr.contains("warning: region `moon-1` matches no AWS region's pattern"), "{}", run.stderr);
    let run = home.run(&["console", "admin", "-s", "nosuchsvc"]);
    one_line(&run, "rolecall: console service `nosuchsvc` is not one rolecall knows");
    let run = home.run(&["console", "admin", "-s", "lamda"]);
    one_line(&run, "is not one rolecall knows; did you mean `lambda`?");
}

#[test]
fn rm_and_rename_of_a_profile_that_is_not_there_suggest_one() {
    let home = home();
    for args in [&["rm", "admni", "--yes"][..], &["rename", "admni", "x"]] {
        let run = home.run(args);
        one_line(&run, "profile `admni` not found; did you mean `admin`?");
    }
}
