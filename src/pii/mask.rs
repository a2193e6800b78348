//! Masking for output: keeps the shape a reviewer needs and never the identifying part.

use crate::model::Kind;

const STARS: &str = "***";

/// The first `n` characters of `s` (fewer when `s` is short enough that they would say much).
fn head(s: &str, n: usize) -> &str {
    let n = n.min(s.chars().count() / 3);
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

fn email(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((local, domain)) => format!("{}{STARS}@{domain}", head(local, 1)),
        None => generic(value),
    }
}

fn generic(value: &str) -> String {
    format!("{}{STARS}", head(value, 1))
}

fn digits_except_last(value: &str, keep: usize) -> String {
    let total = value.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + keep <= total { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

/// Mask an identifying value for output: keep the shape (`a***@contoso.com`,
/// `203.0.113.***`, `Al*** Ha***`, `****-****-****-1111`, tokens starred except a short
/// prefix); never reveal secrets.
pub fn mask(kind: Kind, value: &str) -> String {
    match kind {
        Kind::Email => email(value),
        Kind::SipUri => match value.split_once(':') {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") =>
            {
                format!("{scheme}:{}", email(rest))
            }
            _ => email(value),
        },
        Kind::IpAddress => {
            if let Ok(v4) = value.parse::<std::net::Ipv4Addr>() {
                let o = v4.octets();
                format!("{}.{}.{}.{STARS}", o[0], o[1], o[2])
            } else if let Ok(v6) = value.parse::<std::net::Ipv6Addr>() {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{STARS}", s[0], s[1], s[2])
            } else {
                generic(value)
            }
        }
        Kind::PersonName | Kind::OrgName => value
            .split(' ')
            .map(|w| {
                if w.chars().count() <= 2 {
                    w.chars().take(1).collect::<String>() + STARS
                } else {
                    format!("{}{STARS}", w.chars().take(2).collect::<String>())
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        Kind::CreditCard => {
            let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
            let last: String = digits[digits.len().saturating_sub(4)..].iter().collect();
            format!("****-****-****-{last}")
        }
        Kind::Iban => {
            let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            let cc: String = compact.chars().take(2).collect();
            let tail: String = compact
                .chars()
                .skip(compact.chars().count().saturating_sub(2))
                .collect();
            format!("{cc}** **** **** **{tail}")
        }
        Kind::PhoneNumber => digits_except_last(value, 2),
        Kind::MacAddress => {
            let sep = if value.contains('-') { '-' } else { ':' };
            let oui: String = value.chars().take(8).collect();
            format!("{oui}{sep}**{sep}**{sep}**")
        }
        Kind::GeoCoordinates => value
            .split(',')
            .map(|p| {
                let p = p.trim();
                match p.split_once('.') {
                    Some((int, frac)) => {
                        format!("{int}.{}{STARS}", frac.chars().take(1).collect::<String>())
                    }
                    None => format!("{p}{STARS}"),
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        Kind::UserPath => {
            let cut = value.rfind(['\\', '/']).map_or(0, |i| i + 1);
            format!("{}{}", &value[..cut], generic(&value[cut..]))
        }
        Kind::Domain => match value.split_once('.') {
            Some((first, rest)) => format!("{}{STARS}.{rest}", head(first, 1)),
            None => generic(value),
        },
        Kind::TenantId | Kind::HashedId | Kind::DeviceId | Kind::UserGuid | Kind::SessionId => {
            let n = value.chars().count();
            if n >= 16 {
                let first: String = value.chars().take(4).collect();
                let last: String = value.chars().skip(n - 4).collect();
                format!("{first}{STARS}{last}")
            } else {
                generic(value)
            }
        }
        Kind::Username => generic(value),
        Kind::SecretToken => {
            let (scheme, token) = match value.split_once(' ') {
                Some((s, t))
                    if s.eq_ignore_ascii_case("bearer") || s.eq_ignore_ascii_case("basic") =>
                {
                    (format!("{s} "), t)
                }
                _ => (String::new(), value),
            };
            // Credentials in a URL (`bob:pw`): show nothing past the user's first letter.
            let token = token.split(':').next().unwrap_or(token);
            format!("{scheme}{}********", head(token, 4))
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
