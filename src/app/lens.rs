//! The privacy lens: what the worker tells the app about identifiers (a small marker per table
//! row, the findings of the detail's event) and the pure helpers that highlight or mask the
//! identifying parts of a value for the screen. No I/O: the scanning itself is `pii`'s.

use std::ops::Range;

use super::{App, Detail, Effect};
use crate::model::{Class, Event, EventSummary, Facet, Field, Filter, Finding, Kind, Test};
use crate::pii;

/// The identity columns the table shows, in `Marker::columns` order.
pub const IDENTITY_COLUMNS: [&str; 3] = ["tenant_id", "session_id", "user_id"];

/// What the table needs to know about one row's identifiers: the strongest class in the whole
/// event (for the marker column) and the kind found in each identity column (to mask it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marker {
    pub class: Option<Class>,
    /// The kind of the first finding in `tenant_id`, `session_id`, `user_id`.
    pub columns: [Option<Kind>; 3],
    /// Whether the event breaks the policy (a finding it does not allow, or its age).
    pub breach: bool,
}

impl Marker {
    pub fn of(findings: &[Finding]) -> Marker {
        let mut columns = [None; 3];
        for (slot, name) in columns.iter_mut().zip(IDENTITY_COLUMNS) {
            *slot = findings.iter().find(|f| f.field == name).map(|f| f.kind);
        }
        Marker {
            class: strongest(findings.iter().map(Finding::class)),
            columns,
            breach: false,
        }
    }

    /// `of`, for an event that breaks the policy when `breach`.
    pub fn judged(findings: &[Finding], breach: bool) -> Marker {
        Marker {
            breach,
            ..Marker::of(findings)
        }
    }

    /// The marker column's letter: `S`ecret, `U`ser, `O`rg, `P`seudonymous, blank for none.
    pub fn letter(self) -> &'static str {
        match self.class {
            Some(Class::Secret) => "S",
            Some(Class::User) => "U",
            Some(Class::Org) => "O",
            Some(Class::Pseudonymous) => "P",
            None => "",
        }
    }
}

/// How much a class matters on screen: secret > user > org > pseudonymous.
pub fn rank(class: Class) -> u8 {
    match class {
        Class::Secret => 3,
        Class::User => 2,
        Class::Org => 1,
        Class::Pseudonymous => 0,
    }
}

pub fn strongest(classes: impl IntoIterator<Item = Class>) -> Option<Class> {
    classes.into_iter().max_by_key(|c| rank(*c))
}

impl App {
    /// `m`: masks or shows identifying values everywhere on screen; no query is needed, the
    /// detail keeps its event and findings.
    pub(super) fn toggle_mask(&mut self) -> Vec<Effect> {
        self.masked = !self.masked;
        if let Detail::Ready(doc) = &mut self.detail {
            doc.set_masked(self.masked, usize::from(self.viewport.detail_width));
        }
        // Masked values can be shorter, so the document may have fewer lines.
        self.clamp_detail_scroll();
        Vec::new()
    }
}

/// One page of rows as the worker reports it, with a marker per row (same order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub rows: Vec<EventSummary>,
    /// Shorter than `rows` (or empty) when unknown; missing markers are blank.
    pub marks: Vec<Marker>,
}

impl From<Vec<EventSummary>> for Page {
    fn from(rows: Vec<EventSummary>) -> Page {
        Page {
            rows,
            marks: Vec::new(),
        }
    }
}

/// The selected event and what the scanner found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub event: Event,
    pub findings: Vec<Finding>,
    /// What in the event the policy does not allow.
    pub breaches: Vec<Breach>,
}

/// One policy violation of the inspected event, with what the reader needs to understand it:
/// the rule, what it says, and the practice statement it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub rule: String,
    pub field: String,
    /// The finding's kind; `None` for the record's age.
    pub kind: Option<Kind>,
    pub summary: String,
    pub statement: String,
}

/// A table cell of identity column `index` as drawn while masking. Every value is masked,
/// found or not, so nothing identifying reaches a shared screen; the kind found picks the
/// shape, else the column's own kind does.
pub fn masked_column(index: usize, kind: Option<Kind>, value: &str) -> String {
    let fallback = match index {
        0 => Kind::TenantId,
        1 => Kind::SessionId,
        _ => Kind::Username,
    };
    pii::mask(kind.unwrap_or(fallback), value)
}

/// A facet value (a picker row) as drawn while masking: the id facets always masked in their
/// own shape, other facets only where the scanner finds an identifier in them.
pub fn masked_facet_value(facet: Facet, value: &str) -> String {
    match facet {
        Facet::Tenant => pii::mask(Kind::TenantId, value),
        Facet::Session => pii::mask(Kind::SessionId, value),
        Facet::User => masked_column(2, None, value),
        Facet::Category | Facet::Name => masked_text(value),
    }
}

/// The filter as drawn while masking: the values of tenant/session/user terms masked, and any
/// identifier the scanner finds in other values or free text. The filter's text reaches the
/// screen on its own line, so masking only the table would leave the ids one line above.
pub fn masked_filter(filter: &Filter) -> Filter {
    let mut shown = filter.clone();
    for term in &mut shown.terms {
        match &mut term.test {
            Test::Equals(field, value) => {
                *value = match field {
                    Field::Tenant => masked_facet_value(Facet::Tenant, value),
                    Field::Session => masked_facet_value(Facet::Session, value),
                    Field::User => masked_facet_value(Facet::User, value),
                    _ => masked_text(value),
                }
            }
            Test::Text(text) => *text = masked_text(text),
            // Times, kinds, classes and field names identify no one.
            Test::Since(_)
            | Test::Until(_)
            | Test::Has(_)
            | Test::Kind(_)
            | Test::Class(_)
            | Test::InField(_)
            | Test::Violates(_) => {}
        }
    }
    shown
}

/// Free text with every identifier the scanner finds in it masked.
fn masked_text(text: &str) -> String {
    let findings = pii::scan_text("text", text, &pii::Context::default());
    pieces(text, "text", &findings, true)
        .into_iter()
        .map(|p| p.text)
        .collect()
}

/// A piece of a value: plain text, or an identifier of `kind` (shown masked when asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub ident: Option<(Class, Kind)>,
    pub text: String,
}

/// `value` cut into plain and identifying pieces by the findings on `field`, masked when
/// `masked`. Overlapping spans merge into one piece of the strongest class; a finding with no
/// span, or a span off the value's character boundaries, covers the whole value, so a bad
/// span can never leave part of an identifier unmasked.
pub fn pieces(value: &str, field: &str, findings: &[Finding], masked: bool) -> Vec<Piece> {
    let mut spans: Vec<(Range<usize>, Kind)> = Vec::new();
    for f in findings.iter().filter(|f| f.field == field) {
        match &f.span {
            Some(r) if r.start < r.end && value.get(r.clone()).is_some() => {
                spans.push((r.clone(), f.kind));
            }
            _ => spans.push((0..value.len(), f.kind)),
        }
    }
    spans.sort_by_key(|(r, _)| (r.start, r.end));
    let mut merged: Vec<(Range<usize>, Kind)> = Vec::new();
    for (r, kind) in spans {
        match merged.last_mut() {
            Some((last, last_kind)) if r.start < last.end => {
                last.end = last.end.max(r.end);
                if rank(kind.class()) > rank(last_kind.class()) {
                    *last_kind = kind;
                }
            }
            _ => merged.push((r, kind)),
        }
    }
    let mut out = Vec::with_capacity(merged.len() * 2 + 1);
    let mut at = 0;
    for (r, kind) in merged {
        if r.start > at {
            out.push(Piece {
                ident: None,
                text: value[at..r.start].to_string(),
            });
        }
        let raw = &value[r.clone()];
        out.push(Piece {
            ident: Some((kind.class(), kind)),
            text: if masked {
                pii::mask(kind, raw)
            } else {
                raw.to_string()
            },
        });
        at = r.end;
    }
    if at < value.len() || out.is_empty() {
        out.push(Piece {
            ident: None,
            text: value[at..].to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Confidence;

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
    fn the_strongest_class_marks_the_row() {
        let findings = [
            finding("session_id", Kind::SessionId, None),
            finding("payload/a", Kind::TenantId, None),
            finding("payload/b", Kind::Email, None),
        ];
        let marker = Marker::of(&findings);
        assert_eq!(marker.class, Some(Class::User));
        assert_eq!(marker.letter(), "U");
        assert_eq!(marker.columns, [None, Some(Kind::SessionId), None]);
        assert_eq!(Marker::of(&[]).letter(), "");
        let secret = finding("payload/c", Kind::SecretToken, None);
        assert_eq!(
            Marker::of(&[findings[1].clone(), secret]).class,
            Some(Class::Secret)
        );
    }

    #[test]
    fn pieces_split_highlight_and_mask() {
        let value = "mail bob@x.io or 1.2.3.4";
        let findings = [
            finding("payload/m", Kind::Email, Some(5..13)),
            finding("payload/m", Kind::IpAddress, Some(17..24)),
            finding("payload/other", Kind::Email, None),
        ];
        let shown = pieces(value, "payload/m", &findings, false);
        let texts: Vec<&str> = shown.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["mail ", "bob@x.io", " or ", "1.2.3.4"]);
        assert_eq!(shown[1].ident, Some((Class::User, Kind::Email)));
        let masked: String = pieces(value, "payload/m", &findings, true)
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(masked, "mail b***@x.io or 1.2.3.***");
    }

    #[test]
    fn masked_filters_hide_ids_and_identifiers_in_text() {
        let filter = crate::filter::parse(
            r#"category:error tenant:T-CONTOSO user:alice@contoso.com "mail bob@fabrikam.com" since:2026-09-01"#,
            &[],
        )
        .unwrap();
        let shown = masked_filter(&filter).to_string();
        for secret in ["T-CONTOSO", "alice@", "bob@"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("category:error") && shown.contains("since:2026-09-01"));
        assert!(shown.contains("@fabrikam.com"), "{shown}");
        assert_eq!(masked_facet_value(Facet::Category, "error"), "error");
        assert_ne!(
            masked_facet_value(Facet::Session, "S-12345678"),
            "S-12345678"
        );
    }

    #[test]
    fn bad_or_missing_spans_cover_the_whole_value() {
        let findings = [finding("f", Kind::PersonName, Some(2..4))];
        let shown = pieces("héllo", "f", &findings, true);
        assert_eq!(shown.len(), 1);
        assert!(shown[0].ident.is_some() && !shown[0].text.contains("llo"));
        assert_eq!(pieces("", "f", &[], false).len(), 1);
    }
}
