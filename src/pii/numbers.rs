//! Text detectors for number-shaped identifiers: IPv4/IPv6, MAC, GUIDs linked to the tenant,
//! card numbers (Luhn + issuer), IBANs (mod-97) and coordinates (phone numbers: `phones`).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::bytes;
use super::fieldname::{Axis, Hints};
use super::validators::{
    card_issuer, iban_prefix, ipv4_identifying, ipv6_identifying, is_guid, is_mac, is_private_v4,
    luhn,
};
use super::{Reads, Sink};
use crate::model::{Confidence, Kind};

static CARD_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)\b\d[\d -]{11,40}\d\b").expect("static regex"));
static GEO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)(-?\d{1,3}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)").expect("static regex")
});

fn addr_byte(c: u8) -> bool {
    bytes::is(c, bytes::ADDR)
}

/// Words that make a dotted quad a version, not an address.
fn version_cue(before: &str) -> bool {
    let tail = before
        .get(before.len().saturating_sub(24)..)
        .unwrap_or(before)
        .to_ascii_lowercase();
    let t = tail.trim_end();
    t.ends_with('v')
        || [
            "version", "ver", "build", "add-in", "addin", "release", "update", "kb", "sdk",
            "runtime", "os",
        ]
        .iter()
        .any(|w| t.ends_with(w))
}

/// The maximal runs of address bytes that hold a digit, in order: only those can be
/// addresses. Each is found from its first digit, so the bytes of other runs are read once.
fn runs_with_a_digit(b: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let digit = i + bytes::find_digit(b.get(i..)?)?;
        // `b[i - 1]`, the end of the last run, is no address byte: no run starts before `i`.
        let mut s = digit;
        while s > i && addr_byte(b[s - 1]) {
            s -= 1;
        }
        let mut e = digit;
        while e < b.len() && addr_byte(b[e]) {
            e += 1;
        }
        i = e;
        Some(s..e)
    })
}

/// Maximal runs of hex digits, `:`, `.` and `-`, bounded by non-word bytes; each run is
/// classified whole, so a dotted quad inside a longer version chain never matches.
pub(crate) fn addresses(text: &str, hints: Hints, sink: &mut Sink) {
    let b = text.as_bytes();
    for run in runs_with_a_digit(b) {
        let (mut s, mut e) = (run.start, run.end);
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        if (s > 0 && word(b[s - 1])) || (e < b.len() && word(b[e])) {
            continue;
        }
        while s < e && matches!(b[s], b'.' | b'-') {
            s += 1;
        }
        while e > s && matches!(b[e - 1], b'.' | b'-' | b':') && !text[s..e].ends_with("::") {
            e -= 1;
        }
        let run = &text[s..e];
        if run.len() < 7 || !run.bytes().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let (mut colons, mut dots, mut dashes) = (0, 0, 0);
        for c in run.bytes() {
            match c {
                b':' => colons += 1,
                b'.' => dots += 1,
                b'-' => dashes += 1,
                _ => {}
            }
        }
        if !hints.negative() && colons == 0 && dashes == 0 && dots == 3 {
            let Some(ip) = ipv4_identifying(run) else {
                continue;
            };
            let ip_hint = hints.has(Hints::IP);
            let small = ip.octets().iter().all(|o| *o <= 30);
            if !ip_hint && (version_cue(&text[..s]) || small) {
                continue;
            }
            let mut ev = ev!["pattern: IPv4".into(), "validator: address parse".into()];
            let mut conf = if run.len() == b.len() {
                Confidence::Medium
            } else {
                Confidence::Low
            };
            if !is_private_v4(ip) && run.len() != b.len() {
                conf = Confidence::Medium;
            }
            if sink.hint(&mut ev, Hints::IP) {
                conf = Confidence::High;
            }
            sink.push(Kind::IpAddress, conf, s..e, ev);
        } else if colons >= 2 && dashes == 0 && !hints.negative() {
            if is_mac(run) {
                mac(s..e, sink);
            } else if ipv6_identifying(run).is_some() && (colons >= 4 || hints.has(Hints::IP)) {
                let mut ev = ev!["pattern: IPv6".into(), "validator: address parse".into()];
                let conf = if sink.hint(&mut ev, Hints::IP) {
                    Confidence::High
                } else {
                    Confidence::Medium
                };
                sink.push(Kind::IpAddress, conf, s..e, ev);
            }
        } else if dashes == 5 && is_mac(run) {
            mac(s..e, sink);
        } else if dashes == 4 && is_guid(run) {
            sink.read(Reads::COLUMNS);
            let linked = sink
                .ctx
                .tenant_id
                .is_some_and(|t| t.eq_ignore_ascii_case(run));
            if linked && run.len() != b.len() {
                let ev = ev![
                    "pattern: GUID".into(),
                    "link: equals column tenant_id".into(),
                ];
                sink.push(Kind::TenantId, Confidence::High, s..e, ev);
            }
        }
    }
}

fn mac(span: Range<usize>, sink: &mut Sink) {
    let mut ev = ev!["pattern: MAC address".into()];
    let conf = if sink.hint(&mut ev, Hints::MAC) {
        Confidence::High
    } else {
        Confidence::Medium
    };
    sink.push(Kind::MacAddress, conf, span, ev);
}

fn card_candidate(text: &str, start: usize, run: &str, sink: &mut Sink) -> bool {
    let digits: String = run
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(char::from)
        .collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    // Groups must look like a card (4-4-4-4, 4-6-5) or be one block, never GUID-like 8-4-4.
    let groups: Vec<usize> = run.split([' ', '-']).map(str::len).collect();
    let grouped = groups.len() == 1
        || groups[..groups.len() - 1].iter().all(|g| *g == 4) && groups[groups.len() - 1] <= 4
        || groups == [4, 6, 5]
        || groups == [4, 6, 4];
    if !grouped || run.contains(' ') && run.contains('-') {
        return false;
    }
    let b = text.as_bytes();
    let end = start + run.len();
    let guid_context = (start > 0 && b[start - 1] == b'-') || b.get(end) == Some(&b'-');
    if guid_context || !luhn(&digits) {
        return false;
    }
    let Some(issuer) = card_issuer(&digits) else {
        return false;
    };
    let mut ev = ev![
        "pattern: card number".into(),
        format!("validator: Luhn + issuer range ({issuer})").into(),
    ];
    let keyword = {
        let before = &text[start.saturating_sub(40)..start];
        let l = before.to_ascii_lowercase();
        ["card", "visa", "mastercard", "amex", "payment", "cc"]
            .iter()
            .any(|k| l.contains(k))
    };
    let conf = if sink.hint(&mut ev, Hints::CARD) || keyword {
        Confidence::High
    } else {
        Confidence::Medium
    };
    if keyword {
        ev.push("context: card keyword".into());
    }
    sink.push(Kind::CreditCard, conf, start..end, ev);
    true
}

pub(crate) fn cards(text: &str, sink: &mut Sink) {
    // Every candidate (a `CARD_RUN` match, or a piece of one) needs 13 digits, and lies in
    // one run of digits, spaces and dashes.
    if !bytes::digits_in_a_run(text.as_bytes(), bytes::CARD, 13) {
        return;
    }
    for m in CARD_RUN.find_iter(text) {
        let run = m.as_str();
        if !card_candidate(text, m.start(), run, sink) && run.contains(' ') {
            let mut off = m.start();
            for piece in run.split(' ') {
                if piece.len() >= 13 {
                    card_candidate(text, off, piece, sink);
                }
                off += piece.len() + 1;
            }
        }
    }
}

/// Where `(?-u)\b[A-Z]{2}\d{2} ?[A-Z0-9]{4}` matches, leftmost first and without overlaps as
/// a regex's `find_iter` would report them (a regex has no literal to skip ahead with here,
/// and this runs on many strings).
fn iban_starts(b: &[u8], mut found: impl FnMut(usize)) {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let code = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let mut i = 0;
    while i + 8 <= b.len() {
        // Each start is an upper-case letter: the bytes up to the next one are skipped.
        let Some(upper) = bytes::find_upper(&b[i..b.len() - 7]) else {
            return;
        };
        i += upper;
        if b[i].is_ascii_uppercase()
            && b[i + 1].is_ascii_uppercase()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
            && (i == 0 || !word(b[i - 1]))
        {
            let j = i + 4;
            // ` ?` is greedy: with the space when four code characters follow it.
            if b[j] == b' ' && (j + 1..j + 5).all(|k| code(b.get(k))) {
                found(i);
                i = j + 5;
                continue;
            }
            if (j..j + 4).all(|k| code(b.get(k))) {
                found(i);
                i = j + 4;
                continue;
            }
        }
        i += 1;
    }
}

pub(crate) fn ibans(text: &str, sink: &mut Sink) {
    let mut starts = Vec::new();
    iban_starts(text.as_bytes(), |i| starts.push(i));
    for start in starts {
        if let Some(len) = iban_prefix(&text[start..]) {
            let mut ev = ev![
                "pattern: IBAN".into(),
                "validator: mod-97 + country length".into(),
            ];
            sink.hint(&mut ev, Hints::IBAN);
            sink.push(Kind::Iban, Confidence::High, start..start + len, ev);
        }
    }
}

pub(crate) fn geo(text: &str, hints: Hints, sink: &mut Sink) {
    for c in GEO.captures_iter(text) {
        let (Some(all), Some(lat), Some(lon)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let b = text.as_bytes();
        if (all.start() > 0 && (b[all.start() - 1].is_ascii_digit() || b[all.start() - 1] == b'.'))
            || b.get(all.end())
                .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
        {
            continue;
        }
        let decimals = |s: &str| s.split('.').nth(1).map_or(0, str::len);
        let (Ok(la), Ok(lo)) = (lat.as_str().parse::<f64>(), lon.as_str().parse::<f64>()) else {
            continue;
        };
        let hinted = hints.has(Hints::GEO);
        let precise = decimals(lat.as_str()) >= 3 && decimals(lon.as_str()) >= 3;
        if la.abs() <= 90.0 && lo.abs() <= 180.0 && (precise || hinted) && !(la == 0.0 && lo == 0.0)
        {
            let mut ev = ev![
                "pattern: lat,lon pair".into(),
                "validator: coordinate ranges".into(),
            ];
            let conf = if sink.hint(&mut ev, Hints::GEO) {
                Confidence::High
            } else {
                Confidence::Medium
            };
            sink.push(Kind::GeoCoordinates, conf, all.range(), ev);
        }
    }
}

/// A number named as a coordinate (`"lat": 47.6062`, GeoJSON's `"coordinates": [-122.33,
/// 47.61]`): a place when it is in range for its axis and precise enough to tell one. Two
/// decimals place it within about a kilometre (medium), three within about a hundred metres
/// (high); whole degrees and 0 (a default, as `0.0.0.0` is for addresses) say nothing.
pub(crate) fn coordinate(text: &str, key: &str, axis: Axis, sink: &mut Sink) {
    let Ok(v) = text.parse::<f64>() else { return };
    let decimals = text.split_once('.').map_or(0, |(_, frac)| {
        frac.bytes().take_while(u8::is_ascii_digit).count()
    });
    let limit = match axis {
        Axis::Latitude => 90.0,
        Axis::Longitude | Axis::Either => 180.0,
    };
    if decimals < 2 || v == 0.0 || v.abs() > limit {
        return;
    }
    let mut ev = ev![
        "pattern: decimal degrees".into(),
        match axis {
            Axis::Latitude => "validator: latitude range".into(),
            Axis::Longitude | Axis::Either => "validator: longitude range".into(),
        },
    ];
    // `long` names a longitude only beside a number: it is no hint for text.
    if !sink.hint(&mut ev, Hints::GEO) {
        ev.push(super::fieldname::evidence_text(key));
    }
    let conf = if decimals >= 3 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    sink.push(Kind::GeoCoordinates, conf, 0..text.len(), ev);
}

#[cfg(test)]
mod tests {
    use super::super::phones::{PHONE, PHONE_WORD, phone_context, phone_shaped};
    use super::*;
    use crate::pii::random_texts;

    #[test]
    fn hand_written_matchers_agree_with_their_regexes() {
        let iban = Regex::new(r"(?-u)\b[A-Z]{2}\d{2} ?[A-Z0-9]{4}").expect("regex");
        let mut seed = 1u64;
        let mut hits = 0;
        let pieces = [
            "DE89", "GB82", " ", "WEST", "1234", "AB", "12", "x", "_", "Z9", "DE8", "9 ", "3704",
            "a", "phone", "TEL", "tel", "Call", "cell", "sms", "FAX", "whatsapp", "mobile", "-",
            ".", "é",
        ];
        for _ in 0..100_000 {
            let mut text = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for _ in 0..(seed >> 33) % 9 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let want: Vec<usize> = iban.find_iter(&text).map(|m| m.start()).collect();
            hits += want.len();
            let mut got = Vec::new();
            iban_starts(text.as_bytes(), |i| got.push(i));
            assert_eq!(got, want, "{text:?}");
            assert_eq!(phone_context(&text), PHONE_WORD.is_match(&text), "{text:?}");
        }
        assert!(hits > 1000, "{hits}");
    }

    const NUMBERY: [&str; 24] = [
        "1",
        "12",
        "1234",
        "4111",
        "1111111",
        " ",
        "-",
        ".",
        ":",
        "(",
        ")",
        "+",
        "a",
        "f",
        "g",
        "_",
        "é",
        "::",
        "10.0.",
        "192.168.1.",
        "-12",
        "x",
        "+1 ",
        "00:1a",
    ];

    #[test]
    fn address_runs_are_the_runs_with_a_digit() {
        for text in random_texts(5, &NUMBERY, 100_000) {
            let b = text.as_bytes();
            let mut want = vec![];
            let mut i = 0;
            while i < b.len() {
                if !addr_byte(b[i]) {
                    i += 1;
                    continue;
                }
                let s = i;
                while i < b.len() && addr_byte(b[i]) {
                    i += 1;
                }
                if b[s..i].iter().any(u8::is_ascii_digit) {
                    want.push(s..i);
                }
            }
            assert_eq!(runs_with_a_digit(b).collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    #[test]
    fn card_and_phone_candidates_pass_the_digit_run_checks() {
        let digits = |s: &str| s.bytes().filter(u8::is_ascii_digit).count();
        let (mut cards, mut phones) = (0, 0);
        for text in random_texts(5, &NUMBERY, 200_000) {
            for m in CARD_RUN.find_iter(&text) {
                let pieces = m.as_str().split(' ').map(digits);
                if pieces.chain([digits(m.as_str())]).any(|n| n >= 13) {
                    cards += 1;
                    assert!(bytes::digits_in_a_run(text.as_bytes(), bytes::CARD, 13));
                }
            }
            for m in PHONE.find_iter(&text) {
                if digits(m.as_str().trim_end_matches([' ', '.', '-'])) >= 7 {
                    phones += 1;
                    assert!(phone_shaped(&text), "{text:?}");
                }
            }
        }
        assert!(cards > 1_000 && phones > 10_000, "{cards} {phones}");
    }
}
