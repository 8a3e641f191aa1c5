//! Reading a JWT's expiry (unverified: only to know when to renew) and the clock.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The `exp` claim of a JWT, read without verifying it.
pub(crate) fn jwt_expiry(token: &str) -> Option<u64> {
    #[derive(Deserialize)]
    struct Claims {
        exp: u64,
    }
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Claims>(&bytes).ok().map(|c| c.exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_expiry_reads_exp_without_verifying() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":1700000000,"sub":"x"}"#);
        assert_eq!(
            jwt_expiry(&format!("e30.{payload}.sig")),
            Some(1_700_000_000)
        );
        assert_eq!(jwt_expiry("opaque-token"), None);
        let no_exp = URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        assert_eq!(jwt_expiry(&format!("e30.{no_exp}.sig")), None);
    }
}
