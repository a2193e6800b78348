//! Secrets and look-alikes for error payloads: Luhn-valid card and order numbers, mod-97-valid
//! IBANs and signed-looking JWTs, so validators in the detection engine have real work to do.

use super::rng::{Rng, alnum, base64, random_bytes};

pub fn jwt(rng: &mut Rng, ts_ms: i64) -> String {
    let header = format!(
        r#"{{"alg":"RS256","kid":"{}","typ":"JWT"}}"#,
        alnum(rng, 10)
    );
    let iat = ts_ms / 1000 - rng.range(0, 3000) as i64;
    let claims = format!(
        r#"{{"aud":"api://teamspro","iss":"https://login.teamspro.app/","iat":{iat},"exp":{},"scp":"requests.readwrite","ver":"2.0","jti":"{}"}}"#,
        iat + 3600,
        alnum(rng, 16)
    );
    format!(
        "{}.{}.{}",
        base64(header.as_bytes(), true),
        base64(claims.as_bytes(), true),
        base64(&random_bytes(rng, 64), true)
    )
}

/// `digits` followed by their Luhn check digit.
pub fn with_luhn(mut digits: Vec<u8>) -> Vec<u8> {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    digits.push(((10 - sum % 10) % 10) as u8);
    digits
}

pub fn digits(rng: &mut Rng, prefix: &[u8], len: usize) -> Vec<u8> {
    let mut d = prefix.to_vec();
    while d.len() < len {
        d.push(rng.below(10) as u8);
    }
    d
}

pub fn digit_text(d: &[u8], group: usize) -> String {
    let mut s = String::with_capacity(d.len() + d.len() / 4);
    for (i, x) in d.iter().enumerate() {
        if group > 0 && i > 0 && i % group == 0 {
            s.push(' ');
        }
        s.push(char::from(b'0' + x));
    }
    s
}

pub fn card(rng: &mut Rng) -> (String, &'static str) {
    let mastercard = 1 + rng.below(5) as u8;
    let (prefix, len, brand) = match rng.index(3) {
        0 => (vec![4], 16, "Visa"),
        1 => (vec![5, mastercard], 16, "Mastercard"),
        _ => (vec![3, 7], 15, "Amex"),
    };
    let d = with_luhn(digits(rng, &prefix, len - 1));
    let group = if rng.chance(500) { 4 } else { 0 };
    (digit_text(&d, group), brand)
}

pub fn iban(rng: &mut Rng) -> String {
    let (country, bank, len) = *rng.pick(&[
        ("DE", "", 18),
        ("NL", "INGB", 14),
        ("IE", "AIBK", 18),
        ("GB", "NWBK", 18),
        ("FR", "", 23),
    ]);
    let mut bban = bank.to_string();
    while bban.len() < len {
        bban.push(char::from(b'0' + rng.below(10) as u8));
    }
    let rem = format!("{bban}{country}00").bytes().fold(0u32, |rem, c| {
        if c.is_ascii_digit() {
            (rem * 10 + u32::from(c - b'0')) % 97
        } else {
            (rem * 100 + u32::from(c - b'A') + 10) % 97
        }
    });
    let compact = format!("{country}{:02}{bban}", 98 - rem);
    if rng.chance(300) {
        return compact;
    }
    let mut spaced = String::new();
    for (i, c) in compact.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            spaced.push(' ');
        }
        spaced.push(c);
    }
    spaced
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_check_digit_matches_a_known_number() {
        assert_eq!(
            with_luhn(vec![7, 9, 9, 2, 7, 3, 9, 8, 7, 1]).last(),
            Some(&3)
        );
    }

    #[test]
    fn ibans_pass_mod_97() {
        let mut rng = Rng::new(3);
        for _ in 0..50 {
            let iban: String = iban(&mut rng).chars().filter(|c| *c != ' ').collect();
            let moved = format!("{}{}", &iban[4..], &iban[..4]);
            let rem = moved.bytes().fold(0u32, |rem, c| {
                if c.is_ascii_digit() {
                    (rem * 10 + u32::from(c - b'0')) % 97
                } else {
                    (rem * 100 + u32::from(c - b'A') + 10) % 97
                }
            });
            assert_eq!(rem, 1, "{iban}");
        }
    }
}
