//! Credentials as plain data: what AWS issues (an access key id, its secret, a session token, an
//! expiry, an account), checked where they enter, never shown in `Debug`, and their
//! credential_process JSON (what `credential_process` prints, and rolecall's own cache format).

use crate::util::json;
use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Unix seconds; `None` for long-term keys.
    pub expires_at: Option<i64>,
    pub account_id: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &self.session_token.as_ref().map(|_| "** redacted **"))
            .field("expires_at", &self.expires_at)
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// The longest value AWS issues for each field is far below this (session tokens are ~2 KiB).
const MAX_FIELD: usize = 64 * 1024;

impl Credentials {
    /// An IAM user's long-term keys: no token, no expiry, no account.
    pub fn long_term(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Credentials {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            expires_at: None,
            account_id: None,
        }
    }

    /// These credentials, if every field looks like what AWS issues: printable ASCII without
    /// spaces (an access key id: letters, digits, `_`), and no longer than any real one. `from`
    /// names where they came from in the error, which never quotes a value.
    pub fn checked(self, from: &str) -> Result<Credentials> {
        let printable = |v: &str| v.bytes().all(|b| b.is_ascii_graphic());
        let fields = [
            ("AccessKeyId", Some(self.access_key_id.as_str())),
            ("SecretAccessKey", Some(self.secret_access_key.as_str())),
            ("SessionToken", self.session_token.as_deref()),
            ("AccountId", self.account_id.as_deref()),
        ];
        for (name, value) in fields {
            let Some(value) = value else { continue };
            let ok = match name {
                "AccessKeyId" => !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                _ => !value.is_empty() && printable(value),
            };
            if !ok || value.len() > MAX_FIELD {
                bail!(
                    "{from}: {name} holds characters AWS never issues in credentials (control characters, spaces or non-ASCII): refused"
                );
            }
        }
        Ok(self)
    }

    /// The same keys as the SDK's credentials (for STS and the IAM signer).
    pub fn to_sdk(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            self.session_token.clone(),
            None,
            "rolecall",
        )
    }

    /// The credentials in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, and the
    /// token, expiry and account when set); `None` unless both keys are there.
    pub fn from_env(cfg: &crate::config::Config) -> Option<Credentials> {
        let env = |k: &str| cfg.var(k);
        Some(Credentials {
            access_key_id: env("AWS_ACCESS_KEY_ID")?,
            secret_access_key: env("AWS_SECRET_ACCESS_KEY")?,
            session_token: env("AWS_SESSION_TOKEN"),
            expires_at: env("AWS_CREDENTIAL_EXPIRATION").and_then(|t| crate::util::time::parse_rfc3339(&t)),
            account_id: env("AWS_ACCOUNT_ID"),
        })
    }

    /// credential_process JSON v1, also rolecall's own cache format.
    pub fn to_process_json(&self) -> String {
        let mut out = Vec::with_capacity(1024);
        let mut obj = json::Object::start(&mut out);
        obj.num("Version", 1)
            .str("AccessKeyId", &self.access_key_id)
            .str("SecretAccessKey", &self.secret_access_key)
            .some_str("SessionToken", self.session_token.as_deref());
        let expiration = self.expires_at.map(crate::util::time::format_rfc3339);
        obj.some_str("Expiration", expiration.as_deref()).some_str("AccountId", self.account_id.as_deref());
        obj.end();
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    /// Parse credential_process JSON v1 (what `credential_process` prints, and the cache).
    /// Messages follow aws-config's and never quote the input.
    pub fn from_process_json(text: &str) -> Result<Credentials> {
        let value: Value =
            serde_json::from_str(text).map_err(|_| anyhow!("could not parse response: invalid JSON in response"))?;
        let obj = value.as_object().ok_or_else(|| anyhow!("could not parse response: expected a JSON object"))?;
        match obj.get("Version") {
            Some(v) if v.as_u64() == Some(1) || v.as_str() == Some("1") => {}
            Some(_) => bail!("could not parse response: unsupported Version (only 1 is known)"),
            None => bail!("could not parse response: missing field `Version`"),
        }
        let field = |name: &str| -> Result<Option<String>> {
            match obj.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => bail!("could not parse response: `{name}` is not a string"),
            }
        };
        let required =
            |name: &str| field(name)?.ok_or_else(|| anyhow!("could not parse response: missing field `{name}`"));
        let expires_at = match field("Expiration")? {
            None => None,
            Some(text) => Some(
                crate::util::time::parse_rfc3339(&text)
                    .with_context(|| "could not parse response: `Expiration` is not an RFC 3339 time")?,
            ),
        };
        Ok(Credentials {
            access_key_id: required("AccessKeyId")?,
            secret_access_key: required("SecretAccessKey")?,
            session_token: field("SessionToken")?,
            expires_at,
            account_id: field("AccountId")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "s3cr3t".into(),
            session_token: Some("t0k3n".into()),
            expires_at: Some(1),
            account_id: None,
        };
        let text = format!("{c:?}");
        assert!(!text.contains("s3cr3t") && !text.contains("t0k3n"), "{text}");
        assert_eq!(Credentials::from_process_json(&c.to_process_json()).unwrap(), c);
    }

    #[test]
    fn process_json_errors_do_not_quote_input() {
        let err = Credentials::from_process_json("not json s3cr3t").unwrap_err().to_string();
        assert!(err.contains("invalid JSON in response") && !err.contains("s3cr3t"));
        let err = Credentials::from_process_json(r#"{"Version": 2}"#).unwrap_err().to_string();
        assert!(err.contains("Version"), "{err}");
        let err = Credentials::from_process_json(r#"{"Version": 1, "AccessKeyId": "a"}"#).unwrap_err().to_string();
        assert!(err.contains("SecretAccessKey"), "{err}");
    }
}
