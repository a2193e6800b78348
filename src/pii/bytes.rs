//! Byte classes looked up in one table: a load and a bit test per byte, where the detectors'
//! hot loops would otherwise chain range tests (`is_ascii_alphanumeric() || matches!(…)`).

pub(crate) const DIGIT: u16 = 1;
pub(crate) const UPPER: u16 = 1 << 1;
/// ASCII letters and digits, and `_`: a regex `\w` byte.
pub(crate) const WORD: u16 = 1 << 2;
/// Hex digits, `:`, `.` and `-`: the bytes of an IPv4/IPv6/MAC/GUID run.
pub(crate) const ADDR: u16 = 1 << 3;
/// The bytes of an email's local part.
pub(crate) const LOCAL: u16 = 1 << 4;
/// The bytes of a domain name.
pub(crate) const DOMAIN: u16 = 1 << 5;
/// The bytes of a bearer or basic token.
pub(crate) const TOKEN: u16 = 1 << 6;
/// The bytes a card-number run is made of (`\d`, space, `-`).
pub(crate) const CARD: u16 = 1 << 7;
/// The bytes a phone-number run is made of (`\d`, space, `(`, `)`, `.`, `-`, and a leading `+`).
pub(crate) const PHONE: u16 = 1 << 8;

const fn class_of(c: u8) -> u16 {
    let alnum = c.is_ascii_alphanumeric();
    let mut k = 0;
    if c.is_ascii_digit() {
        k |= DIGIT | CARD | PHONE;
    }
    if c.is_ascii_uppercase() {
        k |= UPPER;
    }
    if alnum || c == b'_' {
        k |= WORD;
    }
    if c.is_ascii_hexdigit() || matches!(c, b':' | b'.' | b'-') {
        k |= ADDR;
    }
    if alnum || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'') {
        k |= LOCAL;
    }
    if alnum || matches!(c, b'.' | b'-') {
        k |= DOMAIN;
    }
    if alnum || matches!(c, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=') {
        k |= TOKEN;
    }
    if matches!(c, b' ' | b'-') {
        k |= CARD;
    }
    if matches!(c, b' ' | b'(' | b')' | b'.' | b'-' | b'+') {
        k |= PHONE;
    }
    k
}

static CLASSES: [u16; 256] = {
    let mut t = [0; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

/// `c` is in one of `classes`.
#[inline]
pub(crate) fn is(c: u8, classes: u16) -> bool {
    CLASSES[usize::from(c)] & classes != 0
}

/// Whether a maximal run of `class` bytes (`CARD`, `PHONE`) holds `n` digits or more: a card
/// or phone number lies inside one such run, and needs that many digits in it.
pub(crate) fn digits_in_a_run(b: &[u8], class: u16, n: usize) -> bool {
    let mut run = 0;
    for &c in b {
        let k = CLASSES[usize::from(c)];
        if k & DIGIT != 0 {
            run += 1;
            if run >= n {
                return true;
            }
        } else if k & class == 0 {
            run = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_the_predicates_they_replace() {
        for c in 0..=255u8 {
            let alnum = c.is_ascii_alphanumeric();
            assert_eq!(is(c, DIGIT), c.is_ascii_digit(), "{c}");
            assert_eq!(is(c, UPPER), c.is_ascii_uppercase(), "{c}");
            assert_eq!(is(c, WORD), alnum || c == b'_', "{c}");
            let addr = c.is_ascii_hexdigit() || matches!(c, b':' | b'.' | b'-');
            assert_eq!(is(c, ADDR), addr, "{c}");
            let local = alnum || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'');
            assert_eq!(is(c, LOCAL), local, "{c}");
            assert_eq!(is(c, DOMAIN), alnum || c == b'.' || c == b'-', "{c}");
            let token = alnum || matches!(c, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=');
            assert_eq!(is(c, TOKEN), token, "{c}");
            assert_eq!(is(c, CARD), matches!(c, b'0'..=b'9' | b' ' | b'-'), "{c}");
            let phone = matches!(c, b'0'..=b'9' | b' ' | b'(' | b')' | b'.' | b'-' | b'+');
            assert_eq!(is(c, PHONE), phone, "{c}");
        }
    }

    #[test]
    fn digits_are_counted_per_run() {
        let most = |b: &[u8], class| {
            (1..30)
                .take_while(|&n| digits_in_a_run(b, class, n))
                .count()
        };
        assert_eq!(most(b"", CARD), 0);
        assert_eq!(most(b"4111 1111-1111 1111", CARD), 16);
        assert_eq!(most(b"4111 1111.1111 1111", CARD), 8);
        assert_eq!(most(b"4111 1111.1111 1111", PHONE), 16);
        assert_eq!(most(b"ab12 x 345", CARD), 3);
        assert_eq!(most("é12345é6".as_bytes(), PHONE), 5);
    }
}
