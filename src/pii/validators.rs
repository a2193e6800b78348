//! Validators: Luhn with issuer ranges, IBAN mod-97 with country lengths, IP parsing and
//! masking rules, GUID and hex shapes, MAC addresses, JWT header decoding (base64url).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::text::word_at;

/// Luhn checksum over the ASCII digits of `s` (separators ignored).
pub fn luhn(s: &str) -> bool {
    let mut sum = 0u32;
    let mut n = 0;
    for b in s.bytes().rev().filter(u8::is_ascii_digit) {
        let mut d = u32::from(b - b'0');
        if n % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        n += 1;
    }
    n > 0 && sum.is_multiple_of(10)
}

/// The card network whose issuer range and length fit `digits` (ASCII digits only).
pub fn card_issuer(digits: &str) -> Option<&'static str> {
    let len = digits.len();
    let p = |n: usize| -> u32 { digits.get(..n).and_then(|s| s.parse().ok()).unwrap_or(0) };
    let (p1, p2, p3, p4, p6) = (p(1), p(2), p(3), p(4), p(6));
    if p1 == 4 && matches!(len, 13 | 16 | 19) {
        Some("Visa")
    } else if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16 {
        Some("Mastercard")
    } else if matches!(p2, 34 | 37) && len == 15 {
        Some("Amex")
    } else if (p4 == 6011
        || p2 == 65
        || (644..=649).contains(&p3)
        || (622126..=622925).contains(&p6))
        && (16..=19).contains(&len)
    {
        Some("Discover")
    } else if (3528..=3589).contains(&p4) && (16..=19).contains(&len) {
        Some("JCB")
    } else if ((300..=305).contains(&p3) || matches!(p2, 36 | 38 | 39)) && (14..=16).contains(&len)
    {
        Some("Diners")
    } else if p2 == 62 && (16..=19).contains(&len) {
        Some("UnionPay")
    } else {
        None
    }
}

/// IBAN lengths by country (ISO 13616 registry, the countries seen in practice).
fn iban_length(cc: &[u8]) -> Option<usize> {
    Some(match cc {
        b"AD" => 24,
        b"AE" => 23,
        b"AL" => 28,
        b"AT" => 20,
        b"AZ" => 28,
        b"BA" => 20,
        b"BE" => 16,
        b"BG" => 22,
        b"BH" => 22,
        b"BR" => 29,
        b"CH" => 21,
        b"CR" => 22,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DK" => 18,
        b"DO" => 28,
        b"EE" => 20,
        b"EG" => 29,
        b"ES" => 24,
        b"FI" => 18,
        b"FO" => 18,
        b"FR" => 27,
        b"GB" => 22,
        b"GE" => 22,
        b"GI" => 23,
        b"GL" => 18,
        b"GR" => 27,
        b"GT" => 28,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IL" => 23,
        b"IS" => 26,
        b"IT" => 27,
        b"JO" => 30,
        b"KW" => 30,
        b"KZ" => 20,
        b"LB" => 28,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"MC" => 27,
        b"MD" => 24,
        b"ME" => 22,
        b"MK" => 19,
        b"MR" => 27,
        b"MT" => 31,
        b"MU" => 30,
        b"NL" => 18,
        b"NO" => 15,
        b"PK" => 24,
        b"PL" => 28,
        b"PS" => 29,
        b"PT" => 25,
        b"QA" => 29,
        b"RO" => 24,
        b"RS" => 22,
        b"SA" => 24,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"SM" => 27,
        b"TN" => 24,
        b"TR" => 26,
        b"UA" => 29,
        b"VG" => 24,
        b"XK" => 20,
        _ => return None,
    })
}

/// The IBAN starting at `s` (spaces allowed between groups): its byte length in `s` when the
/// country length and the mod-97 check both hold.
pub fn iban_prefix(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let want = iban_length(b.get(..2)?)?;
    let mut compact = [0u8; 34];
    let (mut n, mut i) = (0, 0);
    while n < want && i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || c.is_ascii_uppercase() {
            compact[n] = c;
            n += 1;
        } else if c != b' ' || n < 4 {
            return None;
        }
        i += 1;
    }
    if n != want || b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    if !compact[2..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Move the country and check digits to the end, letters become 10..35, then mod 97.
    let mut rem = 0u32;
    for &c in compact[4..n].iter().chain(&compact[..4]) {
        if c.is_ascii_digit() {
            rem = (rem * 10 + u32::from(c - b'0')) % 97;
        } else {
            rem = (rem * 100 + u32::from(c - b'A') + 10) % 97;
        }
    }
    (rem == 1).then_some(i)
}

/// An IPv4 address that identifies a host: not masked (`0.0.0.0`, last octet zero), not
/// loopback, unspecified or broadcast.
pub fn ipv4_identifying(s: &str) -> Option<Ipv4Addr> {
    let ip: Ipv4Addr = s.parse().ok()?;
    let o = ip.octets();
    let masked = o[3] == 0 || o[3] == 255;
    (!(masked || ip.is_loopback() || ip.is_unspecified() || ip.is_multicast())).then_some(ip)
}

pub fn ipv6_identifying(s: &str) -> Option<Ipv6Addr> {
    let ip: Ipv6Addr = s.parse().ok()?;
    let seg = ip.segments();
    // A zeroed tail is how v6 addresses are masked (`2001:db8:85a3::`).
    let masked = seg[7] == 0;
    if let Some(v4) = ip.to_ipv4_mapped() {
        return ipv4_identifying(&v4.to_string()).map(|_| ip);
    }
    (!(masked || ip.is_loopback() || ip.is_unspecified() || ip.is_multicast())).then_some(ip)
}

pub fn is_private_v4(ip: Ipv4Addr) -> bool {
    ip.is_private() || ip.is_link_local()
}

/// 8-4-4-4-12 hex, optionally in braces. Version and variant bits are not checked: the
/// exports' hashed ids are GUID-shaped without being RFC 4122 UUIDs.
pub fn is_guid(s: &str) -> bool {
    let b = match s.len() {
        36 => s.as_bytes(),
        38 if s.starts_with('{') && s.ends_with('}') => &s.as_bytes()[1..37],
        _ => return false,
    };
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return false;
    }
    // The 32 digits as four words, checked eight at a time: every value of an identity column
    // goes through here, so this is one of the scan's hottest checks.
    let word = |parts: [&[u8]; 2]| {
        let mut w = [0u8; 8];
        w[..parts[0].len()].copy_from_slice(parts[0]);
        w[parts[0].len()..].copy_from_slice(parts[1]);
        u64::from_le_bytes(w)
    };
    let words = [
        word([&b[..8], &[]]),
        word([&b[9..13], &b[14..18]]),
        word([&b[19..23], &b[24..28]]),
        word([&b[28..36], &[]]),
    ];
    words.iter().all(|&w| hex_word(w)) && words.iter().any(|&w| w != ONES * u64::from(b'0'))
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// All eight bytes of `w` are ASCII hex digits.
fn hex_word(w: u64) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if w & HIGH != 0 {
        return false;
    }
    // Per byte, all below 0x80 so no carry crosses bytes: the high bit of `x + (0x80 - lo)`
    // says `x >= lo`, the high bit of `x + (0x7f - hi)` says `x > hi`.
    let within = |x: u64, lo: u8, hi: u8| {
        (x + ONES * u64::from(0x80 - lo)) & !(x + ONES * u64::from(0x7f - hi)) & HIGH
    };
    // Setting 0x20 folds `A-F` onto `a-f` (and nothing else onto them).
    within(w, b'0', b'9') | within(w | (ONES * 0x20), b'a', b'f') == HIGH
}

/// A bare hex token of a hash or id length (16 = device id, 32 = md5/GUID, 40 = sha1, 64, 128).
pub fn is_hex_id(s: &str) -> bool {
    matches!(s.len(), 16 | 32 | 40 | 64 | 128)
        && s.as_bytes()
            .chunks_exact(8)
            .all(|c| hex_word(word_at(c, 0)))
}

/// `00:1A:2B:3C:4D:5E`, `00-1a-…`, or Cisco `001a.2b3c.4d5e`; all-zero and broadcast rejected.
pub fn is_mac(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = match b.len() {
        17 => {
            let sep = b[2];
            (sep == b':' || sep == b'-')
                && b.iter().enumerate().all(|(i, c)| {
                    if i % 3 == 2 {
                        *c == sep
                    } else {
                        c.is_ascii_hexdigit()
                    }
                })
        }
        14 => b.iter().enumerate().all(|(i, c)| {
            if i % 5 == 4 {
                *c == b'.'
            } else {
                c.is_ascii_hexdigit()
            }
        }),
        _ => false,
    };
    let hex = || s.bytes().filter(u8::is_ascii_hexdigit);
    ok && !hex().all(|c| c == b'0') && !hex().all(|c| c == b'f' || c == b'F')
}

/// Decodes unpadded or padded base64url (and standard base64) into `out`; false on bad input.
pub fn base64url_decode(s: &str, out: &mut Vec<u8>) -> bool {
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return false,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    true
}

/// A JWT whose header segment decodes to a JSON object naming an `alg`.
pub fn jwt_header_ok(token: &str) -> bool {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if h.len() < 10 || p.len() < 4 || h.len() > 2048 {
        return false;
    }
    let mut out = Vec::with_capacity(h.len());
    if !base64url_decode(h, &mut out) {
        return false;
    }
    matches!(
        serde_json::from_slice::<serde_json::Value>(&out),
        Ok(serde_json::Value::Object(m)) if m.contains_key("alg")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_issuers() {
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
        assert_eq!(card_issuer("4111111111111111"), Some("Visa"));
        assert_eq!(card_issuer("378282246310005"), Some("Amex"));
        assert_eq!(card_issuer("5555555555554444"), Some("Mastercard"));
        assert_eq!(card_issuer("1234567812345670"), None);
    }

    #[test]
    fn iban_mod97_and_length() {
        assert_eq!(iban_prefix("DE89370400440532013000"), Some(22));
        assert_eq!(iban_prefix("GB82 WEST 1234 5698 7654 32 x"), Some(27));
        assert_eq!(iban_prefix("DE89370400440532013001"), None);
        assert_eq!(iban_prefix("DE8937040044053201300"), None);
        assert_eq!(iban_prefix("EN-US"), None);
    }

    #[test]
    fn ip_rules() {
        assert!(ipv4_identifying("203.0.113.42").is_some());
        assert!(ipv4_identifying("0.0.0.0").is_none());
        assert!(ipv4_identifying("203.0.113.0").is_none());
        assert!(ipv4_identifying("127.0.0.1").is_none());
        assert!(ipv4_identifying("10.0.19041.1").is_none());
        assert!(ipv6_identifying("2001:db8::8a2e:370:7334").is_some());
        assert!(ipv6_identifying("::1").is_none());
        assert!(ipv6_identifying("::").is_none());
        assert!(ipv6_identifying("2001:db8:85a3::").is_none());
    }

    #[test]
    fn shapes() {
        assert!(is_guid("5E872200-F546-4CCD-8F23-AF5F507AA2DD"));
        assert!(is_guid("{5e872200-f546-4ccd-8f23-af5f507aa2dd}"));
        assert!(!is_guid("00000000-0000-0000-0000-000000000000"));
        assert!(is_guid("00000000-0000-0000-0000-000000000001"));
        assert!(!is_guid("5e872200-f546-4ccd-8f23-af5f507aa2d"));
        assert!(!is_guid("5e872200f546-4ccd-8f23-af5f507aa2dd-"));
        assert!(is_mac("00:1A:2B:3C:4D:5E"));
        assert!(is_mac("00-1a-2b-3c-4d-5e"));
        assert!(!is_mac("ff:ff:ff:ff:ff:ff"));
        assert!(is_hex_id(&"ab".repeat(32)));
        assert!(is_hex_id("0123456789ABCDEFabcdef0123456789"));
        assert!(!is_hex_id(&format!("{}g", "a".repeat(39))));
        assert!(!is_hex_id(&format!("{}\u{10}", "a".repeat(15))));
    }

    /// The word-at-a-time check against a byte-by-byte reading of the same rule, for every
    /// byte value at every position of a GUID.
    #[test]
    fn guid_check_agrees_with_a_byte_walk() {
        let reference = |b: &[u8]| {
            let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_hexdigit);
            b.len() == 36
                && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
                && digits(0..8)
                && digits(9..13)
                && digits(14..18)
                && digits(19..23)
                && digits(24..36)
                && b.iter().any(|c| *c != b'0' && *c != b'-')
        };
        for base in [
            "5e872200-f546-4ccd-8f23-af5f507aa2dd",
            "00000000-0000-0000-0000-000000000000",
        ] {
            for at in 0..36 {
                for c in 0..=255u8 {
                    let mut b = base.as_bytes().to_vec();
                    b[at] = c;
                    let want = reference(&b);
                    let got = std::str::from_utf8(&b).is_ok_and(is_guid);
                    assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&b));
                }
            }
        }
    }

    #[test]
    fn jwt_header_decodes() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert!(jwt_header_ok(jwt));
        assert!(!jwt_header_ok("eyJub3RhbGciOjF9.eyJzdWIiOiIxIn0.abc"));
        assert!(!jwt_header_ok("AdDO8hsJqilU93hQHC3OZaPR2saEA=="));
    }
}
