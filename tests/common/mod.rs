//! Helpers shared by the integration tests: a private HOME per test and a way to run the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the target dir, removed when dropped.
pub struct TempHome {
    pub path: PathBuf,
}

impl TempHome {
    pub fn new() -> TempHome {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "rolecall-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join(".aws")).unwrap();
        TempHome { path }
    }

    /// A home holding copies of tests/fixtures/home/.aws.
    pub fn fixture() -> TempHome {
        let home = TempHome::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/home/.aws");
        for name in ["config", "credentials"] {
            std::fs::copy(src.join(name), home.path.join(".aws").join(name)).unwrap();
        }
        home.chmod("credentials", 0o600);
        home
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path.join(".aws").join(name), text).unwrap();
    }

    pub fn chmod(&self, name: &str, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(self.path.join(".aws").join(name), std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Run rolecall with this HOME and a clean AWS environment.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolecall"));
        cmd.args(args).env("HOME", &self.path).env("NO_COLOR", "1");
        for (key, _) in std::env::vars() {
            if key.starts_with("AWS_") || key.starts_with("ROLECALL_") || key.starts_with("XDG_") {
                cmd.env_remove(key);
            }
        }
        Run::from(cmd.output().unwrap(), &self.path)
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Output with the temporary HOME written as `$HOME`, so snapshots do not depend on it.
    fn from(out: Output, home: &Path) -> Run {
        let home = home.to_string_lossy();
        let clean = |b: Vec<u8>| String::from_utf8(b).unwrap().replace(home.as_ref(), "$HOME");
        Run { code: out.status.code().unwrap_or(-1), stdout: clean(out.stdout), stderr: clean(out.stderr) }
    }
}
