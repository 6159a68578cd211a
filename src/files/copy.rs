//! `export --to-profile NAME`: another profile's temporary credentials written into the
//! credentials file as NAME's keys, for tools that read only the files. Checked before any fetch
//! (a refusal costs no STS call and no MFA code) and read back with the SDKs' rules after.

use crate::config::Config;
use crate::files::chain::{self, Base};
use crate::files::change::{Files, Written, verify_pairs};
use crate::files::{AwsFiles, FileKind, Key};
use crate::types::{Credentials, Notify};
use crate::util::text::printable;
use crate::util::time::format_rfc3339;
use anyhow::{Result, bail};

/// Whether `name` may receive `profile`'s credentials: not in `profile`'s own chain, and not an
/// IAM user's long-term keys unless `force`.
pub fn check_target(files: &AwsFiles, profile: &str, name: &str, force: bool) -> Result<()> {
    crate::files::validate::check_name(name)?;
    let plan = chain::plan_for(files, profile)?;
    if plan.chain.contains(&name) {
        bail!(
            "`{}` is in `{}`'s own chain (its credentials come from there): write to another profile",
            printable(name),
            printable(profile)
        );
    }
    // Long-term keys are told by the key itself (an IAM user's `AKIA…`, not a session's
    // `ASIA…`), wherever it is written: a stray aws_session_token beside it changes nothing.
    if let Some(key) = files.profiles.profile(name).and_then(|p| p.get_value(Key::AccessKeyId))
        && !crate::util::arn::is_temporary_key_id(key.value)
        && !force
    {
        let file = if key.origin.file == FileKind::Config { &files.config } else { &files.credentials };
        bail!(
            "`{}` holds long-term keys in {}: not replaced (pass --force to replace them)",
            printable(name),
            file.display
        );
    }
    Ok(())
}

/// Write `creds` (temporary, from `profile`) as `name`'s keys, with a note of where they came
/// from and until when.
pub fn write_temporary(
    cfg: &Config,
    notify: Notify<'_>,
    profile: &str,
    name: &str,
    creds: &Credentials,
) -> Result<Vec<Written>> {
    let (Some(token), Some(expires)) = (&creds.session_token, creds.expires_at) else {
        bail!(
            "`{}` gives long-term keys: --to-profile writes temporary credentials only (name the profile itself instead)",
            printable(profile)
        );
    };
    let note = format!(
        "rolecall export {profile}: temporary credentials until {}, written {}",
        format_rfc3339(expires),
        format_rfc3339(cfg.now())
    );
    let pairs = [
        ("aws_access_key_id", creds.access_key_id.as_str()),
        ("aws_secret_access_key", creds.secret_access_key.as_str()),
        ("aws_session_token", token.as_str()),
    ];
    crate::files::change::change(
        cfg,
        notify,
        |files: &mut Files, _| {
            for (key, value) in pairs {
                files.credentials.set(name, key, value)?;
            }
            files.credentials.set_note(name, "rolecall export", &note).map(drop)
        },
        |after| {
            verify_pairs(after, name, &pairs)?;
            // The SDKs must read these keys for NAME, not a role or SSO login it also has.
            match chain::resolve(after, name) {
                Ok(plan) if plan.hops.is_empty() && matches!(plan.base, Base::AccessKey { .. }) => Ok(()),
                _ => bail!(
                    "`{name}` also has a role, an SSO login or a credential_process, which the SDKs use before keys: choose another name"
                ),
            }
        },
    )
}
