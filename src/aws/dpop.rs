//! DPoP (RFC 9449) for AWS Sign-In's token endpoint: the P-256 key a `login_session` is bound to
//! (read from the cache's PEM, SEC1 `EC PRIVATE KEY` as the aws CLI writes it or PKCS#8
//! `PRIVATE KEY` as botocore's shared cases do; written as SEC1), and the proof sent with every
//! CreateOAuth2Token call: an ES256 JWT whose header carries the public key (`jwk`) and whose
//! payload names the request (`htm`, `htu`), a fresh `jti` and the time (`iat`).

use anyhow::{Context, Result, bail};
use p256::SecretKey;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;

/// A DPoP key. Its `Debug` shows nothing of it.
pub struct Key(SecretKey);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dpop::Key(..)")
    }
}

/// base64url without padding (JWTs, JWKs, PKCE).
pub fn b64url(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(bytes).trim_end_matches('=').replace('+', "-").replace('/', "_")
}

/// The bytes of base64url text, padded or not.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut s = text.trim().replace('-', "+").replace('_', "/");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    aws_smithy_types::base64::decode(&s).ok()
}

/// One DER element at the start of `der`: its tag, its contents and what follows it.
fn der_element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 3 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, b| acc << 8 | *b as usize), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The SEC1 `ECPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (version, algorithm, key octets).
fn pkcs8_inner(der: &[u8]) -> Option<&[u8]> {
    let (0x30, info, _) = der_element(der)? else { return None };
    let (0x02, _, rest) = der_element(info)? else { return None };
    let (0x30, algorithm, rest) = der_element(rest)? else { return None };
    // id-ecPublicKey with the prime256v1 curve.
    const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let has = |needle: &[u8]| algorithm.windows(needle.len()).any(|w| w == needle);
    if !has(EC_PUBLIC_KEY) || !has(PRIME256V1) {
        return None;
    }
    let (0x04, key, _) = der_element(rest)? else { return None };
    Some(key)
}

impl Key {
    /// A new random key.
    pub fn generate() -> Result<Key> {
        for _ in 0..8 {
            let bytes = crate::util::random::bytes::<32>()?;
            if let Ok(key) = SecretKey::from_slice(&bytes) {
                return Ok(Key(key));
            }
        }
        bail!("cannot make a P-256 key from the random bytes read")
    }

    /// The key in a PEM text: SEC1 (`EC PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`), P-256 only.
    pub fn from_pem(pem: &str) -> Result<Key> {
        let label = pem
            .lines()
            .find_map(|l| l.trim().strip_prefix("-----BEGIN ")?.strip_suffix("-----"))
            .context("the DPoP key is not PEM (no BEGIN line)")?;
        let body: String = pem.lines().map(str::trim).filter(|l| !l.starts_with("-----") && !l.is_empty()).collect();
        let der = aws_smithy_types::base64::decode(&body).ok().context("the DPoP key's PEM is not base64")?;
        let sec1 = match label {
            "EC PRIVATE KEY" => der.as_slice(),
            "PRIVATE KEY" => pkcs8_inner(&der).context("the DPoP key is PKCS#8 but not a P-256 key")?,
            other => {
                bail!("the DPoP key is a `{}`, not an EC or PKCS#8 private key", crate::util::text::printable(other))
            }
        };
        SecretKey::from_sec1_der(sec1).map(Key).ok().context("the DPoP key is not a valid P-256 private key")
    }

    /// The key as the aws CLI writes it: SEC1 DER (with the curve named and the public key) in an
    /// `EC PRIVATE KEY` PEM, 64 columns.
    pub fn to_pem(&self) -> Result<String> {
        const PRIME256V1: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let secret = self.0.to_bytes();
        let point = self.0.public_key().to_encoded_point(false);
        let mut der = vec![0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20];
        der.extend_from_slice(&secret);
        der.extend_from_slice(&[0xa0, 0x0a]);
        der.extend_from_slice(PRIME256V1);
        der.extend_from_slice(&[0xa1, 0x44, 0x03, 0x42, 0x00]);
        der.extend_from_slice(point.as_bytes());
        if der.len() != 0x79 {
            bail!("cannot encode the DPoP key");
        }
        let text = aws_smithy_types::base64::encode(&der);
        der.iter_mut().for_each(|b| *b = 0);
        let mut out = String::from("-----BEGIN EC PRIVATE KEY-----\n");
        for chunk in text.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
            out.push('\n');
        }
        out.push_str("-----END EC PRIVATE KEY-----\n");
        Ok(out)
    }

    /// The public key as a JWK's `x` and `y` (base64url).
    pub fn public_xy(&self) -> (String, String) {
        let point = self.0.public_key().to_encoded_point(false);
        let x = point.x().map(|x| b64url(x)).unwrap_or_default();
        let y = point.y().map(|y| b64url(y)).unwrap_or_default();
        (x, y)
    }

    /// The DPoP proof for a POST to `url` at `now` (seconds since the epoch).
    pub fn proof(&self, url: &str, now: i64) -> Result<String> {
        let (x, y) = self.public_xy();
        let header = serde_json::json!({
            "typ": "dpop+jwt",
            "alg": "ES256",
            "jwk": { "kty": "EC", "x": x, "y": y, "crv": "P-256" },
        });
        let jti = uuid_v4(&crate::util::random::bytes::<16>()?);
        let payload = serde_json::json!({ "jti": jti, "htm": "POST", "htu": url, "iat": now.max(0) });
        let message = format!("{}.{}", b64url(header.to_string().as_bytes()), b64url(payload.to_string().as_bytes()));
        let signature: Signature = SigningKey::from(&self.0).sign(message.as_bytes());
        Ok(format!("{message}.{}", b64url(&signature.to_bytes())))
    }
}

/// Sixteen random bytes as a version-4 UUID.
fn uuid_v4(bytes: &[u8; 16]) -> String {
    let mut b = *bytes;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    /// The key of the shared login cases (SEC1), and the same key as PKCS#8.
    const SEC1: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPt/u8InPLpQeQLJTvVX+sNDzni8vMDMt3Liu+nMBigfoAoGCCqGSM49\nAwEHoUQDQgAEILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4bvTAiUCQ/I\nffut2379uP+OBCm2ovGpBOJRgrl1RspUOQ==\n-----END EC PRIVATE KEY-----\n";

    #[test]
    fn sec1_round_trip_and_pkcs8() {
        let key = Key::from_pem(SEC1).unwrap();
        assert_eq!(key.to_pem().unwrap(), SEC1);
        // PKCS#8 wraps the SEC1 key (here without its curve parameters) in a PrivateKeyInfo.
        let sec1_der = key.0.to_sec1_der().unwrap();
        let mut alg = vec![0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
        alg.extend([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
        let mut inner = vec![0x02, 0x01, 0x00];
        inner.extend(&alg);
        inner.extend([0x04, sec1_der.len() as u8]);
        inner.extend(sec1_der.iter());
        let mut der = vec![0x30, 0x81, inner.len() as u8];
        der.extend(inner);
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            aws_smithy_types::base64::encode(&der)
        );
        assert_eq!(Key::from_pem(&pem).unwrap().public_xy(), key.public_xy());
        assert!(Key::from_pem("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----").is_err());
        assert!(Key::from_pem("nonsense").is_err());
        assert!(format!("{key:?}").contains(".."));
    }

    #[test]
    fn a_proof_verifies_with_its_own_jwk() {
        let key = Key::generate().unwrap();
        let proof = key.proof("https://us-east-1.signin.aws.amazon.com/v1/token", 1_763_510_400).unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&b64url_decode(parts[0]).unwrap()).unwrap();
        let payload: serde_json::Value = serde_json::from_slice(&b64url_decode(parts[1]).unwrap()).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(payload["htm"], "POST");
        assert_eq!(payload["iat"], 1_763_510_400);
        assert_eq!(payload["jti"].as_str().unwrap().len(), 36);
        let mut point = vec![4u8];
        point.extend(b64url_decode(header["jwk"]["x"].as_str().unwrap()).unwrap());
        point.extend(b64url_decode(header["jwk"]["y"].as_str().unwrap()).unwrap());
        let verifying = VerifyingKey::from_sec1_bytes(&point).unwrap();
        let signature = Signature::from_slice(&b64url_decode(parts[2]).unwrap()).unwrap();
        let message = format!("{}.{}", parts[0], parts[1]);
        verifying.verify(message.as_bytes(), &signature).unwrap();
        assert_ne!(key.proof("u", 1).unwrap(), key.proof("u", 1).unwrap(), "a fresh jti each time");
    }
}
