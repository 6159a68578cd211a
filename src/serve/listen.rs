//! The server's connections, built to stay up when other local users are hostile: any process
//! on the machine can connect to 127.0.0.1, and most of them do not have the token.
//!
//! - A connection costs one descriptor and no thread until its first request head has arrived:
//!   one thread polls every waiting connection (`poll`), so hundreds of connections that send a
//!   byte a second cost a few wakeups, not hundreds of threads.
//! - A head has one total deadline ([`HEAD_DEADLINE`]) from the moment the connection is taken,
//!   however slowly its bytes come; a connection that misses it is closed.
//! - Waiting connections are capped ([`max_waiting`], below the descriptor limit, which is raised
//!   to its hard limit at start); when full, the one waiting longest is closed to take the new one,
//!   so a flood delays a real client by at most one round of the loop.
//! - `accept` errors (out of descriptors, memory) pause accepting with a growing back-off instead
//!   of spinning.
//! - A connection whose head arrived is handed to a thread of its own (at most
//!   [`MAX_ANSWERING`] at once), which answers it and the next requests on it (keep-alive), each
//!   head under the same deadline.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a request head may take to arrive, in all.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// The longest request head read (a real one is a few hundred bytes).
pub const MAX_HEAD: usize = 16 * 1024;
/// Connections answered at once (each a thread).
pub const MAX_ANSWERING: usize = 64;

/// One request's head.
#[derive(Debug, Default)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub authorization: Option<Vec<u8>>,
    /// The client asked to close, or sent a body this server does not read.
    pub close: bool,
    /// `Transfer-Encoding` was sent: a body of unknown length that would be read as the next
    /// request. Answered 400, and the connection closed.
    pub chunked: bool,
}

/// What the answering side does with a head.
pub type Answer = dyn Fn(&Head, &TcpStream) -> (u16, &'static str, String) + Send + Sync;

/// Raise the soft limit of open descriptors to the hard one; the soft limit after.
pub fn raise_nofile() -> u64 {
    // SAFETY: getrlimit/setrlimit on a struct this function owns.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
        limit.rlim_cur as u64
    }
}

/// How many connections may wait for their head: well below the descriptor limit (the command
/// rolecall runs, the renewals and the answering threads need some), at most 4096.
pub fn max_waiting(nofile: u64) -> usize {
    (nofile.saturating_sub(MAX_ANSWERING as u64 + 64) as usize).clamp(16, 4096)
}

/// A connection waiting for its first head.
struct Waiting {
    stream: TcpStream,
    buf: Vec<u8>,
    deadline: Instant,
}

/// Serve `listener` until the process ends.
pub fn run(listener: TcpListener, answer: Arc<Answer>) {
    let cap = max_waiting(raise_nofile());
    let _ = listener.set_nonblocking(true);
    let answering = Arc::new(AtomicUsize::new(0));
    let mut waiting: VecDeque<Waiting> = VecDeque::new();
    let mut backoff = Duration::ZERO;
    let mut accept_again = Instant::now();
    let mut fds: Vec<libc::pollfd> = Vec::new();
    loop {
        let now = Instant::now();
        // Heads that missed their deadline.
        waiting.retain(|w| w.deadline > now);
        let accepting = now >= accept_again;
        fds.clear();
        fds.push(libc::pollfd {
            fd: listener.as_raw_fd(),
            events: if accepting { libc::POLLIN } else { 0 },
            revents: 0,
        });
        fds.extend(waiting.iter().map(|w| libc::pollfd { fd: w.stream.as_raw_fd(), events: libc::POLLIN, revents: 0 }));
        let next = waiting.iter().map(|w| w.deadline).chain((!accepting).then_some(accept_again)).min();
        let timeout = next.map_or(-1, |t| t.saturating_duration_since(now).as_millis().min(60_000) as i32 + 1);
        // SAFETY: the array and its length match; the descriptors stay open during the call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() != ErrorKind::Interrupted {
                std::thread::sleep(Duration::from_millis(10));
            }
            continue;
        }
        // Read what arrived, newest last; a head complete goes to an answering thread.
        let mut ready: Vec<usize> = Vec::new();
        for (i, pfd) in fds.iter().enumerate().skip(1) {
            if pfd.revents != 0 {
                ready.push(i - 1);
            }
        }
        // From the last, so that removing one leaves the indices before it as they were.
        for i in ready.into_iter().rev() {
            let w = &mut waiting[i];
            match read_some(&mut w.stream, &mut w.buf) {
                Progress::More => {}
                Progress::Closed => drop(waiting.remove(i)),
                Progress::Head => {
                    if let Some(w) = waiting.remove(i) {
                        hand_over(w, &answer, &answering);
                    }
                }
            }
        }
        if accepting && fds[0].revents != 0 {
            loop {
                match listener.accept() {
                    Ok((stream, _)) => {
                        backoff = Duration::ZERO;
                        let _ = stream.set_nonblocking(true);
                        let _ = stream.set_nodelay(true);
                        if waiting.len() >= cap {
                            // The one waiting longest gives way (closed when dropped).
                            waiting.pop_front();
                        }
                        waiting.push_back(Waiting {
                            stream,
                            buf: Vec::new(),
                            deadline: Instant::now() + HEAD_DEADLINE,
                        });
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted || e.kind() == ErrorKind::ConnectionAborted => {}
                    Err(_) => {
                        // Out of descriptors or memory: wait before trying again, longer each time.
                        backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                        accept_again = Instant::now() + backoff;
                        break;
                    }
                }
            }
        }
    }
}

enum Progress {
    More,
    Closed,
    Head,
}

/// Read what is there into `buf`: whether the head is complete, more is needed, or the connection
/// is over (closed, an error, or a head too long).
fn read_some(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Progress {
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return Progress::Closed,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if head_end(buf).is_some() {
                    return Progress::Head;
                }
                if buf.len() > MAX_HEAD {
                    return Progress::Closed;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Progress::More,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Progress::Closed,
        }
    }
}

/// Where the head in `buf` ends (after its blank line), if it is complete.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
}

/// Parse one head; none for anything malformed.
pub fn parse_head(raw: &[u8]) -> Option<Head> {
    let mut lines = raw.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let first = std::str::from_utf8(lines.next()?).ok()?;
    let mut parts = first.split_whitespace();
    let mut head = Head { method: parts.next()?.to_owned(), target: parts.next()?.to_owned(), ..Head::default() };
    for line in lines {
        if line.is_empty() {
            break;
        }
        let colon = line.iter().position(|b| *b == b':')?;
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"authorization") {
            head.authorization = Some(value.to_vec());
        } else if name.eq_ignore_ascii_case(b"connection") && value.eq_ignore_ascii_case(b"close") {
            head.close = true;
        } else if name.eq_ignore_ascii_case(b"content-length") && value != b"0" {
            // A body on a GET is not read: the connection ends after the answer.
            head.close = true;
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            head.chunked = true;
        }
    }
    Some(head)
}

/// Give a connection whose head arrived to a thread of its own, or, when too many are being
/// answered, close it with 503.
fn hand_over(w: Waiting, answer: &Arc<Answer>, answering: &Arc<AtomicUsize>) {
    if answering.fetch_add(1, Ordering::SeqCst) >= MAX_ANSWERING {
        answering.fetch_sub(1, Ordering::SeqCst);
        let _ = w.stream.set_nonblocking(false);
        let _ = write_answer(&w.stream, 503, "Service Unavailable", "", true);
        return;
    }
    let (answer, count) = (answer.clone(), answering.clone());
    let spawned = std::thread::Builder::new().name("rolecall-answer".into()).spawn(move || {
        converse(w, &*answer);
        count.fetch_sub(1, Ordering::SeqCst);
    });
    if spawned.is_err() {
        answering.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answer the requests of one connection: the head that arrived, then any next ones (each under
/// [`HEAD_DEADLINE`]) until the client closes or asks to.
fn converse(w: Waiting, answer: &Answer) {
    let Waiting { stream, mut buf, .. } = w;
    if stream.set_nonblocking(false).is_err() {
        return;
    }
    loop {
        let Some(end) = head_end(&buf) else { return };
        let head = parse_head(&buf[..end]);
        buf.drain(..end);
        let Some(head) = head else {
            if write_answer(&stream, 400, "Bad Request", "", true).is_ok() {
                linger(&stream);
            }
            return;
        };
        let (status, reason, body) =
            if head.chunked { (400, "Bad Request", String::new()) } else { answer(&head, &stream) };
        let close = head.close || head.chunked || status == 403 || status == 400;
        if write_answer(&stream, status, reason, &body, close).is_err() {
            return;
        }
        if close {
            return linger(&stream);
        }
        // The next head, under its own deadline.
        let deadline = Instant::now() + HEAD_DEADLINE;
        while head_end(&buf).is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || buf.len() > MAX_HEAD || stream.set_read_timeout(Some(left)).is_err() {
                return;
            }
            let mut chunk = [0u8; 4096];
            match (&stream).read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// Close after an answer the way HTTP servers do ("lingering close"): stop writing, then read and
/// drop what the client still sends for a moment, so that the close does not reset the connection
/// and discard the answer before the client has read it.
fn linger(stream: &TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut dropped = 0usize;
    let mut chunk = [0u8; 4096];
    while dropped < 64 * 1024 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match (&*stream).read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => dropped += n,
        }
    }
}

fn write_answer(mut stream: &TcpStream, status: u16, reason: &str, body: &str, close: bool) -> std::io::Result<()> {
    let kind = if body.is_empty() { "text/plain" } else { "application/json" };
    let connection = if close { "close" } else { "keep-alive" };
    let text = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: {connection}\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(text.as_bytes())
}

/// Whether the client at the other end of `stream` is still there (it has not closed its side).
pub fn still_there(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let there = match stream.peek(&mut byte) {
        Ok(0) => false,
        Ok(_) => true,
        Err(e) => e.kind() == ErrorKind::WouldBlock,
    };
    let _ = stream.set_nonblocking(false);
    there
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads() {
        let h = parse_head(b"GET /x HTTP/1.1\r\nAuthorization: abc\r\nConnection: close\r\n\r\n").unwrap();
        assert_eq!((h.method.as_str(), h.target.as_str(), h.close, h.chunked), ("GET", "/x", true, false));
        assert_eq!(h.authorization.as_deref(), Some(&b"abc"[..]));
        assert!(parse_head(b"GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap().chunked);
        assert!(parse_head(b"GET /x HTTP/1.1\r\nbroken\r\n\r\n").is_none());
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nGET"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
        assert_eq!(max_waiting(1024), 896);
        assert_eq!(max_waiting(1 << 20), 4096);
        assert_eq!(max_waiting(10), 16);
    }
}
