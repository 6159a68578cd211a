//! `list`, `doctor`, `assume` and aws-config agree about every profile: a file the SDKs cannot
//! parse (a byte-order mark) is refused everywhere; a profile whose chain resolves but gives no
//! credentials (an SSO token profile, an unknown `credential_source`) is an error in `list` and
//! `assume` with the same words, a finding in `doctor`, and InvalidConfiguration in aws-config;
//! `credential_source = environment` works as in aws-config; and where the aws CLI v2 refuses a
//! file (a repeated section or key), `doctor` says so as an error.

use crate::common;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::{ProvideCredentials, error::CredentialsError};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_smithy_http_client::test_util::dvr::ReplayingClient;
use common::TempHome;
use common::moto::require;
use serde_json::Value;

const KEYS: &str =
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

struct Case {
    name: &'static str,
    config: String,
    credentials: String,
    env: Vec<(&'static str, &'static str)>,
}

fn cases() -> Vec<Case> {
    let case = |name, config: &str, credentials: &str| Case {
        name,
        config: config.to_owned(),
        credentials: credentials.to_owned(),
        env: Vec::new(),
    };
    vec![
        case("plain", "[profile dev]\nregion = eu-west-1\n", &format!("[dev]\n{KEYS}")),
        case("bom", "\u{feff}[profile dev]\nregion = eu-west-1\n", &format!("[dev]\n{KEYS}")),
        case(
            "unknown-source",
            "[profile ec2]\nrole_arn = arn:aws:iam::123456789012:role/R\ncredential_source = Ec2Metadata\n",
            "",
        ),
        case(
            "sso-token",
            "[profile sso]\nsso_session = corp\n\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://d-1.awsapps.com/start\n",
            "",
        ),
        Case {
            env: vec![
                ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            ],
            ..case(
                "lower-case-source",
                "[profile env]\nrole_arn = arn:aws:iam::123456789012:role/R\ncredential_source = environment\n",
                "",
            )
        },
    ]
}

/// aws-config's profile provider on the same files and environment, with no network: whether it
/// calls the files' configuration invalid (and how).
fn sdk_verdict(case: &Case, profile: &str) -> Option<String> {
    let files = EnvConfigFiles::builder()
        .with_contents(EnvConfigFileKind::Config, case.config.clone())
        .with_contents(EnvConfigFileKind::Credentials, case.credentials.clone())
        .build();
    let replay = ReplayingClient::new(Vec::new());
    // (The environment is the test's own, which has no AWS_ variables that matter here.)
    let config = ProviderConfig::empty().with_http_client(replay);
    let provider =
        ProfileFileCredentialsProvider::builder().profile_files(files).profile_name(profile).configure(&config).build();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let chain = |e: &dyn std::error::Error| {
        let mut text = e.to_string();
        let mut cur = e.source();
        while let Some(s) = cur {
            text.push_str(": ");
            text.push_str(&s.to_string());
            cur = s.source();
        }
        text
    };
    match runtime.block_on(provider.provide_credentials()) {
        Err(e @ CredentialsError::InvalidConfiguration(_)) => Some(chain(&e)),
        Err(e @ CredentialsError::ProviderError(_)) => {
            let text = chain(&e);
            (text.contains("parsing") || text.contains("not supported") || text.contains("access token"))
                .then_some(text)
        }
        // Network (the replay has no traffic), or credentials: the configuration is usable.
        _ => None,
    }
}

#[test]
fn list_doctor_assume_and_aws_config_agree() {
    for case in cases() {
        let home = TempHome::new();
        home.write_files(&case.config, &case.credentials);
        let mut env = case.env.clone();
        // STS is never reached: a closed port answers at once.
        env.extend([("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"), ("ROLECALL_TIMEOUT", "2")]);
        let list = home.run_env(&["list", "--json"], &env);
        let doctor = home.run_env(&["doctor", "--json"], &env);
        let findings: Vec<Value> = serde_json::from_str(&doctor.stdout).unwrap();
        let names: Vec<String> = case
            .config
            .lines()
            .chain(case.credentials.lines())
            .filter_map(|l| l.trim_start_matches('\u{feff}').strip_prefix('['))
            .filter(|l| !l.starts_with("sso-session"))
            .map(|l| l.trim_end_matches(']').trim_start_matches("profile ").to_owned())
            .collect();
        for name in names {
            let sdk = sdk_verdict(&case, &name);
            let assume = home.run_env(&["assume", &name, "--shell", "json"], &env);
            let assume_config_error = assume.code != 0 && !assume.stderr.contains("127.0.0.1:9");
            if list.code != 0 {
                // The whole file is refused: list says why in one line, assume the same line.
                let why = list.stderr.trim();
                assert!(sdk.is_some(), "{}: rolecall refuses the files ({why}), aws-config reads them", case.name);
                assert_eq!(assume.stderr.trim(), why, "{}: assume and list", case.name);
                assert!(
                    findings.iter().any(|f| f["severity"] == "error"),
                    "{}: doctor has no error for files list refuses",
                    case.name
                );
                continue;
            }
            let entries: Vec<Value> = serde_json::from_str(&list.stdout).unwrap();
            let entry = entries.iter().find(|e| e["name"] == name.as_str()).unwrap_or_else(|| panic!("{name}"));
            let list_error = entry["error"].as_str();
            assert_eq!(
                list_error.is_some(),
                sdk.is_some(),
                "{}: `{name}` list says {list_error:?}, aws-config {sdk:?}",
                case.name
            );
            assert_eq!(
                list_error.is_some(),
                assume_config_error,
                "{}: `{name}` list and assume: {}",
                case.name,
                assume.stderr
            );
            if let Some(error) = list_error {
                assert!(
                    assume.stderr.contains(error),
                    "{}: assume says {:?}, list {error:?}",
                    case.name,
                    assume.stderr
                );
                let named = findings.iter().any(|f| f["profile"] == name.as_str());
                assert!(named, "{}: doctor is silent about `{name}` ({error})", case.name);
            } else {
                let errors: Vec<_> =
                    findings.iter().filter(|f| f["severity"] == "error" && f["profile"] == name.as_str()).collect();
                assert!(errors.is_empty(), "{}: doctor errors for a usable `{name}`: {errors:?}", case.name);
            }
        }
    }
}

/// A header or a key written twice: the SDKs merge, the aws CLI v2 (Debian's awscli) refuses the
/// file, and `doctor` reports an error exactly when the CLI refuses.
#[test]
fn doctor_errors_where_the_aws_cli_v2_refuses_the_file() {
    if !require("/usr/bin/aws") {
        return;
    }
    for (config, cli_refuses) in [
        ("[profile a]\nregion = eu-west-1\nregion = eu-west-2\n", true),
        ("[profile a]\nregion = eu-west-1\n\n[profile a]\noutput = json\n", true),
        ("[profile a]\nregion = eu-west-1\n\n[profile  a]\noutput = json\n", false),
        ("[profile a]\nregion = eu-west-1\n", false),
    ] {
        let home = TempHome::new();
        home.write_files(config, "");
        let cli = home.command("/usr/bin/aws", &[]).args(["configure", "list-profiles"]).output().unwrap();
        assert_eq!(!cli.status.success(), cli_refuses, "aws CLI v2 on {config:?}");
        let doctor = home.run(&["doctor", "--json"]);
        let findings: Vec<Value> = serde_json::from_str(&doctor.stdout).unwrap();
        let duplicate_errors = findings
            .iter()
            .filter(|f| f["severity"] == "error" && f["code"].as_str().unwrap().starts_with("duplicate-"))
            .count();
        assert_eq!(duplicate_errors > 0, cli_refuses, "doctor on {config:?}: {findings:?}");
    }
}
