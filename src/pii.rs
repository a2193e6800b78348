//! The pure detection engine of DESIGN §2: findings in one event's columns and payload. No I/O.

/// Builds an `Ev` from evidence phrases (`Cow<'static, str>`), like `vec!`.
macro_rules! ev {
    () => {
        $crate::pii::Ev::default()
    };
    ($($e:expr),+ $(,)?) => {{
        let mut ev = $crate::pii::Ev::default();
        $(ev.push($e);)+
        ev
    }};
}

mod detectors;
mod event;
pub mod fieldname;
mod json;
mod mask;
mod memo;
mod namelist;
pub mod names;
mod numbers;
mod structured;
mod tree;
pub mod validators;

use std::borrow::Cow;
use std::ops::Range;

use crate::model::{Confidence, Event, Finding, Kind};
use fieldname::Hints;
use structured::Next;

pub use event::EventScanner;
pub use mask::{mask, mask_into};
pub use tree::Strings;

/// The version of what `scan_event` finds. Bump it whenever a change to the detectors can
/// change any finding: caches built by another version are then rebuilt, not trusted.
pub const ENGINE_VERSION: u32 = 1;

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

/// The evidence of one finding while a detector builds it: mostly fixed phrases, borrowed,
/// and never more than a few, so they are kept inline (no allocation per candidate).
#[derive(Debug, Default)]
pub(crate) struct Ev {
    items: [Cow<'static, str>; 4],
    len: usize,
    more: Vec<Cow<'static, str>>,
}

impl Ev {
    pub fn push(&mut self, e: Cow<'static, str>) {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = e;
                self.len += 1;
            }
            None => self.more.push(e),
        }
    }

    pub fn contains(&self, e: &str) -> bool {
        self.items[..self.len]
            .iter()
            .chain(&self.more)
            .any(|x| x == e)
    }

    /// Moves the phrases, in order, to the end of `out`.
    fn move_into(&mut self, out: &mut Vec<Cow<'static, str>>) {
        out.extend(self.items[..self.len].iter_mut().map(std::mem::take));
        out.append(&mut self.more);
        self.len = 0;
    }
}

impl Extend<Cow<'static, str>> for Ev {
    fn extend<I: IntoIterator<Item = Cow<'static, str>>>(&mut self, iter: I) {
        iter.into_iter().for_each(|e| self.push(e));
    }
}

impl FromIterator<Cow<'static, str>> for Ev {
    fn from_iter<I: IntoIterator<Item = Cow<'static, str>>>(iter: I) -> Ev {
        let mut ev = Ev::default();
        ev.extend(iter);
        ev
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
    /// Findings of earlier events, emptied and reused so a finding allocates nothing.
    spare: &'s mut Vec<Finding>,
    first: usize,
    /// What of the rest of the record (`ctx`) the detectors looked at for this value, so its
    /// findings are remembered for other records only where they would be the same.
    pub reads: std::cell::Cell<Reads>,
}

/// The parts of a record's context a value's scan depended on (bit flags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reads(u8);

impl Reads {
    /// The record's own columns (a column value, or a GUID in text compared with the tenant).
    pub const COLUMNS: Reads = Reads(1);
    /// Names learnt from the record's name fields were searched for.
    pub const NAMES: Reads = Reads(2);
    /// Emails learnt from the record's email fields were compared.
    pub const EMAILS: Reads = Reads(4);

    pub fn has(self, r: Reads) -> bool {
        self.0 & r.0 != 0
    }
}

impl Sink<'_, '_> {
    pub fn read(&self, r: Reads) {
        self.reads.set(Reads(self.reads.get().0 | r.0));
    }
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
        let mut evidence = evidence;
        let f = match self.spare.pop() {
            Some(mut f) => {
                f.field.clear();
                f.field.push_str(self.field);
                f.kind = kind;
                f.confidence = confidence;
                f.span = span;
                f.evidence.clear();
                evidence.move_into(&mut f.evidence);
                f
            }
            None => {
                let mut list = Vec::with_capacity(evidence.len + evidence.more.len());
                evidence.move_into(&mut list);
                Finding {
                    field: self.field.to_string(),
                    kind,
                    confidence,
                    span,
                    evidence: list,
                }
            }
        };
        self.out.push(f);
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
    let mut spare = Vec::new();
    scan_hinted(
        field,
        &fieldname::lookup(key),
        column,
        value,
        ctx,
        out,
        &mut spare,
    );
}

/// Scans one value into `out`; returns what of the record's context the outcome depended on
/// beyond the value, its field name and the category (see `Sink::reads`).
fn scan_hinted(
    field: &str,
    name: &fieldname::Name,
    column: Option<&str>,
    value: &str,
    ctx: &Context,
    out: &mut Vec<Finding>,
    spare: &mut Vec<Finding>,
) -> Reads {
    if value.is_empty() {
        return Reads::default();
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
        spare,
        first,
        reads: std::cell::Cell::new(Reads::default()),
    };
    let next = structured::classify(value, &mut sink);
    if next != Next::Done {
        scan_free_text(value, &mut sink);
        if next == Next::ScanThenSecret && !sink.has(Kind::SecretToken) {
            let mut ev = ev![];
            sink.hint_any(&mut ev);
            sink.push(Kind::SecretToken, Confidence::Medium, 0..value.len(), ev);
        }
    }
    sink.reads.get()
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
    // IBANs before cards: an IBAN's digit groups can pass Luhn too (`IE75 AIBK 3034 1755 0367
    // 89`), and its country code and mod-97 check make it the more specific reading.
    if p.digits >= 8 && p.upper {
        numbers::ibans(text, sink);
    }
    if p.digits >= 13 {
        numbers::cards(text, sink);
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
    sink.read(Reads::NAMES);
    for (name, from) in &ctx.names {
        if *from == sink.field {
            continue;
        }
        names::find_learnt(text, name, |span| {
            let ev = ev![format!("link: same name as {from}").into()];
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
        let mut ev: Ev = ev![why.into()];
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
