//! Opening pages in the person's browser: the SSO login's page, and the console.
//!
//! A plain page goes to `$BROWSER` (freedesktop: `:`-separated commands, `%s` for the URL), then
//! `open` (macOS), `wslview` (WSL) or `xdg-open` (a display). The console's sign-in URL carries a
//! token that is a console session for 15 minutes, so it is never given to a browser on its
//! command line (which every user can read in `/proc`): the browser is given a one-shot address
//! on 127.0.0.1 with a random path instead, which answers the first GET from one of this user's
//! processes with a page that goes on to the sign-in URL, and nothing after that. Openers that
//! look at what they open first (xdg-open runs `xdg-mime` and `file` on a file) never read it,
//! and rolecall knows whether a browser did. `console_browser` chooses a browser per profile:
//! the Chrome family with one user-data directory per AWS profile, Firefox through a container
//! add-on's URL scheme, or a template.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long the console's page waits for the browser to read it before it is removed.
pub const PAGE_WAIT: Duration = Duration::from_secs(30);

/// A browser that takes a user-data directory (each AWS profile its own, side by side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Chrome,
    Chromium,
    Brave,
    Edge,
}

impl Family {
    fn named(name: &str) -> Option<Family> {
        Some(match name {
            "chrome" | "google-chrome" => Family::Chrome,
            "chromium" => Family::Chromium,
            "brave" => Family::Brave,
            "edge" | "msedge" => Family::Edge,
            _ => return None,
        })
    }

    /// The commands that start it, in the order they are looked for on `PATH`.
    fn commands(self) -> &'static [&'static str] {
        match self {
            Family::Chrome => &["google-chrome", "google-chrome-stable", "chrome"],
            Family::Chromium => &["chromium", "chromium-browser"],
            Family::Brave => &["brave-browser", "brave"],
            Family::Edge => &["microsoft-edge", "microsoft-edge-stable"],
        }
    }

    /// The application `open -na` starts on macOS.
    fn mac_app(self) -> &'static str {
        match self {
            Family::Chrome => "Google Chrome",
            Family::Chromium => "Chromium",
            Family::Brave => "Brave Browser",
            Family::Edge => "Microsoft Edge",
        }
    }
}

/// What `console_browser` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The system's way (`$BROWSER`, `open`, `wslview`, `xdg-open`).
    System,
    /// A Chrome-family browser, with any extra flags written after its name.
    Family(Family, Vec<String>),
    /// Firefox, through a container add-on's scheme (`ext+granted-containers:` for `firefox`,
    /// `ext+container:` for `firefox-container`): the add-on opens the URL in the profile's
    /// container. The URL is on Firefox's command line: see the README.
    Firefox { scheme: &'static str, extra: Vec<String> },
    /// Any other command: `%s` the page, `%p` the profile, `%d` its data directory, `%%` a `%`.
    Template(Vec<String>),
}

impl Choice {
    /// `console_browser`'s value (none: the system's way).
    pub fn parse(setting: Option<&str>) -> Choice {
        let words: Vec<String> = setting.unwrap_or("").split_whitespace().map(str::to_owned).collect();
        let Some((first, rest)) = words.split_first() else { return Choice::System };
        let rest = rest.to_vec();
        match first.to_ascii_lowercase().as_str() {
            "default" | "system" if rest.is_empty() => Choice::System,
            "firefox" => Choice::Firefox { scheme: "ext+granted-containers", extra: rest },
            "firefox-container" => Choice::Firefox { scheme: "ext+container", extra: rest },
            name => match Family::named(name) {
                Some(family) => Choice::Family(family, rest),
                None => Choice::Template(words),
            },
        }
    }
}

/// The first of `names` that is an executable file in `PATH`.
fn on_path(cfg: &Config, names: &[&str]) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = cfg.var("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
    })
}

fn is_wsl(cfg: &Config) -> bool {
    cfg.var("WSL_DISTRO_NAME").is_some() || cfg.var("WSL_INTEROP").is_some()
}

/// The system's commands that open a URL here, in order: each of `$BROWSER`, then the
/// platform's opener. None in a plain terminal session (SSH without a display).
pub fn system_commands(cfg: &Config) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    if let Some(list) = cfg.var("BROWSER") {
        out.extend(list.split(':').map(|c| c.split_whitespace().map(str::to_owned).collect::<Vec<_>>()));
    }
    if cfg!(target_os = "macos") {
        out.push(vec!["open".into()]);
    } else if is_wsl(cfg) && on_path(cfg, &["wslview"]).is_some() {
        out.push(vec!["wslview".into()]);
    } else if cfg.var("DISPLAY").is_some() || cfg.var("WAYLAND_DISPLAY").is_some() {
        out.push(vec!["xdg-open".into()]);
    }
    out.retain(|c| !c.is_empty());
    out
}

/// `%s` in `words` is `url` (appended when there is none); `%p`, `%d` and `%%` as for templates.
fn fill(words: &[String], url: &str, profile: &str, data_dir: Option<&Path>) -> Vec<String> {
    let mut used = false;
    let mut out: Vec<String> = words
        .iter()
        .map(|w| {
            let mut s = String::new();
            let mut chars = w.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    s.push(c);
                    continue;
                }
                match chars.next() {
                    Some('s') => {
                        used = true;
                        s.push_str(url);
                    }
                    Some('p') => s.push_str(profile),
                    Some('d') => s.push_str(&data_dir.map(|d| d.to_string_lossy().into_owned()).unwrap_or_default()),
                    Some('%') => s.push('%'),
                    Some(other) => {
                        s.push('%');
                        s.push(other);
                    }
                    None => s.push('%'),
                }
            }
            s
        })
        .collect();
    if !used {
        out.push(url.to_owned());
    }
    out
}

/// Start `words` in the background (its own process group, no terminal streams); whether it
/// started.
fn spawn(words: &[String]) -> bool {
    use std::os::unix::process::CommandExt;
    let Some((program, args)) = words.split_first() else { return false };
    std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .is_ok()
}

/// Open a page that holds no secret (the SSO device login) the system's way; whether one opened.
pub fn open(cfg: &Config, url: &str) -> bool {
    system_commands(cfg).iter().any(|c| spawn(&fill(c, url, "", None)))
}

/// The data directory of one AWS profile's browser: `$XDG_DATA_HOME/rolecall/browser/NAME`.
pub fn profile_dir(cfg: &Config, profile: &str) -> Result<PathBuf> {
    let base = cfg.data_dir().context("cannot find the data directory: neither XDG_DATA_HOME nor HOME is set")?;
    let clean: String =
        profile.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    // Two names that clean to the same text keep directories of their own.
    let name = if clean == profile && !clean.starts_with('.') {
        clean
    } else {
        format!("{}-{}", clean.trim_start_matches('.'), &sha1_smol::Sha1::from(profile).digest().to_string()[..8])
    };
    let dir = base.join("browser").join(name);
    crate::util::fs::ensure_private_dir(&dir)?;
    Ok(dir)
}

/// The sign-in page, served once: a listener on 127.0.0.1 (a free port) whose one path is 32
/// random hex digits.
struct OneShot {
    listener: std::net::TcpListener,
    path: String,
    page: String,
}

impl OneShot {
    fn start(url: &str) -> Result<OneShot> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").context("cannot listen on 127.0.0.1")?;
        let path = format!("/rolecall/{}", crate::util::random::hex::<16>()?);
        Ok(OneShot { listener, path, page: redirect_page(url) })
    }

    fn url(&self) -> Result<String> {
        Ok(format!("http://127.0.0.1:{}{}", self.listener.local_addr()?.port(), self.path))
    }

    /// Answer the first GET of the path from a process of this user, within `timeout`; whether
    /// one came. Anything else (another path, another user's process) gets a 404 and is closed.
    fn serve_once(self, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        let _ = self.listener.set_nonblocking(true);
        let local = self.listener.local_addr().ok();
        loop {
            let Some(request) = super::callback::next_get(&self.listener, deadline) else { return false };
            let Some((mut stream, target, peer)) = request else { continue };
            let wanted = target.as_deref() == Some(self.path.as_str());
            if wanted && local.is_some_and(|local| same_user(peer, local)) {
                super::callback::answer(&mut stream, "200 OK", &self.page);
                return true;
            }
            super::callback::answer(&mut stream, "404 Not Found", "");
        }
    }
}

/// Whether the process at `peer` (a connection to `local`, on loopback) is this user's: its
/// socket's owner in `/proc/net/tcp`. Where that cannot be read (not Linux) the answer is yes:
/// the path is random and good once.
fn same_user(peer: std::net::SocketAddr, local: std::net::SocketAddr) -> bool {
    let Some(uid) = socket_uid(peer, local) else { return !cfg!(target_os = "linux") };
    uid == crate::util::fs::euid()
}

/// The owner of the TCP socket bound at `addr` and connected to `remote` (`/proc/net/tcp{,6}`).
fn socket_uid(addr: std::net::SocketAddr, remote: std::net::SocketAddr) -> Option<u32> {
    let hex = |a: std::net::SocketAddr| match a.ip() {
        std::net::IpAddr::V4(ip) => format!("{:08X}:{:04X}", u32::from_ne_bytes(ip.octets()), a.port()),
        std::net::IpAddr::V6(ip) => {
            let words: Vec<String> = ip
                .octets()
                .chunks(4)
                .map(|c| format!("{:08X}", u32::from_ne_bytes([c[0], c[1], c[2], c[3]])))
                .collect();
            format!("{}:{:04X}", words.concat(), a.port())
        }
    };
    let (want_local, want_remote) = (hex(addr), hex(remote));
    let table = if addr.is_ipv4() { "/proc/net/tcp" } else { "/proc/net/tcp6" };
    let text = std::fs::read_to_string(table).ok()?;
    text.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(1) == Some(&want_local.as_str()) && fields.get(2) == Some(&want_remote.as_str()))
            .then(|| fields.get(7)?.parse().ok())
            .flatten()
    })
}

/// An HTML page that goes to `url` at once (meta refresh, and script where it runs), sends no
/// referrer, and shows nothing of the URL.
fn redirect_page(url: &str) -> String {
    let attr = url.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
    let mut js = Vec::new();
    crate::util::json::push_str(&mut js, url);
    let js = String::from_utf8(js).expect("JSON is UTF-8").replace('<', "\\u003c");
    format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>rolecall: AWS console</title>\n<meta http-equiv=\"refresh\" content=\"0;url={attr}\">\n<script>location.replace({js});</script>\n"
    )
}

/// How long the sign-in page is served ([`PAGE_WAIT`]).
fn page_wait(cfg: &Config) -> Duration {
    waited(cfg, PAGE_WAIT)
}

/// How long to wait for a browser: `default`, which tests shorten with the test-hooks feature
/// (`ROLECALL_TEST_PAGE_WAIT`, seconds).
pub fn waited(cfg: &Config, default: Duration) -> Duration {
    #[cfg(feature = "test-hooks")]
    if let Some(secs) = cfg.var("ROLECALL_TEST_PAGE_WAIT").and_then(|v| v.parse().ok()) {
        return Duration::from_secs(secs);
    }
    let _ = cfg;
    default
}

/// What opening the console did.
#[derive(Debug)]
pub struct Opened {
    /// How it was opened, for the message: the command started (`xdg-open`, `$BROWSER`'s
    /// `firefox`, `chromium with the data directory of …`).
    pub how: String,
    /// Whether a browser fetched the sign-in page within `waited`.
    pub read: bool,
    pub waited: Duration,
}

/// The commands `choice` starts for the console of `profile`, on `page` (tried in order).
fn console_commands(cfg: &Config, choice: &Choice, profile: &str, page: &str) -> Result<(Vec<Vec<String>>, String)> {
    Ok(match choice {
        Choice::System => {
            let commands: Vec<Vec<String>> =
                system_commands(cfg).iter().map(|c| fill(c, page, profile, None)).collect();
            let how =
                commands.first().map(|c| format!("`{}`", crate::util::text::printable(&c[0]))).unwrap_or_default();
            (commands, how)
        }
        Choice::Family(family, extra) => {
            let dir = profile_dir(cfg, profile)?;
            let mut flags = vec![
                format!("--user-data-dir={}", dir.display()),
                "--no-first-run".to_owned(),
                "--no-default-browser-check".to_owned(),
            ];
            flags.extend(extra.iter().cloned());
            let name = format!("{family:?}").to_ascii_lowercase();
            let commands = match on_path(cfg, family.commands()) {
                Some(bin) => {
                    let mut c = vec![bin.to_string_lossy().into_owned()];
                    c.extend(flags);
                    c.push(page.to_owned());
                    vec![c]
                }
                None if cfg!(target_os = "macos") => {
                    let mut c =
                        vec!["open".to_owned(), "-na".to_owned(), family.mac_app().to_owned(), "--args".to_owned()];
                    c.extend(flags);
                    c.push(page.to_owned());
                    vec![c]
                }
                None => bail!("console_browser = {name}: none of {} is on PATH", family.commands().join(", ")),
            };
            (
                commands,
                format!(
                    "{name} with the data directory of `{}` ({})",
                    crate::util::text::printable(profile),
                    dir.display()
                ),
            )
        }
        Choice::Template(words) => {
            let dir = profile_dir(cfg, profile)?;
            (vec![fill(words, page, profile, Some(&dir))], format!("`{}`", crate::util::text::printable(&words[0])))
        }
        Choice::Firefox { .. } => bail!("firefox opens the console through its container scheme"),
    })
}

/// Open the console at `url` (the sign-in URL, a secret) for `profile` as `choice` says.
pub fn open_console(cfg: &Config, choice: &Choice, profile: &str, url: &str) -> Result<Opened> {
    let page = OneShot::start(url)?;
    let address = page.url()?;
    let how = launch(cfg, choice, profile, &address)?;
    let waited = page_wait(cfg);
    Ok(Opened { how, read: page.serve_once(waited), waited })
}

/// Open `page` (no secret: the one-shot address, an authorization page) for `profile` as
/// `choice` says; how it was opened, for the message.
pub fn launch(cfg: &Config, choice: &Choice, profile: &str, page: &str) -> Result<String> {
    // The container schemes carry an address for the add-on to open in the profile's container.
    if let Choice::Firefox { scheme, extra } = choice {
        let target =
            format!("{scheme}:name={}&url={}", crate::util::text::percent(profile), crate::util::text::percent(page));
        let firefox = on_path(cfg, &["firefox"]).map(|p| p.to_string_lossy().into_owned());
        let mut command = match firefox {
            Some(bin) => vec![bin],
            None if cfg!(target_os = "macos") => vec!["open".into(), "-a".into(), "Firefox".into()],
            None => bail!("console_browser = firefox: firefox is not on PATH"),
        };
        command.extend(extra.iter().cloned());
        command.push(target);
        if !spawn(&command) {
            bail!("cannot start firefox");
        }
        return Ok(format!("firefox, in the container `{}`", crate::util::text::printable(profile)));
    }
    let (commands, how) = console_commands(cfg, choice, profile, page)?;
    if commands.is_empty() {
        bail!(
            "no browser to open the console in here (no BROWSER, no display): --url prints the sign-in URL, --copy puts it on this terminal's clipboard"
        );
    }
    let Some(started) = commands.iter().find(|c| spawn(c)) else {
        bail!(
            "cannot start {how} ({}): --url prints the sign-in URL instead",
            commands.iter().map(|c| c[0].as_str()).collect::<Vec<_>>().join(", ")
        );
    };
    Ok(match choice {
        Choice::System => format!("`{}`", crate::util::text::printable(&started[0])),
        _ => how,
    })
}

/// Send `text` to the clipboard of the terminal rolecall runs in (OSC 52), which works from a
/// remote SSH session. Inside tmux too the plain sequence: tmux takes it and passes it on with
/// its default `set-clipboard` (a passthrough wrapper, which tmux 3.3 and later drop unless
/// `allow-passthrough` is on, would not arrive). Whether the terminal accepts it cannot be known.
pub fn copy_to_terminal(text: &str) -> Result<()> {
    let tty = crate::ui::tty::Tty::require("--copy writes to the terminal; --url prints the URL instead")?;
    let encoded = aws_smithy_types::base64::encode(text.as_bytes());
    tty.write(&format!("\x1b]52;c;{encoded}\x07"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices() {
        assert_eq!(Choice::parse(None), Choice::System);
        assert_eq!(
            Choice::parse(Some("chromium --headless")),
            Choice::Family(Family::Chromium, vec!["--headless".into()])
        );
        assert_eq!(Choice::parse(Some("Chrome")), Choice::Family(Family::Chrome, vec![]));
        assert!(matches!(Choice::parse(Some("firefox")), Choice::Firefox { scheme: "ext+granted-containers", .. }));
        assert!(matches!(Choice::parse(Some("firefox-container")), Choice::Firefox { scheme: "ext+container", .. }));
        assert_eq!(
            Choice::parse(Some("qutebrowser -B %d %s")),
            Choice::Template(vec!["qutebrowser".into(), "-B".into(), "%d".into(), "%s".into()])
        );
    }

    #[test]
    fn templates() {
        let w = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(fill(&w("b --p=%p %s"), "file:///x", "dev", None), w("b --p=dev file:///x"));
        assert_eq!(fill(&w("b 100%%"), "u", "p", Some(Path::new("/d"))), w("b 100% u"));
        assert_eq!(fill(&w("b --dir=%d"), "u", "p", Some(Path::new("/d"))), w("b --dir=/d u"));
    }

    #[test]
    fn the_page_shows_nothing_it_should_not() {
        let page = redirect_page("https://x/federation?a=1&SigninToken=T\"</script><b>");
        assert!(
            page.contains("content=\"0;url=https://x/federation?a=1&amp;SigninToken=T&quot;&lt;/script&gt;&lt;b&gt;\"")
        );
        assert!(!page.contains("</script><b>"));
        assert!(page.contains("no-referrer"));
    }
}
