//! Nothing panics on any input: arbitrary text in both files goes through loading, resolution
//! of every profile, the list entries and every doctor check.

use proptest::prelude::*;
use rolecall::files::{AwsFiles, FileKind, SourceFile};
use rolecall::files::{catalog, doctor};
use rolecall::util::json;

fn run_everything(config: &str, credentials: &str) {
    let files = AwsFiles::from_files(
        SourceFile::from_text(FileKind::Config, "config", config),
        SourceFile::from_text(FileKind::Credentials, "credentials", credentials),
    );
    let _ = files.check();
    let mut out = Vec::new();
    json::write_lines(&mut out, catalog::entries(&files)).unwrap();
    let findings = doctor::check(&files);
    json::write_lines(&mut out, &findings).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Lines built from the characters that matter to the parser, and some that do not.
    #[test]
    fn structured_noise(
        config in "([\\[\\] \t=#;a-z_\u{a0}é🐱\r]{0,30}\n){0,15}",
        credentials in "([\\[\\] \t=#;a-z_]{0,30}\n){0,8}",
    ) {
        run_everything(&config, &credentials);
    }

    /// Profiles that reference each other in random ways (loops, self-references, missing
    /// sources, sso sessions, every credential kind).
    #[test]
    fn random_references(
        profiles in proptest::collection::vec((0..6usize, proptest::collection::vec((0..14usize, 0..6usize), 0..6)), 0..8),
    ) {
        const KEYS: [&str; 14] = [
            "role_arn", "source_profile", "credential_source", "aws_access_key_id", "aws_secret_access_key",
            "aws_session_token", "mfa_serial", "mfa_arn", "web_identity_token_file", "sso_session",
            "sso_account_id", "sso_role_name", "credential_process", "sso_start_url",
        ];
        const VALUES: [&str; 6] = ["p0", "p1", "p2", "arn:aws:iam::123456789012:role/R", "Environment", ""];
        let mut config = String::new();
        for (name, props) in &profiles {
            config.push_str(&format!("[profile p{name}]\n"));
            for (k, v) in props {
                config.push_str(&format!("{} = {}\n", KEYS[*k], VALUES[*v]));
            }
        }
        config.push_str("[sso-session p1]\nsso_region = eu-west-1\n");
        run_everything(&config, "[p2]\naws_access_key_id = AKIA\n");
    }
}
