//! Secrets in text: JWTs, bearer and basic tokens, API keys by their prefixes, and password
//! settings. Each runs only past a byte prefilter.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use regex::Regex;

use super::bytes;
use super::fieldname::Hints;
use super::validators::jwt_header_ok;
use super::{Profile, Sink};
use crate::model::{Confidence, Kind};

/// Built once: `memmem::find` would build its searcher again on every call.
static JWT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"eyJ"));
static BEARER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"earer "));
static BASIC: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"asic "));
static API_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
        r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}",
        r"|(?:AKIA|ASIA)[A-Z0-9]{16}|xox[bpas]-[A-Za-z0-9-]{10,}",
        r"|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,})"
    ))
    .expect("static regex")
});

/// `Password=…` in connection strings and query strings (ADO.NET, ODBC, `?pwd=`): the value,
/// up to the next `;`, `&`, quote or space, is the secret (group 2; group 1 is the key).
static PASSWORD_SETTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(password|passwd|pwd)\s*=\s*([^;&\s"']+)"#).expect("static regex")
});

fn is_token_byte(c: u8) -> bool {
    bytes::is(c, bytes::TOKEN)
}

/// Whether `Bearer ` or `Basic ` (`B` in either case) occurs in `b`: found from the `B`s, which
/// are few, before the two searches for the schemes' tails run over the whole text.
fn scheme_word(b: &[u8]) -> bool {
    memchr::memchr2_iter(b'B', b'b', b).any(|i| {
        let rest = &b[i + 1..];
        rest.starts_with(b"earer ") || rest.starts_with(b"asic ")
    })
}

/// Whether one of `API_KEY`'s literal prefixes (`sk_`, `rk_`, `gh?_`, `github_pat_`, `AKIA`,
/// `ASIA`, `AIza`, `xox?-`, `glpat-`) occurs in `b`: without one the regex cannot match, and
/// most values are turned away by this byte search before the regex starts.
fn api_key_prefix(b: &[u8]) -> bool {
    memchr::memchr3_iter(b'_', b'-', b'A', b).any(|i| {
        let before = &b[..i];
        // `gh?_`, `xox?-`: the byte before the sign is any.
        let skip_one = |w: &[u8]| before.len() > w.len() && before[..i - 1].ends_with(w);
        match b[i] {
            b'_' => {
                before.ends_with(b"sk")
                    || before.ends_with(b"rk")
                    || before.ends_with(b"github")
                    || skip_one(b"gh")
            }
            b'-' => before.ends_with(b"glpat") || skip_one(b"xox"),
            _ => [b"AKIA", b"ASIA", b"AIza"]
                .iter()
                .any(|p| b[i..].starts_with(*p)),
        }
    })
}

pub(crate) fn secrets(text: &str, p: &Profile, sink: &mut Sink) {
    let b = text.as_bytes();
    if p.len >= 30 && p.dots >= 2 && p.j {
        let mut from = 0;
        while let Some(off) = JWT.find(&b[from..]) {
            let start = from + off;
            let mut end = start;
            while end < b.len()
                && (b[end].is_ascii_alphanumeric() || matches!(b[end], b'-' | b'_' | b'.'))
            {
                end += 1;
            }
            from = end.max(start + 3);
            let tok = text[start..end].trim_end_matches('.');
            if (start == 0 || !b[start - 1].is_ascii_alphanumeric()) && jwt_header_ok(tok) {
                let mut ev = ev![
                    "pattern: JWT".into(),
                    "validator: JWT header decodes (alg)".into(),
                ];
                if text[..start].to_ascii_lowercase().ends_with("bearer ") {
                    ev.push("bearer scheme".into());
                }
                sink.hint(&mut ev, Hints::SECRET);
                sink.push(
                    Kind::SecretToken,
                    Confidence::High,
                    start..start + tok.len(),
                    ev,
                );
            }
        }
    }
    if p.len >= 20 && p.space && scheme_word(b) {
        // One search per scheme tail (`earer `, `asic `) covers both capitalisations.
        for (finder, min) in [(&*BEARER, 16), (&*BASIC, 8)] {
            let tail = finder.needle();
            let mut from = 0;
            while let Some(off) = finder.find(&b[from..]) {
                let at = from + off;
                from = at + tail.len();
                if at == 0
                    || !matches!(b[at - 1], b'B' | b'b')
                    || (at >= 2 && b[at - 2].is_ascii_alphanumeric())
                {
                    continue;
                }
                let start = at + tail.len();
                let end = start + b[start..].iter().take_while(|c| is_token_byte(**c)).count();
                from = end;
                let tok = &b[start..end];
                if tok.len() >= min && tok.iter().any(u8::is_ascii_digit) {
                    let why = if min == 16 {
                        "pattern: bearer token"
                    } else {
                        "pattern: basic token"
                    };
                    let ev = ev![why.into()];
                    sink.push(Kind::SecretToken, Confidence::High, start..end, ev);
                }
            }
        }
    }
    if p.len >= 20 && (p.underscores || p.dashes > 0 || p.upper) && api_key_prefix(b) {
        for m in API_KEY.find_iter(text) {
            // Boundaries are checked here so the regex keeps its literal-prefix prefilter.
            let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
            if m.start() > 0 && word(&b[m.start() - 1]) || b.get(m.end()).is_some_and(word) {
                continue;
            }
            let prefix: String = m
                .as_str()
                .chars()
                .take_while(|c| *c != '_' && *c != '-')
                .take(6)
                .collect();
            let ev = ev![format!("pattern: API key prefix {prefix}").into()];
            sink.push(Kind::SecretToken, Confidence::High, m.range(), ev);
        }
    }
    if p.equals {
        for c in PASSWORD_SETTING.captures_iter(text) {
            let (Some(key), Some(value)) = (c.get(1), c.get(2)) else {
                continue;
            };
            // `PWD=/home/alice` in an environment dump is the working directory.
            let directory = value.as_str().starts_with(['/', '~']);
            if !(key.as_str().eq_ignore_ascii_case("pwd") && directory) {
                let ev = ev!["pattern: password setting".into()];
                sink.push(Kind::SecretToken, Confidence::High, value.range(), ev);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::random_texts;

    #[test]
    fn schemes_are_found_from_their_first_letter() {
        let pieces = [
            "Bearer ", "bearer", "earer ", "Basic ", "basic", "asic ", " ", "B", "b", "x", "é",
        ];
        let has = |b: &[u8], w: &[u8]| memchr::memmem::find(b, w).is_some();
        let mut schemes = 0;
        for text in random_texts(11, &pieces, 100_000) {
            let b = text.as_bytes();
            let words: [&[u8]; 4] = [b"Bearer ", b"bearer ", b"Basic ", b"basic "];
            let want = words.iter().any(|w| has(b, w));
            schemes += usize::from(want);
            assert_eq!(scheme_word(b), want, "{text:?}");
        }
        assert!(schemes > 10_000, "{schemes}");
    }

    #[test]
    fn api_keys_are_searched_only_past_a_prefix() {
        let pieces = [
            "sk_",
            "rk_",
            "live_",
            "test_",
            "ghp_",
            "ghx_",
            "github_pat_",
            "AKIA",
            "ASIA",
            "AIza",
            "xoxb-",
            "xoxz-",
            "glpat-",
            "gh",
            "xox",
            "s",
            "k",
            "_",
            "-",
            "A",
            "ABCDEFGHIJ",
            "0123456789",
            "abcdefghij_",
            "é",
            " ",
            "Ab1-",
            "KIA",
            "SIA",
            "Iza",
        ];
        let mut matched = 0;
        for text in random_texts(11, &pieces, 200_000) {
            if API_KEY.is_match(&text) {
                matched += 1;
                assert!(api_key_prefix(text.as_bytes()), "{text:?}");
            }
        }
        assert!(matched > 2_000, "{matched}");
        assert!(!api_key_prefix(
            b"GET https://api.example.com/v1 failed: B-52 at_home"
        ));
    }
}
