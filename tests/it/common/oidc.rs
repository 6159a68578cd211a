//! IAM Identity Center's OIDC service and portal, served on 127.0.0.1 after their documented
//! contract, verifying what the real ones verify:
//!
//! - `POST /client/register`: a public client; one registered for `authorization_code` must ask
//!   for `["authorization_code", "refresh_token"]`, name the redirect
//!   `http://127.0.0.1/oauth/callback` and an `issuerUrl`;
//! - `GET /authorize`: `response_type=code`, a client registered for the authorization code, a
//!   loopback `redirect_uri` on `/oauth/callback` (any port, RFC 8252), `state`,
//!   `code_challenge_method=S256`, `scopes`, then a redirect with `code` and `state`;
//! - `POST /token`: the client's secret; `authorization_code` checks the code (once), the redirect
//!   and the **PKCE verifier** against the challenge; `refresh_token` takes the current refresh
//!   token of a session and rotates it, or answers `InvalidGrantException` (used, or after
//!   [`Oidc::end_sessions`]); the device code grant is approved at once;
//! - `POST /device_authorization`; `GET /federation/credentials` (GetRoleCredentials) for a
//!   current access token.
#![allow(dead_code)]

use super::serve::{Request, Response, Server};
use serde_json::{Value, json};
use sha2::Digest;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct State {
    /// client id -> (secret, grant types)
    clients: HashMap<String, (String, Vec<String>)>,
    /// code -> (client, challenge, redirect)
    codes: HashMap<String, (String, String, String)>,
    /// refresh token -> current
    refresh: HashMap<String, bool>,
    /// access tokens issued and still good
    access: Vec<String>,
    pub registrations: Vec<Value>,
    pub sign_ins: usize,
    pub refreshes: usize,
    pub role_calls: usize,
    pub refusals: Vec<String>,
    ended: bool,
    /// How long the role credentials GetRoleCredentials gives last (default an hour).
    pub role_secs: Option<i64>,
}

pub struct Oidc {
    pub server: Server,
    pub state: Arc<Mutex<State>>,
    pub url: String,
}

fn refused(status: u16, kind: &str, error: &str, why: &str) -> Response {
    Response::new(status, "application/json", json!({ "error": error, "error_description": why }).to_string())
        .with_header("x-amzn-errortype", kind)
}

impl Oidc {
    pub fn start() -> Oidc {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let server = Server::start(move |r: &Request| {
            let mut s = shared.lock().unwrap();
            let out = handle(&mut s, r);
            if out.status >= 400 {
                let why = String::from_utf8_lossy(&out.body).into_owned();
                s.refusals.push(format!("{} {}: {why}", r.method, r.path()));
            }
            out
        });
        let url = server.url.clone();
        Oidc { server, state, url }
    }

    pub fn end_sessions(&self) {
        self.state.lock().unwrap().ended = true;
    }

    pub fn refusals(&self) -> Vec<String> {
        self.state.lock().unwrap().refusals.clone()
    }

    /// `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC` pointing here.
    pub fn env(&self) -> [(&'static str, &str); 2] {
        [("AWS_ENDPOINT_URL_SSO", self.url.as_str()), ("AWS_ENDPOINT_URL_SSO_OIDC", self.url.as_str())]
    }
}

fn issue(s: &mut State, with_refresh: bool) -> Value {
    let n = s.access.len();
    let access = format!("ssoaccess{n}{}", "a".repeat(20));
    s.access.push(access.clone());
    let mut out = json!({ "accessToken": access, "tokenType": "Bearer", "expiresIn": 3600 });
    if with_refresh {
        let refresh = format!("ssorefresh{n}{}", "r".repeat(20));
        s.refresh.insert(refresh.clone(), true);
        out["refreshToken"] = json!(refresh);
    }
    out
}

fn handle(s: &mut State, r: &Request) -> Response {
    let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let field = |k: &str| body[k].as_str().unwrap_or("").to_owned();
    match (r.method.as_str(), r.path()) {
        ("POST", "/client/register") => {
            if field("clientType") != "public" {
                return refused(400, "InvalidRequestException", "invalid_request", "clientType");
            }
            let grants: Vec<String> =
                body["grantTypes"].as_array().into_iter().flatten().filter_map(|g| g.as_str().map(str::to_owned)).collect();
            if grants.iter().any(|g| g == "authorization_code") {
                let redirects = body["redirectUris"].to_string();
                if !grants.iter().any(|g| g == "refresh_token")
                    || redirects != r#"["http://127.0.0.1/oauth/callback"]"#
                    || field("issuerUrl").is_empty()
                {
                    return refused(400, "InvalidRequestException", "invalid_request", "PKCE registration");
                }
            }
            s.registrations.push(body.clone());
            let id = format!("client{}", s.clients.len());
            let secret = format!("secret{}{}", s.clients.len(), "s".repeat(20));
            s.clients.insert(id.clone(), (secret.clone(), grants));
            Response::new(
                200,
                "application/json",
                json!({ "clientId": id, "clientSecret": secret, "clientSecretExpiresAt": super::now() + 90 * 86400 })
                    .to_string(),
            )
        }
        ("GET", "/authorize") => {
            let p = |k: &str| r.param(k).unwrap_or_default();
            let client = p("client_id");
            let pkce_client = s.clients.get(&client).is_some_and(|(_, g)| g.iter().any(|g| g == "authorization_code"));
            let redirect = p("redirect_uri");
            let loopback = redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/oauth/callback");
            if p("response_type") != "code"
                || !pkce_client
                || !loopback
                || p("state").is_empty()
                || p("code_challenge_method") != "S256"
                || p("scopes").is_empty()
                || p("code_challenge").len() != 43
            {
                return refused(400, "InvalidRequestException", "invalid_request", &r.target);
            }
            let code = format!("ssocode{}", s.codes.len());
            s.codes.insert(code.clone(), (client, p("code_challenge"), redirect.clone()));
            let state = rolecall::util::text::percent(&p("state"));
            Response::new(302, "text/html", "").with_header("Location", &format!("{redirect}?code={code}&state={state}"))
        }
        ("POST", "/device_authorization") => Response::new(
            200,
            "application/json",
            json!({ "deviceCode": "devicecode", "userCode": "ABCD-EFGH", "verificationUri": "https://device.sso.example/",
                    "verificationUriComplete": "https://device.sso.example/?user_code=ABCD-EFGH", "expiresIn": 600, "interval": 1 })
            .to_string(),
        ),
        ("POST", "/token") => {
            let Some((secret, grants)) = s.clients.get(&field("clientId")).cloned() else {
                return refused(400, "InvalidClientException", "invalid_client", "unknown client");
            };
            if secret != field("clientSecret") {
                return refused(400, "InvalidClientException", "invalid_client", "secret");
            }
            match field("grantType").as_str() {
                "authorization_code" => {
                    let Some((client, challenge, redirect)) = s.codes.remove(&field("code")) else {
                        return refused(400, "InvalidGrantException", "invalid_grant", "code");
                    };
                    let computed = rolecall::aws::dpop::b64url(&sha2::Sha256::digest(field("codeVerifier").as_bytes()));
                    if client != field("clientId") || redirect != field("redirectUri") || computed != challenge {
                        return refused(400, "InvalidGrantException", "invalid_grant", "PKCE verifier or redirect");
                    }
                    s.sign_ins += 1;
                    Response::new(200, "application/json", issue(s, true).to_string())
                }
                "refresh_token" => {
                    let token = field("refreshToken");
                    if s.ended || s.refresh.get(&token) != Some(&true) || !grants.iter().any(|g| g == "refresh_token") {
                        return refused(400, "InvalidGrantException", "invalid_grant", "refresh token");
                    }
                    s.refresh.insert(token, false);
                    s.refreshes += 1;
                    // A refresh takes a moment, as over a network: others that read the same
                    // token meanwhile and refresh it too are refused.
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    Response::new(200, "application/json", issue(s, true).to_string())
                }
                "urn:ietf:params:oauth:grant-type:device_code" => {
                    s.sign_ins += 1;
                    Response::new(200, "application/json", issue(s, false).to_string())
                }
                other => refused(400, "UnsupportedGrantTypeException", "unsupported_grant_type", other),
            }
        }
        ("GET", "/federation/credentials") => {
            let bearer = r.header("x-amz-sso_bearer_token").unwrap_or("");
            if !s.access.iter().any(|a| a == bearer) {
                return refused(401, "UnauthorizedException", "unauthorized", "token");
            }
            s.role_calls += 1;
            let n = s.role_calls;
            Response::new(
                200,
                "application/json",
                json!({ "roleCredentials": { "accessKeyId": format!("ASIASSOROLE{n:09}"), "secretAccessKey": format!("ssoRoleSecret{n}{}", "x".repeat(24)),
                        "sessionToken": format!("ssoRoleSession{n}{}", "y".repeat(30)), "expiration": (super::now() + s.role_secs.unwrap_or(3600)) * 1000 } })
                .to_string(),
            )
        }
        _ => Response::new(404, "text/plain", "not found"),
    }
}
