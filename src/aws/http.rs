//! One HTTP request at a time for the AWS APIs rolecall calls without an SDK client (IAM for
//! `rotate`; the SSO portal and OIDC; EKS): the same stack as STS (hyper; rustls with ring for
//! https, nothing for a plain-http endpoint such as moto), a timeout, and the body as text, and
//! the SigV4 signature of such a request ([`SigV4`]). Tests put the SDK's replay of recorded
//! traffic in its place.

use anyhow::{Result, anyhow};
use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use std::sync::OnceLock;
use std::time::Duration;

/// The most rolecall reads of any answer (STS, IAM, SSO, OIDC, IMDS/ECS, the console's sign-in):
/// real ones are a few KiB. A longer body is not read on, and the request fails with one line.
pub const MAX_BODY: usize = 1 << 20;

/// An answer longer than [`MAX_BODY`].
#[derive(Debug)]
pub struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the answer is larger than {} KiB: not read (no real answer is that long)", MAX_BODY / 1024)
    }
}

impl std::error::Error for TooLarge {}

/// Whether `err` (or one of its causes) is [`TooLarge`].
pub fn is_too_large(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.is::<TooLarge>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// Read a body up to [`MAX_BODY`], chunk by chunk (a `Content-Length` over it fails at once).
async fn read_capped(body: SdkBody, length: Option<u64>) -> std::result::Result<Vec<u8>, ConnectorError> {
    if length.is_some_and(|l| l > MAX_BODY as u64) {
        return Err(ConnectorError::other(Box::new(TooLarge), None));
    }
    let mut stream = ByteStream::new(body);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ConnectorError::io(Box::new(e)))?;
        if out.len() + chunk.len() > MAX_BODY {
            return Err(ConnectorError::other(Box::new(TooLarge), None));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// An HTTP client whose answers are read at most [`MAX_BODY`] long (for the SDK's clients).
pub fn capped(inner: SharedHttpClient) -> SharedHttpClient {
    SharedHttpClient::new(CappedClient(inner))
}

#[derive(Debug)]
struct CappedClient(SharedHttpClient);

impl HttpClient for CappedClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(CappedConnector(self.0.http_connector(settings, components)))
    }
}

#[derive(Debug)]
struct CappedConnector(SharedHttpConnector);

impl HttpConnector for CappedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.0.clone();
        HttpConnectorFuture::new(async move {
            let response = inner.call(request).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let length = headers.get("content-length").and_then(|v| v.parse::<u64>().ok());
            let body = read_capped(response.into_body(), length).await?;
            let mut capped = aws_smithy_runtime_api::http::Response::new(status, SdkBody::from(body));
            *capped.headers_mut() = headers;
            Ok(capped)
        })
    }
}

/// Who signs a request with SigV4 (aws-sigv4), for which service and region, at what time: IAM's
/// calls, EKS's `DescribeCluster` and the EKS token's presigned URL.
pub struct SigV4<'a> {
    pub creds: &'a crate::types::Credentials,
    pub service: &'a str,
    pub region: &'a str,
    pub at: std::time::SystemTime,
}

impl SigV4<'_> {
    /// The signature of `method url` with `headers` and `body`, as `settings` place it (headers by
    /// default, or query parameters); `what` names the request in errors.
    pub fn sign(
        &self,
        settings: aws_sigv4::http_request::SigningSettings,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        what: &str,
    ) -> Result<aws_sigv4::http_request::SigningInstructions> {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, sign};
        let cannot = || format!("cannot sign the {what}");
        let identity = self.creds.to_sdk().into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(self.at)
            .settings(settings)
            .build()
            .map_err(|e| anyhow!("{}: {e}", cannot()))?
            .into();
        let signable = SignableRequest::new(method, url, headers.iter().copied(), SignableBody::Bytes(body))
            .map_err(|e| anyhow!("{}: {e}", cannot()))?;
        let (instructions, _) = sign(signable, &params).map_err(|e| anyhow!("{}: {e}", cannot()))?.into_parts();
        Ok(instructions)
    }
}

pub struct Http {
    injected: Option<SharedHttpConnector>,
    plain: OnceLock<SharedHttpConnector>,
    tls: OnceLock<SharedHttpConnector>,
    timeout: Duration,
}

/// What came back: the status and the body as text.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Http {
    /// A client; `injected` (the tests' replay) answers every request when given.
    pub fn new(injected: Option<SharedHttpConnector>, timeout: Duration) -> Http {
        Http { injected, plain: OnceLock::new(), tls: OnceLock::new(), timeout }
    }

    /// The connector for `url`: plain HTTP for `http://` (no certificates loaded), else rustls
    /// with ring and the system's roots, each built once.
    fn connector(&self, url: &str) -> SharedHttpConnector {
        if let Some(injected) = &self.injected {
            return injected.clone();
        }
        if url.starts_with("http://") {
            return self.plain.get_or_init(|| SharedHttpConnector::new(Connector::builder().build_http())).clone();
        }
        self.tls
            .get_or_init(|| {
                use aws_smithy_http_client::tls;
                SharedHttpConnector::new(
                    Connector::builder()
                        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
                        .build(),
                )
            })
            .clone()
    }

    /// Send one request; `what` names it in errors (`IAM CreateAccessKey`).
    pub async fn send(
        &self,
        what: &str,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Reply> {
        let mut request = aws_smithy_runtime_api::http::Request::new(SdkBody::from(body));
        // The URL is not named: a query may carry a secret (the console's sign-in).
        request.set_uri(url).map_err(|e| anyhow!("{what}: endpoint {}: {e}", host(url)))?;
        request.set_method(method).map_err(|e| anyhow!("{what}: {e}"))?;
        for (name, value) in headers {
            request.headers_mut().insert(name.to_string(), value.to_string());
        }
        let sent = async {
            let response = self
                .connector(url)
                .call(request)
                .await
                .map_err(|e| anyhow!("cannot reach {}: {}", host(url), source_chain(&e)))?;
            let status = response.status().as_u16();
            let length = response.headers().get("content-length").and_then(|v| v.parse::<u64>().ok());
            let bytes = read_capped(response.into_body(), length)
                .await
                .map_err(|e| if is_too_large(&e) { anyhow!(TooLarge) } else { anyhow!("{e}") })?;
            Ok::<_, anyhow::Error>(Reply { status, body: String::from_utf8_lossy(&bytes).into_owned() })
        };
        let host = host(url);
        tokio::time::timeout(self.timeout, sent)
            .await
            .map_err(|_| anyhow!("{what} ({host}): no answer within {:?}", self.timeout))?
            .map_err(|e| {
                let text = format!("{e:#}");
                if text.starts_with("cannot reach ") {
                    anyhow!("{what}: {text}")
                } else {
                    anyhow!("{what} ({host}): {text}")
                }
            })
    }
}

/// The innermost causes of an error, joined (`dns error: failed to lookup address information`):
/// the clients' outer layers say only "io error" or "dispatch failure".
pub fn source_chain(err: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.into_iter().rev().take(2).collect::<Vec<_>>().join(": ")
}

/// The host of a URL (for the `host` header and messages).
pub fn host(url: &str) -> &str {
    url.split("://").nth(1).and_then(|r| r.split(['/', '?']).next()).unwrap_or(url)
}
