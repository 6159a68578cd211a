//! Profile -> credentials: the plan's steps and their cache keys, fetching them (the cache first,
//! then MFA and [`crate::aws`]), where a base comes from (credential_process, the environment,
//! IMDS/ECS, web identity), the caches (rolecall's and the AWS CLI's), and `doctor --online`.
//! No HTTP types here but what `aws` hands back.

pub mod cache;
pub mod cli_cache;
pub mod console;
pub mod fetch;
pub mod login;
pub mod mfa;
pub mod online;
pub mod options;
pub mod populate;
pub mod process;
pub mod recent;
pub mod renew;
pub mod role_arn;
pub mod rotate;
pub mod settings;
pub mod sources;
pub mod steps;
