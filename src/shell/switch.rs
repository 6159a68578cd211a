//! A switch of the shell's profile, as `assume`, `asp` and a directory's `.awsprofile` make it:
//! the [`EnvChange`] from what the shell holds to the profile, noted in the recent list (and,
//! for credentials, their expiry, for the picker). Running a command with the change applied
//! (`exec`, `assume PROFILE -- CMD`) is here too.

use crate::config::Config;
use crate::creds::fetch::Outcome;
use crate::files::AwsFiles;
use crate::shell::env::{CREDENTIAL_VARS, DIR_RESTORE, EnvChange, KEY_ID, Snapshot};
use anyhow::{Result, anyhow, bail};

/// The vault file's passphrase, which a script may give rolecall; never passed on to a command.
pub const VAULT_PASSPHRASE: &str = "ROLECALL_VAULT_PASSPHRASE";
use std::os::unix::process::CommandExt;
use std::process::ExitCode;

/// The change that puts `profile`'s fetched credentials in a shell that holds `before`.
pub fn assumed(cfg: &Config, profile: &str, outcome: &Outcome, before: &Snapshot) -> EnvChange {
    crate::creds::recent::touch(cfg, profile);
    if let Some(expires_at) = outcome.creds.expires_at {
        crate::creds::recent::note_expiry(cfg, profile, expires_at);
    }
    EnvChange::assume(profile, &outcome.creds, outcome.region.as_deref(), before)
}

/// The change that selects `profile` (no credentials: the SDKs resolve it) in a shell that holds
/// `before`, in `region` if given, else the profile's.
pub fn selected(
    cfg: &Config,
    files: &AwsFiles,
    profile: &str,
    region: Option<&str>,
    before: &Snapshot,
) -> Result<EnvChange> {
    crate::creds::fetch::plan(files, profile)?;
    let region = region.or_else(|| files.profiles.profile(profile).and_then(|p| p.get(crate::files::Key::Region)));
    crate::creds::recent::touch(cfg, profile);
    Ok(EnvChange::select_only(profile, region, before))
}

/// The environment of a command the credential server serves: no credential variables (the
/// SDKs ask the server, at `url` with the token in `token_file`; SDKs from before the token file
/// read `AWS_CONTAINER_AUTHORIZATION_TOKEN`, which the others ignore when the file is set), no
/// `AWS_PROFILE` (the SDKs would read the profile instead), the region and `ROLECALL_PROFILE`.
pub fn served(profile: &str, region: Option<&str>, url: &str, token_file: &str, token: &str) -> EnvChange {
    let mut env = EnvChange::default();
    // The contract's credentials and AWS_PROFILE, and what else would win.
    for &name in CREDENTIAL_VARS.iter().chain(&[
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        // A web identity in the environment also comes before the server's credentials.
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        KEY_ID,
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "ROLECALL_EXPIRES_AT",
        DIR_RESTORE,
        VAULT_PASSPHRASE,
    ]) {
        env = env.with(name, None);
    }
    env = env
        .with("AWS_CONTAINER_CREDENTIALS_FULL_URI", Some(url.to_owned()))
        .with("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", Some(token_file.to_owned()))
        .with("AWS_CONTAINER_AUTHORIZATION_TOKEN", Some(token.to_owned()))
        .with("ROLECALL_PROFILE", Some(profile.to_owned()));
    if let Some(region) = region {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION", "ROLECALL_REGION"] {
            env = env.with(name, Some(region.to_owned()));
        }
    }
    env
}

/// Replace this process with `command` run under `profile`'s credentials: it gets the terminal
/// and the signals and gives its exit code. A command that cannot run exits as a shell's would:
/// 127 not found, 126 not executable.
pub fn exec(profile: &str, outcome: &Outcome, before: &Snapshot, command: &[String]) -> Result<ExitCode> {
    let Some((program, args)) = command.split_first() else {
        bail!("name a command to run after --");
    };
    let env = EnvChange::assume(profile, &outcome.creds, outcome.region.as_deref(), before)
        // The profile named here wins over a directory's: a shell started in CMD must not
        // "leave" the directory's tree back to what the parent had.
        .with(DIR_RESTORE, None)
        // The vault's passphrase was for rolecall, not for CMD.
        .with(VAULT_PASSPHRASE, None);
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    for (name, value) in &env.vars {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    let err = cmd.exec();
    let shown = crate::util::text::printable(program);
    let code = match err.kind() {
        std::io::ErrorKind::NotFound => {
            eprintln!("rolecall: {shown}: command not found");
            127
        }
        std::io::ErrorKind::PermissionDenied => {
            eprintln!("rolecall: {shown}: permission denied (not executable)");
            126
        }
        _ => return Err(anyhow!("cannot run {shown}: {err}")),
    };
    Ok(ExitCode::from(code))
}
