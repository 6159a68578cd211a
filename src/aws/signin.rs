//! AWS Sign-In's OAuth 2.0 endpoints for console credentials (`aws login`, `login_session`):
//! `GET /v1/authorize` (authorization code with PKCE, opened in a browser) and `POST /v1/token`
//! (CreateOAuth2Token: unsigned, rest-json, the body is the token input itself), each token call
//! carrying a DPoP proof of the session's key. The answers hold new credentials and a new
//! refresh token; errors are `AccessDeniedException` with an OAuth `error` code.

use crate::aws::dpop;
use crate::aws::http::Http;
use anyhow::{Result, anyhow};
use serde_json::{Value, json};

/// The two OAuth clients of the CLI tools: the browser on this machine, or another device.
pub const SAME_DEVICE: &str = "arn:aws:signin:::devtools/same-device";
pub const CROSS_DEVICE: &str = "arn:aws:signin:::devtools/cross-device";

/// What a token call gave: credentials (no account id: the caller knows it), their lifetime, a
/// new refresh token, and (for an authorization code) the ID token naming the session.
pub struct Tokens {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub token_type: Option<String>,
    pub id_token: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({}, expires in {}s)", crate::util::text::mask(&self.access_key_id), self.expires_in)
    }
}

/// A refusal: the OAuth `error` code (`TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`,
/// `INSUFFICIENT_PERMISSIONS`, `AUTHCODE_EXPIRED`, …) and what to tell the person.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Refused {
    /// Whether only signing in again helps (the 12 hours are over, the password changed).
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.code.as_str(), "TOKEN_EXPIRED" | "USER_CREDENTIALS_CHANGED" | "AUTHCODE_EXPIRED")
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match self.code.as_str() {
            "TOKEN_EXPIRED" => "the console session is over (12 hours at most): sign in again",
            "USER_CREDENTIALS_CHANGED" => "the password changed since the sign-in: sign in again",
            "INSUFFICIENT_PERMISSIONS" => {
                "the identity may not refresh console credentials (signin:CreateOAuth2Token is not allowed)"
            }
            "AUTHCODE_EXPIRED" => "the authorization code expired before it was used: sign in again",
            _ => "",
        };
        let p = crate::util::text::printable;
        match (why.is_empty(), self.code.is_empty()) {
            (false, _) => write!(f, "AWS Sign-In refused ({}): {why}", p(&self.code)),
            (true, false) => write!(f, "AWS Sign-In refused ({}): {}", p(&self.code), p(&self.message)),
            (true, true) => write!(f, "AWS Sign-In answered HTTP {}", self.status),
        }
    }
}

impl std::error::Error for Refused {}

/// The token endpoint under `base` (`https://REGION.signin.aws.amazon.com`).
pub fn token_url(base: &str) -> String {
    format!("{}/v1/token", base.trim_end_matches('/'))
}

/// CreateOAuth2Token with `input` (`clientId`, `grantType`, and the grant's fields), proved with
/// `key`. An error is [`Refused`] when the service answered one.
pub async fn create_token(http: &Http, base: &str, input: &Value, key: &dpop::Key, now: i64) -> Result<Tokens> {
    let url = token_url(base);
    let proof = key.proof(&url, now)?;
    let body = serde_json::to_vec(input)?;
    let headers = [("content-type", "application/json"), ("accept", "application/json"), ("dpop", proof.as_str())];
    let reply = http.send("AWS Sign-In CreateOAuth2Token", "POST", &url, &headers, body).await?;
    let value: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    if reply.status != 200 {
        let field = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        return Err(anyhow!(Refused { status: reply.status, code: field("error"), message: field("message") }));
    }
    // The answer is the token output itself (an SDK's `tokenOutput`); some proxies wrap it.
    let out = value.get("tokenOutput").unwrap_or(&value);
    let text = |k: &str| out.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let access = out.get("accessToken");
    let cred = |k: &str| access.and_then(|a| a.get(k)).and_then(Value::as_str).filter(|s| !s.is_empty());
    let missing = || anyhow!("AWS Sign-In CreateOAuth2Token: the answer holds no credentials");
    Ok(Tokens {
        access_key_id: cred("accessKeyId").ok_or_else(missing)?.to_owned(),
        secret_access_key: cred("secretAccessKey").ok_or_else(missing)?.to_owned(),
        session_token: cred("sessionToken").ok_or_else(missing)?.to_owned(),
        expires_in: out.get("expiresIn").and_then(Value::as_i64).filter(|s| *s > 0).ok_or_else(missing)?,
        refresh_token: text("refreshToken").ok_or_else(|| anyhow!("AWS Sign-In answered no refresh token"))?,
        token_type: text("tokenType"),
        id_token: text("idToken"),
    })
}

/// The body of a refresh.
pub fn refresh_input(client_id: &str, refresh_token: &str) -> Value {
    json!({ "clientId": client_id, "refreshToken": refresh_token, "grantType": "refresh_token" })
}

/// The body that redeems an authorization code.
pub fn code_input(client_id: &str, code: &str, verifier: &str, redirect_uri: &str) -> Value {
    json!({
        "clientId": client_id,
        "grantType": "authorization_code",
        "code": code,
        "codeVerifier": verifier,
        "redirectUri": redirect_uri,
    })
}

/// PKCE: a verifier (64 characters of the unreserved set) and its S256 challenge.
pub fn pkce() -> Result<(String, String)> {
    use sha2::Digest;
    const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let bytes = crate::util::random::bytes::<64>()?;
    // 66 symbols: a byte mod 66 is close enough to uniform for 64 of them (384 bits).
    let verifier: String = bytes.iter().map(|b| SET[*b as usize % SET.len()] as char).collect();
    let challenge = dpop::b64url(&sha2::Sha256::digest(verifier.as_bytes()));
    Ok((verifier, challenge))
}

/// The authorization page for `client_id`.
pub fn authorize_url(base: &str, client_id: &str, state: &str, challenge: &str, redirect_uri: &str) -> String {
    let q = crate::util::text::percent;
    format!(
        "{}/v1/authorize?response_type=code&client_id={}&state={}&code_challenge_method=SHA-256&scope=openid&redirect_uri={}&code_challenge={}",
        base.trim_end_matches('/'),
        q(client_id),
        q(state),
        q(redirect_uri),
        q(challenge)
    )
}

/// The `sub` of an ID token (the session's ARN), read without checking the signature (the token
/// came straight from the token endpoint over TLS, as the aws CLI takes it).
pub fn id_token_subject(id_token: &str) -> Option<String> {
    id_token_claims(id_token)?.get("sub")?.as_str().map(str::to_owned)
}

/// The claims (payload) of an ID token, unchecked (see [`id_token_subject`]).
pub fn id_token_claims(id_token: &str) -> Option<Value> {
    let payload = id_token.split('.').nth(1)?;
    serde_json::from_slice(&dpop::b64url_decode(payload)?).ok()
}

/// What the person pastes after a sign-in on another device: base64 of `state=…&code=…`.
pub fn parse_pasted_code(text: &str) -> Option<(String, String)> {
    let bytes = aws_smithy_types::base64::decode(text.trim()).ok()?;
    let query = String::from_utf8(bytes).ok()?;
    let mut state = None;
    let mut code = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "state" => state = Some(v.into_owned()),
            "code" => code = Some(v.into_owned()),
            _ => {}
        }
    }
    Some((code?, state?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_verifier_and_challenge() {
        let (verifier, challenge) = pkce().unwrap();
        assert_eq!(verifier.len(), 64);
        assert!(verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        assert_eq!(challenge.len(), 43);
        assert!(!challenge.contains('='));
        assert_ne!(pkce().unwrap().0, verifier);
    }

    #[test]
    fn subjects_and_pasted_codes() {
        let id = "eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJhcm46YXdzOnN0czo6NzIxNzgxNjAzNzU1OmFzc3VtZWQtcm9sZVwvQWRtaW5cL3Nob3ZsaWEtSXNlbmdhcmQifQ.x";
        assert_eq!(
            id_token_subject(id).as_deref(),
            Some("arn:aws:sts::721781603755:assumed-role/Admin/shovlia-Isengard")
        );
        assert_eq!(id_token_subject("a.b"), None);
        let pasted = aws_smithy_types::base64::encode("state=abc&code=xyz%2B1");
        assert_eq!(parse_pasted_code(&pasted), Some(("xyz+1".into(), "abc".into())));
        assert_eq!(parse_pasted_code("!!"), None);
    }

    #[test]
    fn refusals_say_what_to_do() {
        let r = Refused { status: 400, code: "TOKEN_EXPIRED".into(), message: String::new() };
        assert!(r.needs_sign_in());
        assert!(r.to_string().contains("sign in again"));
        let r = Refused { status: 400, code: "INSUFFICIENT_PERMISSIONS".into(), message: String::new() };
        assert!(!r.needs_sign_in());
        assert!(r.to_string().contains("CreateOAuth2Token"));
    }
}
