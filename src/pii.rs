//! The pure detection engine of DESIGN §2: findings in one event's columns and payload. No I/O.

mod detectors;
mod event;
pub mod fieldname;
mod json;
mod mask;
mod namelist;
pub mod names;
mod numbers;
mod structured;
mod tree;
pub mod validators;

use std::ops::Range;

use std::borrow::Cow;

use crate::model::{Confidence, Event, Finding, Kind};

/// The evidence of one finding: mostly fixed phrases, borrowed.
pub(crate) type Ev = Vec<Cow<'static, str>>;
use fieldname::Hints;
use structured::Next;

pub use event::EventScanner;
pub use mask::{mask, mask_into};
pub use tree::Strings;

/// What the rest of the record tells the detectors: its tenant, session and user columns
/// (a value equal to one of them is that identifier), the category, and names and emails
/// already seen in structured fields.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    pub category: &'a str,
    pub tenant_id: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    /// `(name, field)` from name fields of the record, searched again in free text.
    pub names: Vec<(&'a str, String)>,
    /// `(email, field)` from email/UPN fields of the record.
    pub emails: Vec<(&'a str, String)>,
}

/// Byte-class counts of a value, taken in one pass to decide which detectors may run.
#[derive(Debug, Default)]
pub(crate) struct Profile {
    pub len: usize,
    pub at: bool,
    pub colons: u32,
    pub dots: u32,
    pub dashes: u32,
    pub digits: u32,
    pub upper: bool,
    pub space: bool,
    pub comma: bool,
    pub slash: bool,
    pub underscores: bool,
    pub plus: bool,
}

impl Profile {
    fn of(text: &str) -> Profile {
        let mut p = Profile {
            len: text.len(),
            ..Profile::default()
        };
        for &c in text.as_bytes() {
            match c {
                b'0'..=b'9' => p.digits += 1,
                b'A'..=b'Z' => p.upper = true,
                b'a'..=b'z' => {}
                b'@' => p.at = true,
                b':' => p.colons += 1,
                b'.' => p.dots += 1,
                b'-' => p.dashes += 1,
                b' ' => p.space = true,
                b',' => p.comma = true,
                b'/' | b'\\' => p.slash = true,
                b'_' => p.underscores = true,
                b'+' => p.plus = true,
                _ => {}
            }
        }
        p
    }
}

/// Collects the findings of one string value; drops candidates that overlap an earlier,
/// more specific one (detectors run most specific first).
pub(crate) struct Sink<'s, 'c> {
    pub field: &'s str,
    pub hints: Hints,
    /// The field name's evidence (`field name client,ip`), cited with its hints.
    evidence: &'s Cow<'static, str>,
    pub column: Option<&'s str>,
    pub ctx: &'s Context<'c>,
    len: usize,
    out: &'s mut Vec<Finding>,
    first: usize,
}

impl Sink<'_, '_> {
    /// Adds the field-name evidence when the key carries one of `flags`.
    pub fn hint(&self, ev: &mut Ev, flags: Hints) -> bool {
        if !self.hints.any(flags) {
            return false;
        }
        self.hint_any(ev);
        true
    }

    pub fn hint_any(&self, ev: &mut Ev) {
        if !self.hints.is_empty() && !ev.contains(self.evidence) {
            ev.push(self.evidence.clone());
        }
    }

    fn taken(&self, span: &Range<usize>) -> bool {
        self.out[self.first..].iter().any(|f| match &f.span {
            None => true,
            Some(r) => r.start < span.end && span.start < r.end,
        })
    }

    fn has(&self, kind: Kind) -> bool {
        self.out[self.first..].iter().any(|f| f.kind == kind)
    }

    pub fn push(&mut self, kind: Kind, confidence: Confidence, span: Range<usize>, evidence: Ev) {
        if span.is_empty() || self.taken(&span) {
            return;
        }
        let span = (span != (0..self.len)).then_some(span);
        self.out.push(Finding {
            field: self.field.to_string(),
            kind,
            confidence,
            span,
            evidence,
        });
    }
}

/// All findings in one event: its columns (tenant_id, session_id, user_id, extra columns…)
/// and its payload (JSON walked with RFC 6901 pointers, `payload/headers/Authorization`;
/// non-JSON payload scanned as text under field `payload`). Sorted by (field, span start,
/// kind), deterministic. Many events in a row: `EventScanner` reuses its buffers.
pub fn scan_event(event: &Event) -> Vec<Finding> {
    event::scan_event(event)
}

/// The findings of one free-text value under `field`, with no field-name hints.
pub fn scan_text(field: &str, text: &str, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    scan_value(field, "", None, text, ctx, &mut out);
    finish(&mut out);
    out
}

/// The findings of one string value whose field name (last key) is `key`. `column` names an
/// identity column (`tenant_id`, `session_id`, `user_id`) when the value is one.
pub fn scan_value(
    field: &str,
    key: &str,
    column: Option<&str>,
    value: &str,
    ctx: &Context,
    out: &mut Vec<Finding>,
) {
    scan_hinted(field, &fieldname::lookup(key), column, value, ctx, out);
}

fn scan_hinted(
    field: &str,
    name: &fieldname::Name,
    column: Option<&str>,
    value: &str,
    ctx: &Context,
    out: &mut Vec<Finding>,
) {
    if value.is_empty() {
        return;
    }
    let first = out.len();
    let mut sink = Sink {
        field,
        hints: name.hints,
        evidence: &name.evidence,
        column,
        ctx,
        len: value.len(),
        out,
        first,
    };
    let next = structured::classify(value, &mut sink);
    if next == Next::Done {
        return;
    }
    scan_free_text(value, &mut sink);
    if next == Next::ScanThenSecret && !sink.has(Kind::SecretToken) {
        let mut ev = vec![];
        sink.hint_any(&mut ev);
        sink.push(Kind::SecretToken, Confidence::Medium, 0..value.len(), ev);
    }
}

fn scan_free_text(text: &str, sink: &mut Sink) {
    let p = Profile::of(text);
    if p.len < 5 {
        return;
    }
    let hints = sink.hints;
    detectors::secrets(text, &p, sink);
    if p.at {
        detectors::at_sign(text, sink);
    }
    if p.slash {
        detectors::user_paths(text, sink);
    }
    if p.dots >= 3 || p.colons >= 2 || p.dashes >= 4 {
        numbers::addresses(text, hints, sink);
    }
    if p.digits >= 13 {
        numbers::cards(text, sink);
    }
    if p.digits >= 8 && p.upper {
        numbers::ibans(text, sink);
    }
    if p.comma && p.dots >= 2 && p.digits >= 4 {
        numbers::geo(text, hints, sink);
    }
    if p.digits >= 7 && (hints.has(Hints::PHONE) || p.plus || numbers::phone_context(text)) {
        numbers::phones(text, hints, sink);
    }
    if p.upper && p.space && !hints.any(Hints::NOT_PERSON) && !hints.org_name() {
        person_names(text, sink);
    }
}

fn person_names(text: &str, sink: &mut Sink) {
    let ctx = sink.ctx;
    for (name, from) in &ctx.names {
        if *from == sink.field {
            continue;
        }
        names::find_learnt(text, name, |span| {
            let ev = vec![format!("link: same name as {from}").into()];
            sink.push(Kind::PersonName, Confidence::High, span, ev);
        });
    }
    let name_field = sink.hints.person_name();
    let loose = sink.hints.has(Hints::DEVICE);
    names::find_in_text(text, name_field, loose, |n| {
        let (conf, why) = if n.listed {
            (Confidence::Medium, "validator: given name + surname lists")
        } else {
            (Confidence::Low, "pattern: given name + capitalised word")
        };
        let mut ev: Ev = vec![why.into()];
        sink.hint(&mut ev, Hints::NAME);
        sink.push(Kind::PersonName, conf, n.span, ev);
    });
}

/// Sorts by (field, span start, kind) and merges duplicates of the same (field, kind, span).
fn finish(out: &mut Vec<Finding>) {
    out.sort_by(|a, b| {
        (&a.field, a.span.as_ref().map(|r| (r.start, r.end)), a.kind).cmp(&(
            &b.field,
            b.span.as_ref().map(|r| (r.start, r.end)),
            b.kind,
        ))
    });
    out.dedup_by(|later, kept| {
        let same = later.field == kept.field && later.kind == kept.kind && later.span == kept.span;
        if same {
            kept.confidence = kept.confidence.max(later.confidence);
            for e in later.evidence.drain(..) {
                if !kept.evidence.contains(&e) {
                    kept.evidence.push(e);
                }
            }
        }
        same
    });
}
