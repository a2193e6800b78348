//! Rewriting the identifying values of one event in place, given its findings: the basis of
//! masked batch output (privacy by default) and of shareable samples (`modes`: mask, hash,
//! drop). Pure: no I/O.

mod hash;
pub mod modes;

use std::cmp::Ordering;
use std::ops::Range;

use serde_json::Value;

use crate::model::{Event, Finding, Kind};
pub use hash::{Key, KeyError};
pub use modes::{Check, Method, Redaction};

/// What to put in place of an identifying value.
pub trait Replacer {
    fn replace(&mut self, kind: Kind, value: &str) -> String;

    /// True when a finding that covers a whole value removes the value (a JSON member or array
    /// element goes, a column becomes NULL) instead of replacing it; spans inside a longer text
    /// are still replaced, since the rest of the text stays.
    fn removes_whole_values(&self) -> bool {
        false
    }
}

/// Shape-keeping masks (`a***@contoso.com`), as `pii::mask` writes them.
pub struct Mask;

impl Replacer for Mask {
    fn replace(&mut self, kind: Kind, value: &str) -> String {
        crate::pii::mask(kind, value)
    }
}

/// `event` with the value (or span) behind every finding replaced. Findings whose field no
/// longer exists are skipped (nothing is there to leak). A payload the detector read as JSON
/// but that `serde_json` cannot parse is replaced whole, as the kind of its first finding:
/// its identifiers cannot be addressed one by one, and leaving them would leak them.
pub fn apply(event: &Event, findings: &[Finding], replacer: &mut dyn Replacer) -> Event {
    let mut out = event.clone();
    let remove = replacer.removes_whole_values();
    // Parsed on the first payload finding; `Some(None)` when serde_json cannot parse it.
    let mut payload_json: Option<Option<Value>> = None;
    let mut payload_changed = false;
    let mut unaddressable: Option<Kind> = None;
    let mut removals: Vec<String> = Vec::new();

    for (field, group) in by_field(findings) {
        if let Some(pointer) = field.strip_prefix("payload/") {
            let parsed = payload_json.get_or_insert_with(|| {
                out.payload
                    .as_deref()
                    .and_then(|p| serde_json::from_str(p).ok())
            });
            let Some(json) = parsed else {
                unaddressable = unaddressable.or(Some(group[0].kind));
                continue;
            };
            let pointer = format!("/{pointer}");
            if let Some(target) = json.pointer_mut(&pointer) {
                let text = match target {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(_) | Value::Null | Value::Array(_) | Value::Object(_) => continue,
                };
                match rewrite(&text, &group, replacer, remove) {
                    Rewritten::Text(t) => *target = Value::String(t),
                    Rewritten::Removed => removals.push(pointer),
                }
                payload_changed = true;
            }
        } else if let Some(slot) = column_slot(&mut out, field)
            && let Some(text) = slot.as_deref()
        {
            *slot = match rewrite(text, &group, replacer, remove) {
                Rewritten::Text(t) => Some(t),
                Rewritten::Removed => None,
            };
        }
    }
    if let Some(kind) = unaddressable {
        out.payload = match out.payload.as_deref() {
            Some(text) if !remove => Some(replacer.replace(kind, text)),
            _ => None,
        };
    } else if payload_changed && let Some(Some(mut json)) = payload_json {
        remove_all(&mut json, removals);
        out.payload = Some(json.to_string());
    }
    out
}

/// Removes the values at `pointers`. Later array elements go first, so removing one never
/// shifts the index of another still to be removed.
fn remove_all(json: &mut Value, mut pointers: Vec<String>) {
    pointers.sort_by(|a, b| compare_pointers(b, a));
    for pointer in pointers {
        let Some((parent, last)) = pointer.rsplit_once('/') else {
            continue;
        };
        let last = last.replace("~1", "/").replace("~0", "~");
        match json.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.shift_remove(&last);
            }
            Some(Value::Array(items)) => {
                if let Ok(i) = last.parse::<usize>()
                    && i < items.len()
                {
                    items.remove(i);
                }
            }
            _ => {}
        }
    }
}

/// Pointer order with array indices compared as numbers (`a/10` after `a/9`).
fn compare_pointers(a: &str, b: &str) -> Ordering {
    let mut a = a.split('/');
    let mut b = b.split('/');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(i), Ok(j)) => i.cmp(&j),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Findings grouped by field, in their (sorted) order.
fn by_field(findings: &[Finding]) -> Vec<(&str, Vec<&Finding>)> {
    let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in findings {
        match groups.iter_mut().find(|(field, _)| *field == f.field) {
            Some((_, list)) => list.push(f),
            None => groups.push((f.field.as_str(), vec![f])),
        }
    }
    groups
}

fn column_slot<'a>(event: &'a mut Event, field: &str) -> Option<&'a mut Option<String>> {
    let s = &mut event.summary;
    match field {
        "tenant_id" => Some(&mut s.tenant_id),
        "session_id" => Some(&mut s.session_id),
        "user_id" => Some(&mut s.user_id),
        "app_name" => Some(&mut event.app_name),
        "app_version" => Some(&mut event.app_version),
        "payload" => Some(&mut event.payload),
        other => event
            .extra
            .iter_mut()
            .find(|(name, _)| name == other)
            .map(|(_, v)| v),
    }
}

enum Rewritten {
    Text(String),
    Removed,
}

/// `text` with each finding's span (or the whole text) replaced. Overlapping spans are merged
/// and replaced once, as the kind of the first; a span that is out of range or not on a
/// character boundary replaces the whole value, so a bad span never leaks. With `remove`, a
/// whole-value finding removes the value.
fn rewrite(
    text: &str,
    findings: &[&Finding],
    replacer: &mut dyn Replacer,
    remove: bool,
) -> Rewritten {
    let mut spans: Vec<(Range<usize>, Kind)> = Vec::new();
    for f in findings {
        match &f.span {
            Some(r) if r.start < r.end && text.get(r.clone()).is_some() => {
                spans.push((r.clone(), f.kind));
            }
            _ if remove => return Rewritten::Removed,
            _ => return Rewritten::Text(replacer.replace(f.kind, text)),
        }
    }
    spans.sort_by_key(|(r, _)| (r.start, r.end));
    let mut merged: Vec<(Range<usize>, Kind)> = Vec::new();
    for (r, kind) in spans {
        match merged.last_mut() {
            Some((last, _)) if r.start < last.end => last.end = last.end.max(r.end),
            _ => merged.push((r, kind)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, kind) in merged {
        out.push_str(&text[at..r.start]);
        out.push_str(&replacer.replace(kind, &text[r.clone()]));
        at = r.end;
    }
    out.push_str(&text[at..]);
    Rewritten::Text(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Confidence, EventSummary};

    struct Tag;
    impl Replacer for Tag {
        fn replace(&mut self, kind: Kind, value: &str) -> String {
            format!("<{kind}:{}>", value.len())
        }
    }

    /// Removes whole values, like `--redact drop`.
    struct Remove;
    impl Replacer for Remove {
        fn replace(&mut self, _: Kind, _: &str) -> String {
            "[x]".into()
        }
        fn removes_whole_values(&self) -> bool {
            true
        }
    }

    fn event(payload: &str) -> Event {
        Event {
            summary: EventSummary {
                id: 1,
                ts: "2026-09-01T00:00:00.000Z".into(),
                category: "error".into(),
                name: "crash".into(),
                tenant_id: Some("T1".into()),
                session_id: None,
                user_id: Some("amosmarble".into()),
            },
            app_name: None,
            app_version: None,
            payload: Some(payload.into()),
            extra: vec![("region".into(), Some("eu-alice".into()))],
        }
    }

    fn finding(field: &str, kind: Kind, span: Option<Range<usize>>) -> Finding {
        Finding {
            field: field.into(),
            kind,
            confidence: Confidence::High,
            span,
            evidence: vec![],
        }
    }

    #[test]
    fn replaces_columns_payload_pointers_and_spans() {
        let e =
            event(r#"{"a":{"ip":"203.0.113.7"},"msg":"mail bob@x.io or 1.2.3.4 now","n":4111}"#);
        let findings = vec![
            finding("user_id", Kind::Username, None),
            finding("region", Kind::PersonName, Some(3..8)),
            finding("payload/a/ip", Kind::IpAddress, None),
            finding("payload/msg", Kind::Email, Some(5..13)),
            finding("payload/msg", Kind::IpAddress, Some(17..24)),
            finding("payload/n", Kind::CreditCard, None),
            finding("payload/missing", Kind::Email, None),
        ];
        let out = apply(&e, &findings, &mut Tag);
        assert_eq!(out.summary.user_id.as_deref(), Some("<username:10>"));
        assert_eq!(out.extra[0].1.as_deref(), Some("eu-<person_name:5>"));
        assert_eq!(
            out.payload.as_deref(),
            Some(
                r#"{"a":{"ip":"<ip_address:11>"},"msg":"mail <email:8> or <ip_address:7> now","n":"<credit_card:4>"}"#
            )
        );
        assert_eq!(out.summary.tenant_id.as_deref(), Some("T1"), "untouched");
    }

    #[test]
    fn overlapping_or_bad_spans_never_leak() {
        let e = event(r#"{"m":"héllo secret"}"#);
        let overlapping = vec![
            finding("payload/m", Kind::SecretToken, Some(7..13)),
            finding("payload/m", Kind::SecretToken, Some(9..13)),
        ];
        let out = apply(&e, &overlapping, &mut Tag);
        assert_eq!(
            out.payload.as_deref(),
            Some(r#"{"m":"héllo <secret_token:6>"}"#)
        );

        let inside_a_char = vec![finding("payload/m", Kind::PersonName, Some(2..4))];
        let out = apply(&e, &inside_a_char, &mut Tag);
        assert_eq!(out.payload.as_deref(), Some(r#"{"m":"<person_name:13>"}"#));
    }

    #[test]
    fn a_payload_serde_cannot_parse_is_replaced_whole() {
        // The detector's own parser is more lenient than serde_json; what it found in such a
        // payload cannot be addressed by pointer, so the whole payload goes.
        let e = event(r#"{"a":"bob@x.io",}"#);
        let findings = vec![finding("payload/a", Kind::Email, None)];
        let out = apply(&e, &findings, &mut Tag);
        assert_eq!(out.payload.as_deref(), Some("<email:17>"));
        assert_eq!(apply(&e, &findings, &mut Remove).payload, None);
    }

    #[test]
    fn removing_array_elements_never_shifts_another() {
        let e = event(r#"{"ips":["a","b","c","d"],"n":{"x":"y","z":"w"}}"#);
        let findings = vec![
            finding("payload/ips/0", Kind::IpAddress, None),
            finding("payload/ips/2", Kind::IpAddress, None),
            finding("payload/n/x", Kind::Email, None),
        ];
        let out = apply(&e, &findings, &mut Remove);
        assert_eq!(
            out.payload.as_deref(),
            Some(r#"{"ips":["b","d"],"n":{"z":"w"}}"#)
        );
        assert_eq!(compare_pointers("/a/10", "/a/9"), Ordering::Greater);
    }

    #[test]
    fn raw_payloads_and_escaped_pointers() {
        let mut e = event("not json bob@x.io");
        let out = apply(
            &e,
            &[finding("payload", Kind::Email, Some(9..17))],
            &mut Tag,
        );
        assert_eq!(out.payload.as_deref(), Some("not json <email:8>"));

        e.payload = Some(r#"{"a/b":{"c~d":"v"}}"#.into());
        let out = apply(
            &e,
            &[finding("payload/a~1b/c~0d", Kind::Email, None)],
            &mut Tag,
        );
        assert_eq!(
            out.payload.as_deref(),
            Some(r#"{"a/b":{"c~d":"<email:1>"}}"#)
        );
    }
}
