//! Making untrusted export text safe to put on a terminal, small display helpers, and reading
//! text eight bytes at a time (`word_at`, `json_plain_run`).
//! Control characters, ANSI escapes and bidi overrides become visible escapes (`\x1b`,
//! `\u{202e}`), so nothing in an export can move the cursor, recolour or reorder the screen.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};

/// `text` with every character that could act on a terminal written as a visible escape.
pub fn visible(text: &str) -> Cow<'_, str> {
    // Printable ASCII, nearly every value, is told apart a word at a time.
    if printable_ascii_without(text.as_bytes(), 0x7f, 0x7f) || !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Characters that reorder text (Trojan Source): embeddings, overrides, isolates and marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// A stored timestamp shown in UTC as `2026-09-01 12:00:00.000`; text that is not RFC 3339 is
/// shown as it is (made visible).
pub fn utc_time(ts: &str) -> Cow<'_, str> {
    if canonical_utc(ts) && valid_canonical(ts) {
        // Nearly every stored time, and the one formatting done per finding of `telex scan`:
        // in UTC already, so only the `T` and the `Z` change.
        let mut out = String::with_capacity(23);
        out.push_str(&ts[..10]);
        out.push(' ');
        out.push_str(&ts[11..23]);
        return Cow::Owned(out);
    }
    utc_time_parsed(ts)
}

fn utc_time_parsed(ts: &str) -> Cow<'_, str> {
    match DateTime::parse_from_rfc3339(ts) {
        Ok(t) => Cow::Owned(
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M:%S%.3f")
                .to_string(),
        ),
        Err(_) => visible(ts),
    }
}

/// A stored timestamp normalised to RFC 3339 UTC (`2026-09-01T10:00:00.000Z`), for batch output.
pub fn rfc3339_utc(ts: &str) -> String {
    rfc3339_utc_cow(ts).into_owned()
}

/// `rfc3339_utc`, borrowing `ts` when it is already in that form (the exports' own), which
/// parsing and formatting again would give back unchanged — or leave as it is, if invalid.
pub fn rfc3339_utc_cow(ts: &str) -> Cow<'_, str> {
    if canonical_utc(ts) {
        return Cow::Borrowed(ts);
    }
    Cow::Owned(reformat_utc(ts))
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, by shape only: `rfc3339_utc` gives such text back unchanged.
/// It is ASCII digits and punctuation, so JSON writes it as it is. Every event's time goes
/// through here, so it is checked eight bytes at a time.
pub(crate) fn canonical_utc(ts: &str) -> bool {
    const SHAPE: &[u8; 24] = b"0000-00-00T00:00:00.000Z";
    // How far each byte may be from its shape byte (XOR): 9 where a digit goes ('0' XOR
    // '0'..='9' is 0..=9, and no other byte gives that), 0 where punctuation goes.
    const SLACK: [u8; 24] = {
        let mut slack = [0; 24];
        let mut i = 0;
        while i < 24 {
            slack[i] = if SHAPE[i] == b'0' { 9 } else { 0 };
            i += 1;
        }
        slack
    };
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Ok(ts) = <&[u8; 24]>::try_from(ts.as_bytes()) else {
        return false;
    };
    (0..3).all(|w| {
        let off = word_at(ts, w * 8) ^ word_at(SHAPE, w * 8);
        let slack = word_at(&SLACK, w * 8) | HIGH;
        // With every byte of `off` below 0x80, `slack - off` borrows across no byte, and
        // keeps a byte's high bit exactly when that byte is within its slack.
        off & HIGH == 0 && (slack - off) & HIGH == HIGH
    })
}

/// Whether a `canonical_utc` text is a real time as `DateTime::parse_from_rfc3339` reads it:
/// a date that exists, hours, minutes and seconds in range (a leap second is left to chrono).
fn valid_canonical(ts: &str) -> bool {
    let b = ts.as_bytes();
    let n = |at: usize, len: usize| {
        b[at..at + len]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    chrono::NaiveDate::from_ymd_opt(n(0, 4) as i32, n(5, 2), n(8, 2)).is_some()
        && n(11, 2) < 24
        && n(14, 2) < 60
        && n(17, 2) < 60
}

fn reformat_utc(ts: &str) -> String {
    match DateTime::parse_from_rfc3339(ts) {
        Ok(t) => t
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true),
        Err(_) => ts.to_string(),
    }
}

/// A byte count for people: `812 B`, `4.2 KB`, `3.1 MB`.
pub fn human_size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{size:.1} {}", UNITS[unit])
    }
}

/// A count with thousands separators: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The eight bytes of `b` from `i` on, as one little-endian word: byte-class tests run on
/// eight bytes at a time. Panics, as slicing does, when fewer than eight bytes are left.
#[inline(always)]
pub(crate) fn word_at(b: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(w)
}

/// `a == b`, a word at a time and inlined. The scan compares short strings by the million
/// (field names, ids, pointers, the values it remembers); for those a call to `memcmp`
/// costs more than the comparison (measured: 7 % of a scan's cycles went to the calls).
#[inline(always)]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    // Whole words, then the last eight bytes (which may overlap the words before).
    let mut i = 0;
    while i + 8 <= n {
        if word_at(a, i) != word_at(b, i) {
            return false;
        }
        i += 8;
    }
    word_at(a, n - 8) == word_at(b, n - 8)
}

/// Whether every byte of `b` is printable ASCII (`' '..='~'`, what `visible` leaves as it is)
/// and none is `x` or `y`. Eight bytes at a time: batch output asks this of every cell.
pub(crate) fn printable_ascii_without(b: &[u8], x: u8, y: u8) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Each term is non-zero exactly when some byte of the word is of its kind (a term's
    // flags may be wrong above a real hit, never when there is none).
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let hit = |w: u64| {
        // `w + ONES` carries only out of 0xff, which `w & HIGH` flags anyway.
        (w | w.wrapping_add(ONES)) & HIGH
            | w.wrapping_sub(ONES * 0x20) & !w & HIGH
            | zero_byte(w ^ (ONES * u64::from(x)))
            | zero_byte(w ^ (ONES * u64::from(y)))
    };
    let mut words = b.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        if hit(u64::from_le_bytes(w)) != 0 {
            return false;
        }
    }
    words
        .remainder()
        .iter()
        .all(|&c| (0x20..0x7f).contains(&c) && c != x && c != y)
}

/// The first index from `i` on of a byte that ends a plain run of JSON string text: `"`, `\\`,
/// a control character, and also any non-ASCII byte when `stop_at_wide`; the length when
/// there is none. Eight bytes at a time (SWAR): the JSON reader and writer both spend most
/// of their time on plain runs.
pub(crate) fn json_plain_run(b: &[u8], mut i: usize, stop_at_wide: bool) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Flags (high bit of each byte) for the stop bytes of one word; below a real stop the
    // flags are exact, so the lowest one is the first stop.
    let flags = |w: u64| {
        let quote = w ^ (ONES * u64::from(b'"'));
        let slash = w ^ (ONES * u64::from(b'\\'));
        let wide = if stop_at_wide { w } else { 0 };
        ((quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (w.wrapping_sub(ONES * 0x20) & !w)
            | wide)
            & HIGH
    };
    while i + 8 <= b.len() {
        let hit = flags(word_at(b, i));
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    if i >= b.len() {
        return b.len();
    }
    if b.len() < 8 {
        let plain = |c: u8| c >= 0x20 && c != b'"' && c != b'\\' && !(stop_at_wide && c >= 0x80);
        while i < b.len() && plain(b[i]) {
            i += 1;
        }
        return i;
    }
    // The last eight bytes, overlapping bytes before `i`. Those are replaced with a plain
    // byte: a stop among them (the escape a caller just wrote out) would borrow into the
    // byte above it and flag a plain one. With no stop below, the lowest flag is exact.
    let base = b.len() - 8;
    let mine = u64::MAX << (8 * (i - base));
    let hit = flags((word_at(b, base) & mine) | ((ONES * u64::from(b'a')) & !mine));
    if hit == 0 {
        b.len()
    } else {
        base + (hit.trailing_zeros() / 8) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_is_told_word_by_word_as_byte_by_byte() {
        let bytes: Vec<u8> = (0u8..=255).collect();
        let base = b"plain text, \"quoted\" ~ 0123456789 abcdefghijklmnop";
        for len in 0..base.len() {
            for at in 0..len.max(1) {
                for &b in &bytes {
                    let mut text = base[..len].to_vec();
                    if len > 0 {
                        text[at] = b;
                    }
                    for (x, y) in [(b',', b'"'), (0x7f, 0x7f)] {
                        let want = text
                            .iter()
                            .all(|&c| (0x20..0x7f).contains(&c) && c != x && c != y);
                        assert_eq!(printable_ascii_without(&text, x, y), want, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn utc_times_of_canonical_stamps_are_chronos() {
        let mut stamps = vec![
            "2026-06-03T02:42:36.717Z",
            "0000-01-01T00:00:00.000Z",
            "9999-12-31T23:59:59.999Z",
            "2024-02-29T12:00:00.000Z",
            "2026-02-29T12:00:00.000Z",
            "2026-02-30T12:00:00.000Z",
            "2026-00-10T12:00:00.000Z",
            "2026-13-10T12:00:00.000Z",
            "2026-01-00T12:00:00.000Z",
            "2026-01-32T12:00:00.000Z",
            "2026-04-31T12:00:00.000Z",
            "2026-01-01T24:00:00.000Z",
            "2026-01-01T23:60:00.000Z",
            "2026-06-30T23:59:60.000Z",
            "2026-01-01T00:00:99.000Z",
        ];
        let varied: Vec<String> = (0..400)
            .map(|i| {
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                    1900 + i * 7 % 300,
                    i % 14,
                    i * 3 % 33,
                    i % 26,
                    i * 7 % 62,
                    i * 11 % 63,
                    i * 37 % 1000
                )
            })
            .collect();
        stamps.extend(varied.iter().map(String::as_str));
        for ts in stamps {
            assert!(canonical_utc(ts), "{ts}");
            assert_eq!(utc_time(ts), utc_time_parsed(ts), "{ts}");
        }
    }

    #[test]
    fn canonical_timestamps_come_back_as_they_are() {
        // Valid or not (hour 24, 30 February, leap second), chrono gives such a stamp back.
        let mut seed = 7u64;
        let mut digit = |hi: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            char::from(b'0' + (seed % hi) as u8)
        };
        for _ in 0..20_000 {
            let ts = format!(
                "{}{}{}{}-{}{}-{}{}T{}{}:{}{}:{}{}.{}{}{}Z",
                digit(3),
                digit(10),
                digit(10),
                digit(10),
                digit(2),
                digit(10),
                digit(4),
                digit(10),
                digit(3),
                digit(10),
                digit(7),
                digit(10),
                digit(7),
                digit(10),
                digit(10),
                digit(10),
                digit(10)
            );
            assert_eq!(reformat_utc(&ts), ts, "{ts}");
        }
        for ts in [
            "2026-06-30T23:59:60.000Z",
            "2024-02-29T00:00:00.000Z",
            "0000-01-01T00:00:00.000Z",
        ] {
            assert_eq!(reformat_utc(ts), ts);
        }
    }

    #[test]
    fn escapes_controls_ansi_and_bidi_and_leaves_the_rest() {
        assert!(matches!(visible("plain café 日本"), Cow::Borrowed(_)));
        assert_eq!(visible("a\u{1b}[31mred"), "a\\x1b[31mred");
        assert_eq!(visible("l1\nl2\tx\r"), "l1\\nl2\\tx\\r");
        assert_eq!(
            visible("abc\u{202e}def\u{2066}"),
            "abc\\u{202e}def\\u{2066}"
        );
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m", "C1 CSI too");
        assert_eq!(visible("\u{7f}"), "\\x7f");
    }

    #[test]
    fn same_text_agrees_with_eq() {
        let alphabet = ["a", "b", "é", "0", "-", "日"];
        let mut seed = 11u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            seed >> 33
        };
        for _ in 0..20_000 {
            let len = next() % 40;
            let a: String = (0..len).map(|_| alphabet[(next() % 2) as usize]).collect();
            // Mostly an equal copy with at most one change, so that equal lengths are common.
            let mut b = a.clone();
            if next() % 3 != 0 && !b.is_empty() {
                let at = (next() as usize) % b.len();
                if b.is_char_boundary(at) && b.is_char_boundary(at + 1) {
                    b.replace_range(at..at + 1, alphabet[(next() % 6) as usize]);
                }
            }
            if next() % 5 == 0 {
                b.push_str(alphabet[(next() % 6) as usize]);
            }
            assert_eq!(same_text(&a, &b), a == b, "{a:?} {b:?}");
            assert_eq!(same_text(&b, &a), a == b, "{a:?} {b:?}");
        }
        assert!(same_text("", ""));
        assert!(!same_text("12345678x", "12345678y"));
        assert!(!same_text("x12345678", "y12345678"));
    }

    #[test]
    fn canonical_times_are_told_by_shape() {
        assert!(canonical_utc("2026-06-03T02:42:36.717Z"));
        assert!(canonical_utc("0000-00-00T99:99:99.999Z"), "shape only");
        let good = b"2026-06-03T02:42:36.717Z";
        for i in 0..good.len() {
            for c in 0..=255u8 {
                let mut ts = *good;
                ts[i] = c;
                let want = match good[i] {
                    b'0'..=b'9' => c.is_ascii_digit(),
                    p => c == p,
                };
                let text = String::from_utf8_lossy(&ts);
                assert_eq!(canonical_utc(&text), want, "{text:?}");
            }
        }
        for bad in [
            "",
            "2026-06-03T02:42:36.717",
            "2026-06-03T02:42:36.717Z ",
            "2026-06-03 02:42:36.717Z",
        ] {
            assert!(!canonical_utc(bad), "{bad:?}");
        }
    }

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(
            utc_time("2026-09-01T14:00:00+02:00"),
            "2026-09-01 12:00:00.000"
        );
        assert_eq!(utc_time("yesterday\u{1b}"), "yesterday\\x1b");
        assert_eq!(
            rfc3339_utc("2026-09-01T14:00:00+02:00"),
            "2026-09-01T12:00:00.000Z"
        );
    }

    #[test]
    fn sizes_and_counts_read_well() {
        assert_eq!(human_size(812), "812 B");
        assert_eq!(human_size(4300), "4.2 KB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MB");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn json_plain_runs_stop_where_json_text_needs_care() {
        let cases: [(&str, usize, usize); 10] = [
            ("plain text, no stops at all", 27, 27),
            // A stop just before the start must not flag the byte after it.
            ("failed\n ok", 6, 6),
            ("abcdefgh\"#cd", 8, 8),
            ("abcdefgh\\]cd", 8, 8),
            ("ab\"cd", 2, 2),
            ("ab\\cd", 2, 2),
            ("abcdefghij\nkl", 10, 10),
            ("abcdefghijé", 12, 10),
            ("é", 2, 0),
            ("abcdefghijklmnopqrstuvwxyz\u{1}", 26, 26),
        ];
        for (text, plain, ascii) in cases {
            let b = text.as_bytes();
            assert_eq!(json_plain_run(b, 0, false), plain, "{text:?}");
            assert_eq!(json_plain_run(b, 0, true), ascii, "{text:?}");
            // From every start, the same answer as a byte-by-byte walk.
            for from in 0..=b.len() {
                for wide in [false, true] {
                    let want = (from..b.len())
                        .find(|&k| {
                            let c = b[k];
                            c < 0x20 || c == b'"' || c == b'\\' || (wide && c >= 0x80)
                        })
                        .unwrap_or(b.len());
                    assert_eq!(json_plain_run(b, from, wide), want, "{text:?} from {from}");
                }
            }
        }
    }
}
