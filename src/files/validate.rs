//! The values rolecall writes into the files, checked before they are: profile names the SDKs
//! accept, access keys, the shape of a region, output formats, ARNs.

use anyhow::{Result, bail};

/// What `aws configure` accepts as the output format.
pub const OUTPUTS: &[&str] = &["json", "text", "table", "yaml", "yaml-stream"];

/// (key, value) pairs with the key in the file where it belongs.
pub type Pairs = Vec<(&'static str, String)>;

pub fn check_name(profile: &str) -> Result<()> {
    if profile.is_empty() || !crate::files::merge::is_identifier(profile) {
        bail!("profile name {profile:?}: use letters, digits and _-/.%@:+");
    }
    Ok(())
}

pub fn check_pair(key: &str, value: &str) -> Result<()> {
    let ok = match key {
        "aws_access_key_id" => {
            (16..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }
        "aws_secret_access_key" => !value.is_empty() && !value.contains(char::is_whitespace),
        "region" => {
            !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }
        "output" => OUTPUTS.contains(&value),
        "role_arn" => crate::util::arn::is_role_arn(value),
        "mfa_serial" => crate::util::arn::is_mfa_serial(value),
        _ => true,
    };
    if !ok {
        let why = match key {
            "aws_access_key_id" => "an access key id is 16 or more upper-case letters and digits (AKIA…)",
            "aws_secret_access_key" => "a secret access key has no spaces",
            "region" => "a region looks like eu-west-1",
            "output" => "use json, text, table, yaml or yaml-stream",
            "role_arn" => "expected arn:aws:iam::123456789012:role/NAME",
            _ => "expected arn:aws:iam::123456789012:mfa/NAME or a device serial number",
        };
        let shown = if key == "aws_secret_access_key" { "(hidden)".to_owned() } else { format!("{value:?}") };
        bail!("{key} {shown}: {why}");
    }
    Ok(())
}
