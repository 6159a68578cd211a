//! Just enough ARN syntax to tell a role ARN or an MFA device from a typo.

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`
pub fn is_role_arn(s: &str) -> bool {
    iam_resource(s).is_some_and(|r| r.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

/// An MFA device ARN (`arn:…:iam::ACCOUNT:mfa/NAME`, or `…:u2f/…`), or a hardware token's
/// serial number, which STS also accepts (`[\w+=/:,.@-]{9,256}`).
pub fn is_mfa_serial(s: &str) -> bool {
    if s.starts_with("arn:") {
        return iam_resource(s).is_some_and(|r| r.starts_with("mfa/") || r.starts_with("u2f/"));
    }
    (9..=256).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c))
}

/// The 12-digit account id of an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:…`).
pub fn account_id(s: &str) -> Option<&str> {
    // The account is near the start: a plain scan beats memchr's set-up for each of five colons.
    let mut colons = s.bytes().enumerate().filter(|&(_, b)| b == b':').map(|(i, _)| i);
    let start = colons.nth(3)? + 1;
    let end = colons.next()?;
    let account = &s[start..end];
    (s.starts_with("arn:") && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// The resource part of an IAM ARN with a valid partition and a 12-digit account.
fn iam_resource(s: &str) -> Option<&str> {
    let mut parts = s.splitn(6, ':');
    let (arn, partition, service, region) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let partition_ok = partition.starts_with("aws") && partition.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    if arn != "arn" || !partition_ok || service != "iam" || !region.is_empty() {
        return None;
    }
    account_id(s)?;
    let _account = parts.next()?;
    parts.next()
}

/// Whether an access key id is a session's (`ASIA…`: STS's temporary credentials) rather than
/// an IAM user's long-term key (`AKIA…`).
pub fn is_temporary_key_id(id: &str) -> bool {
    id.starts_with("ASIA")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/Admin"));
        assert!(is_role_arn("arn:aws-us-gov:iam::123456789012:role/path/Admin"));
        assert!(!is_role_arn("arn:aws:iam::123456789:role/RoleA"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/me"));
        assert!(!is_role_arn("arn:aws:sts::123456789012:role/x"));
        assert!(!is_role_arn("arn:foo"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:role/"));
    }

    #[test]
    fn mfa_serials() {
        assert!(is_mfa_serial("arn:aws:iam::123456789012:mfa/me"));
        assert!(is_mfa_serial("GAHT12345678"));
        assert!(!is_mfa_serial("arn:aws:iam::123456789012:user/me"));
        assert!(!is_mfa_serial("123"));
    }

    #[test]
    fn account_ids() {
        assert_eq!(account_id("arn:aws:iam::123456789012:role/A"), Some("123456789012"));
        assert_eq!(account_id("arn:aws:iam::1234:role/A"), None);
        assert_eq!(account_id("arn:aws:iam::123456789012"), None);
        assert_eq!(account_id("xyz:aws:iam::123456789012:role/A"), None);
    }
}
