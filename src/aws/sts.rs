//! The one place that talks to AWS: aws-sdk-sts over a rustls (ring) HTTPS client.
//!
//! Built only when a command must call STS; a cache hit never gets here. Errors are one line
//! each and never carry a secret. moto (and some proxies) answer errors with bodies the SDK
//! cannot parse, so the code and message are read from the raw response when the SDK has none.

use crate::types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sts::Client;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::SdkError;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::fmt;
use std::time::Duration;

/// Where and how STS is reached.
#[derive(Clone, Debug)]
pub struct Settings {
    pub region: String,
    /// `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, or the profile's `endpoint_url`.
    pub endpoint_url: Option<String>,
    pub timeout: Duration,
    /// `use_fips_endpoint` / `use_dualstack_endpoint` (profile or environment).
    pub fips: bool,
    pub dual_stack: bool,
}

impl Settings {
    pub fn new(region: String, endpoint_url: Option<String>) -> Settings {
        Settings { region, endpoint_url, timeout: Duration::from_secs(10), fips: false, dual_stack: false }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The MFA code was rejected: ask again.
    WrongMfaCode,
    /// The calling credentials are expired or unknown to AWS.
    BadCredentials,
    AccessDenied,
    Duration,
    Network,
    Other,
}

#[derive(Debug)]
pub struct StsError {
    pub kind: ErrorKind,
    pub message: String,
}

impl fmt::Display for StsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StsError {}

/// One AssumeRole request.
pub struct RoleRequest<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
    pub duration_seconds: Option<i32>,
    /// SerialNumber and TokenCode, when MFA goes to AssumeRole itself.
    pub mfa: Option<(&'a str, &'a str)>,
}

/// What AssumeRole gives back: the credentials and who they are.
pub struct Assumed {
    pub creds: Credentials,
    pub arn: String,
    pub role_id: String,
}

impl Assumed {
    /// The account is the assumed role's (from its ARN), else the requested role's.
    fn new(
        c: &aws_sdk_sts::types::Credentials,
        user: Option<&aws_sdk_sts::types::AssumedRoleUser>,
        role_arn: &str,
    ) -> Result<Assumed, StsError> {
        let arn = user.map(|u| u.arn().to_owned()).unwrap_or_default();
        let account =
            crate::util::arn::account_id(&arn).or_else(|| crate::util::arn::account_id(role_arn)).map(str::to_owned);
        Ok(Assumed {
            creds: convert(c, account)?,
            role_id: user.map(|u| u.assumed_role_id().to_owned()).unwrap_or_default(),
            arn,
        })
    }
}

pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

pub struct Sts {
    settings: Settings,
    http: SharedHttpClient,
}

impl Sts {
    pub fn new(settings: Settings) -> Sts {
        // A plain-HTTP endpoint (moto, LocalStack, a proxy on loopback) needs no TLS: skipping
        // it skips loading the system's root certificates (~20 M instructions).
        let plain = settings.endpoint_url.as_deref().is_some_and(|u| u.starts_with("http://"));
        let http = if plain {
            crate::aws::http::capped(aws_smithy_http_client::Builder::new().build_http())
        } else {
            https_client()
        };
        Sts::with_http_client(settings, http)
    }

    /// With a given HTTP client (the tests' replay of recorded traffic).
    pub fn with_http_client(settings: Settings, http: SharedHttpClient) -> Sts {
        Sts { settings, http }
    }

    pub fn endpoint_display(&self) -> String {
        match &self.settings.endpoint_url {
            Some(url) => url.clone(),
            None => format!("sts.{}.amazonaws.com", self.settings.region),
        }
    }

    fn client(&self, creds: Option<&Credentials>) -> Client {
        let t = self.settings.timeout;
        let mut conf = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.settings.region.clone()))
            .http_client(self.http.clone())
            .use_fips(self.settings.fips)
            .use_dual_stack(self.settings.dual_stack)
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            // The timeout is the total: retries happen only within it.
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(t)
                    .read_timeout(t)
                    .operation_attempt_timeout(t)
                    .operation_timeout(t)
                    .build(),
            );
        if let Some(url) = &self.settings.endpoint_url {
            conf = conf.endpoint_url(url);
        }
        if let Some(c) = creds {
            conf = conf.credentials_provider(SharedCredentialsProvider::new(c.to_sdk()));
        }
        Client::from_conf(conf.build())
    }

    pub async fn get_session_token(
        &self,
        creds: &Credentials,
        serial: &str,
        code: &str,
        duration_seconds: Option<i32>,
    ) -> Result<Credentials, StsError> {
        let out = self
            .client(Some(creds))
            .get_session_token()
            .serial_number(serial)
            .token_code(code)
            .set_duration_seconds(duration_seconds)
            .send()
            .await
            .map_err(|e| self.error("GetSessionToken", &format!("MFA device {serial}"), e))?;
        let c = out.credentials().ok_or_else(|| self.empty("GetSessionToken"))?;
        convert(c, creds.account_id.clone())
    }

    pub async fn assume_role(&self, creds: &Credentials, req: &RoleRequest<'_>) -> Result<Assumed, StsError> {
        let mut call = self
            .client(Some(creds))
            .assume_role()
            .role_arn(req.role_arn)
            .role_session_name(req.session_name)
            .set_external_id(req.external_id.map(str::to_owned))
            .set_duration_seconds(req.duration_seconds);
        if let Some((serial, code)) = req.mfa {
            call = call.serial_number(serial).token_code(code);
        }
        let out = call.send().await.map_err(|e| self.error("AssumeRole", req.role_arn, e))?;
        let c = out.credentials().ok_or_else(|| self.empty("AssumeRole"))?;
        Assumed::new(c, out.assumed_role_user(), req.role_arn)
    }

    pub async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        token: &str,
    ) -> Result<Assumed, StsError> {
        let out = self
            .client(None)
            .assume_role_with_web_identity()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .web_identity_token(token)
            .send()
            .await
            .map_err(|e| self.error("AssumeRoleWithWebIdentity", role_arn, e))?;
        let c = out.credentials().ok_or_else(|| self.empty("AssumeRoleWithWebIdentity"))?;
        Assumed::new(c, out.assumed_role_user(), role_arn)
    }

    /// GetFederationToken with the IAM user's long-term keys: a session named `name` with the
    /// inline `policy` (the console: without one the session could do nothing).
    pub async fn federation_token(
        &self,
        creds: &Credentials,
        name: &str,
        policy: &str,
        duration_seconds: Option<i32>,
    ) -> Result<Credentials, StsError> {
        let out = self
            .client(Some(creds))
            .get_federation_token()
            .name(name)
            .policy(policy)
            .set_duration_seconds(duration_seconds)
            .send()
            .await
            .map_err(|e| self.error("GetFederationToken", &crate::util::text::mask(&creds.access_key_id), e))?;
        let c = out.credentials().ok_or_else(|| self.empty("GetFederationToken"))?;
        convert(c, creds.account_id.clone())
    }

    pub async fn caller_identity(&self, creds: &Credentials) -> Result<Identity, StsError> {
        let out = self
            .client(Some(creds))
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.error("GetCallerIdentity", &crate::util::text::mask(&creds.access_key_id), e))?;
        Ok(Identity {
            account: out.account().unwrap_or_default().to_owned(),
            arn: out.arn().unwrap_or_default().to_owned(),
            user_id: out.user_id().unwrap_or_default().to_owned(),
        })
    }

    fn empty(&self, operation: &str) -> StsError {
        StsError { kind: ErrorKind::Other, message: format!("STS {operation} answered without credentials") }
    }

    /// One line: `STS AssumeRole (arn:…): AccessDenied: <AWS's message>`.
    fn error<E: std::error::Error + 'static>(
        &self,
        operation: &str,
        subject: &str,
        err: SdkError<E, Response>,
    ) -> StsError {
        let endpoint = self.endpoint_display();
        let (kind, detail) = match &err {
            SdkError::TimeoutError(_) => {
                (ErrorKind::Network, format!("no answer from {endpoint} within {} s", self.settings.timeout.as_secs()))
            }
            SdkError::DispatchFailure(_) if crate::aws::http::is_too_large(&err) => {
                (ErrorKind::Other, crate::aws::http::TooLarge.to_string())
            }
            SdkError::DispatchFailure(e) => {
                let why = if e.is_timeout() { "timed out".to_owned() } else { source_chain(&err) };
                (ErrorKind::Network, format!("cannot reach {endpoint}: {why}"))
            }
            SdkError::ServiceError(_) | SdkError::ResponseError(_) => match err.raw_response() {
                Some(raw) => {
                    let body = raw.body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
                    classify(raw.status().as_u16(), &body)
                }
                None => (ErrorKind::Other, source_chain(&err)),
            },
            _ => (ErrorKind::Other, source_chain(&err)),
        };
        StsError { kind, message: format!("STS {operation} ({subject}): {detail}") }
    }
}

/// HTTPS with rustls and ring (no aws-lc build), the system's root certificates; answers read
/// at most [`crate::aws::http::MAX_BODY`] long.
pub fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls;
    crate::aws::http::capped(
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_https(),
    )
}

/// STS's credentials, refused when they are not what AWS issues (control characters …).
fn convert(c: &aws_sdk_sts::types::Credentials, account_id: Option<String>) -> Result<Credentials, StsError> {
    Credentials {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: c.secret_access_key().to_owned(),
        session_token: Some(c.session_token().to_owned()),
        expires_at: Some(c.expiration().secs()),
        account_id,
    }
    .checked("STS")
    .map_err(|e| StsError { kind: ErrorKind::Other, message: e.to_string() })
}

use crate::aws::http::source_chain;

/// The error `Code` and `Message` of an STS XML error body (AWS's `<ErrorResponse><Error>` and
/// moto's variants alike), with the kind rolecall acts on.
pub fn classify(status: u16, body: &str) -> (ErrorKind, String) {
    let tag = |name: &str| crate::aws::xml::first(body, name);
    let code = tag("Code").unwrap_or_else(|| format!("HTTP {status}"));
    let message = tag("Message").unwrap_or_default();
    let lower = message.to_ascii_lowercase();
    let kind = if lower.contains("mfa") && (lower.contains("invalid") || lower.contains("failed")) {
        ErrorKind::WrongMfaCode
    } else if lower.contains("durationseconds") || lower.contains("maxsessionduration") {
        ErrorKind::Duration
    } else {
        match code.as_str() {
            "ExpiredToken" | "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => {
                ErrorKind::BadCredentials
            }
            "AccessDenied" | "AccessDeniedException" => ErrorKind::AccessDenied,
            _ => ErrorKind::Other,
        }
    };
    let mut line = code;
    if !message.is_empty() {
        line.push_str(": ");
        line.push_str(message.lines().map(str::trim).collect::<Vec<_>>().join(" ").trim());
    }
    (kind, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_aws_and_moto_bodies() {
        let aws = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code. </Message></Error><RequestId>x</RequestId></ErrorResponse>"#;
        assert_eq!(classify(403, aws).0, ErrorKind::WrongMfaCode);
        let moto = "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></Errors></ErrorResponse>";
        let (kind, line) = classify(403, moto);
        assert_eq!(kind, ErrorKind::BadCredentials);
        assert_eq!(line, "InvalidClientTokenId: The security token included in the request is invalid.");
        assert_eq!(classify(502, "<html>bad gateway</html>").1, "HTTP 502");
        let duration = "<Error><Code>ValidationError</Code><Message>The requested DurationSeconds exceeds the MaxSessionDuration set for this role.</Message></Error>";
        assert_eq!(classify(400, duration).0, ErrorKind::Duration);
    }
}
