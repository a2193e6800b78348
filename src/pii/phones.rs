//! Phone numbers in text: digit runs shaped like a number, with a phone keyword, a `+` or a
//! phone field-name hint.

use std::sync::LazyLock;

use regex::Regex;

use super::Sink;
use super::bytes;
use super::fieldname::Hints;
use crate::model::{Confidence, Kind};

pub(super) static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)(?:\+|\b)\(?\d[\d ().-]{5,20}\d\b").expect("static regex"));

pub(super) static PHONE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)phone|\btel\b|call|mobile|\bcell|sms|fax|whatsapp").expect("static regex")
});

/// Whether `phones` can find anything: each of its numbers has 7 digits or more, in a run of
/// the bytes a `PHONE` match is made of.
pub(crate) fn phone_shaped(text: &str) -> bool {
    bytes::digits_in_a_run(text.as_bytes(), bytes::PHONE, 7)
}

/// A phone keyword anywhere in the text: without one (or a hint, or `+`) no digit run is a phone.
pub(crate) fn phone_context(text: &str) -> bool {
    if !text.is_ascii() {
        return PHONE_WORD.is_match(text);
    }
    // `PHONE_WORD` on ASCII text, where its case folding and word boundaries are ASCII ones.
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let edge = |i: usize| i == 0 || !word(b[i - 1]);
    (0..b.len()).any(|i| {
        let rest = &b[i..];
        let is = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
        match b[i].to_ascii_lowercase() {
            b'p' => is(b"phone"),
            b't' => is(b"tel") && edge(i) && rest.get(3).is_none_or(|c| !word(*c)),
            b'c' => is(b"call") || is(b"cell") && edge(i),
            b'm' => is(b"mobile"),
            b's' => is(b"sms"),
            b'f' => is(b"fax"),
            b'w' => is(b"whatsapp"),
            _ => false,
        }
    })
}

const PHONE_WORDS: [&str; 8] = [
    "phone", "tel", "call", "mobile", "cell", "sms", "fax", "whatsapp",
];

pub(crate) fn phones(text: &str, hints: Hints, sink: &mut Sink) {
    for m in PHONE.find_iter(text) {
        let run = m.as_str().trim_end_matches([' ', '.', '-']);
        let digits = run.bytes().filter(u8::is_ascii_digit).count();
        if !(7..=15).contains(&digits) {
            continue;
        }
        let plus = run.starts_with('+');
        let dots = run.bytes().filter(|c| *c == b'.').count();
        let date_like = run.len() >= 10
            && run.as_bytes()[4] == b'-'
            && run.as_bytes()[..4].iter().all(u8::is_ascii_digit);
        let b = text.as_bytes();
        let after = b.get(m.start() + run.len());
        if date_like
            || dots >= 2 && !run.contains(' ')
            || after.is_some_and(|c| matches!(c, b':' | b'.' | b'T'))
        {
            continue;
        }
        if run.bytes().all(|c| c.is_ascii_digit()) && !hints.has(Hints::PHONE) {
            // A bare digit run with no phone hint is an id, a count or an epoch time.
            continue;
        }
        let before = text[m.start().saturating_sub(30)..m.start()].to_ascii_lowercase();
        let keyword = PHONE_WORDS.iter().any(|w| before.contains(w));
        let mut ev = ev!["pattern: phone number".into()];
        let hinted = sink.hint(&mut ev, Hints::PHONE);
        if !(hinted || keyword || plus && digits >= 10) {
            continue;
        }
        if keyword {
            ev.push("context: phone keyword".into());
        }
        let conf = if hinted {
            Confidence::High
        } else {
            Confidence::Medium
        };
        sink.push(
            Kind::PhoneNumber,
            conf,
            m.start()..m.start() + run.len(),
            ev,
        );
    }
}
