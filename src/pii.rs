//! The pure detection engine of DESIGN §2: findings in one event's columns and payload. No I/O.

mod detectors;
pub mod fieldname;
mod json;
mod mask;
mod namelist;
pub mod names;
mod numbers;
mod structured;
pub mod validators;

use std::ops::Range;

use crate::model::{Confidence, Event, Finding, Kind};
use fieldname::Hints;
use json::Json;
use structured::Next;

pub use json::Strings;
pub use mask::mask;

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

/// Collects the findings of one string value; drops candidates that overlap an earlier,
/// more specific one (detectors run most specific first).
pub(crate) struct Sink<'s, 'c> {
    pub field: &'s str,
    pub key: &'s str,
    pub hints: Hints,
    pub column: Option<&'s str>,
    pub ctx: &'s Context<'c>,
    len: usize,
    out: &'s mut Vec<Finding>,
    first: usize,
}

impl Sink<'_, '_> {
    /// Adds the field-name evidence when the key carries one of `flags`.
    pub fn hint(&self, ev: &mut Vec<String>, flags: Hints) -> bool {
        if !self.hints.any(flags) {
            return false;
        }
        self.hint_any(ev);
        true
    }

    pub fn hint_any(&self, ev: &mut Vec<String>) {
        if !self.hints.is_empty() {
            let e = fieldname::evidence(self.key);
            if !ev.contains(&e) {
                ev.push(e);
            }
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

    pub fn push(
        &mut self,
        kind: Kind,
        confidence: Confidence,
        span: Range<usize>,
        evidence: Vec<String>,
    ) {
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
/// kind), deterministic.
pub fn scan_event(event: &Event) -> Vec<Finding> {
    let s = &event.summary;
    let mut ctx = Context {
        category: &s.category,
        tenant_id: s.tenant_id.as_deref().filter(|t| !t.is_empty()),
        session_id: s.session_id.as_deref().filter(|t| !t.is_empty()),
        user_id: s.user_id.as_deref().filter(|t| !t.is_empty()),
        ..Context::default()
    };
    let parsed = event.payload.as_deref().and_then(parse_payload);
    let mut leaves = Leaves {
        arena: String::with_capacity(512),
        path: String::with_capacity(64),
        list: Vec::with_capacity(24),
    };
    match (&parsed, event.payload.as_deref()) {
        (Some(v), _) => leaves.walk(v, "", Hints::NONE, "payload"),
        (None, Some(text)) => leaves.push_root("payload", text),
        (None, None) => {}
    }
    for leaf in &leaves.list {
        leaf.learn(&leaves.arena, &mut ctx);
    }
    let mut out = Vec::with_capacity(8);
    let columns = [
        ("tenant_id", s.tenant_id.as_deref()),
        ("session_id", s.session_id.as_deref()),
        ("user_id", s.user_id.as_deref()),
    ];
    for (name, value) in columns {
        if let Some(v) = value {
            scan_value(name, name, Some(name), v, &ctx, &mut out);
        }
    }
    for (name, value) in &event.extra {
        if let Some(v) = value {
            scan_value(name, name, None, v, &ctx, &mut out);
        }
    }
    for leaf in &leaves.list {
        let field = &leaves.arena[leaf.field.clone()];
        scan_hinted(
            field, leaf.key, leaf.hints, None, leaf.value, &ctx, &mut out,
        );
    }
    finish(out)
}

/// The findings of one free-text value under `field`, with no field-name hints.
pub fn scan_text(field: &str, text: &str, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    scan_value(field, "", None, text, ctx, &mut out);
    finish(out)
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
    scan_hinted(field, key, fieldname::hints(key), column, value, ctx, out);
}

fn scan_hinted(
    field: &str,
    key: &str,
    hints: Hints,
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
        key,
        hints,
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
    for (name, from) in &ctx.names {
        if *from == sink.field {
            continue;
        }
        names::find_learnt(text, name, |span| {
            let ev = vec![format!("link: same name as {from}")];
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
        let mut ev = vec![why.to_string()];
        sink.hint(&mut ev, Hints::NAME);
        sink.push(Kind::PersonName, conf, n.span, ev);
    });
}

fn parse_payload(text: &str) -> Option<Json<'_>> {
    let first = text.bytes().find(|c| !c.is_ascii_whitespace())?;
    if first != b'{' && first != b'[' {
        return None;
    }
    json::parse(text)
}

/// One string leaf of the payload: its pointer (a range of the arena) and its last key.
struct Leaf<'v> {
    field: Range<usize>,
    key: &'v str,
    hints: Hints,
    value: &'v str,
}

impl<'v> Leaf<'v> {
    fn learn(&self, arena: &str, ctx: &mut Context<'v>) {
        let h = self.hints;
        if h.is_empty() {
            return;
        }
        let v = self.value;
        if h.person_name() && names::fit_whole(v).is_some() && v.contains(' ') {
            ctx.names.push((v, arena[self.field.clone()].to_string()));
        } else if h.has(Hints::EMAIL) && v.contains('@') && !v.contains(' ') {
            ctx.emails.push((v, arena[self.field.clone()].to_string()));
        }
    }
}

/// The payload's string leaves; pointers live in one arena so the walk allocates little.
struct Leaves<'v> {
    arena: String,
    path: String,
    list: Vec<Leaf<'v>>,
}

impl<'v> Leaves<'v> {
    fn push_root(&mut self, field: &str, value: &'v str) {
        let start = self.arena.len();
        self.arena.push_str(field);
        self.list.push(Leaf {
            field: start..self.arena.len(),
            key: "",
            hints: Hints::NONE,
            value,
        });
    }

    fn walk(&mut self, v: &'v Json<'v>, key: &'v str, hints: Hints, root: &str) {
        if self.path.is_empty() {
            self.path.push_str(root);
        }
        match v {
            Json::Str(s) => {
                let start = self.arena.len();
                self.arena.push_str(&self.path);
                self.list.push(Leaf {
                    field: start..self.arena.len(),
                    key,
                    hints,
                    value: s,
                });
            }
            Json::Obj(map) => {
                for (k, child) in map {
                    let k: &str = &k.0;
                    let len = self.path.len();
                    self.path.push('/');
                    push_escaped(&mut self.path, k);
                    self.walk(child, k, fieldname::hints(k), root);
                    self.path.truncate(len);
                }
            }
            Json::Arr(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = self.path.len();
                    self.path.push('/');
                    self.path.push_str(itoa(i, &mut [0u8; 20]));
                    // An array element is named by the key of its array (`ips/0` → ips).
                    self.walk(child, key, hints, root);
                    self.path.truncate(len);
                }
            }
            Json::Scalar => {}
        }
    }
}

fn push_escaped(path: &mut String, key: &str) {
    if key.contains(['~', '/']) {
        path.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        path.push_str(key);
    }
}

fn itoa(mut n: usize, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// Sorts by (field, span start, kind) and merges duplicates of the same (field, kind, span).
fn finish(mut out: Vec<Finding>) -> Vec<Finding> {
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
    out
}
