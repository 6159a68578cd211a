//! Where the shared files are: `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else
//! `~/.aws/config` / `~/.aws/credentials`, with `~` expanded from the home directory the way the
//! SDKs find it (`HOME`; on Windows then `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`).

use super::FileKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    Unix,
    Windows,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(windows) { Platform::Windows } else { Platform::Unix }
    }

    fn separator(self) -> char {
        match self {
            Platform::Unix => '/',
            Platform::Windows => '\\',
        }
    }
}

impl FileKind {
    pub fn env_var(self) -> &'static str {
        match self {
            FileKind::Config => "AWS_CONFIG_FILE",
            FileKind::Credentials => "AWS_SHARED_CREDENTIALS_FILE",
        }
    }

    fn default_path(self) -> &'static str {
        match self {
            FileKind::Config => "~/.aws/config",
            FileKind::Credentials => "~/.aws/credentials",
        }
    }
}

pub fn home_dir(env: &dyn Fn(&str) -> Option<String>, platform: Platform) -> Option<String> {
    if let Some(home) = env("HOME") {
        return Some(home);
    }
    if platform == Platform::Windows {
        if let Some(home) = env("USERPROFILE") {
            return Some(home);
        }
        if let (Some(drive), Some(path)) = (env("HOMEDRIVE"), env("HOMEPATH")) {
            return Some(drive + &path);
        }
    }
    None
}

/// The path of one of the two files, as a string in the platform's own form.
pub fn file_path(kind: FileKind, env: &dyn Fn(&str) -> Option<String>, platform: Platform) -> String {
    let path = env(kind.env_var()).unwrap_or_else(|| kind.default_path().to_owned());
    expand_home(&path, home_dir(env, platform).as_deref(), platform)
}

/// The selected profile: `AWS_PROFILE`, else `default`.
pub fn selected_profile(env: &dyn Fn(&str) -> Option<String>) -> String {
    env("AWS_PROFILE").unwrap_or_else(|| "default".to_owned())
}

/// Replace a leading `~` path component with the home directory, rewriting the separators of
/// the rest for the platform (as the SDK does by pushing each component).
fn expand_home(path: &str, home: Option<&str>, platform: Platform) -> String {
    let is_sep = |c: char| c == '/' || (platform == Platform::Windows && c == '\\');
    let mut parts = path.split(is_sep).filter(|p| !p.is_empty());
    if path.starts_with(is_sep) || parts.next() != Some("~") {
        return path.to_owned();
    }
    let mut out = home.unwrap_or("~").to_owned();
    for part in parts {
        if !out.ends_with(is_sep) {
            out.push(platform.separator());
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_tilde_only_as_first_component() {
        assert_eq!(expand_home("~/.aws/config", Some("/h"), Platform::Unix), "/h/.aws/config");
        assert_eq!(expand_home("/x/~/config", Some("/h"), Platform::Unix), "/x/~/config");
        assert_eq!(expand_home("~x/config", Some("/h"), Platform::Unix), "~x/config");
        assert_eq!(expand_home("~/a", None, Platform::Unix), "~/a");
        assert_eq!(expand_home("~/.aws/config", Some("C:\\u"), Platform::Windows), "C:\\u\\.aws\\config");
    }
}
