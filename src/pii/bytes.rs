//! Byte classes looked up in one table: a load and a bit test per byte, where the detectors'
//! hot loops would otherwise chain range tests (`is_ascii_alphanumeric() || matches!(…)`).

use crate::text::word_at;

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
    let mut i = 0;
    // Each run is read from its first digit on: the class bytes before it add no digit.
    while let Some(first) = find_digit(&b[i..]) {
        let mut run = 0;
        i += first;
        while let Some(&c) = b.get(i) {
            let k = CLASSES[usize::from(c)];
            if k & DIGIT != 0 {
                run += 1;
                if run >= n {
                    return true;
                }
            } else if k & class == 0 {
                break;
            }
            i += 1;
        }
    }
    false
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The position of the first ASCII upper-case letter in `b`.
#[inline]
pub(crate) fn find_upper(b: &[u8]) -> Option<usize> {
    find_within(b, b'A', b'Z')
}

/// The position of the first ASCII digit in `b`.
#[inline]
pub(crate) fn find_digit(b: &[u8]) -> Option<usize> {
    find_within(b, b'0', b'9')
}

/// The position of the first byte in `lo..=hi` (ASCII) in `b`, eight bytes at a time: in most
/// text such bytes (letters of one case, digits) are few, and the bytes before them many.
fn find_within(b: &[u8], lo: u8, hi: u8) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let w = word_at(chunk, 0);
        // Per byte, with the high bit cleared no carry crosses bytes: the high bit of
        // `x + (0x80 - lo)` says `x >= lo`, that of `x + (0x7f - hi)` says `x > hi`. Bytes of
        // multi-byte characters (high bit set) are masked out.
        let x = w & !HIGH;
        let above_lo = x.wrapping_add(ONES * u64::from(0x80 - lo));
        let above_hi = x.wrapping_add(ONES * u64::from(0x7f - hi));
        let found = above_lo & !above_hi & !w & HIGH;
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = chunks
        .remainder()
        .iter()
        .position(|c| (lo..=hi).contains(c))?;
    Some(at + rest)
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
    fn digit_runs_agree_with_a_byte_walk() {
        let reference = |b: &[u8], class: u16, n: usize| {
            let (mut run, mut most) = (0, 0);
            for &c in b {
                if c.is_ascii_digit() {
                    run += 1;
                    most = most.max(run);
                } else if !is(c, class) {
                    run = 0;
                }
            }
            most >= n
        };
        let mut seed = 13u64;
        for _ in 0..100_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (seed >> 58) as usize;
            let text: Vec<u8> = (0..len)
                .map(|i| b"0123 -.()+x\xc3_"[((seed >> (i % 55)) as usize ^ i) % 13])
                .collect();
            for (class, n) in [(CARD, 13), (PHONE, 7), (CARD, 3), (PHONE, 1)] {
                let want = reference(&text, class, n);
                assert_eq!(digits_in_a_run(&text, class, n), want, "{text:?} {n}");
            }
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

    #[test]
    fn letters_and_digits_are_found_eight_bytes_at_a_time() {
        let mut seed = 9u64;
        for _ in 0..100_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (seed >> 58) as usize;
            let text: Vec<u8> = (0..len)
                .map(|i| {
                    let r = (seed >> (i % 50)) as u8 ^ (i as u8).wrapping_mul(31);
                    // Mostly bytes at the letters' edges, and some with the high bit set.
                    match r % 4 {
                        0 => r,
                        1 => r | 0x80,
                        _ => b"@AZ[`az{\xc1\xda/09:"[usize::from(r) % 14],
                    }
                })
                .collect();
            let want = text.iter().position(u8::is_ascii_uppercase);
            assert_eq!(find_upper(&text), want, "{text:?}");
            let want = text.iter().position(u8::is_ascii_digit);
            assert_eq!(find_digit(&text), want, "{text:?}");
        }
    }
}
