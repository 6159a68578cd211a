//! `credential_process` JSON (version 1), one line: what `rolecall credential-process NAME`
//! prints for the aws CLI, the SDKs and terraform. The shape is [`Credentials::to_process_json`]'s,
//! which rolecall's cache stores too.

use crate::types::Credentials;

/// The JSON and a newline.
pub fn json(creds: &Credentials) -> String {
    let mut text = creds.to_process_json();
    text.push('\n');
    text
}
