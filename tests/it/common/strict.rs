//! The strict STS layer: a proxy on 127.0.0.1 in front of moto_server that refuses what the STS
//! API reference documents and moto lets through, so that every STS test meets STS's real rules:
//!
//! - **role chaining**: a role assumed with temporary credentials (a request that carries
//!   `X-Amz-Security-Token`: a role's, GetSessionToken's, a federation token's) lasts at most one
//!   hour ("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by
//!   role chaining.");
//! - **DurationSeconds ranges**: GetSessionToken and GetFederationToken 900–129600 (an IAM user)
//!   or 900–3600 (the root user: keys named with [`Strict::root_key`]); AssumeRole and
//!   AssumeRoleWithWebIdentity 900 to the role's MaxSessionDuration (from moto's IAM when the
//!   role exists there; a role moto's IAM does not know is taken to allow 12 hours);
//! - GetSessionToken and GetFederationToken **refused with temporary credentials**;
//! - **RoleSessionName** `[\w+=,.@-]{2,64}`, a federation user's **Name** `[\w+=,.@-]{2,32}`;
//! - an **MFA code** (`TokenCode`) of six digits.
//!
//! What passes is forwarded to moto unchanged (moto's recorder sees it as before); what is
//! refused gets STS's own error and is recorded here ([`Strict::refusals`]). The layer can also
//! play an outage ([`Outage`]): STS answering 503, or never answering.
#![allow(dead_code)]

use super::serve::{Request, Response, Server, form};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How STS behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outage {
    /// Answers (the rules, then moto).
    None,
    /// Every STS request gets 503 ServiceUnavailable.
    Down,
    /// Every STS request is read and never answered (until the outage ends).
    Hang,
}

/// One request the layer refused: the action, and STS's error code and message.
#[derive(Clone, Debug)]
pub struct Refusal {
    pub action: String,
    pub code: String,
    pub message: String,
}

struct Shared {
    upstream: u16,
    outage: Mutex<Outage>,
    roots: Mutex<HashSet<String>>,
    refusals: Mutex<Vec<Refusal>>,
    /// STS requests received (answered, refused or left hanging).
    seen: AtomicUsize,
}

pub struct Strict {
    server: Server,
    shared: Arc<Shared>,
    pub url: String,
}

/// The STS actions (IAM's and EKS's are forwarded as they are).
const STS_ACTIONS: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithSAML",
    "GetSessionToken",
    "GetFederationToken",
    "GetCallerIdentity",
    "GetAccessKeyInfo",
    "DecodeAuthorizationMessage",
];

impl Strict {
    /// The layer in front of the moto_server listening on `upstream`.
    pub fn start(upstream: u16) -> Strict {
        let shared = Arc::new(Shared {
            upstream,
            outage: Mutex::new(Outage::None),
            roots: Mutex::new(HashSet::new()),
            refusals: Mutex::new(Vec::new()),
            seen: AtomicUsize::new(0),
        });
        let handler_shared = shared.clone();
        let server = Server::start(move |req| handle(&handler_shared, req));
        let url = server.url.clone();
        Strict { server, shared, url }
    }

    /// Take `access_key_id` for the account's root user (its sessions last at most an hour).
    pub fn root_key(&self, access_key_id: &str) {
        self.shared.roots.lock().unwrap().insert(access_key_id.to_owned());
    }

    /// Start or end an outage.
    pub fn outage(&self, outage: Outage) {
        *self.shared.outage.lock().unwrap() = outage;
    }

    /// What was refused since the start (or the last [`Strict::clear`]).
    pub fn refusals(&self) -> Vec<Refusal> {
        self.shared.refusals.lock().unwrap().clone()
    }

    /// How many STS requests arrived since the start (or the last [`Strict::clear`]).
    pub fn seen(&self) -> usize {
        self.shared.seen.load(Ordering::SeqCst)
    }

    pub fn clear(&self) {
        self.shared.refusals.lock().unwrap().clear();
        self.shared.seen.store(0, Ordering::SeqCst);
    }
}

/// A request's parameters: the query's and the form body's.
fn params(req: &Request) -> Vec<(String, String)> {
    let query = req.target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut out = form(query);
    let is_form = req.header("content-type").is_none_or(|t| t.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        out.extend(form(&req.body_text()));
    }
    out
}

/// The access key id that signed the request (header or query signing).
fn access_key_id(req: &Request, params: &[(String, String)]) -> Option<String> {
    let credential = match req.header("authorization") {
        Some(auth) => auth.split("Credential=").nth(1)?.split([',', ' ']).next()?.to_owned(),
        None => params.iter().find(|(k, _)| k == "X-Amz-Credential")?.1.clone(),
    };
    credential.split('/').next().map(str::to_owned)
}

/// Whether the request was signed with temporary credentials (a session token comes with it).
fn temporary(req: &Request, params: &[(String, String)]) -> bool {
    req.header("x-amz-security-token").is_some() || params.iter().any(|(k, _)| k == "X-Amz-Security-Token")
}

fn handle(shared: &Shared, req: &Request) -> Response {
    let params = params(req);
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let action = get("Action").unwrap_or("");
    if !STS_ACTIONS.contains(&action) {
        return forward(shared.upstream, req);
    }
    shared.seen.fetch_add(1, Ordering::SeqCst);
    let outage = *shared.outage.lock().unwrap();
    match outage {
        Outage::None => {}
        Outage::Down => return error(503, "ServiceUnavailable", "Service is unavailable (the test's outage)"),
        Outage::Hang => loop {
            std::thread::sleep(Duration::from_millis(50));
            if *shared.outage.lock().unwrap() == Outage::None {
                break;
            }
        },
    }
    if let Some((status, code, message)) = rule(shared, req, &params, action) {
        shared.refusals.lock().unwrap().push(Refusal {
            action: action.to_owned(),
            code: code.to_owned(),
            message: message.clone(),
        });
        return error(status, code, &message);
    }
    forward(shared.upstream, req)
}

/// The first rule `req` breaks: its status, STS's error code and message.
fn rule(
    shared: &Shared,
    req: &Request,
    params: &[(String, String)],
    action: &str,
) -> Option<(u16, &'static str, String)> {
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let temporary = temporary(req, params);
    let root = access_key_id(req, params).is_some_and(|id| shared.roots.lock().unwrap().contains(&id));
    let duration = match get("DurationSeconds").map(str::parse::<i64>) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            return Some(validation(
                "Value at 'durationSeconds' failed to satisfy constraint: Member must be a number",
            ));
        }
    };
    if let Some(code) = get("TokenCode")
        && !(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(validation(
            "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must have length 6 and consist of digits",
        ));
    }
    let range = |min: i64, max: i64, d: Option<i64>| -> Option<(u16, &'static str, String)> {
        let d = d?;
        (d < min).then(|| {
            validation(&format!(
                "1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to {min}"
            ))
        }).or_else(|| (d > max).then(|| {
            validation(&format!(
                "1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to {max}"
            ))
        }))
    };
    match action {
        "GetSessionToken" => {
            if temporary {
                return Some((403, "AccessDenied", "Cannot call GetSessionToken with session credentials".into()));
            }
            range(900, if root { 3600 } else { 129_600 }, duration)
        }
        "GetFederationToken" => {
            if temporary {
                return Some((403, "AccessDenied", "Cannot call GetFederationToken with session credentials".into()));
            }
            if !get("Name").is_some_and(|n| name_ok(n, 32)) {
                return Some(validation(
                    "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,32}",
                ));
            }
            range(900, if root { 3600 } else { 129_600 }, duration)
        }
        "AssumeRole" | "AssumeRoleWithWebIdentity" => {
            if !get("RoleSessionName").is_some_and(|n| name_ok(n, 64)) {
                return Some(validation(
                    "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
                ));
            }
            range(900, 43_200, duration)?;
            let d = duration.unwrap_or(3600);
            if action == "AssumeRole" && temporary && d > 3600 {
                return Some(validation(
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
                ));
            }
            let max = get("RoleArn").and_then(|arn| max_session(shared.upstream, arn)).unwrap_or(43_200);
            (d > max)
                .then(|| validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."))
        }
        _ => None,
    }
}

/// `[\w+=,.@-]{2,max}`
fn name_ok(name: &str, max: usize) -> bool {
    (2..=max).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

fn validation(message: &str) -> (u16, &'static str, String) {
    (400, "ValidationError", message.to_owned())
}

/// STS's error body.
fn error(status: u16, code: &str, message: &str) -> Response {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    Response::new(
        status,
        "text/xml",
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>strict-sts</RequestId></ErrorResponse>"
        ),
    )
}

/// The MaxSessionDuration of the role `arn` names, when moto's IAM has the role.
fn max_session(upstream: u16, arn: &str) -> Option<i64> {
    let name = arn.rsplit('/').next()?;
    let body = format!("Action=GetRole&Version=2010-05-08&RoleName={name}");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{upstream}\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (status, _, text) = exchange(upstream, head.as_bytes(), body.as_bytes())?;
    if status != 200 {
        return None;
    }
    let text = String::from_utf8_lossy(&text);
    text.split("<MaxSessionDuration>").nth(1)?.split('<').next()?.trim().parse().ok()
}

/// Send one request to moto and read the whole answer: status, content type, body.
fn exchange(upstream: u16, head: &[u8], body: &[u8]) -> Option<(u16, String, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    s.write_all(head).ok()?;
    s.write_all(body).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body);
    } else if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.truncate(length);
    }
    Some((status, header("content-type").unwrap_or_default(), body))
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok());
        let Some(size) = size.filter(|s| *s > 0) else { break };
        let start = end + 2;
        out.extend_from_slice(raw.get(start..start + size).unwrap_or_default());
        raw = raw.get(start + size + 2..).unwrap_or_default();
    }
    out
}

/// The request as it came, to moto (one connection each), and moto's answer back.
fn forward(upstream: u16, req: &Request) -> Response {
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.target);
    for (name, value) in &req.headers {
        if !["connection", "content-length", "transfer-encoding"].iter().any(|h| name.eq_ignore_ascii_case(h)) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", req.body.len()));
    match exchange(upstream, head.as_bytes(), &req.body) {
        Some((status, kind, body)) => {
            let kind = ["text/xml", "application/xml", "application/json", "text/html", "text/plain"]
                .into_iter()
                .find(|k| kind.starts_with(k))
                .unwrap_or("application/octet-stream");
            Response::new(status, kind, body)
        }
        None => Response::new(502, "text/plain", "the strict STS layer could not reach moto"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_chunks() {
        assert!(name_ok("alice", 64) && name_ok("a.b@c-d_e+f=g,h", 64));
        assert!(!name_ok("a", 64) && !name_ok("a b", 64) && !name_ok(&"x".repeat(65), 64) && !name_ok("é1", 64));
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), b"abcde");
    }
}
