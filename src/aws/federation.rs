//! The console's federation endpoint (AWS's "custom identity broker" contract): temporary
//! credentials in, a sign-in token out (`Action=getSigninToken`); the `Action=login` URL made of
//! it is an output ([`crate::outputs::console`]). The token is a console session for 15 minutes:
//! it lives in a [`SigninToken`], which never prints itself, and no error carries it or the
//! credentials.

use crate::aws::http::Http;
use crate::types::Credentials;
use crate::util::text::percent;
use anyhow::{Result, bail};

/// A sign-in token and the federation endpoint that issued it: a secret. `Debug` shows only the
/// host.
pub struct SigninToken {
    /// `<endpoint>/federation`, where the login URL goes too.
    pub federation: String,
    token: String,
}

impl SigninToken {
    pub fn expose(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Debug for SigninToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigninToken({} …)", crate::aws::http::host(&self.federation))
    }
}

/// `Session`: the credentials as the endpoint takes them.
fn session_json(creds: &Credentials) -> String {
    let mut out = Vec::new();
    crate::util::json::Object::start(&mut out)
        .str("sessionId", &creds.access_key_id)
        .str("sessionKey", &creds.secret_access_key)
        .str("sessionToken", creds.session_token.as_deref().unwrap_or(""))
        .end();
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// The federation endpoint: `<endpoint>/federation`.
fn federation(endpoint: &str) -> String {
    format!("{}/federation", endpoint.trim_end_matches('/'))
}

/// Exchange `creds` for a sign-in token at `endpoint` (the sign-in host, or the configured URL).
/// `session_duration` (seconds) is sent only where the endpoint accepts it: the caller knows the
/// credentials' kind.
pub async fn signin_token(
    http: &Http,
    endpoint: &crate::aws::endpoint::Endpoint,
    creds: &Credentials,
    session_duration: Option<u64>,
) -> Result<SigninToken> {
    let base = federation(&endpoint.url);
    let from = endpoint.said();
    let mut query = String::from("Action=getSigninToken");
    if let Some(secs) = session_duration {
        query.push_str(&format!("&SessionDuration={secs}"));
    }
    query.push_str("&Session=");
    query.push_str(&percent(&session_json(creds)));
    let what = "the console sign-in (getSigninToken)";
    let reply =
        http.send(what, "GET", &format!("{base}?{query}"), &[("accept", "application/json")], Vec::new()).await?;
    let host = crate::aws::http::host(&base).to_owned();
    match reply.status {
        200 => {}
        400 | 401 | 403 => bail!(
            "{what} ({host}) refused these credentials (HTTP {}{from}): it takes a role's, an SSO role's or an IAM user's federation credentials",
            reply.status
        ),
        status => bail!("{what} ({host}): HTTP {status}{from}"),
    }
    let value: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null);
    let Some(token) = value.get("SigninToken").and_then(|t| t.as_str()).filter(|t| !t.is_empty()) else {
        bail!("{what} ({host}) answered without a SigninToken{from}");
    };
    Ok(SigninToken { federation: base, token: token.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_shape() {
        let creds = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: "s\"ecret".into(),
            session_token: Some("tok".into()),
            expires_at: None,
            account_id: None,
        };
        assert_eq!(session_json(&creds), r#"{"sessionId":"ASIA1","sessionKey":"s\"ecret","sessionToken":"tok"}"#);
        assert_eq!(federation("http://127.0.0.1:9/"), "http://127.0.0.1:9/federation");
        let token =
            SigninToken { federation: "https://signin.aws.amazon.com/federation".into(), token: "SECRET".into() };
        assert!(!format!("{token:?}").contains("SECRET"));
    }
}
