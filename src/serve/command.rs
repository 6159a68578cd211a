//! A command run as a profile: `exec PROFILE -- CMD` and `assume PROFILE -- CMD` replace
//! rolecall with it, its environment the profile's credentials; `exec --server` runs it with the
//! credential server's variables instead ([`served`]).

use crate::creds::options::Outcome;
use crate::shell::env::{CREDENTIAL_VARS, DIR_RESTORE, EnvChange, KEY_ID, Snapshot};
use crate::vault::file::PASSPHRASE_VAR as VAULT_PASSPHRASE;
use anyhow::{Result, bail};
use std::os::unix::process::CommandExt;

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
pub fn exec(
    profile: &str,
    outcome: &Outcome,
    before: &Snapshot,
    command: &[String],
) -> Result<std::convert::Infallible> {
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
    Err(crate::error::CannotRun::from_io(&crate::util::text::printable(program), err))
}
