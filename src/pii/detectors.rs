//! Text detectors for secrets (JWT, bearer, API key prefixes, URL passwords), addresses
//! around `@` (email, SIP URI) and user-profile paths. Each runs only past a byte prefilter.

use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use regex::Regex;

use super::bytes;
use super::fieldname::Hints;
use super::intern::{self, Link};
use super::validators::jwt_header_ok;
use super::{Profile, Reads, Sink};
use crate::model::{Confidence, Kind};

/// Built once: `memmem::find` would build its searcher again on every call.
static JWT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"eyJ"));
static BEARER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"earer "));
static BASIC: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"asic "));
static SCHEME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"://"));
static USERS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"sers"));
static HOME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"/home/"));

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

fn local_byte(c: u8) -> bool {
    bytes::is(c, bytes::LOCAL)
}

/// The length of a domain at the start of `s`: labels, at least one dot, alphabetic TLD.
pub(crate) fn domain_len(s: &[u8]) -> Option<usize> {
    let mut end = s
        .iter()
        .position(|c| !bytes::is(*c, bytes::DOMAIN))
        .unwrap_or(s.len());
    while end > 0 && matches!(s[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let d = &s[..end];
    let last_dot = d.iter().rposition(|c| *c == b'.')?;
    let tld = &d[last_dot + 1..];
    // No label is empty or starts with `-`: `d` ends with neither `.` nor `-`, so it is enough
    // that it starts with neither and that no dot is followed by either.
    let labels_ok = !matches!(d[0], b'.' | b'-')
        && !d
            .windows(2)
            .any(|w| w[0] == b'.' && matches!(w[1], b'.' | b'-'));
    (labels_ok && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some(end)
}

/// `scheme://user:password@host`: the whole userinfo up to the authority's last `@` is the
/// secret. Found from `://` rather than from `@`, because passwords often hold `@`, `!` or `#`
/// that the email walk in `at_sign` stops at (`svc:P@ssw0rd1@host` would otherwise be missed).
fn url_userinfo(text: &str, sink: &mut Sink) {
    let b = text.as_bytes();
    // Most emails have no `:` at all: a byte search turns them away before `://` is looked for.
    if memchr::memchr(b':', b).is_none() {
        return;
    }
    let mut from = 0;
    while let Some(off) = SCHEME.find(&b[from..]) {
        let user = from + off + 3;
        from = user;
        let len = b[user..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'?' | b'"' | b'<' | b'>'))
            .unwrap_or(b.len() - user);
        let authority = &b[user..user + len];
        let Some(at) = authority.iter().rposition(|c| *c == b'@') else {
            continue;
        };
        let Some(colon) = authority[..at].iter().position(|c| *c == b':') else {
            continue;
        };
        if colon == 0 || colon + 1 == at || domain_len(&authority[at + 1..]).is_none() {
            continue;
        }
        let ev = ev!["pattern: URL userinfo with password".into()];
        sink.push(Kind::SecretToken, Confidence::High, user..user + at, ev);
    }
}

/// Everything around `@`: URL userinfo with a password (secret), `sip:` URIs, emails.
pub(crate) fn at_sign(text: &str, sink: &mut Sink) {
    url_userinfo(text, sink);
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(off) = memchr::memchr(b'@', &b[from..]) {
        let at = from + off;
        from = at + 1;
        let mut start = at;
        while start > 0 && local_byte(b[start - 1]) {
            start -= 1;
        }
        while start < at && matches!(b[start], b'.' | b'\'' | b'-') {
            start += 1;
        }
        let Some(dlen) = domain_len(&b[at + 1..]) else {
            continue;
        };
        let end = at + 1 + dlen;
        from = end;
        if start > 0 && b[start - 1] == b':' {
            // `scheme://user:password@host`: the credentials are the secret; never an email.
            let mut user = start - 1;
            while user > 0 && local_byte(b[user - 1]) {
                user -= 1;
            }
            if text[..user].ends_with("://") {
                let ev = ev!["pattern: URL userinfo with password".into()];
                sink.push(Kind::SecretToken, Confidence::High, user..at, ev);
                continue;
            }
            let scheme_start = start - 1;
            let lower = text[..scheme_start].to_ascii_lowercase();
            if lower.ends_with("sip") || lower.ends_with("sips") {
                let s = scheme_start - if lower.ends_with("sips") { 4 } else { 3 };
                if s == 0 || !b[s - 1].is_ascii_alphanumeric() {
                    let mut ev = ev!["pattern: sip URI".into()];
                    sink.hint(&mut ev, Hints::SIP);
                    sink.push(Kind::SipUri, Confidence::High, s..end, ev);
                    continue;
                }
            }
        }
        if start == at || (start >= 3 && &b[start - 3..start] == b"://") {
            continue;
        }
        let value = &text[start..end];
        let mut ev = ev!["pattern: email address".into()];
        let mut conf = if start == 0 && end == b.len() {
            Confidence::High
        } else {
            Confidence::Medium
        };
        if sink.hint(&mut ev, Hints::EMAIL) || sink.hint(&mut ev, Hints::USER) {
            conf = Confidence::High;
        }
        sink.read(Reads::EMAILS);
        if let Some(link) = sink
            .ctx
            .emails
            .iter()
            .find(|(v, f)| v.eq_ignore_ascii_case(value) && f != sink.field)
        {
            ev.push(intern::link(Link::SameValue, &link.1));
            conf = Confidence::High;
        }
        sink.push(Kind::Email, conf, start..end, ev);
    }
}

/// `C:\Users\alice`, `/home/alice`, `/Users/alice`: the span ends after the user segment.
pub(crate) fn user_paths(text: &str, sink: &mut Sink) {
    let b = text.as_bytes();
    for (finder, marker_off) in [(&*USERS, 1usize), (&*HOME, 0)] {
        let needle = finder.needle();
        let mut from = 0;
        while let Some(off) = finder.find(&b[from..]) {
            let hit = from + off;
            from = hit + needle.len();
            let Some(m) = hit.checked_sub(marker_off) else {
                continue;
            };
            // Bytes, not str: `m` may fall inside a multi-byte character before the match.
            let rest = &b[m..];
            let before = if m > 0 { b[m - 1] } else { 0 };
            let (m, marker_len, win) = if rest.starts_with(b"/home/") {
                (m, 6, false)
            } else if before == b'/' && rest.starts_with(b"Users/") {
                (m - 1, 7, false)
            } else if before == b'\\'
                && (rest.starts_with(b"Users\\") || rest.starts_with(b"users\\"))
            {
                (m - 1, 7, true)
            } else {
                continue;
            };
            let mut seg_start = m + marker_len;
            // JSON-in-text payloads double their backslashes.
            while seg_start < b.len() && b[seg_start] == b'\\' {
                seg_start += 1;
            }
            let seg_len = b[seg_start..]
                .iter()
                .take_while(|c| {
                    !matches!(
                        c,
                        b'\\'
                            | b'/'
                            | b':'
                            | b'"'
                            | b'\''
                            | b'<'
                            | b'>'
                            | b'|'
                            | b'?'
                            | b'*'
                            | b' '
                            | b'\t'
                            | b'\n'
                            | b','
                            | b')'
                            | b']'
                    )
                })
                .count();
            let seg = &text[seg_start..seg_start + seg_len];
            if seg.is_empty() || !seg.as_bytes()[0].is_ascii_alphanumeric() {
                continue;
            }
            let lower = seg.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "public"
                    | "default"
                    | "all users"
                    | "default user"
                    | "shared"
                    | "runner"
                    | "user"
                    | "username"
                    | "name"
                    | "you"
                    | "me"
            ) {
                continue;
            }
            let mut start = m;
            if win {
                let mut s = m;
                while s > 0 && b[s - 1] == b'\\' {
                    s -= 1;
                }
                if s >= 2 && b[s - 1] == b':' && b[s - 2].is_ascii_alphabetic() {
                    start = s - 2;
                } else {
                    continue;
                }
            } else if m > 0 && (b[m - 1].is_ascii_alphanumeric() || b[m - 1] == b'.') {
                continue;
            }
            let span: Range<usize> = start..seg_start + seg_len;
            let why = if win {
                "pattern: user profile path (windows)"
            } else {
                "pattern: user profile path (unix)"
            };
            let ev = ev![why.into()];
            sink.push(Kind::UserPath, Confidence::High, span, ev);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts of up to eight pieces drawn from `pieces`, the same sequence on every run.
    fn texts(pieces: &[&str], count: usize) -> impl Iterator<Item = String> {
        let mut seed = 11u64;
        (0..count).map(move |_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let n = (seed >> 33) % 9;
            (0..n)
                .map(|i| pieces[((seed >> (i * 6 + 3)) % pieces.len() as u64) as usize])
                .collect()
        })
    }

    /// `domain_len` as it was, splitting the labels.
    fn domain_len_reference(s: &[u8]) -> Option<usize> {
        let domain_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
        let mut end = s.iter().take_while(|c| domain_byte(**c)).count();
        while end > 0 && matches!(s[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let d = &s[..end];
        let last_dot = d.iter().rposition(|c| *c == b'.')?;
        let tld = &d[last_dot + 1..];
        let labels_ok = d
            .split(|c| *c == b'.')
            .all(|l| !l.is_empty() && l[0] != b'-');
        (labels_ok && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some(end)
    }

    #[test]
    fn domain_len_agrees_with_splitting_labels() {
        let pieces = [
            "a", "ab", "-", ".", "..", "com", "x1", "9", " ", "@", "é", "_", "co.uk", ".-", "-.",
        ];
        let mut found = 0;
        for text in texts(&pieces, 100_000) {
            let want = domain_len_reference(text.as_bytes());
            found += usize::from(want.is_some());
            assert_eq!(domain_len(text.as_bytes()), want, "{text:?}");
        }
        assert!(found > 5_000, "{found}");
    }

    #[test]
    fn schemes_are_found_from_their_first_letter() {
        let pieces = [
            "Bearer ", "bearer", "earer ", "Basic ", "basic", "asic ", " ", "B", "b", "x", "é",
        ];
        let has = |b: &[u8], w: &[u8]| memchr::memmem::find(b, w).is_some();
        let mut schemes = 0;
        for text in texts(&pieces, 100_000) {
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
        for text in texts(&pieces, 200_000) {
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
