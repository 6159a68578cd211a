//! The console's sign-in URL: the federation endpoint's `Action=login` with the page to open and
//! the sign-in token. A secret for as long as the token lives (15 minutes, one use):
//! [`SigninUrl`] never prints itself.

use crate::aws::federation::SigninToken;
use crate::util::text::percent;

/// The sign-in URL. `Debug` shows only where it goes.
pub struct SigninUrl(String);

impl SigninUrl {
    /// The URL itself, for the browser, the clipboard or `--url`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SigninUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigninUrl({} …)", crate::aws::http::host(&self.0))
    }
}

/// The URL that signs in with `token` and opens `destination`.
pub fn login_url(token: &SigninToken, destination: &str) -> SigninUrl {
    SigninUrl(format!(
        "{}?Action=login&Issuer=rolecall&Destination={}&SigninToken={}",
        token.federation,
        percent(destination),
        percent(token.expose())
    ))
}
