//! `rolecall whoami [PROFILE]`: GetCallerIdentity for a profile, or for the credentials in the
//! environment (what `aws sts get-caller-identity` would use).

use crate::aws::sts::Sts;
use crate::cli::WhoamiArgs;
use crate::config::Config;
use crate::creds::settings::{endpoint_url, sts_settings};
use crate::types::Credentials;
use crate::util::json;
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(cfg: &Config, args: WhoamiArgs) -> Result<ExitCode> {
    let WhoamiArgs { profile, json: as_json, creds: args } = args;
    let from_env = profile.is_none() && cfg.var("AWS_ACCESS_KEY_ID").is_some();
    let (creds, settings) = if from_env {
        let Some(creds) = Credentials::from_env(cfg) else {
            bail!("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
        };
        let files = crate::files::AwsFiles::load(cfg);
        let selected = files.profiles.profile(&cfg.var("AWS_PROFILE").unwrap_or_else(|| "default".into()));
        let endpoint = endpoint_url(cfg, &files.profiles, selected);
        (creds, sts_settings(cfg, selected, endpoint, args.region.as_deref()))
    } else {
        let name = profile.or_else(|| cfg.var("AWS_PROFILE")).unwrap_or_else(|| "default".into());
        let files = super::load_for_credentials(cfg)?;
        let outcome = super::fetch(cfg, &files, &name, &args)?;
        let selected = files.profiles.profile(&name);
        let endpoint = endpoint_url(cfg, &files.profiles, selected);
        (outcome.creds, sts_settings(cfg, selected, endpoint, args.region.as_deref()))
    };
    let runtime = crate::util::runtime()?;
    let id = runtime.block_on(Sts::new(settings).caller_identity(&creds))?;
    let text = if as_json {
        let mut out = Vec::new();
        let mut obj = json::Object::start(&mut out);
        obj.str("UserId", &id.user_id).str("Account", &id.account).str("Arn", &id.arn);
        obj.end();
        out.push(b'\n');
        String::from_utf8(out)?
    } else {
        let p = crate::util::text::printable;
        format!("Account  {}\nArn      {}\nUserId   {}\n", p(&id.account), p(&id.arn), p(&id.user_id))
    };
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
