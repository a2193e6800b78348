//! Text detectors for addresses around `@` (email, SIP URI, URL passwords) and user-profile
//! paths. Each runs only past a byte prefilter.

use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::bytes;
use super::fieldname::Hints;
use super::intern::{self, Link};
use super::{Reads, Sink};
use crate::model::{Confidence, Kind};

/// Built once: `memmem::find` would build its searcher again on every call.
static SCHEME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"://"));
static USERS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"sers"));
static HOME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"/home/"));

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
    use crate::pii::random_texts;

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
        for text in random_texts(11, &pieces, 100_000) {
            let want = domain_len_reference(text.as_bytes());
            found += usize::from(want.is_some());
            assert_eq!(domain_len(text.as_bytes()), want, "{text:?}");
        }
        assert!(found > 5_000, "{found}");
    }
}
