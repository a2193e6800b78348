//! Whole-value classification from field-name hints and record links: GUIDs and hashes by
//! the key that holds them, the identity columns, names, org names, domains, logins.

use std::borrow::Cow;

use super::detectors::domain_len;
use super::fieldname::Hints;
use super::names::{NameFit, fit_whole};
use super::validators::{is_guid, is_hex_id};
use super::{Context, Ev, Reads, Sink};
use crate::model::{Confidence, Kind};
use crate::text::same_text;

/// What the caller still has to do with a value after the whole-value pass.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    Done,
    ScanText,
    /// Scan the text, then report the whole value as a secret if nothing more precise was found.
    ScanThenSecret,
}

fn login_shaped(v: &str) -> bool {
    let b = v.as_bytes();
    (3..=64).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
        && b.iter().filter(|c| c.is_ascii_digit()).count() <= 4
}

/// A service-made id: no spaces, long enough, with digits (`cus_8f3k2…`, `a1b2c3d4e5`).
fn opaque_id(v: &str) -> bool {
    v.len() >= 8
        && !v.contains(' ')
        && v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes().all(|c| c.is_ascii_graphic())
}

/// A short service-made id (`d3f1a9`, Application Insights' `Kx9dP2`): six or seven letters
/// and digits, both. Words and numbers of that length are common, so only where the key names
/// an id of a session, a device or a pseudonym.
fn short_opaque_id(v: &str) -> bool {
    (6..8).contains(&v.len())
        && v.bytes().all(|c| c.is_ascii_alphanumeric())
        && v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes().any(|c| c.is_ascii_alphabetic())
}

/// The pseudonymous kind of a user id (`guid`: shaped as one): hashed where the key or the
/// `user_id` column says so, a directory object id where the key says so (`msUserId`, `oid`).
/// Otherwise by shape and practice: only a GUID is a `user_guid`, and not in census and usage
/// records, whose practice statements declare their user ids hashed (as GUIDs); any other id
/// is a `hashed_id`.
fn user_id_kind(hints: Hints, sink: &Sink, guid: bool) -> Kind {
    if hints.has(Hints::HASH) || sink.column == Some("user_id") {
        return Kind::HashedId;
    }
    if hints.any(Hints::MS) || hints.has(Hints::OBJECT) {
        return Kind::UserGuid;
    }
    // The category is part of the memo's key: reading it does not make the outcome depend on
    // anything the memo does not see.
    if guid && !matches!(sink.ctx.category, "census" | "usage") {
        Kind::UserGuid
    } else {
        Kind::HashedId
    }
}

fn id_kind(hints: Hints, sink: &Sink, guid: bool) -> Option<Kind> {
    if hints.has(Hints::TENANT) {
        Some(Kind::TenantId)
    } else if hints.has(Hints::SESSION) {
        Some(Kind::SessionId)
    } else if hints.has(Hints::DEVICE) {
        Some(Kind::DeviceId)
    } else if hints.user_ref() || hints.has(Hints::OBJECT) {
        Some(user_id_kind(hints, sink, guid))
    } else if hints.has(Hints::HASH) {
        Some(Kind::HashedId)
    } else {
        None
    }
}

const GUID: &str = "pattern: GUID";

fn shape(value: &str) -> Option<&'static str> {
    if is_guid(value) {
        Some(GUID)
    } else if is_hex_id(value) {
        Some("pattern: hex id")
    } else {
        None
    }
}

/// How the `user_id` column reads: a hash, a cleartext login, or an opaque id.
fn user_column_kind(value: &str) -> (Kind, Confidence, &'static str) {
    if let Some(p) = shape(value) {
        (Kind::HashedId, Confidence::High, p)
    } else if value.contains('@') {
        (Kind::Email, Confidence::High, "pattern: email address")
    } else if login_shaped(value) {
        (Kind::Username, Confidence::High, "pattern: cleartext login")
    } else {
        (Kind::HashedId, Confidence::Medium, "pattern: opaque id")
    }
}

/// A value equal to the record's own tenant, session or user column is that identifier,
/// whatever its shape (links inside the record, DESIGN §2). Very short values are left out:
/// `1` or `eu` equal to a column says nothing.
pub(super) fn linked_column(
    value: &str,
    ctx: &Context,
) -> Option<(Kind, &'static str, Option<&'static str>)> {
    match linked(value, ctx)? {
        "tenant_id" => Some((Kind::TenantId, "tenant_id", shape(value))),
        "session_id" => Some((Kind::SessionId, "session_id", shape(value))),
        _ => {
            let (kind, _, pattern) = user_column_kind(value);
            Some((kind, "user_id", Some(pattern)))
        }
    }
}

/// The identity column `value` equals (ASCII case aside), if any: `linked_column` without
/// working out the kind, for callers that only ask whether.
pub(super) fn linked(value: &str, ctx: &Context) -> Option<&'static str> {
    if value.len() < 4 {
        return None;
    }
    // Exact equality first (a memcmp); the byte-wise case-insensitive compare only then.
    let same = |column: Option<&str>| {
        column.is_some_and(|c| {
            let (a, b) = (c.as_bytes(), value.as_bytes());
            a.len() == b.len()
                && (same_text(c, value)
                    || a[0].eq_ignore_ascii_case(&b[0]) && a.eq_ignore_ascii_case(b))
        })
    };
    if same(ctx.tenant_id) {
        Some("tenant_id")
    } else if same(ctx.session_id) {
        Some("session_id")
    } else if same(ctx.user_id) {
        Some("user_id")
    } else {
        None
    }
}

pub(crate) fn classify(value: &str, sink: &mut Sink) -> Next {
    let hints = sink.hints;
    let column_ev = |c: &str| -> Cow<'static, str> {
        match c {
            "tenant_id" => "column tenant_id".into(),
            "session_id" => "column session_id".into(),
            _ => "column user_id".into(),
        }
    };
    match sink.column {
        Some(c @ "tenant_id") => {
            let mut ev = ev![column_ev(c)];
            ev.extend(shape(value).map(Cow::Borrowed));
            sink.push(Kind::TenantId, Confidence::High, 0..value.len(), ev);
            return Next::Done;
        }
        Some(c @ "session_id") => {
            let mut ev = ev![column_ev(c)];
            ev.extend(shape(value).map(Cow::Borrowed));
            sink.push(Kind::SessionId, Confidence::High, 0..value.len(), ev);
            return Next::Done;
        }
        Some(c @ "user_id") if !value.contains('@') => {
            let mut ev = ev![column_ev(c)];
            let (kind, conf, pattern) = user_column_kind(value);
            ev.push(pattern.into());
            sink.push(kind, conf, 0..value.len(), ev);
            return Next::Done;
        }
        _ => {}
    }
    if sink.column.is_some() {
        // A column's own value compared with the record's columns (leaves are checked before
        // the memo is consulted).
        sink.read(Reads::COLUMNS);
    }
    if let Some((kind, column, pattern)) = linked_column(value, sink.ctx) {
        let mut ev: Ev = pattern.map(Cow::Borrowed).into_iter().collect();
        ev.push(match column {
            "tenant_id" => "link: equals column tenant_id".into(),
            "session_id" => "link: equals column session_id".into(),
            _ => "link: equals column user_id".into(),
        });
        sink.hint_any(&mut ev);
        sink.push(kind, Confidence::High, 0..value.len(), ev);
        return Next::Done;
    }
    // A key that names a secret wins over the value's shape: a hex API key is not a hash.
    if hints.secret() && !hints.negative() && !value.contains(' ') {
        return if value.len() >= 6 {
            Next::ScanThenSecret
        } else {
            Next::Done
        };
    }
    if let Some(p) = shape(value) {
        if let Some(kind) = id_kind(hints, sink, p == GUID) {
            let mut ev: Ev = ev![p.into()];
            sink.hint_any(&mut ev);
            let conf = if !hints.is_empty() {
                Confidence::High
            } else {
                Confidence::Medium
            };
            sink.push(kind, conf, 0..value.len(), ev);
        }
        // An unhinted GUID or hash is a correlation id; nothing inside it is an identifier.
        return Next::Done;
    }
    if value.contains('@') || hints.is_empty() {
        return Next::ScanText;
    }
    if hints.secret() && !hints.negative() {
        return if value.len() >= 6 {
            Next::ScanThenSecret
        } else {
            Next::Done
        };
    }
    if hints.person_name() {
        if let Some(fit) = fit_whole(value) {
            let mut ev = ev![];
            sink.hint(&mut ev, Hints::NAME);
            sink.hint(&mut ev, Hints::PERSON);
            let conf = match fit {
                NameFit::Listed => {
                    ev.push("validator: given name + surname lists".into());
                    Confidence::High
                }
                NameFit::Shaped => {
                    ev.push("pattern: capitalised words".into());
                    Confidence::Medium
                }
            };
            sink.push(Kind::PersonName, conf, 0..value.len(), ev);
            return Next::Done;
        }
        return Next::ScanText;
    }
    if hints.org_name() && value.chars().any(char::is_alphabetic) && !hints.negative() {
        let mut ev = ev![];
        sink.hint(&mut ev, Hints::ORG);
        sink.hint(&mut ev, Hints::TENANT);
        sink.push(Kind::OrgName, Confidence::Medium, 0..value.len(), ev);
        return Next::Done;
    }
    if hints.has(Hints::DOMAIN) {
        let v = value.strip_prefix('.').unwrap_or(value);
        let whole = domain_len(v.as_bytes()) == Some(v.len());
        let tld = v.len() >= 2 && v.bytes().all(|c| c.is_ascii_lowercase());
        if whole || tld {
            let mut ev = ev!["pattern: domain name".into()];
            sink.hint(&mut ev, Hints::DOMAIN);
            sink.push(Kind::Domain, Confidence::High, 0..value.len(), ev);
            return Next::Done;
        }
    }
    if hints.user_ref() && !hints.negative() {
        let (kind, conf, why) = if login_shaped(value) {
            (Kind::Username, Confidence::High, "pattern: cleartext login")
        } else if opaque_id(value) {
            (
                user_id_kind(hints, sink, false),
                Confidence::Medium,
                "pattern: opaque id",
            )
        } else {
            return Next::ScanText;
        };
        let mut ev: Ev = ev![why.into()];
        sink.hint(&mut ev, Hints::USER);
        sink.hint(&mut ev, Hints::LOGIN);
        sink.push(kind, conf, 0..value.len(), ev);
        return Next::Done;
    }
    let short = hints.has(Hints::ID) && short_opaque_id(value);
    if !hints.negative() && (short || opaque_id(value)) {
        let kind = if hints.has(Hints::SESSION) {
            Some(Kind::SessionId)
        } else if hints.has(Hints::DEVICE) && hints.has(Hints::ID) {
            Some(Kind::DeviceId)
        } else if hints.has(Hints::HASH) && hints.has(Hints::ID) {
            Some(Kind::HashedId)
        } else {
            None
        };
        if let Some(kind) = kind {
            let (conf, why) = if short {
                (Confidence::Low, "pattern: short opaque id")
            } else {
                (Confidence::Medium, "pattern: opaque id")
            };
            let mut ev = ev![why.into()];
            sink.hint(&mut ev, Hints::SESSION);
            sink.hint(&mut ev, Hints::DEVICE);
            sink.hint(&mut ev, Hints::HASH);
            sink.push(kind, conf, 0..value.len(), ev);
            return Next::Done;
        }
    }
    Next::ScanText
}
