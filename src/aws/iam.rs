//! IAM, for `rolecall rotate`: ListAccessKeys, CreateAccessKey and DeleteAccessKey on the
//! caller's own user, as SigV4-signed Query requests (aws-sigv4) sent with the same HTTP stack
//! as STS (hyper, rustls with ring). The IAM SDK crate is not a dependency: three calls do not
//! justify compiling the whole IAM model on every build. Like `sts`, only `rotate` reaches this.

use crate::aws::http::Http;
use crate::types::Credentials;
use anyhow::{Result, bail};
use std::time::Duration;

const VERSION: &str = "2010-05-08";

/// One access key of the user, as ListAccessKeys shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: String,
    pub status: String,
    /// When the key was made (unix seconds), as IAM says.
    pub created: Option<i64>,
}

pub struct Iam {
    endpoint: crate::aws::endpoint::Endpoint,
    http: Http,
}

impl Iam {
    /// IAM at `endpoint` (its partition's global host, signed for its global region).
    pub fn new(endpoint: crate::aws::endpoint::Endpoint, timeout: Duration) -> Iam {
        let http = Http::new(None, timeout);
        Iam { endpoint, http }
    }

    /// One signed Query call; the response body, or one line with IAM's error code and message.
    async fn call(&self, creds: &Credentials, action: &str, params: &[(&str, &str)]) -> Result<String> {
        let mut body = format!("Action={action}&Version={VERSION}");
        for (key, value) in params {
            // Access key ids are upper-case letters and digits: nothing to escape.
            debug_assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()));
            body.push_str(&format!("&{key}={value}"));
        }
        let url = format!("{}/", self.endpoint.url);
        let host = crate::aws::http::host(&url).to_owned();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let headers = [("content-type", content_type), ("host", host.as_str())];
        let signer = crate::aws::http::SigV4 {
            creds,
            service: "iam",
            region: &self.endpoint.signing_region,
            at: std::time::SystemTime::now(),
        };
        let settings = aws_sigv4::http_request::SigningSettings::default();
        let instructions = signer.sign(settings, "POST", &url, &headers, body.as_bytes(), "IAM request")?;
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.extend(instructions.headers());
        let reply = self.http.send(&format!("IAM {action}"), "POST", &url, &all, body.into_bytes()).await?;
        let (status, text) = (reply.status, reply.body);
        if !(200..300).contains(&status) {
            let (_, message) = crate::aws::sts::classify(status, &text);
            bail!("IAM {action}: {message}");
        }
        Ok(text)
    }

    pub async fn list_access_keys(&self, creds: &Credentials) -> Result<Vec<KeyInfo>> {
        let body = self.call(creds, "ListAccessKeys", &[]).await?;
        // One <member> per key.
        Ok(body
            .split("<member>")
            .skip(1)
            .filter_map(|member| {
                let one = |name: &str| crate::aws::xml::first(member, name);
                Some(KeyInfo {
                    id: one("AccessKeyId")?,
                    status: one("Status").unwrap_or_default(),
                    created: one("CreateDate").and_then(|t| crate::util::time::parse_rfc3339(&t)),
                })
            })
            .collect())
    }

    /// A new key for the caller's user: (key id, secret).
    pub async fn create_access_key(&self, creds: &Credentials) -> Result<(String, String)> {
        let body = self.call(creds, "CreateAccessKey", &[]).await?;
        let id = crate::aws::xml::first(&body, "AccessKeyId");
        let secret = crate::aws::xml::first(&body, "SecretAccessKey");
        match (id, secret) {
            (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => Ok((id, secret)),
            _ => bail!("IAM CreateAccessKey answered without a key"),
        }
    }

    pub async fn delete_access_key(&self, creds: &Credentials, id: &str) -> Result<()> {
        self.call(creds, "DeleteAccessKey", &[("AccessKeyId", id)]).await.map(drop)
    }
}
