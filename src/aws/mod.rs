//! Everything that talks to AWS: one HTTP stack with capped answers, one endpoint resolver for
//! every service and partition, STS (the SDK's client), IAM and IAM Identity Center (SSO portal,
//! OIDC) as plain requests.

pub mod console;
pub mod dpop;
pub mod eks;
pub mod endpoint;
pub mod federation;
pub mod http;
pub mod iam;
pub mod signin;
pub mod sso;
pub mod sts;
pub mod xml;
