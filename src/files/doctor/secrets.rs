//! Secrets in the files: what could be one, masked in every finding.

use super::{Finding, Report, Severity};
use crate::files::{AwsFiles, Key};
use crate::util::text::mask;

/// An IAM user's long-term keys in plain text, readable by every process the user runs and copied
/// into every backup: `rolecall vault import` moves them into the OS keyring.
pub(super) fn check_plaintext_keys(r: &mut Report) {
    for profile in r.files.profiles.profiles() {
        let (Some(id), Some(_)) = (profile.get_value(Key::AccessKeyId), profile.get(Key::SecretAccessKey)) else {
            continue;
        };
        if profile.get(Key::SessionToken).is_some() {
            continue;
        }
        let name = profile.name();
        let file = r.files.file(id.origin.file).display.clone();
        let shown = crate::util::text::printable(name);
        r.add(
            Severity::Warning,
            "plaintext-keys",
            id.origin,
            Some(name),
            format!("the long-term keys of `{shown}` ({}) are in plain text in {file}", mask(id.value)),
            &format!("move them into the OS keyring: rolecall vault import {shown}"),
        );
    }
}

/// What in the files could be a secret, from any line, well formed or not: the value of a key
/// that names a secret or a token (after `=` or `:`), and a line that is one long base64-like
/// word (a secret pasted without its key, in brackets or not).
pub(super) fn secret_candidates(files: &AwsFiles) -> Vec<String> {
    let mut out = Vec::new();
    for file in [&files.config, &files.credentials] {
        let Some(doc) = file.document() else { continue };
        for line in doc.text().lines() {
            let line = line.trim().trim_matches(['[', ']']).trim();
            let split = line.find(['=', ':']).map(|i| (&line[..i], &line[i + 1..]));
            match split {
                Some((key, value)) => {
                    let lower = key.to_ascii_lowercase();
                    if ["secret", "token", "password"].iter().any(|w| lower.contains(w)) {
                        let value = value.trim();
                        if value.len() >= 8 {
                            out.push(value.to_owned());
                        }
                        // A forgotten `=`: `aws_session_token IQoJ…==` splits at the value's
                        // own `=`, and the secret is in the "key".
                        out.extend(key.split_whitespace().skip(1).filter(|w| w.len() >= 8).map(str::to_owned));
                    }
                }
                None => {
                    let secretish = |c: char| c.is_ascii_alphanumeric() || "/+=".contains(c);
                    for word in line.split_whitespace().filter(|w| w.len() >= 30 && w.chars().all(secretish)) {
                        out.push(word.to_owned());
                    }
                }
            }
        }
    }
    // Findings may quote what they read lower-cased (keys are case-insensitive).
    let lower: Vec<String> = out.iter().map(|s| s.to_ascii_lowercase()).collect();
    out.extend(lower);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// No finding ever contains a secret: whatever could be one is shown masked (`****EKEY`).
pub(super) fn mask_secrets(files: &AwsFiles, findings: &mut [Finding]) {
    let candidates = secret_candidates(files);
    if candidates.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        for secret in &candidates {
            for text in [&mut f.message, &mut f.hint].into_iter().chain(f.profile.as_mut()) {
                if text.contains(secret.as_str()) {
                    *text = text.replace(secret.as_str(), &mask(secret));
                }
            }
        }
    }
}
