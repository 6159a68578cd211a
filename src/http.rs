//! One HTTP request at a time for the AWS APIs rolecall calls without an SDK client (IAM for
//! `rotate`; the SSO portal and OIDC): the same stack as STS (hyper; rustls with ring for
//! https, nothing for a plain-http endpoint such as moto), a timeout, and the body as text. Tests
//! put the SDK's replay of recorded traffic in its place.

use anyhow::{Result, anyhow};
use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::http::{HttpConnector, SharedHttpConnector};
use aws_smithy_types::body::SdkBody;
use std::sync::OnceLock;
use std::time::Duration;

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
        request.set_uri(url).map_err(|e| anyhow!("{what}: endpoint {url}: {e}"))?;
        request.set_method(method).map_err(|e| anyhow!("{what}: {e}"))?;
        for (name, value) in headers {
            request.headers_mut().insert(name.to_string(), value.to_string());
        }
        let sent = async {
            let response = self.connector(url).call(request).await.map_err(|e| anyhow!("{e}"))?;
            let status = response.status().as_u16();
            let bytes = aws_smithy_types::byte_stream::ByteStream::new(response.into_body())
                .collect()
                .await
                .map_err(|e| anyhow!("{e}"))?
                .into_bytes();
            Ok::<_, anyhow::Error>(Reply { status, body: String::from_utf8_lossy(&bytes).into_owned() })
        };
        let host = host(url);
        tokio::time::timeout(self.timeout, sent)
            .await
            .map_err(|_| anyhow!("{what} ({host}): no answer within {:?}", self.timeout))?
            .map_err(|e| anyhow!("{what} ({host}): {e:#}"))
    }
}

/// The host of a URL (for the `host` header and messages).
pub fn host(url: &str) -> &str {
    url.split("://").nth(1).and_then(|r| r.split(['/', '?']).next()).unwrap_or(url)
}
