//! A real `moto_server` (STS emulator, from PyPI) on 127.0.0.1 with a free port, one per test
//! that needs its own request recording, behind the strict STS layer ([`super::strict`]): `url`
//! is the layer's, so every STS call a test makes meets STS's documented rules. Under CI
//! (`CI=true`) a missing moto is a failure; elsewhere the test says it is skipped.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    /// moto's own port (its `/moto-api`).
    pub port: u16,
    /// Where the clients go: the strict STS layer in front of moto.
    pub url: String,
    pub strict: super::strict::Strict,
    dir: PathBuf,
}

/// One recorded STS request: the form parameters of its body.
#[derive(Debug, Clone)]
pub struct Request {
    pub params: HashMap<String, String>,
    pub authorization: String,
}

impl Request {
    pub fn action(&self) -> &str {
        self.params.get("Action").map_or("", String::as_str)
    }

    pub fn param(&self, name: &str) -> Option<String> {
        self.params.get(name).cloned()
    }
}

/// Whether a tool is missing and the test should be skipped (never under CI).
pub fn require(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        super::skip(&format!("{tool} is not installed (./scripts/test installs it)"));
    }
    found
}

impl Moto {
    /// Start moto, or `None` (outside CI) when it is not installed.
    pub fn start() -> Option<Moto> {
        Moto::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Option<Moto> {
        if !require("moto_server") {
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("rolecall-moto-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .env("MOTO_RECORDER_FILEPATH", dir.join("recording"))
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("moto.log")).unwrap())
            .spawn()
            .expect("cannot start moto_server");
        let strict = super::strict::Strict::start(port);
        let moto = Moto { child, port, url: strict.url.clone(), strict, dir };
        let deadline = Instant::now() + Duration::from_secs(60);
        while moto.http("GET", "/moto-api/data.json", "").is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto.http("POST", "/moto-api/recorder/start-recording", "").unwrap();
        Some(moto)
    }

    /// A bare HTTP/1.0 request; the body of the answer.
    pub fn http(&self, method: &str, path: &str, body: &str) -> std::io::Result<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nContent-Type: application/json\r\n\r\n{body}",
            body.len()
        )?;
        let mut text = String::new();
        s.read_to_string(&mut text)?;
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
            return Err(std::io::Error::other(head.lines().next().unwrap_or("").to_owned()));
        }
        Ok(body.to_owned())
    }

    /// Forget what was recorded so far.
    pub fn clear(&self) {
        self.strict.clear();
        self.http("POST", "/moto-api/recorder/reset-recording", "").unwrap();
        self.http("POST", "/moto-api/recorder/start-recording", "").unwrap();
    }

    /// The STS requests recorded since the start or the last [`Moto::clear`].
    pub fn requests(&self) -> Vec<Request> {
        let text = self.http("GET", "/moto-api/recorder/download-recording", "").unwrap_or_default();
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|line| {
                let v: serde_json::Value = serde_json::from_str(line).ok()?;
                let raw = v["body"].as_str().unwrap_or("");
                let body = if v["body_encoded"].as_bool() == Some(true) { base64_decode(raw) } else { raw.to_owned() };
                let params = form_decode(&body);
                params.contains_key("Action").then(|| Request {
                    params,
                    authorization: v["headers"]["Authorization"].as_str().unwrap_or("").to_owned(),
                })
            })
            .collect()
    }

    pub fn count(&self, action: &str) -> usize {
        self.requests().iter().filter(|r| r.action() == action).count()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn form_decode(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((percent_decode(k), percent_decode(v)))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    super::serve::decode(s)
}

fn base64_decode(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else { continue };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
