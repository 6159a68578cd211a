//! The local credential server for long-running commands (`rolecall exec --server`): the
//! container-credentials protocol every AWS SDK and the CLI read
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`), on
//! 127.0.0.1 only, for as long as the command runs. One path, GET only, and a token of 32 random
//! bytes compared in constant time: anything else gets a status and no credentials. Answers come
//! from [`crate::creds::renew::Renewing`]: from memory while fresh, renewed ahead of expiry.

pub mod child;

use crate::creds::Credentials;
use crate::creds::renew::Renewing;
use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// The one path credentials are served on.
pub const PATH: &str = "/rolecall/credentials";

/// The longest request head read (a real one is a few hundred bytes).
const MAX_HEAD: usize = 16 * 1024;

/// The token a client must send as `Authorization`: 32 random bytes, as 64 hex digits.
pub struct Token(String);

impl Token {
    pub fn new() -> Result<Token> {
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .context("cannot read random bytes for the server's token")?;
        Ok(Token(hex::encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is the token, in time that does not depend on where they differ.
    pub fn matches(&self, given: &[u8]) -> bool {
        let want = self.0.as_bytes();
        if given.len() != want.len() {
            return false;
        }
        given.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(****)")
    }
}

/// What the server needs to answer.
pub struct Service {
    pub token: Token,
    pub renewing: Renewing,
    /// The profile, for the one line a failed renewal prints.
    pub profile: String,
}

/// A server listening on 127.0.0.1 (a free port); it serves until the process ends.
pub struct Server {
    pub port: u16,
}

impl Server {
    pub fn start(service: Service) -> Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0").context("cannot listen on 127.0.0.1")?;
        let port = listener.local_addr().context("the server's address")?.port();
        let service = Arc::new(service);
        std::thread::Builder::new()
            .name("rolecall-server".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    let service = service.clone();
                    let _ = std::thread::Builder::new().spawn(move || {
                        let _ = serve(&service, stream);
                    });
                }
            })
            .context("cannot start the server's thread")?;
        Ok(Server { port })
    }

    /// The URL for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PATH}", self.port)
    }
}

/// One request's head: the method, the target and the token sent, if any.
struct Head {
    method: String,
    target: String,
    authorization: Option<Vec<u8>>,
    close: bool,
}

/// Read one request head; none at the end of the connection or on anything malformed.
fn read_head(reader: &mut BufReader<TcpStream>) -> Option<Head> {
    let mut line = Vec::new();
    let mut read = 0;
    let mut next = |line: &mut Vec<u8>| -> Option<()> {
        line.clear();
        let n = reader.by_ref().take((MAX_HEAD - read) as u64).read_until(b'\n', line).ok()?;
        read += n;
        (n > 0 && line.ends_with(b"\n")).then_some(())
    };
    next(&mut line)?;
    let text = String::from_utf8(line.clone()).ok()?;
    let mut parts = text.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut head = Head { method, target, authorization: None, close: false };
    loop {
        next(&mut line)?;
        let trimmed = line.strip_suffix(b"\r\n").or_else(|| line.strip_suffix(b"\n")).unwrap_or(&line);
        if trimmed.is_empty() {
            return Some(head);
        }
        let colon = trimmed.iter().position(|b| *b == b':')?;
        let (name, value) = (&trimmed[..colon], trimmed[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"authorization") {
            head.authorization = Some(value.to_vec());
        } else if name.eq_ignore_ascii_case(b"connection") && value.eq_ignore_ascii_case(b"close") {
            head.close = true;
        } else if name.eq_ignore_ascii_case(b"content-length") && value != b"0" {
            // A body on a GET is not read: the connection ends after the answer.
            head.close = true;
        }
    }
}

/// The answer's status line and body.
fn answer(service: &Service, head: &Head) -> (u16, &'static str, String) {
    if !head.authorization.as_deref().is_some_and(|t| service.token.matches(t)) {
        return (403, "Forbidden", String::new());
    }
    if head.method != "GET" {
        return (405, "Method Not Allowed", String::new());
    }
    if head.target != PATH {
        return (404, "Not Found", String::new());
    }
    let profile = crate::util::text::printable(&service.profile);
    let failed = |e: &anyhow::Error| {
        eprintln!("rolecall: the server cannot renew `{profile}`'s credentials: {e:#}");
    };
    match service.renewing.get(&crate::ui::notice, &failed) {
        Ok(creds) => (200, "OK", body(&creds)),
        Err(e) => {
            let mut out = Vec::new();
            crate::util::json::Object::start(&mut out)
                .str("code", "RolecallRenewalFailed")
                .str("message", &crate::util::text::printable(&format!("rolecall: {e:#}")))
                .end();
            (500, "Internal Server Error", String::from_utf8(out).unwrap_or_default())
        }
    }
}

/// The container-credentials answer.
fn body(creds: &Credentials) -> String {
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

/// Answer the requests of one connection (HTTP/1.1, kept alive unless the client closes it).
fn serve(service: &Service, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(head) = read_head(&mut reader) {
        let (status, reason, body) = answer(service, &head);
        let close = head.close || status == 403;
        let kind = if body.is_empty() { "text/plain" } else { "application/json" };
        let connection = if close { "close" } else { "keep-alive" };
        let text = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: {connection}\r\nCache-Control: no-store\r\n\r\n{body}",
            body.len()
        );
        writer.write_all(text.as_bytes())?;
        if close {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let t = Token::new().unwrap();
        assert_eq!(t.expose().len(), 64);
        assert!(t.matches(t.expose().as_bytes()));
        let mut wrong = t.expose().as_bytes().to_vec();
        wrong[63] ^= 1;
        assert!(!t.matches(&wrong));
        assert!(!t.matches(&t.expose().as_bytes()[..63]));
        assert!(!t.matches(b""));
        assert_ne!(Token::new().unwrap().expose(), t.expose());
        assert!(!format!("{t:?}").contains(t.expose()));
    }

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
            body(&creds),
            r#"{"AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t","Expiration":"1970-01-01T00:00:00Z"}"#
        );
    }
}
