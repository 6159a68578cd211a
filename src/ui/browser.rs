//! Opening a URL in the person's browser: `BROWSER`, else `open` on macOS, else `xdg-open` when
//! there is a display; never in a plain terminal session (the URL is printed either way).

use crate::config::Config;

/// The program that opens URLs here, if there is one.
pub fn program(cfg: &Config) -> Option<String> {
    cfg.var("BROWSER").or_else(|| {
        if cfg!(target_os = "macos") {
            Some("open".into())
        } else if cfg.var("DISPLAY").is_some() || cfg.var("WAYLAND_DISPLAY").is_some() {
            Some("xdg-open".into())
        } else {
            None
        }
    })
}

/// Open `url` when there is a browser to open it in; whether one was started.
pub fn open(cfg: &Config, url: &str) -> bool {
    let Some(program) = program(cfg) else { return false };
    std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
