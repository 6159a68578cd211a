//! Where a chain's first credentials come from when they are not another role: static keys in
//! the files, `credential_process`, the environment, the ECS container endpoint, the EC2 instance
//! metadata service, a web identity token. Each is refused when it does not look like what AWS
//! issues ([`Credentials::checked`]).

use crate::aws::http::Http;
use crate::config::Config;
use crate::files::chain::Base;
use crate::types::Credentials;
use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

/// The keys written in the files.
pub fn static_keys(base: &Base) -> Result<Credentials> {
    match base {
        Base::AccessKey { profile, access_key_id, secret_access_key, session_token, account_id, .. } => Credentials {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
            session_token: session_token.map(str::to_owned),
            expires_at: None,
            account_id: account_id.map(str::to_owned),
        }
        .checked(&format!("profile `{profile}`")),
        _ => bail!("profile `{}` has no keys of its own", base.profile()),
    }
}

/// The keys of a base that holds them: written in the files, or in the vault (read from the
/// keyring: only for a cache miss, or for a profile whose own keys are wanted).
pub fn long_term_keys(cfg: &Config, base: &Base, ask: Option<&crate::types::Asker>) -> Result<Credentials> {
    match base {
        Base::Vault { profile, .. } => crate::util::runtime()?.block_on(crate::vault::read(cfg, profile, ask)),
        _ => static_keys(base),
    }
}

/// Run `credential_process` as the SDKs do (`sh -c` on Unix) and parse JSON v1. Messages follow
/// aws-config's; the output itself is never quoted.
pub fn credential_process(cfg: &Config, command: &str, account_id: Option<&str>, profile: &str) -> Result<Credentials> {
    let out = crate::creds::process::output_for(command, "credential_process", Some((cfg, profile)))
        .context("Error retrieving credentials: could not start the external process")?;
    if !out.status.success() {
        bail!("Error retrieving credentials: external process exited with code {}", out.status);
    }
    let text = String::from_utf8(out.stdout).map_err(|_| {
        anyhow!(
            "Error retrieving credentials from external process, could not parse response: invalid JSON in response"
        )
    })?;
    let mut creds = Credentials::from_process_json(&text)
        .map_err(|e| anyhow!("Error retrieving credentials from external process, {e}"))?;
    if creds.account_id.is_none() {
        creds.account_id = account_id.map(str::to_owned);
    }
    creds.checked("credential_process")
}

/// `credential_source = Environment`: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
pub fn environment(cfg: &Config, profile: &str) -> Result<Credentials> {
    Credentials::from_env(cfg)
        .with_context(|| {
            format!(
                "profile `{profile}`: credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
            )
        })?
        .checked("the environment")
}

/// The container credentials endpoint as ECS and EKS serve it (and `rolecall exec --server`):
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (loopback, ECS/EKS addresses or https), else
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on 169.254.170.2, with the token of
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
pub async fn container(cfg: &Config, http: &Http, profile: &str) -> Result<Credentials> {
    let what = "ECS container credentials";
    let url = match (cfg.var("AWS_CONTAINER_CREDENTIALS_FULL_URI"), cfg.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
        (Some(full), _) => full,
        (None, Some(relative)) => format!("http://169.254.170.2{relative}"),
        (None, None) => bail!(
            "profile `{profile}`: credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_FULL_URI nor AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set"
        ),
    };
    let parsed = match container_url(&url) {
        Ok(parsed) => parsed,
        Err(why) => bail!("profile `{profile}`: {what}: {} {why}: not asked", crate::util::text::printable(&url)),
    };
    let host = &parsed[url::Position::BeforeHost..url::Position::AfterPort];
    let url = parsed.as_str();
    let token = match cfg.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(file) => Some(
            std::fs::read_to_string(&file)
                .with_context(|| format!("profile `{profile}`: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))?
                .trim()
                .to_owned(),
        ),
        None => cfg.var("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
    };
    let mut headers = vec![("host", host), ("accept", "application/json")];
    if let Some(token) = &token {
        headers.push(("authorization", token.as_str()));
    }
    let reply = http.send(what, "GET", url, &headers, Vec::new()).await?;
    let v: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    if reply.status != 200 {
        let message = ["message", "Message", "code", "Code"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str))
            .map(str::to_owned)
            .unwrap_or_else(|| format!("HTTP {}", reply.status));
        bail!("profile `{profile}`: {what} ({host}): {message}");
    }
    let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let required = |k: &str| field(k).with_context(|| format!("profile `{profile}`: {what}: no {k} in the answer"));
    let expires_at = match field("Expiration") {
        Some(t) => Some(
            crate::util::time::parse_rfc3339(&t)
                .with_context(|| format!("profile `{profile}`: {what}: Expiration is not an RFC 3339 time"))?,
        ),
        None => None,
    };
    Credentials {
        access_key_id: required("AccessKeyId")?,
        secret_access_key: required("SecretAccessKey")?,
        session_token: field("Token"),
        expires_at,
        account_id: field("AccountId"),
    }
    .checked(what)
}

/// The addresses of the ECS and EKS credential endpoints, which plain http may reach.
const CONTAINER_HOSTS_V4: [std::net::Ipv4Addr; 2] =
    [std::net::Ipv4Addr::new(169, 254, 170, 2), std::net::Ipv4Addr::new(169, 254, 170, 23)];
const CONTAINER_HOST_V6: std::net::Ipv6Addr = std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23);

/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` as the SDKs allow it: parsed as a URL (so the host is the
/// one a connection would go to, whatever comes before an `@`); https anywhere; http only to a
/// loopback address, a host name only when every address it resolves to is loopback, or the
/// ECS/EKS link-local addresses. Nothing is connected to; a name is only resolved. Why not, else.
pub fn container_url(text: &str) -> std::result::Result<url::Url, &'static str> {
    let url = url::Url::parse(text).map_err(|_| "is not a URL")?;
    match url.scheme() {
        "https" => return Ok(url),
        "http" => {}
        _ => return Err("is neither http nor https"),
    }
    let allowed = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || CONTAINER_HOSTS_V4.contains(&ip),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback() || ip == CONTAINER_HOST_V6,
        Some(url::Host::Domain(name)) => {
            use std::net::ToSocketAddrs;
            let addresses: Vec<_> =
                (name, url.port_or_known_default().unwrap_or(80)).to_socket_addrs().into_iter().flatten().collect();
            !addresses.is_empty() && addresses.iter().all(|a| a.ip().is_loopback())
        }
        None => false,
    };
    if allowed { Ok(url) } else { Err("is plain http to neither a loopback nor an ECS/EKS address") }
}

/// The EC2 instance metadata service's role credentials (the SDK's IMDSv2 client, over
/// rolecall's HTTP client; `AWS_EC2_METADATA_SERVICE_ENDPOINT` names another endpoint).
pub async fn instance(
    cfg: &Config,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
    profile: &str,
) -> Result<Credentials> {
    use aws_credential_types::provider::ProvideCredentials;
    let provider_config = aws_config::provider_config::ProviderConfig::without_region().with_http_client(http);
    let mut client = aws_config::imds::Client::builder().configure(&provider_config);
    if let Some(endpoint) = cfg.var("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
        client = client.endpoint(endpoint.as_str()).map_err(|e| anyhow!("AWS_EC2_METADATA_SERVICE_ENDPOINT: {e}"))?;
    }
    let found = aws_config::imds::credentials::ImdsCredentialsProvider::builder()
        .configure(&provider_config)
        .imds_client(client.build())
        .build()
        .provide_credentials()
        .await
        .map_err(|e| anyhow!("profile `{profile}`: Ec2InstanceMetadata credentials: {e}"))?;
    Credentials {
        access_key_id: found.access_key_id().to_owned(),
        secret_access_key: found.secret_access_key().to_owned(),
        session_token: found.session_token().map(str::to_owned),
        expires_at: found
            .expiry()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64),
        account_id: found.account_id().map(|a| a.as_str().to_owned()),
    }
    .checked("Ec2InstanceMetadata")
}

/// The token a `web_identity_token_file` holds.
pub fn web_identity_token(profile: &str, token_file: &str) -> Result<String> {
    let token = std::fs::read_to_string(token_file)
        .with_context(|| format!("profile `{profile}`: cannot read web_identity_token_file {token_file}"))?;
    Ok(token.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::container_url;

    #[test]
    fn container_urls_as_the_sdks_allow_them() {
        for ok in [
            "http://127.0.0.1:8080/creds",
            "http://127.1.2.3/",
            "http://[::1]:9/x",
            "http://localhost:1/x",
            "http://169.254.170.2/v2/credentials/x",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://creds.example.com/x",
        ] {
            assert!(container_url(ok).is_ok(), "{ok}");
        }
        // Hosts that a string prefix took for loopback: the URL's host is another one. No
        // connection is made to find out (the `.invalid` names do not even resolve).
        for bad in [
            "http://127.0.0.1@evil.invalid/",
            "http://127.0.0.1:80@evil.invalid/",
            "http://127.evil.invalid/",
            "http://localhost.evil.invalid/",
            "http://169.254.170.2.evil.invalid/",
            "http://[::1]@evil.invalid/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "ftp://127.0.0.1/",
            "127.0.0.1:80/x",
        ] {
            assert!(container_url(bad).is_err(), "{bad}");
        }
    }
}
