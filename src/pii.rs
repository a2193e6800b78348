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

mod bytes;
mod detectors;
mod event;
pub mod fieldname;
mod intern;
mod json;
mod mask;
mod memo;
mod namelist;
pub mod names;
mod numbers;
mod phones;
mod profile;
mod secrets;
mod sink;
mod structured;
mod tree;
pub mod validators;
mod words;

use crate::model::{Confidence, Event, Finding, Kind};
use fieldname::Hints;
pub(crate) use profile::Profile;
pub(crate) use sink::{Ev, Reads, Sink};
use structured::Next;

pub use event::EventScanner;
pub use mask::{id_ends, mask, mask_into};
pub use tree::Strings;

/// The version of what `scan_event` finds. Bump it whenever a change to the detectors can
/// change any finding: caches built by another version are then rebuilt, not trusted.
pub const ENGINE_VERSION: u32 = 6;

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
    let mut sink = Sink::new(field, name, column, ctx, value.len(), out, spare);
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

/// Scans one number of the payload whose field name `key` (what it says: `name`) names a
/// coordinate of `axis` (`"lat": 47.6062`); `value` is its text. Numbers are never free text:
/// only this detector reads them.
fn scan_coordinate(
    field: &str,
    (key, name, axis): (&str, &fieldname::Name, fieldname::Axis),
    value: &str,
    ctx: &Context,
    out: &mut Vec<Finding>,
    spare: &mut Vec<Finding>,
) {
    let mut sink = Sink::new(field, name, None, ctx, value.len(), out, spare);
    numbers::coordinate(value, key, axis, &mut sink);
}

fn scan_free_text(text: &str, sink: &mut Sink) {
    let p = Profile::of(text);
    if p.len < 5 {
        return;
    }
    let hints = sink.hints;
    secrets::secrets(text, &p, sink);
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
    if p.digits >= 7
        && phones::phone_shaped(text)
        && (hints.has(Hints::PHONE) || p.plus || phones::phone_context(text))
    {
        phones::phones(text, hints, sink);
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
            let ev = ev![intern::link(intern::Link::SameName, from)];
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
    if loose {
        names::find_possessive_given(text, |span| {
            let mut ev: Ev = ev!["validator: given name list + possessive".into()];
            sink.hint(&mut ev, Hints::DEVICE);
            sink.push(Kind::PersonName, Confidence::Medium, span, ev);
        });
    }
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

/// Texts of up to eight pieces drawn from `pieces`, the same sequence for a `seed` on every
/// run: the detectors' fast paths are tested against the logic they replace on these.
#[cfg(test)]
pub(crate) fn random_texts(
    seed: u64,
    pieces: &[&str],
    count: usize,
) -> impl Iterator<Item = String> {
    let mut seed = seed;
    (0..count).map(move |_| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let n = (seed >> 33) % 9;
        (0..n)
            .map(|i| pieces[((seed >> (i * 6 + 3)) % pieces.len() as u64) as usize])
            .collect()
    })
}
