//! The container-credentials answer (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), as the SDKs' ECS
//! provider and the aws CLI read it: what `exec --server` serves.

use crate::types::Credentials;

/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId"}`.
pub fn json(creds: &Credentials) -> String {
    let mut out = Vec::new();
    let expiration = creds.expires_at.map(crate::util::time::format_rfc3339);
    crate::util::json::Object::start(&mut out)
        .str("AccessKeyId", &creds.access_key_id)
        .str("SecretAccessKey", &creds.secret_access_key)
        .some_str("Token", creds.session_token.as_deref())
        .some_str("Expiration", expiration.as_deref())
        .some_str("AccountId", creds.account_id.as_deref())
        .end();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_the_container_shape() {
        let creds = Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: "s".into(),
            session_token: Some("t".into()),
            expires_at: Some(0),
            account_id: None,
        };
        assert_eq!(
            json(&creds),
            r#"{"AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t","Expiration":"1970-01-01T00:00:00Z"}"#
        );
    }
}
