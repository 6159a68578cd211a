//! The `.awsprofile` hook's policy: what the shell runs when the nearest file changed. A trusted
//! file is applied (`asp`, or `assume` with `ROLECALL_DIR_ACTION=assume`) and the code that puts
//! back what the shell had is kept in [`DIR_RESTORE`] (names and the cache's key, never a
//! secret); for a file not (or no longer) allowed, one line and nothing applied.

use crate::config::Config;
use crate::creds::options::Outcome;
use crate::files::AwsFiles;
use crate::outputs::shell::render_shell_var;
use crate::shell::dir::{self, DirFile, cwd, printable, shown};
use crate::shell::env::{DIR_RESTORE, DirState, EnvChange, Format, Shell, Snapshot};
use crate::shell::switch;
use crate::shell::trust::{Trust, TrustStore};
use crate::types::{Notice, Notify};
use anyhow::{Result, bail};
use std::path::Path;

/// A profile's credentials, with the directory file's region.
pub type Fetch<'a> = &'a dyn Fn(&AwsFiles, &str, Option<String>) -> Result<Outcome>;

/// What the hook is given by the command: the shell, where to say things, and how to load the
/// files and fetch a profile's credentials (the command's rules: checked files, sign-in offers).
pub struct Hook<'a> {
    pub cfg: &'a Config,
    pub shell: Shell,
    pub notify: Notify<'a>,
    pub load: &'a dyn Fn() -> Result<AwsFiles>,
    pub fetch: Fetch<'a>,
}

/// What entering a tree does: select the profile (the default) or assume it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Asp,
    Assume,
}

pub fn action(cfg: &Config) -> Result<Action> {
    match cfg.var("ROLECALL_DIR_ACTION").as_deref() {
        None | Some("asp") => Ok(Action::Asp),
        Some("assume") => Ok(Action::Assume),
        Some(other) => bail!("ROLECALL_DIR_ACTION={:?}: use asp or assume", printable(other)),
    }
}

/// The hook: `file` is the nearest `.awsprofile` the shell found (empty: none, the shell left
/// every tree). What the shell holds is restored from [`DIR_RESTORE`] when it leaves the tree
/// that set it, then the new file (if any, and allowed) is applied with a new restore state.
pub fn hook(h: &Hook<'_>, file: Option<&Path>) -> Result<String> {
    let (cfg, shell) = (h.cfg, h.shell);
    let cwd = cwd(cfg)?;
    let found = match file {
        Some(f) if f.as_os_str().is_empty() => None,
        Some(f) => Some(f.to_owned()),
        None => dir::nearest(&cwd),
    };
    let mut out = String::new();
    let Some(before) = leave(h, found.as_deref(), &mut out)? else { return Ok(out) };
    let Some(path) = found else { return Ok(out) };
    let shown = shown(&path, &cwd);
    let file = DirFile::read(&path)?;
    let wanted = file.wanted()?;
    let Some(profile) = wanted.profile else {
        (h.notify)(Notice::Note(format!("{shown} names no profile: nothing changed")));
        return Ok(out);
    };
    let region = wanted.region;
    let store = TrustStore::load(cfg)?;
    match store.trust(&file) {
        Trust::Allowed => {}
        trust => {
            let what = if trust == Trust::Changed { "changed since it was allowed and " } else { "" };
            (h.notify)(Notice::Note(format!(
                "{shown} {what}wants profile '{}' — run 'rolecall allow' to use it",
                printable(&profile)
            )));
            // The hook checks the store's first line at each prompt while this waits, and asks
            // again once `rolecall allow` (or deny) changed it.
            if let Some(store_path) = store.path.to_str() {
                render_shell_var(&mut out, shell, "__rolecall_dir_pending", &store.generation)?;
                render_shell_var(&mut out, shell, "__rolecall_dir_allowed", store_path)?;
            }
            return Ok(out);
        }
    }
    apply(h, &path, &shown, profile, region, before, &mut out)?;
    Ok(out)
}

/// Leave the tree the shell holds (from [`DIR_RESTORE`]): the code that puts back what it had
/// goes into `out`; what the shell then holds, or `None` when it stays in that same tree.
fn leave(h: &Hook<'_>, found: Option<&Path>, out: &mut String) -> Result<Option<Snapshot>> {
    let format = Format::Shell(h.shell);
    let now = Snapshot::from_config(h.cfg);
    let inherited = h.cfg.var(DIR_RESTORE);
    match inherited.as_deref().map(DirState::from_json) {
        // A shell started inside the tree its parent applied: it goes on with the same state.
        Some(Some(state)) if found.is_some_and(|f| f.as_os_str() == state.file.as_str()) => Ok(None),
        Some(Some(state)) => {
            let creds = restored_credentials(h, &state.before, &now);
            let restore = EnvChange::restore_dir(&state.before, &now, creds.as_ref());
            out.push_str(&restore.clone().with(DIR_RESTORE, None).render(format)?);
            Ok(Some(now.apply(&restore)))
        }
        Some(None) => {
            (h.notify)(Notice::Warning(format!("{DIR_RESTORE} is damaged: the directory's profile is left as it is")));
            out.push_str(&EnvChange::default().with(DIR_RESTORE, None).render(format)?);
            Ok(Some(now))
        }
        None => Ok(Some(now)),
    }
}

/// Apply an allowed file's `profile` to a shell that holds `before`, unless keys set by hand
/// win or the profile is not in the files; the code goes into `out`.
fn apply(
    h: &Hook<'_>,
    path: &Path,
    shown: &str,
    profile: String,
    region: Option<String>,
    before: Snapshot,
    out: &mut String,
) -> Result<()> {
    let cfg = h.cfg;
    // Keys the person set by hand win over a directory's profile (what is typed or exported last
    // wins): the tree is not applied while they are there.
    if before.holds_others() {
        (h.notify)(Notice::Note(format!(
            "this shell holds keys set by hand, which win over {shown} (profile '{}'): nothing changed",
            printable(&profile)
        )));
        return Ok(());
    }
    let files = (h.load)()?;
    if files.profiles.profile(&profile).is_none() {
        (h.notify)(Notice::Note(format!(
            "{shown} wants profile '{}', which is in neither {} nor {}: nothing changed",
            printable(&profile),
            files.config.display,
            files.credentials.display
        )));
        return Ok(());
    }
    // The profile the shell already holds credentials of: they stay (nothing to restore later).
    let holds_it = before.holds_ours() && before.get("ROLECALL_PROFILE") == Some(profile.as_str());
    let env = match action(cfg)? {
        _ if holds_it => EnvChange::keep_credentials(&profile, region.as_deref(), &before),
        Action::Asp => switch::selected(cfg, &files, &profile, region.as_deref(), &before)?,
        Action::Assume => {
            let outcome = (h.fetch)(&files, &profile, region)?;
            switch::assumed(cfg, &profile, &outcome, &before)
        }
    };
    let state = DirState { file: path.to_string_lossy().into_owned(), before };
    out.push_str(&env.with(DIR_RESTORE, Some(state.to_json())).render(Format::Shell(h.shell))?);
    (h.notify)(Notice::Note(format!("profile '{}' from {shown}", printable(&profile))));
    Ok(())
}

/// The credentials to put back on leaving a tree, when the shell held rolecall's for a profile
/// before entering it and holds others now: that profile's, from the cache (or its keys from the
/// files), never fetched anew. None when they are gone (the restore then clears the variables).
fn restored_credentials(h: &Hook<'_>, before: &Snapshot, now: &Snapshot) -> Option<crate::types::Credentials> {
    let key = before.get("AWS_ACCESS_KEY_ID")?;
    if now.get("AWS_ACCESS_KEY_ID") == Some(key) || before.get(crate::shell::env::KEY_ID) != Some(key) {
        return None;
    }
    let profile = before.get("ROLECALL_PROFILE")?;
    let files = crate::files::AwsFiles::load(h.cfg);
    let options = crate::creds::options::Options { cached_only: true, ..Default::default() };
    match crate::creds::fetch::credentials(h.cfg, &files, profile, &options, &|_| {}) {
        Ok(outcome) => Some(outcome.creds),
        Err(_) => {
            (h.notify)(Notice::Note(format!(
                "`{}`'s credentials are no longer cached: the profile is selected again, 'assume {}' fetches them",
                printable(profile),
                printable(profile)
            )));
            None
        }
    }
}
