//! `sso populate`'s policy: one profile per account and role an SSO login reaches (ListAccounts,
//! ListAccountRoles), named from the account's and the role's names, skipping the pairs and names
//! the files already hold. The command writes [`Populate::edit`] through the lossless editor.

use crate::aws::http::Http;
use crate::aws::sso;
use crate::config::Config;
use crate::files::change::{Files, verify_pairs};
use crate::files::{AwsFiles, Key, ProfileSet};
use crate::types::{Notice, Notify};
use anyhow::{Context, Result, bail};
use aws_smithy_runtime_api::client::http::SharedHttpConnector;
use std::time::Duration;

/// The profiles to add for one sso-session.
pub struct Populate {
    pub session: String,
    /// (profile, account id, role name), in the portal's order.
    pub new: Vec<(String, String, String)>,
    pub accounts: usize,
    pub roles: usize,
    /// Pairs (or names) the files already have.
    pub skipped: usize,
}

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

/// The sso-session named, or the only one.
fn session_name<'a>(files: &'a AwsFiles, session: Option<&'a str>) -> Result<&'a str> {
    let sessions: Vec<&str> = files.profiles.sso_sessions().map(|s| s.name()).collect();
    Ok(match (session, sessions.as_slice()) {
        (Some(name), _) => name,
        (None, [only]) => only,
        (None, []) => {
            bail!("no [sso-session] in {}: add one (or run 'aws configure sso-session')", files.config.display)
        }
        (None, many) => bail!("several sso-sessions ({}): choose one with --sso-session", many.join(", ")),
    })
}

/// List what the session's login reaches (signed in already: the token comes from the cache) and
/// decide which profiles are new.
pub fn plan(
    cfg: &Config,
    files: &AwsFiles,
    session: Option<&str>,
    prefix: &str,
    connector: Option<SharedHttpConnector>,
    notify: Notify<'_>,
) -> Result<Populate> {
    let name = session_name(files, session)?;
    let section = files
        .profiles
        .sso_session(name)
        .with_context(|| format!("no [sso-session {name}] in {}", files.config.display))?;
    let get = |key: Key| section.get(key).with_context(|| format!("[sso-session {name}] has no {}", key.as_str()));
    let login = super::settings::sso_login(
        cfg,
        &files.profiles,
        None,
        Some(section.name()),
        get(Key::SsoStartUrl)?,
        get(Key::SsoRegion)?,
        None,
    )?;
    let http = Http::new(connector, Duration::from_secs(15));
    notify(Notice::Note(format!("listing the accounts and roles of {}", login.describe())));
    let assignments = crate::util::runtime()?.block_on(async {
        let token = sso::access_token(cfg, &http, &login).await?;
        sso::assignments(&http, &login, &token).await
    })?;
    let mut populate = Populate {
        session: name.to_owned(),
        new: Vec::new(),
        accounts: assignments.len(),
        roles: assignments.iter().map(|a| a.roles.len()).sum(),
        skipped: 0,
    };
    for a in &assignments {
        for role in &a.roles {
            populate.add(&files.profiles, profile_name(prefix, &a.account_name, role), &a.account_id, role);
        }
    }
    Ok(populate)
}

impl Populate {
    /// Add the pair unless it is set up for this session already, or its name is taken.
    fn add(&mut self, set: &ProfileSet, profile: String, account: &str, role: &str) {
        let known = set.profiles().any(|p| {
            p.get(Key::SsoSession) == Some(self.session.as_str())
                && p.get(Key::SsoAccountId) == Some(account)
                && p.get(Key::SsoRoleName) == Some(role)
        });
        if known || set.profile(&profile).is_some() || self.new.iter().any(|n| n.0 == profile) {
            self.skipped += 1;
        } else {
            self.new.push((profile, account.to_owned(), role.to_owned()));
        }
    }

    /// What was found, for the person.
    pub fn summary(&self) -> String {
        format!(
            "{} accounts, {} roles: {} new profiles, {} already there",
            self.accounts,
            self.roles,
            self.new.len(),
            self.skipped
        )
    }

    fn pairs<'a>(&'a self, account: &'a str, role: &'a str) -> [(&'a str, &'a str); 3] {
        [("sso_session", self.session.as_str()), ("sso_account_id", account), ("sso_role_name", role)]
    }

    /// Write the new profiles into the config file being edited.
    pub fn edit(&self, files: &mut Files) -> Result<()> {
        for (profile, account, role) in &self.new {
            for (key, value) in self.pairs(account, role) {
                files.config.set(profile, key, value)?;
            }
        }
        Ok(())
    }

    /// Check that the files read back say what [`Populate::edit`] meant.
    pub fn verify(&self, after: &ProfileSet) -> Result<()> {
        for (profile, account, role) in &self.new {
            verify_pairs(after, profile, &self.pairs(account, role))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        assert_eq!(super::profile_name("", "Prod Account", "AdministratorAccess"), "Prod-Account-AdministratorAccess");
        assert_eq!(super::profile_name("sso-", "dev (eu)", "Read Only"), "sso-dev--eu-Read-Only");
    }
}
