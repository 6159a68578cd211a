//! The local credential server for long-running commands (`rolecall exec --server`): the
//! container-credentials protocol every AWS SDK and the CLI read
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`), on
//! 127.0.0.1 only, for as long as the command runs. One path, GET only, and a token of 32 random
//! bytes compared in constant time: anything else gets a status and no credentials. Answers come
//! from [`crate::creds::renew::Renewing`]: from memory while fresh, renewed ahead of expiry.

pub mod child;
pub mod command;
pub mod listen;
pub mod run;

use crate::creds::renew::Renewing;
use crate::types::Notice;

use anyhow::{Context, Result};
use listen::Head;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// The one path credentials are served on.
pub const PATH: &str = "/rolecall/credentials";

/// The token a client must send as `Authorization`: 32 random bytes, as 64 hex digits.
pub struct Token(String);

impl Token {
    pub fn new() -> Result<Token> {
        Ok(Token(crate::util::random::hex::<32>().context("the server's token")?))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is the token, in time that does not depend on where they differ.
    pub fn matches(&self, given: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        let want = self.0.as_bytes();
        given.len() == want.len() && bool::from(given.ct_eq(want))
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
    /// The profile, for the one line a failed renewal says.
    pub profile: String,
    /// Where the server's notices go (the command's stderr: the server prints nothing itself).
    pub notify: Box<dyn Fn(Notice) + Send + Sync>,
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
        let answer: Arc<listen::Answer> =
            Arc::new(move |head: &Head, stream: &TcpStream| answer(&service, head, stream));
        std::thread::Builder::new()
            .name("rolecall-server".into())
            .spawn(move || listen::run(listener, answer))
            .context("cannot start the server's thread")?;
        Ok(Server { port })
    }

    /// The URL for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PATH}", self.port)
    }
}

/// The answer's status line and body.
fn answer(service: &Service, head: &Head, stream: &TcpStream) -> (u16, &'static str, String) {
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
        (service.notify)(Notice::Note(format!("the server cannot renew `{profile}`'s credentials: {e:#}")));
    };
    match service.renewing.get(&*service.notify, &failed, &|| listen::still_there(stream)) {
        Ok(creds) => (200, "OK", crate::outputs::container::json(&creds)),
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
}
