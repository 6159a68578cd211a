//! `exec --server`: the credential server started for a profile, the command run with its
//! variables (and, when `default` has credentials of its own, copies of the files without them,
//! so that the SDKs inside act as the profile), and everything removed however the command ends.

use crate::config::Config;
use crate::files::AwsFiles;
use crate::serve::{Server, Service, Token, child};
use anyhow::{Context, Result};
use std::process::ExitCode;

/// Run `command` with `profile`'s credentials served by a local credential server (renewed
/// ahead of expiry, never asking a person) until it ends.
pub fn run_served(
    cfg: &Config,
    files: &AwsFiles,
    profile: &str,
    options: &crate::creds::options::Options,
    outcome: crate::creds::options::Outcome,
    command: &[String],
    notify: Box<dyn Fn(crate::types::Notice) + Send + Sync>,
) -> Result<ExitCode> {
    let token = Token::new()?;
    let dir = child::RuntimeDir::create(cfg)?;
    let token_file = dir.write_secret("token", token.expose())?;
    let token_text = token.expose().to_owned();
    let region = outcome.region.clone();
    let renewing = crate::creds::renew::Renewing::new(cfg.clone(), profile, options, outcome.creds);
    // The SDKs in CMD read AWS_PROFILE's profile, else `default`, before the server: CMD gets
    // copies of the files without `default`'s credentials, so that it acts as PROFILE.
    let mut files_env = Vec::new();
    if let Some(default) = files.profiles.profile("default")
        && profile != "default"
        && crate::files::chain::resolve_credentials(&files.profiles, default).is_ok()
    {
        let (config, credentials) = crate::files::change::without_credentials(files, "default")
            .context("profile `default` has credentials of its own, which the SDKs would use before the server's: not started (take them out of `default`, or run without --server)")?;
        for (var, name, text) in
            [("AWS_CONFIG_FILE", "config", config), ("AWS_SHARED_CREDENTIALS_FILE", "credentials", credentials)]
        {
            files_env.push((var, utf8(dir.write_secret(name, &text)?)?));
        }
    }
    let server = Server::start(Service { token, renewing, profile: profile.to_owned(), notify })?;
    let mut env =
        crate::serve::command::served(profile, region.as_deref(), &server.url(), &utf8(token_file)?, &token_text);
    for (var, path) in files_env {
        env = env.with(var, Some(path));
    }
    let env: Vec<(String, Option<String>)> = env.vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let code = child::run(command, &env, None);
    drop(dir);
    code
}

/// A path in the runtime directory, as an environment value.
fn utf8(path: std::path::PathBuf) -> Result<String> {
    path.into_os_string().into_string().ok().context("the runtime directory's path is not UTF-8")
}
