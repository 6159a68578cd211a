//! The local end of a browser sign-in (OAuth 2.0 authorization code, RFC 8252 loopback
//! redirect): a listener on 127.0.0.1 with a free port whose `/oauth/callback` takes the one
//! redirect whose `state` is the sign-in's, answers the browser with a page that says where to go
//! on, and hands the code back. Requests for anything else, or with another state, get 400 and
//! the wait goes on; it ends after `timeout`.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// How long a sign-in may take in the browser.
pub const SIGN_IN_WAIT: Duration = Duration::from_secs(600);

pub struct Callback {
    listener: TcpListener,
    pub redirect_uri: String,
}

const DONE: &str = "<!doctype html>\n<meta charset=\"utf-8\">\n<title>rolecall: signed in</title>\n<p>Signed in. You can close this page and go back to the terminal.</p>\n";

impl Callback {
    pub fn start() -> Result<Callback> {
        let listener = TcpListener::bind("127.0.0.1:0").context("cannot listen on 127.0.0.1 for the sign-in")?;
        let redirect_uri = format!("http://127.0.0.1:{}/oauth/callback", listener.local_addr()?.port());
        Ok(Callback { listener, redirect_uri })
    }

    /// The authorization code of the redirect whose `state` is `state`, within `timeout`.
    pub fn wait(self, state: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        self.listener.set_nonblocking(true)?;
        loop {
            let Some(request) = next_get(&self.listener, deadline) else {
                bail!(
                    "no sign-in came back within {} (run the login again, or --remote to paste a code)",
                    crate::util::time::human_duration(timeout.as_secs())
                );
            };
            let Some((mut stream, target, _)) = request else { continue };
            match target.as_deref().and_then(|t| parse(t, state)) {
                Some(Ok(code)) => {
                    answer(&mut stream, "200 OK", DONE);
                    return Ok(code);
                }
                Some(Err(error)) => {
                    answer(&mut stream, "200 OK", "<!doctype html>\n<p>The sign-in did not complete.</p>\n");
                    bail!("the sign-in was refused in the browser ({})", crate::util::text::printable(&error));
                }
                None => answer(&mut stream, "400 Bad Request", ""),
            }
        }
    }
}

/// One request on a loopback `listener` (non-blocking) before `deadline`: `None` when the time
/// is up; `Some(None)` for a connection that gave nothing usable; else the stream, the target of
/// a GET (none for another method or a head that does not parse) and the peer's address.
pub fn next_get(
    listener: &TcpListener,
    deadline: Instant,
) -> Option<Option<(std::net::TcpStream, Option<String>, std::net::SocketAddr)>> {
    use std::os::fd::AsRawFd;
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return None;
    }
    let mut pfd = libc::pollfd { fd: listener.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one pollfd of a listener the caller owns.
    if unsafe { libc::poll(&mut pfd, 1, left.as_millis().min(1000) as i32) } <= 0 {
        return Some(None);
    }
    let Ok((mut stream, peer)) = listener.accept() else { return Some(None) };
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while crate::serve::listen::head_end(&head).is_none() && head.len() < 16 * 1024 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    // The credential server's reader of a request head.
    let target = crate::serve::listen::parse_head(&head).filter(|h| h.method == "GET").map(|h| h.target);
    Some(Some((stream, target, peer)))
}

/// Answer one request with `page` and close.
pub fn answer(stream: &mut std::net::TcpStream, status: &str, page: &str) {
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{page}",
            page.len()
        )
        .as_bytes(),
    );
}

/// What a callback request says: the code (its state is `state`), the OAuth error it carries,
/// or nothing (not the callback, or another state).
fn parse(target: &str, state: &str) -> Option<Result<String, String>> {
    let url = url::Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    if url.path() != "/oauth/callback" {
        return None;
    }
    let get = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    if get("state").as_deref() != Some(state) {
        return None;
    }
    match (get("code"), get("error")) {
        (Some(code), _) if !code.is_empty() => Some(Ok(code)),
        (_, Some(error)) => Some(Err(error)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sign_ins_own_redirect_counts() {
        assert_eq!(parse("/oauth/callback?code=abc&state=s1", "s1"), Some(Ok("abc".into())));
        assert_eq!(parse("/oauth/callback?code=abc&state=s2", "s1"), None);
        assert_eq!(parse("/other?code=abc&state=s1", "s1"), None);
        assert_eq!(parse("/oauth/callback?error=access_denied&state=s1", "s1"), Some(Err("access_denied".into())));
    }

    #[test]
    fn a_redirect_with_another_state_is_refused_and_the_wait_goes_on() {
        let cb = Callback::start().unwrap();
        let uri = cb.redirect_uri.clone();
        let client = std::thread::spawn(move || {
            let get = |query: &str| {
                let addr = uri.trim_start_matches("http://").split('/').next().unwrap().to_owned();
                let mut s = std::net::TcpStream::connect(addr).unwrap();
                write!(s, "GET /oauth/callback?{query} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
                let mut out = String::new();
                let _ = s.read_to_string(&mut out);
                out
            };
            let first = get("code=evil&state=other");
            let second = get("code=good&state=mine");
            (first, second)
        });
        assert_eq!(cb.wait("mine", Duration::from_secs(10)).unwrap(), "good");
        let (first, second) = client.join().unwrap();
        assert!(first.starts_with("HTTP/1.1 400"), "{first}");
        assert!(second.contains("Signed in"), "{second}");
    }
}
