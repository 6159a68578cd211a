//! What a fetch of credentials takes besides the files (the command line's options) and what it
//! gives back (the credentials and what to say about them, the notices heard while it works).

use crate::types::Credentials;

/// What the command line adds to the files.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub mfa_code: Option<String>,
    pub region: Option<String>,
    /// Seconds, for the last step (the selected profile's role, or the MFA session).
    pub duration: Option<u64>,
    pub mfa_duration: Option<u64>,
    pub refresh: bool,
    pub no_cache: bool,
    pub no_mfa_session: bool,
    /// Never ask a person: a step that needs a new MFA code (and has no `--mfa-code` or
    /// `mfa_process`) fails instead (auto-refresh, the credential server).
    pub no_prompt: bool,
    /// Only what the cache holds (or the files): fail rather than call anything.
    pub cached_only: bool,
    /// Assume the first role straight from the IAM user's long-term keys (with the MFA code when
    /// there is a device), not through the MFA session: the console's session length is
    /// accepted only for a role assumed so.
    pub direct: bool,
    /// Who to ask for an MFA code or a vault passphrase (the person at the terminal, handed
    /// down by the command); none: nobody.
    pub ask: Option<crate::types::Asker>,
    /// The HTTP client for STS and IMDS (tests replay recorded traffic); default: rustls over hyper.
    pub http_client: Option<aws_smithy_runtime_api::client::http::SharedHttpClient>,
    /// The same for the calls made without an SDK client (the SSO portal and OIDC, ECS).
    pub http_connector: Option<aws_smithy_runtime_api::client::http::SharedHttpConnector>,
}

/// The credentials of a profile, and what to say about them.
#[derive(Debug)]
pub struct Outcome {
    pub creds: Credentials,
    /// The profile's region (or `--region`), for the environment.
    pub region: Option<String>,
    /// Long-term keys exported as they are (no expiry).
    pub long_term: bool,
}
