//! The kubeconfig `eks kubeconfig` writes: the first file of `$KUBECONFIG`, else `~/.kube/config`,
//! read and written back as YAML data (every other cluster, context, user and setting kept; a
//! file that is not a kubeconfig's YAML refused), one cluster, context and user replaced or added
//! by name, written 0600 and atomically, the previous content kept as `<file>.bak`. Comments do
//! not survive, as with `kubectl config` and `aws eks update-kubeconfig` (the `.bak` has them).

use crate::config::Config;
use crate::util::fs::{self as fsutil, Mode};
use anyhow::{Context, Result, bail};
use serde_norway::{Mapping, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One cluster's entries: the cluster named by its ARN, the context and its user by `context`
/// (the alias, else the ARN, as the aws CLI names them): two contexts of one cluster with
/// different profiles each keep their own user.
#[derive(Debug, Clone)]
pub struct Entry {
    pub cluster_arn: String,
    pub context: String,
    pub server: String,
    /// base64 of the CA's PEM.
    pub ca: String,
    /// The exec plugin: the command and its arguments.
    pub command: String,
    pub args: Vec<String>,
}

/// The exec plugin's API version: the one every kubectl since 1.11 speaks, as the aws CLI writes.
pub const EXEC_API: &str = "client.authentication.k8s.io/v1beta1";

/// The kubeconfig to write: `$KUBECONFIG`'s first path, else `~/.kube/config`.
pub fn path(cfg: &Config) -> Result<PathBuf> {
    if let Some(first) = cfg.var("KUBECONFIG").as_deref().and_then(|v| v.split(':').find(|p| !p.is_empty())) {
        return Ok(PathBuf::from(first));
    }
    Ok(cfg.home().context("cannot find the kubeconfig: neither KUBECONFIG nor HOME is set")?.join(".kube/config"))
}

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Mapping(pairs.into_iter().map(|(k, v)| (text(k), v)).collect())
}

impl Entry {
    /// The cluster, context and user, each as kubeconfig lists them (`{name, cluster}` …).
    fn items(&self) -> [(&'static str, Value); 3] {
        let arn = &self.cluster_arn;
        let exec = map(vec![
            ("apiVersion", text(EXEC_API)),
            ("args", Value::Sequence(self.args.iter().map(|a| text(a)).collect())),
            ("command", text(&self.command)),
            ("interactiveMode", text("IfAvailable")),
        ]);
        [
            (
                "clusters",
                map(vec![
                    (
                        "cluster",
                        map(vec![("certificate-authority-data", text(&self.ca)), ("server", text(&self.server))]),
                    ),
                    ("name", text(arn)),
                ]),
            ),
            (
                "contexts",
                map(vec![
                    ("context", map(vec![("cluster", text(arn)), ("user", text(&self.context))])),
                    ("name", text(&self.context)),
                ]),
            ),
            ("users", map(vec![("name", text(&self.context)), ("user", map(vec![("exec", exec)]))])),
        ]
    }

    /// The entries alone, as YAML (what `--dry-run` shows).
    pub fn yaml(&self) -> String {
        let mut doc = Mapping::new();
        for (list, item) in self.items() {
            doc.insert(text(list), Value::Sequence(vec![item]));
        }
        doc.insert(text("current-context"), text(&self.context));
        serde_norway::to_string(&doc).unwrap_or_default()
    }
}

/// `old` (a kubeconfig's text, or none) with `entry`'s cluster, context and user replaced or
/// added, and `current-context` set to its context; everything else kept. An error, with nothing
/// to write, when `old` is not a kubeconfig's YAML. Also whether the context was there before.
pub fn merge(old: Option<&str>, entry: &Entry) -> Result<(String, bool)> {
    let parsed: Value = match old {
        Some(t) => serde_norway::from_str(t).map_err(|e| anyhow::anyhow!("it is not YAML: {e}"))?,
        None => Value::Null,
    };
    let mut doc = match parsed {
        Value::Mapping(m) => m,
        // An empty file, or one of comments only.
        Value::Null => Mapping::from_iter([(text("apiVersion"), text("v1")), (text("kind"), text("Config"))]),
        _ => bail!("it is not a kubeconfig (its top level is not a mapping)"),
    };
    let mut replaced = false;
    for (list, item) in entry.items() {
        let name = item.get("name").cloned();
        let slot = doc.entry(text(list)).or_insert(Value::Null);
        if slot.is_null() {
            *slot = Value::Sequence(Vec::new());
        }
        let Value::Sequence(items) = slot else { bail!("it is not a kubeconfig (its `{list}` is not a list)") };
        match items.iter_mut().find(|i| i.get("name") == name.as_ref()) {
            Some(existing) => {
                replaced |= list == "contexts";
                *existing = item;
            }
            None => items.push(item),
        }
    }
    doc.insert(text("current-context"), text(&entry.context));
    Ok((serde_norway::to_string(&doc).context("cannot write the kubeconfig as YAML")?, replaced))
}

/// What [`update`] did.
pub struct Updated {
    /// The file written (a symlink's target).
    pub path: PathBuf,
    /// Whether the context was there before (replaced) or is new.
    pub replaced: bool,
}

/// Merge `entry` into the kubeconfig at `path` under rolecall's lock and kubectl's
/// (`<file>.lock`, which `kubectl config` takes): read, merge, keep the old file as `.bak`, write.
pub fn update(cfg: &Config, path: &Path, entry: &Entry, wait: &dyn Fn(&str)) -> Result<Updated> {
    let dir = cfg.cache_dir().context("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set")?;
    fsutil::ensure_private_dir(&dir)?;
    let _ours = fsutil::lock(&dir.join("kubeconfig-edit.lock"), fsutil::Wait::Always(wait))?;
    let target = crate::files::save::target_of(path);
    if let Some(parent) = target.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        fsutil::ensure_private_dir(parent)?;
    }
    let _kubectls = KubectlLock::take(&target)?;
    let refused = |why: String| anyhow::anyhow!("{} was not changed: {why}", target.display());
    let old = match std::fs::read(&target) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| refused("it is not UTF-8 text".into()))?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", target.display())),
    };
    let (new, replaced) = merge(old.as_deref(), entry).map_err(|e| refused(format!("{e:#}")))?;
    if let Some(old) = &old {
        fsutil::write_atomic(&crate::files::save::backup_path(&target), old.as_bytes(), Mode::PRIVATE)?;
    }
    fsutil::write_atomic(&target, new.as_bytes(), Mode::PRIVATE)?;
    Ok(Updated { path: target, replaced })
}

/// client-go's lock of a kubeconfig: `<file>.lock`, created exclusively, removed when done.
struct KubectlLock(PathBuf);

impl KubectlLock {
    fn take(target: &Path) -> Result<KubectlLock> {
        let mut lock = target.as_os_str().to_owned();
        lock.push(".lock");
        let lock = PathBuf::from(lock);
        let start = Instant::now();
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&lock) {
                Ok(_) => return Ok(KubectlLock(lock)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && start.elapsed() < Duration::from_secs(5) => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
                    "{} exists: kubectl is writing the kubeconfig, or one left its lock (remove it if none runs)",
                    lock.display()
                ),
                Err(e) => return Err(e).with_context(|| format!("cannot create {}", lock.display())),
            }
        }
    }
}

impl Drop for KubectlLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(context: &str) -> Entry {
        Entry {
            cluster_arn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod".into(),
            context: context.into(),
            server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com".into(),
            ca: "LS0tLS1CRUdJTg==".into(),
            command: "rolecall".into(),
            args: ["eks", "token", "--cluster-name", "prod"].map(String::from).to_vec(),
        }
    }

    const OTHER: &str = "# my clusters\napiVersion: v1\nkind: Config\npreferences: {colors: true}\nclusters:\n- name: kind-dev # local\n  cluster: {server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true}\ncontexts:\n- name: kind-dev\n  context: {cluster: kind-dev, user: kind-dev, namespace: web}\nusers:\n- name: kind-dev\n  user: {token: abc}\ncurrent-context: kind-dev\nextensions: []\n";

    #[test]
    fn other_entries_survive_and_the_new_ones_are_added_once() {
        let (once, replaced) = merge(Some(OTHER), &entry("prod")).unwrap();
        assert!(!replaced);
        let (twice, replaced) = merge(Some(&once), &entry("prod")).unwrap();
        assert!(replaced);
        assert_eq!(once, twice, "a second run changes nothing");
        let old: Value = serde_norway::from_str(OTHER).unwrap();
        let new: Value = serde_norway::from_str(&twice).unwrap();
        for key in ["apiVersion", "kind", "preferences", "extensions"] {
            assert_eq!(old[key], new[key], "{key}");
        }
        for list in ["clusters", "contexts", "users"] {
            assert_eq!(new[list].as_sequence().unwrap().len(), 2, "{list}");
            assert_eq!(new[list][0], old[list][0], "{list}");
        }
        assert_eq!(new["current-context"], text("prod"));
        assert_eq!(new["users"][1]["user"]["exec"]["command"], text("rolecall"));
        assert_eq!(new["contexts"][1]["context"]["cluster"], text("arn:aws:eks:eu-west-1:111122223333:cluster/prod"));
    }

    #[test]
    fn a_file_that_is_not_a_kubeconfig_is_refused() {
        for bad in ["clusters: [\n", "- a\n- b\n", "clusters: 3\n", "\"just text\"\n"] {
            assert!(merge(Some(bad), &entry("prod")).is_err(), "{bad:?}");
        }
        let fresh: Value = serde_norway::from_str(&merge(Some("# nothing yet\n"), &entry("p")).unwrap().0).unwrap();
        assert_eq!(fresh["kind"], text("Config"));
        assert_eq!(fresh["current-context"], text("p"));
    }

    #[test]
    fn hostile_values_stay_strings() {
        let mut e = entry("x: y\n- z #");
        e.args.push("'\"; rm -rf ~\n".into());
        let v: Value = serde_norway::from_str(&merge(None, &e).unwrap().0).unwrap();
        assert_eq!(v["current-context"], text("x: y\n- z #"));
        assert_eq!(v["users"][0]["user"]["exec"]["args"][4], text("'\"; rm -rf ~\n"));
    }
}
