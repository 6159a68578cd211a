//! Random bytes, from the kernel: the one reader of `/dev/urandom` (tokens, temporary names, and
//! the sign-in flows' verifiers and nonces).

use anyhow::{Context, Result};
use std::io::Read;

/// `N` random bytes.
pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut out))
        .context("cannot read random bytes from /dev/urandom")?;
    Ok(out)
}

/// `N` random bytes as `2 * N` hex digits.
pub fn hex<const N: usize>() -> Result<String> {
    Ok(hex::encode(bytes::<N>()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn differ() {
        assert_ne!(super::hex::<16>().unwrap(), super::hex::<16>().unwrap());
        assert_eq!(super::hex::<8>().unwrap().len(), 16);
    }
}
