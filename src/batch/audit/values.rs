//! The values behind an event's findings, for the audit's lines: columns directly, payload
//! leaves through one borrowing parse of the payload, done only when a finding points into it.

use std::borrow::Cow;

use crate::model::{Event, Finding};
use crate::pii;

/// The string values behind findings: columns directly, payload leaves through one borrowing
/// parse of the payload, done only when a finding points into it.
pub(crate) struct Values<'e> {
    event: &'e Event,
    payload: Option<pii::Strings<'e>>,
}

impl<'e> Values<'e> {
    pub(crate) fn new(event: &'e Event, findings: &[Finding]) -> Values<'e> {
        let payload = findings
            .iter()
            .any(|f| f.field.starts_with("payload/"))
            .then(|| event.payload.as_deref().map(pii::Strings::parse))
            .flatten();
        Values { event, payload }
    }

    fn text(&self, field: &str) -> Option<Cow<'_, str>> {
        if field.starts_with("payload/") {
            return self.payload.as_ref()?.text(field);
        }
        let event = self.event;
        event.column_text(field).map(Cow::Borrowed)
    }

    /// The finding's value as it may be printed: the span's text (or the whole value), masked
    /// unless `reveal`. A span that does not fit the value masks the whole value, so a bad
    /// span never leaks.
    pub(crate) fn shown(&self, f: &Finding, reveal: bool) -> String {
        let Some(text) = self.text(&f.field) else {
            return String::new();
        };
        let part = f
            .span
            .as_ref()
            .and_then(|r| text.get(r.clone()))
            .unwrap_or(&text);
        if reveal {
            part.to_string()
        } else {
            pii::mask(f.kind, part)
        }
    }
}
