//! Masking for output: keeps the shape a reviewer needs and never the identifying part.

use std::fmt::Write;

use crate::model::Kind;

const STARS: &str = "***";

/// The first `n` characters of `s` (fewer when `s` is short enough that they would say much).
fn head(s: &str, n: usize) -> &str {
    if s.is_ascii() {
        return &s[..n.min(s.len() / 3)];
    }
    let n = n.min(s.chars().count() / 3);
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

fn email(value: &str, out: &mut String) {
    match value.rsplit_once('@') {
        Some((local, domain)) => {
            out.push_str(head(local, 1));
            out.push_str(STARS);
            out.push('@');
            out.push_str(domain);
        }
        None => generic(value, out),
    }
}

fn generic(value: &str, out: &mut String) {
    out.push_str(head(value, 1));
    out.push_str(STARS);
}

fn digits_except_last(value: &str, keep: usize, out: &mut String) {
    let total = value.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    out.extend(value.chars().map(|c| {
        if c.is_ascii_digit() {
            seen += 1;
            if seen + keep <= total { '*' } else { c }
        } else {
            c
        }
    }));
}

/// Mask an identifying value for output: keep the shape (`a***@contoso.com`,
/// `203.0.113.***`, `Al*** Ha***`, `****-****-****-1111`, tokens starred except a short
/// prefix); never reveal secrets.
pub fn mask(kind: Kind, value: &str) -> String {
    let mut out = String::new();
    mask_into(kind, value, &mut out);
    out
}

/// For an id kind and an ASCII value of 16 bytes or more (nearly every id), the two ends
/// its mask keeps: masked, it reads `first***last`. Output that masks millions of ids writes
/// these without going through `mask_into`.
pub fn id_ends(kind: Kind, value: &str) -> Option<(&str, &str)> {
    let id = matches!(
        kind,
        Kind::TenantId | Kind::HashedId | Kind::DeviceId | Kind::UserGuid | Kind::SessionId
    );
    (id && value.len() >= 16 && value.is_ascii()).then(|| (&value[..4], &value[value.len() - 4..]))
}

/// `mask`, appended to `out`.
pub fn mask_into(kind: Kind, value: &str, out: &mut String) {
    match kind {
        Kind::Email => email(value, out),
        Kind::SipUri => match value.split_once(':') {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") =>
            {
                out.push_str(scheme);
                out.push(':');
                email(rest, out);
            }
            _ => email(value, out),
        },
        Kind::IpAddress => {
            if let Ok(v4) = value.parse::<std::net::Ipv4Addr>() {
                let o = v4.octets();
                let _ = write!(out, "{}.{}.{}.{STARS}", o[0], o[1], o[2]);
            } else if let Ok(v6) = value.parse::<std::net::Ipv6Addr>() {
                let s = v6.segments();
                let _ = write!(out, "{:x}:{:x}:{:x}:{STARS}", s[0], s[1], s[2]);
            } else {
                generic(value, out);
            }
        }
        Kind::PersonName | Kind::OrgName => {
            for (i, w) in value.split(' ').enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let keep = if w.chars().count() <= 2 { 1 } else { 2 };
                out.extend(w.chars().take(keep));
                out.push_str(STARS);
            }
        }
        Kind::CreditCard => {
            let digits = value.bytes().filter(u8::is_ascii_digit).count();
            out.push_str("****-****-****-");
            out.extend(
                value
                    .chars()
                    .filter(char::is_ascii_digit)
                    .skip(digits.saturating_sub(4)),
            );
        }
        Kind::Iban => {
            let compact = || value.chars().filter(|c| !c.is_whitespace());
            out.extend(compact().take(2));
            out.push_str("** **** **** **");
            out.extend(compact().skip(compact().count().saturating_sub(2)));
        }
        Kind::PhoneNumber => digits_except_last(value, 2, out),
        Kind::MacAddress => {
            let sep = if value.contains('-') { '-' } else { ':' };
            out.extend(value.chars().take(8));
            for _ in 0..3 {
                out.push(sep);
                out.push_str("**");
            }
        }
        Kind::GeoCoordinates => {
            for (i, p) in value.split(',').enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let p = p.trim();
                match p.split_once('.') {
                    Some((int, frac)) => {
                        out.push_str(int);
                        out.push('.');
                        out.extend(frac.chars().take(1));
                    }
                    None => out.push_str(p),
                }
                out.push_str(STARS);
            }
        }
        Kind::UserPath => {
            let cut = value.rfind(['\\', '/']).map_or(0, |i| i + 1);
            out.push_str(&value[..cut]);
            generic(&value[cut..], out);
        }
        Kind::Domain => match value.split_once('.') {
            Some((first, rest)) => {
                out.push_str(head(first, 1));
                out.push_str(STARS);
                out.push('.');
                out.push_str(rest);
            }
            None => generic(value, out),
        },
        Kind::TenantId | Kind::HashedId | Kind::DeviceId | Kind::UserGuid | Kind::SessionId => {
            if let Some((first, last)) = id_ends(kind, value) {
                out.push_str(first);
                out.push_str(STARS);
                out.push_str(last);
                return;
            }
            let n = value.chars().count();
            if n >= 16 {
                out.extend(value.chars().take(4));
                out.push_str(STARS);
                out.extend(value.chars().skip(n - 4));
            } else {
                generic(value, out);
            }
        }
        Kind::Username => generic(value, out),
        Kind::SecretToken => {
            let token = match value.split_once(' ') {
                Some((s, t))
                    if s.eq_ignore_ascii_case("bearer") || s.eq_ignore_ascii_case("basic") =>
                {
                    out.push_str(s);
                    out.push(' ');
                    t
                }
                _ => value,
            };
            // Credentials in a URL (`bob:pw`): show nothing past the user's first letter.
            let token = token.split(':').next().unwrap_or(token);
            out.push_str(head(token, 4));
            out.push_str("********");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_kept() {
        assert_eq!(mask(Kind::Email, "alice@contoso.com"), "a***@contoso.com");
        assert_eq!(mask(Kind::IpAddress, "203.0.113.42"), "203.0.113.***");
        assert_eq!(mask(Kind::PersonName, "Alice Hawking"), "Al*** Ha***");
        assert_eq!(
            mask(Kind::CreditCard, "4111 1111 1111 1111"),
            "****-****-****-1111"
        );
        assert_eq!(
            mask(Kind::SipUri, "sip:alice@contoso.com"),
            "sip:a***@contoso.com"
        );
        assert_eq!(mask(Kind::UserPath, "C:\\Users\\alice"), "C:\\Users\\a***");
    }

    #[test]
    fn secrets_are_never_revealed() {
        let m = mask(Kind::SecretToken, "bob:hunter2");
        assert!(!m.contains("hunter2"), "{m}");
        let m = mask(Kind::SecretToken, "sk_live_abcdefghijklmnop1234");
        assert!(m.starts_with("sk_l") && !m.contains("abcdefgh"), "{m}");
        let m = mask(Kind::Iban, "DE89370400440532013000");
        assert!(!m.contains("3704004405320130"), "{m}");
    }
}
