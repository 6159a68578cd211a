//! `rolecall dir`: the `.awsprofile` that applies in this directory. With `--shell`, what the
//! init scripts' hook runs when the nearest file changed: shell code that applies a trusted file
//! (`asp`, or `assume` with `ROLECALL_DIR_ACTION=assume`) and keeps, in a shell variable, the code
//! that puts back what the shell had; for a file not (or no longer) allowed, one line on stderr
//! and nothing applied.

use crate::cli::{CredsArgs, DirArgs};
use crate::config::Config;
use crate::shell::dir::{self, DirFile, cwd, printable, shown};
use crate::shell::env::{DIR_RESTORE, DirState, EnvChange, Format, Shell, Snapshot, render_shell_var};
use crate::shell::switch;
use crate::shell::trust::{Trust, TrustStore};
use anyhow::{Result, bail};
use std::path::Path;
use std::process::ExitCode;

/// What entering a tree does: select the profile (the default) or assume it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Asp,
    Assume,
}

fn action(cfg: &Config) -> Result<Action> {
    match cfg.var("ROLECALL_DIR_ACTION").as_deref() {
        None | Some("asp") => Ok(Action::Asp),
        Some("assume") => Ok(Action::Assume),
        Some(other) => bail!("ROLECALL_DIR_ACTION={:?}: use asp or assume", printable(other)),
    }
}

pub fn run(cfg: &Config, args: DirArgs) -> Result<ExitCode> {
    let file = args.file.as_deref().map(Path::new);
    match args.shell.map(super::shell) {
        Some(shell) => hook(cfg, file, shell),
        None => status(cfg, file, args.json),
    }
}

/// The hook: `file` is the nearest `.awsprofile` the shell found (empty: none, the shell left
/// every tree). What the shell holds is restored from [`DIR_RESTORE`] when it leaves the tree
/// that set it, then the new file (if any, and allowed) is applied with a new restore state.
fn hook(cfg: &Config, file: Option<&Path>, shell: Shell) -> Result<ExitCode> {
    let cwd = cwd(cfg)?;
    let found = match file {
        Some(f) if f.as_os_str().is_empty() => None,
        Some(f) => Some(f.to_owned()),
        None => dir::nearest(&cwd),
    };
    let format = Format::Shell(shell);
    let now = Snapshot::from_config(cfg);
    let inherited = cfg.var(DIR_RESTORE);
    let state = inherited.as_deref().map(DirState::from_json);
    let mut out = String::new();
    let mut before = now.clone();
    match state {
        // A shell started inside the tree its parent applied: it goes on with the same state.
        Some(Some(state)) if found.as_deref().is_some_and(|f| f.as_os_str() == state.file.as_str()) => {
            return Ok(ExitCode::SUCCESS);
        }
        Some(Some(state)) => {
            let creds = restored_credentials(cfg, &state.before, &now);
            let restore = EnvChange::restore_dir(&state.before, &now, creds.as_ref());
            out.push_str(&restore.clone().with(DIR_RESTORE, None).render(format)?);
            before = now.apply(&restore);
        }
        Some(None) => {
            eprintln!("rolecall: warning: {DIR_RESTORE} is damaged: the directory's profile is left as it is");
            out.push_str(&EnvChange::default().with(DIR_RESTORE, None).render(format)?);
        }
        None => {}
    }
    let written = |out: &str| super::write_stdout(|w| w.write_all(out.as_bytes())).map(|()| ExitCode::SUCCESS);
    let Some(path) = found else { return written(&out) };
    let shown = shown(&path, &cwd);
    let file = DirFile::read(&path)?;
    let wanted = file.wanted()?;
    let Some(profile) = wanted.profile else {
        eprintln!("rolecall: {shown} names no profile: nothing changed");
        return written(&out);
    };
    let region = wanted.region;
    let store = TrustStore::load(cfg)?;
    match store.trust(&file) {
        Trust::Allowed => {}
        trust => {
            let what = if trust == Trust::Changed { "changed since it was allowed and " } else { "" };
            eprintln!(
                "rolecall: {shown} {what}wants profile '{}' — run 'rolecall allow' to use it",
                printable(&profile)
            );
            // The hook checks the store's first line at each prompt while this waits, and asks
            // again once `rolecall allow` (or deny) changed it.
            if let Some(store_path) = store.path.to_str() {
                render_shell_var(&mut out, shell, "__rolecall_dir_pending", &store.generation)?;
                render_shell_var(&mut out, shell, "__rolecall_dir_allowed", store_path)?;
            }
            return written(&out);
        }
    }
    // Keys the person set by hand win over a directory's profile (what is typed or exported last
    // wins): the tree is not applied while they are there.
    if before.holds_others() {
        eprintln!(
            "rolecall: this shell holds keys set by hand, which win over {shown} (profile '{}'): nothing changed",
            printable(&profile)
        );
        return written(&out);
    }
    let files = super::load_checked(cfg)?;
    if files.profiles.profile(&profile).is_none() {
        eprintln!(
            "rolecall: {shown} wants profile '{}', which is in neither {} nor {}: nothing changed",
            printable(&profile),
            files.config.display,
            files.credentials.display
        );
        return written(&out);
    }
    // The profile the shell already holds credentials of: they stay (nothing to restore later).
    let holds_it = before.holds_ours() && before.get("ROLECALL_PROFILE") == Some(profile.as_str());
    let env = match action(cfg)? {
        _ if holds_it => EnvChange::keep_credentials(&profile, region.as_deref(), &before),
        Action::Asp => switch::selected(cfg, &files, &profile, region.as_deref(), &before)?,
        Action::Assume => {
            let creds = CredsArgs { region, ..CredsArgs::default() };
            let outcome = super::fetch(cfg, &files, &profile, &creds)?;
            switch::assumed(cfg, &profile, &outcome, &before)
        }
    };
    let state = DirState { file: path.to_string_lossy().into_owned(), before };
    out.push_str(&env.with(DIR_RESTORE, Some(state.to_json())).render(format)?);
    written(&out)?;
    eprintln!("rolecall: profile '{}' from {shown}", printable(&profile));
    Ok(ExitCode::SUCCESS)
}

/// The credentials to put back on leaving a tree, when the shell held rolecall's for a profile
/// before entering it and holds others now: that profile's, from the cache (or its keys from the
/// files), never fetched anew. None when they are gone (the restore then clears the variables).
fn restored_credentials(cfg: &Config, before: &Snapshot, now: &Snapshot) -> Option<crate::creds::Credentials> {
    let key = before.get("AWS_ACCESS_KEY_ID")?;
    if now.get("AWS_ACCESS_KEY_ID") == Some(key) || before.get(crate::shell::env::KEY_ID) != Some(key) {
        return None;
    }
    let profile = before.get("ROLECALL_PROFILE")?;
    let files = crate::files::AwsFiles::load(cfg);
    let options = crate::creds::fetch::Options { cached_only: true, ..Default::default() };
    match crate::creds::fetch::credentials(cfg, &files, profile, &options, &|_| {}) {
        Ok(outcome) => Some(outcome.creds),
        Err(_) => {
            eprintln!(
                "rolecall: `{}`'s credentials are no longer cached: the profile is selected again, 'assume {}' fetches them",
                printable(profile),
                printable(profile)
            );
            None
        }
    }
}

fn status(cfg: &Config, file: Option<&Path>, json: bool) -> Result<ExitCode> {
    let cwd = cwd(cfg)?;
    let Some(path) = file.map(Path::to_owned).or_else(|| dir::nearest(&cwd)) else {
        if json {
            super::write_stdout(|w| w.write_all(b"null\n"))?;
        } else {
            eprintln!("rolecall: no {} in {} or above", dir::FILE_NAME, printable(&cwd.to_string_lossy()));
        }
        return Ok(ExitCode::SUCCESS);
    };
    let file = DirFile::read(&path)?;
    let wanted = file.wanted()?;
    let trust = TrustStore::load(cfg)?.trust(&file);
    let action = if action(cfg)? == Action::Assume { "assume" } else { "asp" };
    let text = if json {
        let mut buf = Vec::new();
        crate::util::json::Object::start(&mut buf)
            .str("path", &file.place.to_string_lossy())
            .opt_str("profile", wanted.profile.as_deref())
            .opt_str("region", wanted.region.as_deref())
            .str("trust", trust.as_str())
            .str("action", action)
            .end();
        buf.push(b'\n');
        buf
    } else {
        let style = crate::ui::style::Style::for_stdout(cfg);
        let trust = match trust {
            Trust::Allowed => "allowed".to_owned(),
            Trust::Changed => style.yellow("changed since it was allowed: run 'rolecall allow'"),
            Trust::Unknown => style.yellow("not allowed: run 'rolecall allow'"),
        };
        let opt = |v: Option<String>| v.map(|v| printable(&v)).unwrap_or_else(|| "-".to_owned());
        format!(
            "file     {}\nprofile  {}\nregion   {}\ntrust    {trust}\naction   {action}\n",
            printable(&file.place.to_string_lossy()),
            opt(wanted.profile),
            opt(wanted.region),
        )
        .into_bytes()
    };
    super::write_stdout(|w| w.write_all(&text))?;
    Ok(ExitCode::SUCCESS)
}
