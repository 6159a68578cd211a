//! AWS Sign-In's OAuth endpoints for console credentials (`aws login`), served on 127.0.0.1 after
//! the documented contract, verifying what the real service verifies:
//!
//! - `GET /v1/authorize` (`response_type=code`, a known `client_id`, `state`, `scope=openid`,
//!   `code_challenge_method=SHA-256`, a 43-character `code_challenge`, a `redirect_uri`) signs the
//!   person in at once and redirects to the `redirect_uri` with `code` and `state` (same device),
//!   or shows the code to paste (cross device: base64 of `state=…&code=…`);
//! - `POST /v1/token` (CreateOAuth2Token; the body is the token input) checks the **DPoP proof**
//!   (an ES256 JWT: `typ dpop+jwt`, the signature against its own `jwk`, `htm POST`, `htu` this
//!   endpoint, a `jti` never seen before, `iat` within a minute), then for `authorization_code`
//!   the code (once, same client and `redirect_uri`) and the **PKCE verifier** against the
//!   challenge, and for `refresh_token` that the token is the current one of its session and the
//!   proof's key is the one the session was signed in with. Each answer rotates the refresh token;
//!   a used one gets `TOKEN_EXPIRED`, as does every refresh after [`SignIn::end_sessions`].
#![allow(dead_code)]

use super::serve::{Request, Response, Server};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::{Value, json};
use sha2::Digest;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub const SAME_DEVICE: &str = "arn:aws:signin:::devtools/same-device";
pub const CROSS_DEVICE: &str = "arn:aws:signin:::devtools/cross-device";

struct Pending {
    client_id: String,
    challenge: String,
    redirect_uri: String,
}

struct Grant {
    jwk: (String, String),
    client_id: String,
    current: bool,
}

#[derive(Default)]
pub struct State {
    codes: HashMap<String, Pending>,
    grants: HashMap<String, Grant>,
    jtis: HashSet<String>,
    /// Refreshes answered, sign-ins (codes redeemed) answered.
    pub refreshes: usize,
    pub sign_ins: usize,
    /// Every refusal, as `CODE: why`.
    pub refusals: Vec<String>,
    /// Access key ids issued, in order.
    pub issued: Vec<String>,
    /// The refresh tokens issued, in order.
    pub refresh_tokens: Vec<String>,
    ended: bool,
    /// The time the server takes as now (the tests' pinned clock), else the real one.
    pub clock: Option<i64>,
    /// The access key ids the federation endpoint signed in with.
    pub federated: Vec<String>,
    /// Run once when a refresh is refused (another tool saving its refresh meanwhile).
    pub on_refused: Option<Box<dyn FnOnce() + Send>>,
}

pub struct SignIn {
    pub server: Server,
    pub state: Arc<Mutex<State>>,
    pub url: String,
    /// The session the sign-in gives (the ID token's `sub`).
    pub arn: String,
}

pub fn b64url(bytes: &[u8]) -> String {
    rolecall::aws::dpop::b64url(bytes)
}

fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    rolecall::aws::dpop::b64url_decode(text)
}

/// An ID token naming `arn`, issued now (the client reads `sub`, and `iat` for the 12 hours).
pub fn id_token(arn: &str) -> String {
    id_token_at(arn, super::now())
}

/// An ID token naming `arn`, issued at `iat`.
pub fn id_token_at(arn: &str, iat: i64) -> String {
    let header = b64url(br#"{"alg":"ES384","typ":"JWT","kid":"test"}"#);
    let claims = json!({ "sub": arn, "aud": SAME_DEVICE, "iss": "https://signin.aws.amazon.com/signin", "iat": iat, "exp": iat + 900 });
    let payload = b64url(claims.to_string().as_bytes());
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

/// Check a DPoP proof for a POST to `url` at `now`; its key (`x`, `y`), or why it is refused.
pub fn verify_dpop(
    proof: Option<&str>,
    url: &str,
    now: i64,
    jtis: &mut HashSet<String>,
) -> Result<(String, String), String> {
    let proof = proof.ok_or("no DPoP header")?;
    let parts: Vec<&str> = proof.split('.').collect();
    if parts.len() != 3 {
        return Err("DPoP proof is not a JWT".into());
    }
    let json = |p: &str| -> Result<Value, String> {
        serde_json::from_slice(&b64url_decode(p).ok_or("not base64url")?).map_err(|e| e.to_string())
    };
    let (header, payload) = (json(parts[0])?, json(parts[1])?);
    if header["typ"] != "dpop+jwt" || header["alg"] != "ES256" {
        return Err(format!("DPoP header {header}"));
    }
    let jwk = &header["jwk"];
    if jwk["kty"] != "EC" || jwk["crv"] != "P-256" {
        return Err(format!("DPoP jwk {jwk}"));
    }
    let (x, y) = (jwk["x"].as_str().unwrap_or(""), jwk["y"].as_str().unwrap_or(""));
    let mut point = vec![4u8];
    point.extend(b64url_decode(x).ok_or("jwk x")?);
    point.extend(b64url_decode(y).ok_or("jwk y")?);
    let key = VerifyingKey::from_sec1_bytes(&point).map_err(|_| "jwk is not a P-256 point")?;
    let signature = Signature::from_slice(&b64url_decode(parts[2]).ok_or("signature")?).map_err(|_| "signature")?;
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .map_err(|_| "DPoP signature does not verify with its jwk")?;
    if payload["htm"] != "POST" {
        return Err(format!("DPoP htm {}", payload["htm"]));
    }
    if payload["htu"] != url {
        return Err(format!("DPoP htu {} is not {url}", payload["htu"]));
    }
    let jti = payload["jti"].as_str().filter(|j| !j.is_empty()).ok_or("DPoP without jti")?;
    if !jtis.insert(jti.to_owned()) {
        return Err("DPoP jti used before".into());
    }
    let iat = payload["iat"].as_i64().ok_or("DPoP without iat")?;
    if (iat - now).abs() > 60 {
        return Err(format!("DPoP iat {iat} is more than a minute from {now}"));
    }
    Ok((x.to_owned(), y.to_owned()))
}

/// The refusal AWS Sign-In answers: 400 `AccessDeniedException` (or `ValidationException`).
pub fn refused(kind: &str, code: &str, message: &str) -> Response {
    Response::new(400, "application/json", json!({ "error": code, "message": message }).to_string())
        .with_header("x-amzn-errortype", kind)
}

fn now_or(clock: Option<i64>) -> i64 {
    clock.unwrap_or_else(super::now)
}

impl SignIn {
    /// The endpoint, signing in as `arn`.
    pub fn start(arn: &str) -> SignIn {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let session = arn.to_owned();
        let base = Arc::new(Mutex::new(String::new()));
        let base_seen = base.clone();
        let server = Server::start(move |r: &Request| {
            let url = base_seen.lock().unwrap().clone();
            let mut s = shared.lock().unwrap();
            match (r.method.as_str(), r.path()) {
                ("GET", "/v1/authorize") => authorize(&mut s, r, &url),
                ("POST", "/v1/token") => token(&mut s, r, &url, &session),
                // The console's federation endpoint shares AWS_ENDPOINT_URL_SIGNIN: it takes
                // temporary credentials only, and records whose.
                ("GET", "/federation") if r.param("Action").as_deref() == Some("getSigninToken") => {
                    let session: Value =
                        serde_json::from_str(&r.param("Session").unwrap_or_default()).unwrap_or_default();
                    match (session["sessionId"].as_str(), session["sessionToken"].as_str()) {
                        (Some(id), Some(_)) => {
                            s.federated.push(id.to_owned());
                            Response::new(
                                200,
                                "application/json",
                                r#"{"SigninToken":"FEDERATIONTOKENxxxxxxxxxxxxxxxx"}"#,
                            )
                        }
                        _ => Response::new(400, "text/plain", "Bad Request"),
                    }
                }
                _ => Response::new(404, "text/plain", "not found"),
            }
        });
        *base.lock().unwrap() = server.url.clone();
        let url = server.url.clone();
        SignIn { server, state, url, arn: arn.to_owned() }
    }

    /// From now on every refresh is refused with `TOKEN_EXPIRED` (the 12 hours are over).
    pub fn end_sessions(&self) {
        self.state.lock().unwrap().ended = true;
    }

    pub fn refreshes(&self) -> usize {
        self.state.lock().unwrap().refreshes
    }

    pub fn refusals(&self) -> Vec<String> {
        self.state.lock().unwrap().refusals.clone()
    }

    /// A cache entry for `arn` as `aws login` writes it, bound to the DPoP key `pem`, whose
    /// refresh token this server knows; its credentials expire at `expires_at`.
    pub fn entry(&self, pem: &str, expires_at: i64) -> Value {
        let key = rolecall::aws::dpop::Key::from_pem(pem).unwrap();
        let mut s = self.state.lock().unwrap();
        let refresh = format!("ASORseed{}{}", s.refresh_tokens.len(), "r".repeat(24));
        s.grants.insert(refresh.clone(), Grant { jwk: key.public_xy(), client_id: SAME_DEVICE.into(), current: true });
        s.refresh_tokens.push(refresh.clone());
        let account = self.arn.split(':').nth(4).unwrap_or("").to_owned();
        json!({
            "accessToken": {
                "accessKeyId": "ASIASEEDSEEDSEEDSEED",
                "secretAccessKey": "seedSecretKeyseedSecretKeyseedSecretKey0",
                "sessionToken": "seedSessionToken0123456789",
                "accountId": account,
                "expiresAt": rolecall::util::time::format_rfc3339(expires_at),
            },
            "tokenType": "aws_sigv4",
            "clientId": SAME_DEVICE,
            "refreshToken": refresh,
            "idToken": id_token(&self.arn),
            "dpopKey": pem,
        })
    }
}

fn authorize(s: &mut State, r: &Request, base: &str) -> Response {
    let p = |k: &str| r.param(k).unwrap_or_default();
    let client_id = p("client_id");
    let challenge = p("code_challenge");
    let ok = p("response_type") == "code"
        && (client_id == SAME_DEVICE || client_id == CROSS_DEVICE)
        && !p("state").is_empty()
        && p("scope") == "openid"
        && p("code_challenge_method") == "SHA-256"
        && challenge.len() == 43
        && !p("redirect_uri").is_empty();
    if !ok {
        s.refusals.push(format!("authorize: bad request {}", r.target));
        return Response::new(400, "text/plain", "invalid authorization request");
    }
    let redirect_uri = p("redirect_uri");
    let cross = client_id == CROSS_DEVICE;
    if cross && redirect_uri != format!("{base}/v1/sessions/confirmation") {
        s.refusals.push("authorize: cross-device redirect".into());
        return Response::new(400, "text/plain", "invalid redirect_uri");
    }
    if !cross && !redirect_uri.starts_with("http://127.0.0.1:") {
        s.refusals.push("authorize: same-device redirect".into());
        return Response::new(400, "text/plain", "invalid redirect_uri");
    }
    let code = format!("code{}{}", s.codes.len(), "c".repeat(20));
    s.codes.insert(code.clone(), Pending { client_id, challenge, redirect_uri: redirect_uri.clone() });
    let state = rolecall::util::text::percent(&p("state"));
    if cross {
        let shown = rolecall::aws::dpop::b64url(format!("state={state}&code={code}").as_bytes());
        // The console shows standard base64; the CLI decodes standard base64.
        let shown = shown.replace('-', "+").replace('_', "/");
        let shown = format!("{shown}{}", "=".repeat((4 - shown.len() % 4) % 4));
        return Response::new(200, "text/html", format!("<html><code id=\"verification\">{shown}</code></html>"));
    }
    Response::new(302, "text/html", "").with_header("Location", &format!("{redirect_uri}?code={code}&state={state}"))
}

fn token(s: &mut State, r: &Request, base: &str, arn: &str) -> Response {
    let url = format!("{base}/v1/token");
    let now = now_or(s.clock);
    let mut jtis = std::mem::take(&mut s.jtis);
    let proved = verify_dpop(r.header("dpop"), &url, now, &mut jtis);
    s.jtis = jtis;
    let jwk = match proved {
        Ok(jwk) => jwk,
        Err(why) => {
            s.refusals.push(format!("INVALID_REQUEST: {why}"));
            return refused("ValidationException", "INVALID_REQUEST", &why);
        }
    };
    let input: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let field = |k: &str| input[k].as_str().unwrap_or("").to_owned();
    let client_id = field("clientId");
    let fail = |s: &mut State, kind: &str, code: &str, why: &str| {
        s.refusals.push(format!("{code}: {why}"));
        if let Some(hook) = s.on_refused.take() {
            hook();
        }
        refused(kind, code, why)
    };
    let id_token = match field("grantType").as_str() {
        "authorization_code" => {
            let Some(pending) = s.codes.remove(&field("code")) else {
                return fail(s, "AccessDeniedException", "AUTHCODE_EXPIRED", "unknown or used code");
            };
            let verifier = field("codeVerifier");
            let computed = b64url(&sha2::Sha256::digest(verifier.as_bytes()));
            if computed != pending.challenge || !(43..=128).contains(&verifier.len()) {
                return fail(s, "ValidationException", "INVALID_REQUEST", "PKCE verifier does not match the challenge");
            }
            if pending.client_id != client_id || pending.redirect_uri != field("redirectUri") {
                return fail(s, "ValidationException", "INVALID_REQUEST", "client or redirect_uri differ");
            }
            s.sign_ins += 1;
            Some(id_token(arn))
        }
        "refresh_token" => {
            let token = field("refreshToken");
            let Some((current, same)) =
                s.grants.get(&token).map(|g| (g.current, g.jwk == jwk && g.client_id == client_id))
            else {
                return fail(s, "AccessDeniedException", "TOKEN_EXPIRED", "unknown refresh token");
            };
            if s.ended || !current {
                return fail(s, "AccessDeniedException", "TOKEN_EXPIRED", "refresh token used before or session over");
            }
            if !same {
                return fail(
                    s,
                    "AccessDeniedException",
                    "INVALID_REQUEST",
                    "proof key or client differ from the sign-in's",
                );
            }
            s.grants.get_mut(&token).unwrap().current = false;
            s.refreshes += 1;
            None
        }
        other => return fail(s, "ValidationException", "unsupported_grant_type", other),
    };
    let n = s.issued.len();
    let access = format!("ASIALOGIN{n:011}");
    let refresh = format!("ASORrotated{n}{}", "t".repeat(24));
    s.issued.push(access.clone());
    s.refresh_tokens.push(refresh.clone());
    s.grants.insert(refresh.clone(), Grant { jwk, client_id, current: true });
    let mut out = json!({
        "accessToken": {
            "accessKeyId": access,
            "secretAccessKey": format!("loginSecret{n}{}", "k".repeat(28)),
            "sessionToken": format!("loginSessionToken{n}{}", "z".repeat(40)),
        },
        "tokenType": "aws_sigv4",
        "expiresIn": 900,
        "refreshToken": refresh,
    });
    if let Some(id) = id_token {
        out["idToken"] = json!(id);
    }
    Response::new(200, "application/json", out.to_string())
}
