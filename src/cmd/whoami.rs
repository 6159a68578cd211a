//! `rolecall whoami [PROFILE]`: GetCallerIdentity for a profile, or for the credentials in the
//! environment (what `aws sts get-caller-identity` would use).

use crate::cli::CredsArgs;
use crate::creds::Credentials;
use crate::json;
use crate::sts::{Settings, Sts};
use anyhow::{Context, Result, bail};
use std::process::ExitCode;

pub fn run(profile: Option<&str>, as_json: bool, args: &CredsArgs) -> Result<ExitCode> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let from_env = profile.is_none() && env("AWS_ACCESS_KEY_ID").is_some();
    let (creds, settings) = if from_env {
        let (Some(id), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) else {
            bail!("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
        };
        let creds = Credentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: env("AWS_SESSION_TOKEN"),
            expires_at: None,
            account_id: None,
        };
        let files = crate::profile::AwsFiles::load();
        let selected = env("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let endpoint_url = match files.profiles.profile(&selected) {
            Some(p) => crate::engine::endpoint_url(&files.profiles, p),
            None => env("AWS_ENDPOINT_URL_STS").or_else(|| env("AWS_ENDPOINT_URL")),
        };
        let region = args.region.clone().or_else(|| env("AWS_REGION")).or_else(|| env("AWS_DEFAULT_REGION"));
        (creds, Settings::new(region.unwrap_or_else(|| "us-east-1".into()), endpoint_url))
    } else {
        let name = profile.map(str::to_owned).or_else(|| env("AWS_PROFILE")).unwrap_or_else(|| "default".into());
        let outcome = super::fetch(&name, args)?;
        let files = crate::profile::AwsFiles::load();
        let p = files.profiles.profile(&name).context("profile vanished")?;
        let endpoint_url = crate::engine::endpoint_url(&files.profiles, p);
        let region = outcome.region.clone().or_else(|| env("AWS_REGION")).unwrap_or_else(|| "us-east-1".into());
        (outcome.creds, Settings::new(region, endpoint_url))
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let id = runtime.block_on(Sts::new(settings).caller_identity(&creds))?;
    let text = if as_json {
        let mut out = Vec::new();
        let mut obj = json::Object::start(&mut out);
        obj.str("UserId", &id.user_id).str("Account", &id.account).str("Arn", &id.arn);
        obj.end();
        out.push(b'\n');
        String::from_utf8(out)?
    } else {
        format!("Account  {}\nArn      {}\nUserId   {}\n", id.account, id.arn, id.user_id)
    };
    super::write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
