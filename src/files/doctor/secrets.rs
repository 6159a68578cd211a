//! Secrets in the files: what could be one, masked in every finding.

use super::Finding;
use crate::files::AwsFiles;
use crate::util::arn;

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
                    let key = key.to_ascii_lowercase();
                    if ["secret", "token", "password"].iter().any(|w| key.contains(w)) {
                        let value = value.trim();
                        if value.len() >= 8 {
                            out.push(value.to_owned());
                        }
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
                    *text = text.replace(secret.as_str(), &arn::mask(secret));
                }
            }
        }
    }
}
