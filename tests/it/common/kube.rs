//! The Kubernetes API stand-in (`tests/services/kube_api.py`) on 127.0.0.1 over HTTPS: it answers
//! `kubectl get ns` only for a valid EKS token of its cluster (checked as aws-iam-authenticator
//! checks one, the signature with botocore, the caller from STS), and logs each decision.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct KubeApi {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl KubeApi {
    /// The stand-in for `cluster`, knowing the secrets of `keys` (access key id, secret).
    pub fn start(cluster: &str, keys: &[(&str, &str)]) -> Option<KubeApi> {
        if !super::moto::require("python3") || !super::moto::require("openssl") {
            return None;
        }
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rolecall-kube-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let table: serde_json::Map<String, serde_json::Value> =
            keys.iter().map(|(k, s)| (k.to_string(), serde_json::Value::from(*s))).collect();
        std::fs::write(dir.join("keys.json"), serde_json::Value::Object(table).to_string()).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/services/kube_api.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args([cluster, dir.join("keys.json").to_str().unwrap(), dir.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start the Kubernetes API stand-in");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().expect("the stand-in's port");
        Some(KubeApi { child, port, dir })
    }

    /// The flags that point kubectl's current cluster at the stand-in (the kubeconfig's user,
    /// the exec plugin, is what is tested).
    pub fn flags(&self) -> [String; 4] {
        [
            "--server".into(),
            format!("https://127.0.0.1:{}", self.port),
            "--certificate-authority".into(),
            self.dir.join("ca.pem").display().to_string(),
        ]
    }

    /// What it decided, a line per request (`ok ARN PATH`, `refused WHY`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    pub fn clear(&self) {
        let _ = std::fs::remove_file(self.dir.join("log"));
    }
}

impl Drop for KubeApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
