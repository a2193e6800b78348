//! Keyed pseudonyms for `--redact hash`: HMAC-SHA256 of the value under a secret key, written
//! as `kind:` + 16 hex digits. The same value and key always give the same token, so joins
//! across records and columns still work; without the key a token cannot be tested against a
//! guessed value. The key is never part of a token or of anything written beside it.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::model::Kind;

/// Hex digits of the HMAC kept in a token: 64 bits, so two of a million distinct values
/// collide with odds of about one in 3.7 × 10⁷.
pub const TOKEN_HEX: usize = 16;

/// Shortest key accepted, in bytes (HMAC's security is bounded by the key's entropy).
const MIN_KEY: usize = 16;

/// A secret HMAC key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the key is not hexadecimal (expected {min} or more hex digits, e.g. 64)", min = MIN_KEY * 2)]
    NotHex,
    #[error("the key is too short: {0} bytes; give at least {MIN_KEY} (32 hex digits)")]
    TooShort(usize),
}

impl Key {
    /// A key from raw bytes (the caller's random source, or a test's fixed bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, KeyError> {
        if bytes.len() < MIN_KEY {
            return Err(KeyError::TooShort(bytes.len()));
        }
        Ok(Key(bytes.to_vec()))
    }

    /// A key written as hex (surrounding whitespace ignored, as in a key file).
    pub fn from_hex(text: &str) -> Result<Key, KeyError> {
        let text = text.trim();
        if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(KeyError::NotHex);
        }
        let bytes: Vec<u8> = (0..text.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
            .collect();
        Key::from_bytes(&bytes)
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({} bytes)", self.0.len())
    }
}

/// Makes tokens under one key; keyed once, cloned per value (HMAC's padded key blocks are
/// hashed once, not per value).
#[derive(Clone)]
pub struct Hasher {
    mac: Hmac<Sha256>,
}

impl Hasher {
    pub fn new(key: &Key) -> Hasher {
        // Any key length is valid for HMAC; `Key` has already checked it is long enough.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        Hasher { mac }
    }

    /// The hex part of a token: depends on the value (normalised for `kind`) and the key only,
    /// so the same value found as two kinds shares it.
    pub fn hex(&self, kind: Kind, value: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(normalise(kind, value).as_bytes());
        let digest = mac.finalize().into_bytes();
        digest[..TOKEN_HEX / 2]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `email:7f3a9c12e4b05d61`.
    pub fn token(&self, kind: Kind, value: &str) -> String {
        format!("{kind}:{}", self.hex(kind, value))
    }
}

/// Spellings of one identifier that mean the same thing hash alike: addresses, domains, logins
/// and ids compare case-insensitively; MAC separators vary; surrounding spaces never count.
fn normalise(kind: Kind, value: &str) -> String {
    let v = value.trim();
    match kind {
        Kind::MacAddress => v.to_ascii_lowercase().replace('-', ":"),
        Kind::Email
        | Kind::SipUri
        | Kind::Domain
        | Kind::Username
        | Kind::TenantId
        | Kind::HashedId
        | Kind::DeviceId
        | Kind::UserGuid
        | Kind::SessionId => v.to_lowercase(),
        Kind::IpAddress => v
            .parse::<std::net::IpAddr>()
            .map_or_else(|_| v.to_string(), |ip| ip.to_string()),
        _ => v.to_string(),
    }
}

/// The byte ranges of `text` that are tokens (`kind:` + hex), as the export writes them.
pub fn token_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (colon, _) in text.match_indices(':') {
        let hex_end = colon + 1 + TOKEN_HEX;
        let Some(hex) = bytes.get(colon + 1..hex_end) else {
            break;
        };
        if !hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            continue;
        }
        let start = bytes[..colon]
            .iter()
            .rposition(|b| !(b.is_ascii_lowercase() || *b == b'_'))
            .map_or(0, |i| i + 1);
        if Kind::parse(&text[start..colon]).is_some() {
            out.push(start..hex_end);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Key {
        Key::from_bytes(&[byte; 32]).unwrap()
    }

    #[test]
    fn tokens_are_keyed_deterministic_and_normalised() {
        let h = Hasher::new(&key(1));
        let t = h.token(Kind::Email, "Alice@Contoso.com");
        assert!(t.starts_with("email:") && t.len() == 6 + TOKEN_HEX, "{t}");
        assert_eq!(t, h.token(Kind::Email, " alice@contoso.com"));
        assert_ne!(t, h.token(Kind::Email, "bob@contoso.com"));
        assert_ne!(
            t,
            Hasher::new(&key(2)).token(Kind::Email, "alice@contoso.com")
        );
        // Names are not case-folded: case can tell people apart.
        assert_ne!(
            h.hex(Kind::PersonName, "Alice"),
            h.hex(Kind::PersonName, "alice")
        );
        assert_eq!(
            h.hex(Kind::IpAddress, "2001:db8::1"),
            h.hex(Kind::IpAddress, "2001:0db8:0:0:0:0:0:1")
        );
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231 test case 2 uses a 4-byte key, below our minimum: check HMAC through a
        // longer case instead (test case 7's 131-byte key).
        let key = Key::from_bytes(&[0xaa; 131]).unwrap();
        let mut mac = Hasher::new(&key).mac;
        mac.update(
            b"This is a test using a larger than block-size key and a larger than block-size \
              data. The key needs to be hashed before being used by the HMAC algorithm.",
        );
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        );
    }

    #[test]
    fn keys_parse_from_hex_and_never_print() {
        let k = Key::from_hex(&format!(" {}\n", "ab".repeat(32))).unwrap();
        assert_eq!(k.to_hex(), "ab".repeat(32));
        assert_eq!(format!("{k:?}"), "Key(32 bytes)");
        assert_eq!(Key::from_hex("xyz"), Err(KeyError::NotHex));
        assert_eq!(Key::from_hex("abcd"), Err(KeyError::TooShort(2)));
    }

    #[test]
    fn token_ranges_find_whole_tokens_only() {
        let text = "mail email:0123456789abcdef and x:0123456789abcdef, hashed_id:0123456789abcdeF";
        assert_eq!(token_ranges(text), vec![5..27]);
        assert_eq!(
            token_ranges("person_name:00112233445566aa's iPhone"),
            vec![0..28]
        );
    }
}
