//! The console's federation endpoint (AWS's "custom identity broker" contract): temporary
//! credentials in, a sign-in token out (`Action=getSigninToken`), then the `Action=login` URL
//! that opens the console. The token is a console session for 15 minutes: it lives in a
//! [`SigninUrl`], which never prints itself, and no error carries it or the credentials.

use crate::aws::http::Http;
use crate::creds::Credentials;
use crate::util::text::percent;
use anyhow::{Result, bail};

/// The sign-in URL: a secret. `Debug` and `Display` show only where it goes.
pub struct SigninUrl(String);

impl SigninUrl {
    /// The URL itself, for the browser, the clipboard or `--url`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SigninUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigninUrl({} …)", crate::aws::http::host(&self.0))
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

/// Exchange `creds` for a sign-in token at `endpoint` (the sign-in host, or the configured URL)
/// and build the URL that opens `destination`. `session_duration` (seconds) is sent only where
/// the endpoint accepts it: the caller knows the credentials' kind.
pub async fn sign_in(
    http: &Http,
    endpoint: &crate::aws::endpoint::Endpoint,
    creds: &Credentials,
    session_duration: Option<u64>,
    destination: &str,
) -> Result<SigninUrl> {
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
    Ok(SigninUrl(format!(
        "{base}?Action=login&Issuer=rolecall&Destination={}&SigninToken={}",
        percent(destination),
        percent(token)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_and_url_shape() {
        let creds = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: "s\"ecret".into(),
            session_token: Some("tok".into()),
            expires_at: None,
            account_id: None,
        };
        assert_eq!(session_json(&creds), r#"{"sessionId":"ASIA1","sessionKey":"s\"ecret","sessionToken":"tok"}"#);
        assert_eq!(federation("http://127.0.0.1:9/"), "http://127.0.0.1:9/federation");
        let url = SigninUrl("https://signin.aws.amazon.com/federation?SigninToken=SECRET".into());
        assert!(!format!("{url:?}").contains("SECRET"));
    }
}
