//! Token minting. Access tokens are shaped like the real API's JWTs so that clients which
//! peek at `exp` work; the signature is random bytes, as nothing here verifies it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;

use crate::clock::Timestamp;

/// Who a token is issued to, as written into its payload.
pub struct Subject<'a> {
    pub user_id: i64,
    pub username: &'a str,
    pub tenant_id: i64,
    pub tenant_name: &'a str,
}

pub fn access_token(subject: &Subject<'_>, issued: Timestamp, expires: Timestamp) -> String {
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let payload = json!({
        "sub": subject.user_id.to_string(),
        "unique_name": subject.username,
        "tenantId": subject.tenant_id,
        "tenant": subject.tenant_name,
        "jti": hex(&random_bytes(16)),
        "iat": issued.unix_seconds(),
        "nbf": issued.unix_seconds(),
        "exp": expires.unix_seconds(),
        "iss": "Kaseya BMS",
    });
    format!(
        "{}.{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(payload.to_string().as_bytes()),
        base64url(&random_bytes(32))
    )
}

pub fn refresh_token() -> String {
    base64url(&random_bytes(48))
}

/// Unpredictable enough for a loopback emulator without a random-number dependency:
/// `RandomState` keys are seeded from the OS, and the counter keeps outputs distinct.
fn random_bytes(count: usize) -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = Vec::with_capacity(count + 8);
    while bytes.len() < count {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_i64(Timestamp::now().unix_seconds());
        bytes.extend_from_slice(&hasher.finish().to_le_bytes());
    }
    bytes.truncate(count);
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Unpadded base64url, as JWTs use.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for sextet in sextets.iter().take(chunk.len() + 1) {
            out.push(char::from(ALPHABET[(sextet & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_known_vectors() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn tokens_are_distinct_and_jwt_shaped() {
        let subject = Subject {
            user_id: 1,
            username: "u",
            tenant_id: 2,
            tenant_name: "T",
        };
        let now = Timestamp::now();
        let first = access_token(&subject, now, now);
        let second = access_token(&subject, now, now);
        assert_ne!(first, second);
        assert_eq!(first.split('.').count(), 3);
        assert_ne!(refresh_token(), refresh_token());
    }
}
