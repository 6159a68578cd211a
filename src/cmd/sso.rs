//! `rolecall sso populate`: one profile per account and role the SSO login reaches (ListAccounts,
//! ListAccountRoles), written into the config file through the lossless editor, existing ones
//! skipped; `--dry-run` prints the lines it would add.

use crate::aws::http::Http;
use crate::aws::sso;
use crate::config::Config;
use crate::files::Key;
use crate::files::change::{self, Files, verify_pairs};
use anyhow::{Context, Result, bail};
use aws_smithy_runtime_api::client::http::SharedHttpConnector;
use std::process::ExitCode;
use std::time::Duration;

/// A profile name from an account's and a role's names: the characters the SDKs accept, the rest
/// as `-`.
fn profile_name(prefix: &str, account: &str, role: &str) -> String {
    let clean = |s: &str| -> String {
        let mapped: String =
            s.chars().map(|c| if c.is_ascii_alphanumeric() || "_-./%@:+".contains(c) { c } else { '-' }).collect();
        mapped.trim_matches('-').to_owned()
    };
    format!("{prefix}{}-{}", clean(account), clean(role))
}

pub fn populate(
    cfg: &Config,
    session: Option<&str>,
    prefix: &str,
    dry_run: bool,
    connector: Option<SharedHttpConnector>,
) -> Result<ExitCode> {
    let files = super::load_checked(cfg)?;
    let sessions: Vec<&str> = files.profiles.sso_sessions().map(|s| s.name()).collect();
    let name = match (session, sessions.as_slice()) {
        (Some(name), _) => name,
        (None, [only]) => only,
        (None, []) => {
            bail!("no [sso-session] in {}: add one (or run 'aws configure sso-session')", files.config.display)
        }
        (None, many) => bail!("several sso-sessions ({}): choose one with --sso-session", many.join(", ")),
    };
    let section = files
        .profiles
        .sso_session(name)
        .with_context(|| format!("no [sso-session {name}] in {}", files.config.display))?;
    let get = |key: Key| section.get(key).with_context(|| format!("[sso-session {name}] has no {}", key.as_str()));
    let login = crate::creds::settings::sso_login(
        cfg,
        &files.profiles,
        None,
        Some(section.name()),
        get(Key::SsoStartUrl)?,
        get(Key::SsoRegion)?,
        None,
    )?;
    let runtime = crate::runtime()?;
    let http = Http::new(connector, Duration::from_secs(15));
    eprintln!("rolecall: listing the accounts and roles of {}", login.describe());
    let assignments = runtime.block_on(async {
        let token = sso::access_token(cfg, &http, &login).await?;
        sso::assignments(&http, &login, &token).await
    })?;
    // What exists: profiles by name, and (account, role) pairs already set up for this session.
    let known = |account: &str, role: &str| {
        files.profiles.profiles().any(|p| {
            p.get(Key::SsoSession) == Some(name)
                && p.get(Key::SsoAccountId) == Some(account)
                && p.get(Key::SsoRoleName) == Some(role)
        })
    };
    let mut new: Vec<(String, String, String)> = Vec::new();
    let mut skipped = 0;
    for a in &assignments {
        for role in &a.roles {
            let profile = profile_name(prefix, &a.account_name, role);
            if known(&a.account_id, role)
                || files.profiles.profile(&profile).is_some()
                || new.iter().any(|n| n.0 == profile)
            {
                skipped += 1;
                continue;
            }
            new.push((profile, a.account_id.clone(), role.clone()));
        }
    }
    let roles: usize = assignments.iter().map(|a| a.roles.len()).sum();
    eprintln!(
        "rolecall: {} accounts, {roles} roles: {} new profiles, {skipped} already there",
        assignments.len(),
        new.len()
    );
    if new.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let edit = |files: &mut Files| -> Result<()> {
        for (profile, account, role) in &new {
            files.config.set(profile, "sso_session", name)?;
            files.config.set(profile, "sso_account_id", account)?;
            files.config.set(profile, "sso_role_name", role)?;
        }
        Ok(())
    };
    if dry_run {
        let mut preview = change::editors(&files)?;
        edit(&mut preview)?;
        let before = files.config.document().map(|d| d.render()).unwrap_or_default();
        let after = preview.config.render();
        let added = after.strip_prefix(before.as_str()).unwrap_or(&after);
        let text: String = added.lines().map(|l| format!("+{l}\n")).collect();
        super::write_stdout(|out| out.write_all(format!("--- {}\n{text}", files.config.display).as_bytes()))?;
        return Ok(ExitCode::SUCCESS);
    }
    super::change_files(
        cfg,
        |files, _| edit(files),
        |after| {
            for (profile, account, role) in &new {
                let pairs =
                    [("sso_session", name), ("sso_account_id", account.as_str()), ("sso_role_name", role.as_str())];
                verify_pairs(after, profile, &pairs)?;
            }
            Ok(())
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        assert_eq!(super::profile_name("", "Prod Account", "AdministratorAccess"), "Prod-Account-AdministratorAccess");
        assert_eq!(super::profile_name("sso-", "dev (eu)", "Read Only"), "sso-dev--eu-Read-Only");
    }
}
