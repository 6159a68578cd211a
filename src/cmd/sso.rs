//! `rolecall sso populate`: one profile per account and role the SSO login reaches, written into
//! the config file through the lossless editor, existing ones skipped; `--dry-run` prints the
//! lines it would add. The policy is [`crate::creds::populate`].

use crate::config::Config;
use crate::creds::populate;
use anyhow::Result;
use aws_smithy_runtime_api::client::http::SharedHttpConnector;
use std::process::ExitCode;

pub fn populate(
    cfg: &Config,
    session: Option<&str>,
    prefix: &str,
    dry_run: bool,
    connector: Option<SharedHttpConnector>,
) -> Result<ExitCode> {
    let files = super::load_checked(cfg)?;
    let found = populate::plan(cfg, &files, session, prefix, connector, &crate::ui::notice)?;
    eprintln!("rolecall: {}", found.summary());
    if found.new.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if dry_run {
        let text = crate::files::change::preview_appended(&files, |f| found.edit(f))?;
        super::write_stdout(|out| out.write_all(text.as_bytes()))?;
        return Ok(ExitCode::SUCCESS);
    }
    super::change_files(cfg, |files, _| found.edit(files), |after| found.verify(after))?;
    Ok(ExitCode::SUCCESS)
}
