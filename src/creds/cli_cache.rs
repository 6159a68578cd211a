//! The AWS CLI's credential cache (botocore's `JSONFileCache`, `~/.aws/cli/cache/<sha1>.json`):
//! role and SSO role credentials written where `aws` with `AWS_PROFILE=P` looks, under botocore's
//! own key (checked against `cli-cache-key-vectors.json`).

use crate::config::Config;
use crate::types::Credentials;
use crate::util::fs::{ensure_private_dir, write_private};
use anyhow::Result;
use std::path::PathBuf;

/// The arguments botocore builds its cache key from, for one role hop as configured.
#[derive(Debug, Default, Clone)]
pub struct KeyArgs<'a> {
    pub role_arn: &'a str,
    /// Only when the profile sets `role_session_name` (botocore drops its generated one).
    pub role_session_name: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub serial_number: Option<&'a str>,
    pub duration_seconds: Option<i64>,
}

/// sha1 of Python's `json.dumps(args, sort_keys=True)` (botocore
/// `BaseAssumeRoleCredentialFetcher._create_cache_key`).
pub fn key(args: &KeyArgs) -> String {
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(d) = args.duration_seconds {
        fields.push(("DurationSeconds", d.to_string()));
    }
    let mut string = |name, v: Option<&str>| {
        if let Some(v) = v {
            fields.push((name, crate::util::json::python_str(v)));
        }
    };
    string("ExternalId", args.external_id);
    string("RoleArn", Some(args.role_arn));
    string("RoleSessionName", args.role_session_name);
    string("SerialNumber", args.serial_number);
    // Already in sorted order: DurationSeconds < ExternalId < RoleArn < RoleSessionName < SerialNumber.
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    sha1_smol::Sha1::from(format!("{{{}}}", body.join(", "))).digest().to_string()
}

pub fn dir(cfg: &Config) -> Option<PathBuf> {
    cfg.aws_dir("cli/cache")
}

/// The `"Credentials": {…}` object botocore's cached fetchers read.
fn credentials_json(out: &mut Vec<u8>, creds: &Credentials) {
    let expiration = creds.expires_at.map(crate::util::time::format_rfc3339).unwrap_or_default();
    out.extend_from_slice(b"\"Credentials\": ");
    let mut obj = crate::util::json::Object::start(out);
    obj.str("AccessKeyId", &creds.access_key_id)
        .str("SecretAccessKey", &creds.secret_access_key)
        .some_str("SessionToken", creds.session_token.as_deref())
        .str("Expiration", &expiration);
    obj.end();
}

fn write(cfg: &Config, key: &str, out: &[u8]) -> Result<()> {
    let Some(dir) = dir(cfg) else { return Ok(()) };
    ensure_private_dir(&dir)?;
    write_private(&dir.join(format!("{key}.json")), out)
}

/// Write an AssumeRole result where the AWS CLI looks for it.
pub fn put(cfg: &Config, key: &str, creds: &Credentials, arn: &str, role_id: &str) -> Result<()> {
    let mut out = Vec::with_capacity(1024);
    out.push(b'{');
    credentials_json(&mut out, creds);
    out.extend_from_slice(b", \"AssumedRoleUser\": ");
    let mut user = crate::util::json::Object::start(&mut out);
    user.str("AssumedRoleId", role_id).str("Arn", arn);
    user.end();
    out.extend_from_slice(b"}\n");
    write(cfg, key, &out)
}

/// Write SSO role credentials where botocore's SSO provider looks first
/// (`SSOCredentialFetcher`: `ProviderType` and `Credentials`).
pub fn put_sso(cfg: &Config, key: &str, creds: &Credentials) -> Result<()> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(b"{\"ProviderType\": \"sso\", ");
    credentials_json(&mut out, creds);
    out.extend_from_slice(b"}\n");
    write(cfg, key, &out)
}
