//! The token EKS takes from `kubectl`'s exec plugin, built as `aws eks get-token` builds it: a
//! presigned STS `GetCallerIdentity` URL (SigV4 in the query, the `x-k8s-aws-id: CLUSTER` header
//! signed, valid 60 seconds), base64url without padding, after `k8s-aws-v1.`. No network: the
//! cluster's authenticator calls STS with it. And `DescribeCluster`, for the kubeconfig entry.

use crate::aws::http::SigV4;
use crate::types::Credentials;
use crate::util::text::printable;
use anyhow::{Result, bail};
use std::time::{Duration, SystemTime};

/// The prefix of an EKS token.
pub const PREFIX: &str = "k8s-aws-v1.";

/// How long the presigned URL is good for (the aws CLI's `X-Amz-Expires`).
pub const URL_SECS: u64 = 60;

/// The presigned `GetCallerIdentity` URL for `cluster` at `sts` (`https://sts.REGION.amazonaws.com`
/// or a configured endpoint), signed for `region` at `at`.
pub fn presigned_url(creds: &Credentials, cluster: &str, sts: &str, region: &str, at: SystemTime) -> Result<String> {
    use aws_sigv4::http_request::{SignatureLocation, SigningSettings};
    let base = format!("{}/?Action=GetCallerIdentity&Version=2011-06-15", sts.trim_end_matches('/'));
    let host = crate::aws::http::host(&base).to_owned();
    let headers = [("host", host.as_str()), ("x-k8s-aws-id", cluster)];
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(URL_SECS));
    let signer = SigV4 { creds, service: "sts", region, at };
    let instructions = signer.sign(settings, "GET", &base, &headers, &[], "EKS token")?;
    let mut url = base;
    for (name, value) in instructions.params() {
        url.push('&');
        url.push_str(name);
        url.push('=');
        url.push_str(&crate::util::text::percent(value));
    }
    Ok(url)
}

/// The token for a presigned URL.
pub fn token(url: &str) -> String {
    format!("{PREFIX}{}", crate::aws::dpop::b64url(url.as_bytes()))
}

/// What a kubeconfig needs of a cluster, as `DescribeCluster` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    /// The API server's URL.
    pub endpoint: String,
    /// The cluster's CA certificate, base64 of PEM (kubeconfig's `certificate-authority-data`).
    pub ca: String,
}

/// `DescribeCluster` (`GET /clusters/NAME`, SigV4 for `eks`) at `endpoint`: the cluster's API
/// server and CA; one line with EKS's error otherwise, or when the cluster has neither yet.
pub async fn describe_cluster(
    http: &crate::aws::http::Http,
    endpoint: &crate::aws::endpoint::Endpoint,
    creds: &Credentials,
    name: &str,
    at: SystemTime,
) -> Result<Cluster> {
    let url = format!("{}/clusters/{}", endpoint.url.trim_end_matches('/'), crate::util::text::percent(name));
    let host = crate::aws::http::host(&url).to_owned();
    let headers = [("accept", "application/json"), ("host", host.as_str())];
    let signer = SigV4 { creds, service: "eks", region: &endpoint.signing_region, at };
    let settings = aws_sigv4::http_request::SigningSettings::default();
    let instructions = signer.sign(settings, "GET", &url, &headers, &[], "EKS request")?;
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    all.extend(instructions.headers());
    let reply = http.send("EKS DescribeCluster", "GET", &url, &all, Vec::new()).await?;
    let v: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null);
    if !(200..300).contains(&reply.status) {
        let code = v["__type"].as_str().or(v["code"].as_str()).unwrap_or("").rsplit('#').next().unwrap_or("");
        let message = v["message"].as_str().or(v["Message"].as_str()).unwrap_or("");
        let said = printable(&if code.is_empty() { message.to_owned() } else { format!("{code}: {message}") });
        bail!("EKS DescribeCluster of `{}` failed (HTTP {}): {said}{}", printable(name), reply.status, endpoint.said());
    }
    let c = &v["cluster"];
    let text = |v: &serde_json::Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    match (text(&c["arn"]), text(&c["endpoint"]), text(&c["certificateAuthority"]["data"])) {
        (Some(arn), Some(url), Some(ca)) => Ok(Cluster { name: name.to_owned(), arn, endpoint: url, ca }),
        _ => bail!(
            "EKS cluster `{}` has no API endpoint or CA yet (status {}): try again when it is ACTIVE",
            printable(name),
            printable(c["status"].as_str().unwrap_or("unknown"))
        ),
    }
}

/// STS's regional endpoint for `region`, in its partition (`sts.REGION.amazonaws.com`).
pub fn sts_url(region: &str) -> String {
    format!("https://sts.{region}.{}", crate::aws::endpoint::Partition::for_region(region).dns_suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_signs_the_cluster_header_and_lasts_a_minute() {
        let creds = Credentials {
            session_token: Some("tok/en+=".into()),
            ..Credentials::long_term("ASIAEXAMPLEEXAMPLE00", "secret")
        };
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
        let url = presigned_url(&creds, "prod", "https://sts.eu-west-1.amazonaws.com", "eu-west-1", at).unwrap();
        assert!(url.starts_with("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"));
        for part in
            ["X-Amz-Expires=60", "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", "X-Amz-Security-Token=tok%2Fen%2B%3D"]
        {
            assert!(url.contains(part), "{part} in {url}");
        }
        assert!(
            url.contains("X-Amz-Credential=ASIAEXAMPLEEXAMPLE00%2F20251124%2Feu-west-1%2Fsts%2Faws4_request"),
            "{url}"
        );
        let t = token(&url);
        assert!(t.starts_with(PREFIX) && !t.contains('='));
        assert_eq!(crate::aws::dpop::b64url_decode(&t[PREFIX.len()..]).unwrap(), url.as_bytes());
    }
}
