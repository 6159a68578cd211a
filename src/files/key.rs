//! The keys rolecall itself reads. Each section keeps the position of these in a small table, so
//! that resolving 10,000 profiles looks them up without comparing strings.

macro_rules! keys {
    ($($variant:ident = $name:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key {
            $($variant,)*
        }

        impl Key {
            pub const COUNT: usize = [$($name,)*].len();
            const ALL: [Key; Self::COUNT] = [$(Key::$variant,)*];
            const NAMES: [&'static str; Self::COUNT] = [$($name,)*];

            pub fn as_str(self) -> &'static str {
                Self::NAMES[self as usize]
            }

            /// The key at this index (`key as usize` gives it back).
            pub fn from_index(i: usize) -> Option<Key> {
                Self::ALL.get(i).copied()
            }

            /// The known key with this (lower-case) name: one length lookup, then at most four
            /// comparisons (this runs for every property of every file).
            pub fn parse(name: &str) -> Option<Key> {
                let candidates = BY_LENGTH.get(name.len())?;
                candidates
                    .iter()
                    .take_while(|&&i| i != u8::MAX)
                    .find(|&&i| Self::NAMES[usize::from(i)] == name)
                    .map(|&i| Self::ALL[usize::from(i)])
            }
        }

        /// Indexes of the names of each length (`u8::MAX` = none).
        static BY_LENGTH: [[u8; 4]; 32] = {
            let mut table = [[u8::MAX; 4]; 32];
            let mut i = 0;
            while i < Key::COUNT {
                let len = Key::NAMES[i].len();
                let mut j = 0;
                while table[len][j] != u8::MAX {
                    j += 1;
                }
                table[len][j] = i as u8;
                i += 1;
            }
            table
        };
    };
}

keys! {
    Region = "region",
    RoleArn = "role_arn",
    SourceProfile = "source_profile",
    CredentialSource = "credential_source",
    RoleSessionName = "role_session_name",
    ExternalId = "external_id",
    DurationSeconds = "duration_seconds",
    MfaSerial = "mfa_serial",
    MfaArn = "mfa_arn",
    AccessKeyId = "aws_access_key_id",
    SecretAccessKey = "aws_secret_access_key",
    SessionToken = "aws_session_token",
    AccountId = "aws_account_id",
    WebIdentityTokenFile = "web_identity_token_file",
    SsoSession = "sso_session",
    SsoStartUrl = "sso_start_url",
    SsoRegion = "sso_region",
    SsoAccountId = "sso_account_id",
    SsoRoleName = "sso_role_name",
    LoginSession = "login_session",
    CredentialProcess = "credential_process",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (i, key) in Key::ALL.iter().enumerate() {
            assert_eq!(*key as usize, i);
            assert_eq!(Key::parse(key.as_str()), Some(*key));
        }
        for other in ["Region", "", "role_ar", "sso_session_x", "a_very_long_key_name_beyond_the_table_size"] {
            assert_eq!(Key::parse(other), None);
        }
    }
}
