//! The rows of `telex scan`'s findings in each format. JSON lines are written by hand, byte
//! for byte as serde_json writes them (then made terminal-safe like every JSON line), since
//! millions of them are the bulk of a scan's work.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;
use std::ops::Range;

use serde::Serialize;

use super::super::{json as jsonl, table};
use crate::cli::ScanFormat;
use crate::model::{Confidence, Event, Finding, Kind};
use crate::pii::{self, fieldname::WordHash};
use crate::text::{canonical_utc, rfc3339_utc, visible};

const COLUMNS: [&str; 10] = [
    "id",
    "ts",
    "category",
    "field",
    "kind",
    "class",
    "confidence",
    "span",
    "value",
    "evidence",
];

/// Table widths of the finding columns; evidence takes the rest of the line.
const WIDTHS: [usize; 9] = [8, 23, 8, 36, 15, 12, 10, 9, 32];

pub(super) fn header(format: ScanFormat, out: &mut dyn Write) -> std::io::Result<()> {
    let names = &COLUMNS;
    match format {
        ScanFormat::Jsonl => Ok(()),
        ScanFormat::Csv => table::csv_row(out, names.iter().copied()),
        ScanFormat::Table => {
            let cells: Vec<String> = names
                .iter()
                .map(|n| if *n == "ts" { "time (UTC)" } else { n })
                .map(String::from)
                .collect();
            table_line(out, &cells)
        }
        ScanFormat::Markdown => {
            writeln!(out, "| {} |", names.join(" | "))?;
            writeln!(out, "|{}", "---|".repeat(names.len()))
        }
    }
}

fn span_text(f: &Finding) -> String {
    f.span
        .as_ref()
        .map_or_else(String::new, |r| format!("{}..{}", r.start, r.end))
}

/// One JSON line of `--format jsonl`, in the field order of DESIGN §4 plus `value`.
#[derive(Serialize)]
struct Line<'a> {
    id: i64,
    field: &'a str,
    kind: &'a str,
    class: &'a str,
    confidence: &'a str,
    span: Option<[usize; 2]>,
    evidence: &'a [std::borrow::Cow<'static, str>],
    category: &'a str,
    ts: &'a str,
    value: &'a str,
}

/// One finding in `format`; `value` is already masked (or revealed on request).
pub(super) fn row(
    format: ScanFormat,
    event: &Event,
    ts: &str,
    f: &Finding,
    value: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let s = &event.summary;
    if format == ScanFormat::Jsonl {
        let line = Line {
            id: s.id,
            field: &f.field,
            kind: f.kind.as_str(),
            class: f.class().as_str(),
            confidence: f.confidence.as_str(),
            span: f.span.as_ref().map(|r| [r.start, r.end]),
            evidence: &f.evidence,
            category: &s.category,
            ts,
            value,
        };
        return jsonl::write_serialize(out, &line);
    }
    let cells = [
        s.id.to_string(),
        ts.to_string(),
        s.category.clone(),
        f.field.clone(),
        f.kind.as_str().to_string(),
        f.class().as_str().to_string(),
        f.confidence.as_str().to_string(),
        span_text(f),
        value.to_string(),
        f.evidence.join("; "),
    ];
    match format {
        ScanFormat::Csv => table::csv_row(out, cells.iter().map(String::as_str)),
        ScanFormat::Markdown => markdown_row(out, &cells),
        _ => table_line(out, &cells),
    }
}

/// Cells cut to the column widths (the last one is free), every value made visible.
fn table_line(out: &mut dyn Write, cells: &[String]) -> std::io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        let cell = visible(cell);
        match WIDTHS.get(i) {
            Some(&w) if i == 0 => line.push_str(&format!("{:>w$}", table::fit(&cell, w))),
            Some(&w) => line.push_str(&format!("{:<w$}", table::fit(&cell, w))),
            None => line.push_str(&cell),
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// A Markdown table row: values made visible, pipes escaped so a value cannot add a column.
pub(crate) fn markdown_row(out: &mut dyn Write, cells: &[String]) -> std::io::Result<()> {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| visible(c).replace('\\', "\\\\").replace('|', "\\|"))
        .collect();
    writeln!(out, "| {} |", cells.join(" | "))
}

/// The `--format jsonl` lines of one event: `Line` as serde_json serializes it. The parts that
/// are the same on every line of the event (id, category, time) are escaped once.
#[derive(Default)]
pub(super) struct JsonlEvent {
    /// `{"id":N,"field":`
    head: Vec<u8>,
    /// `],"category":"…","ts":"…","value":`
    tail: Vec<u8>,
    /// The tail holds non-ASCII text.
    tail_wide: bool,
    /// Escaped categories: an export has a few, and finding one here costs less than
    /// escaping it for every event.
    categories: Vec<Category>,
    middles: Middles,
    masked: MaskedValues,
}

struct Category {
    name: Box<str>,
    /// The name as a JSON string.
    json: Box<[u8]>,
    /// Not all ASCII.
    wide: bool,
}

thread_local! {
    /// Each scan worker's lines. Their caches live as long as the worker: an `Output` leaves
    /// for the caller's thread with its chunk, so caches kept there would start cold on every
    /// chunk. What they hold depends only on their keys, never on the scan that filled them.
    static LINES: RefCell<JsonlEvent> = RefCell::default();
}

/// `f` with this thread's `JsonlEvent`.
pub(super) fn with_lines<R>(f: impl FnOnce(&mut JsonlEvent) -> R) -> R {
    LINES.with(|lines| match lines.try_borrow_mut() {
        Ok(mut lines) => f(&mut lines),
        // Only if a caller re-entered from inside a render: fresh caches then.
        Err(_) => f(&mut JsonlEvent::default()),
    })
}

/// Rendered middles of lines (`"field",…,"evidence":[…`), by finding: the same field, kind,
/// span and evidence come back event after event, and are escaped once. Only findings whose
/// evidence is all borrowed phrases are kept: those are told apart by address, cheaply.
#[derive(Default)]
struct Middles {
    entries: Vec<Middle>,
    /// `entries` by `finding_key`.
    index: HashMap<u64, Vec<usize>, BuildHasherDefault<WordHash>>,
    /// The entry of the event's line before, if any: an event's findings mostly follow one
    /// another as they did last time, so its `next` is tried before a lookup.
    prev: Option<usize>,
    /// For the first line, which has no line before it: by category (its number in
    /// `JsonlEvent::categories`), the entry of the first line of the category's last event.
    firsts: Vec<Option<usize>>,
    /// The event's category number, if it has one.
    category: Option<usize>,
}

/// The most entries kept: far more than the distinct findings of an export, as a bound.
const MIDDLES_MAX: usize = 4096;

struct Middle {
    field: Box<str>,
    kind: Kind,
    confidence: Confidence,
    span: Option<Range<usize>>,
    evidence: Vec<(usize, usize)>,
    bytes: Box<[u8]>,
    wide: bool,
    /// The entry of the line that came next last time.
    next: Option<usize>,
}

impl Middle {
    fn is(&self, f: &Finding) -> bool {
        *self.field == *f.field
            && self.kind == f.kind
            && self.confidence == f.confidence
            && self.span == f.span
            && self.evidence.len() == f.evidence.len()
            && self.same_evidence(&f.evidence)
    }

    /// A plain loop: an iterator chain here was left as a call by the compiler.
    fn same_evidence(&self, evidence: &[Cow<'static, str>]) -> bool {
        for (kept, e) in self.evidence.iter().zip(evidence) {
            if Some(*kept) != address(e) {
                return false;
            }
        }
        true
    }
}

/// Where a borrowed phrase lives; `None` for built ones.
#[allow(clippy::ptr_arg)] // Borrowed or Owned is the point
fn address(e: &Cow<'static, str>) -> Option<(usize, usize)> {
    match e {
        Cow::Borrowed(s) => Some((s.as_ptr() as usize, s.len())),
        Cow::Owned(_) => None,
    }
}

/// `field` … `evidence` items of a line, appended to `out`; true when not all ASCII.
fn middle(f: &Finding, out: &mut Vec<u8>) -> bool {
    let mut wide = jsonl::push_str(out, &f.field);
    // Kind, class and confidence names are plain ASCII words: nothing to escape.
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(f.kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"class\":\"");
    out.extend_from_slice(f.class().as_str().as_bytes());
    out.extend_from_slice(b"\",\"confidence\":\"");
    out.extend_from_slice(f.confidence.as_str().as_bytes());
    out.extend_from_slice(b"\",\"span\":");
    match &f.span {
        Some(r) => {
            out.push(b'[');
            push_uint(out, r.start as u64);
            out.push(b',');
            push_uint(out, r.end as u64);
            out.push(b']');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"evidence\":[");
    for (i, e) in f.evidence.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        wide |= jsonl::push_str(out, e);
    }
    wide
}

impl Middles {
    /// A new event, of the category numbered `category`.
    fn start(&mut self, category: Option<usize>) {
        self.prev = None;
        self.category = category;
    }

    /// `middle(f)` appended to `out`, from the cache when it can be; true when not all ASCII.
    fn render(&mut self, f: &Finding, out: &mut Vec<u8>) -> bool {
        let Some(i) = self
            .predicted(f)
            .or_else(|| self.find(f))
            .or_else(|| self.add(f))
        else {
            self.prev = None;
            return middle(f, out);
        };
        match (self.prev, self.category) {
            (Some(prev), _) => self.entries[prev].next = Some(i),
            (None, Some(c)) => {
                if self.firsts.len() <= c {
                    self.firsts.resize(c + 1, None);
                }
                self.firsts[c] = Some(i);
            }
            (None, None) => {}
        }
        self.prev = Some(i);
        let m = &self.entries[i];
        out.extend_from_slice(&m.bytes);
        m.wide
    }

    /// The entry that followed the line before last time (or that came first in the
    /// category's last event), if it is `f`'s.
    fn predicted(&self, f: &Finding) -> Option<usize> {
        let expected = match self.prev {
            Some(prev) => self.entries[prev].next,
            None => *self.firsts.get(self.category?)?,
        }?;
        self.entries[expected].is(f).then_some(expected)
    }

    fn find(&self, f: &Finding) -> Option<usize> {
        let candidates = self.index.get(&finding_key(f))?;
        candidates.iter().copied().find(|&i| self.entries[i].is(f))
    }

    /// A new entry for `f`; `None` when its evidence is not all borrowed (it is not kept).
    fn add(&mut self, f: &Finding) -> Option<usize> {
        let evidence = f.evidence.iter().map(address).collect::<Option<Vec<_>>>()?;
        if self.entries.len() >= MIDDLES_MAX {
            self.entries.clear();
            self.index.clear();
            self.firsts.clear();
            self.prev = None;
        }
        let mut bytes = Vec::new();
        let wide = middle(f, &mut bytes);
        let i = self.entries.len();
        self.entries.push(Middle {
            field: f.field.as_str().into(),
            kind: f.kind,
            confidence: f.confidence,
            span: f.span.clone(),
            evidence,
            bytes: bytes.into(),
            wide,
            next: None,
        });
        self.index.entry(finding_key(f)).or_default().push(i);
        Some(i)
    }
}

/// A hash of `f` but for its evidence, which nearly always follows from the rest (and which
/// `Middle::is` compares anyway).
fn finding_key(f: &Finding) -> u64 {
    let mut h = WordHash::default();
    write_ends(&mut h, f.field.as_bytes());
    h.write_usize(f.kind as usize * 4 + f.confidence as usize);
    if let Some(r) = &f.span {
        h.write_usize(r.start);
        h.write_usize(r.end);
    }
    h.finish()
}

/// Hashes the length and the first and last eight bytes of `b`: enough to tell ids, emails,
/// names and field names apart (they seldom share both ends and the length), and cheaper
/// than every byte. Whatever a key finds is compared in full, so a clash costs only a miss.
fn write_ends(h: &mut WordHash, b: &[u8]) {
    h.write_usize(b.len());
    if b.len() <= 16 {
        h.write(b);
    } else {
        h.write(&b[..8]);
        h.write(&b[b.len() - 8..]);
    }
}

impl JsonlEvent {
    /// Starts the lines of an event; `ts` as stored (it is printed as `rfc3339_utc` gives it).
    pub fn start(&mut self, id: i64, category: &str, ts: &str) {
        self.head.clear();
        self.head.extend_from_slice(b"{\"id\":");
        push_int(&mut self.head, id);
        self.head.extend_from_slice(b",\"field\":");
        self.tail.clear();
        self.tail.extend_from_slice(b"],\"category\":");
        let (number, wide) = self.push_category(category);
        self.tail_wide = wide;
        self.middles.start(number);
        self.tail.extend_from_slice(b",\"ts\":");
        if canonical_utc(ts) {
            // Nearly every event: nothing to reformat or escape.
            self.tail.push(b'"');
            self.tail.extend_from_slice(ts.as_bytes());
            self.tail.push(b'"');
        } else {
            self.tail_wide |= jsonl::push_str(&mut self.tail, &rfc3339_utc(ts));
        }
        self.tail.extend_from_slice(b",\"value\":");
    }

    /// `category` as a JSON string, appended to the tail: its number in `categories` (if it
    /// has one), and whether it is not all ASCII.
    fn push_category(&mut self, category: &str) -> (Option<usize>, bool) {
        const MAX: usize = 64;
        let known = self.categories.iter().position(|c| *c.name == *category);
        if let Some(c) = known.map(|i| &self.categories[i]) {
            self.tail.extend_from_slice(&c.json);
            return (known, c.wide);
        }
        let start = self.tail.len();
        let wide = jsonl::push_str(&mut self.tail, category);
        if self.categories.len() >= MAX {
            return (None, wide);
        }
        self.categories.push(Category {
            name: category.into(),
            json: self.tail[start..].into(),
            wide,
        });
        (Some(self.categories.len() - 1), wide)
    }

    /// One finding's line, appended to `out`. `value`: the finding's text (its span, or the
    /// whole value; `None` prints empty), masked here unless `reveal`.
    pub fn line(&mut self, f: &Finding, value: Option<&str>, reveal: bool, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.head);
        let mut wide = self.tail_wide | self.middles.render(f, out);
        out.extend_from_slice(&self.tail);
        wide |= match value {
            Some(text) if !reveal => self.masked.render(f.kind, text, out),
            Some(text) => jsonl::push_str(out, text),
            None => jsonl::push_str(out, ""),
        };
        out.push(b'}');
        jsonl::finish_line(out, start, wide);
    }
}

/// Masked values as JSON strings, by kind and text: an id comes back on every event of its
/// session, tenant or user, and is masked and escaped once. Direct-mapped (a value replaces
/// the one in its slot), so it stays small and bounded; long values are rare repeats, and are
/// not kept.
#[derive(Default)]
struct MaskedValues {
    /// `1 << MASKED_BITS` entries once used.
    slots: Vec<Option<Masked>>,
    /// Scratch for one masked value.
    text: String,
}

const MASKED_BITS: u32 = 14;
/// The longest text kept: ids, emails, names and addresses fit.
const MASKED_MAX: usize = 96;

struct Masked {
    kind: Kind,
    text: Box<str>,
    /// The masked text as a JSON string.
    json: Box<[u8]>,
    wide: bool,
}

impl MaskedValues {
    /// `text` masked for `kind`, as a JSON string appended to `out`; true when not all ASCII.
    fn render(&mut self, kind: Kind, text: &str, out: &mut Vec<u8>) -> bool {
        if let Some((first, last)) = pii::id_ends(kind, text)
            && let (Ok(first), Ok(last)) = (
                <[u8; 4]>::try_from(first.as_bytes()),
                <[u8; 4]>::try_from(last.as_bytes()),
            )
        {
            // Most findings are ids: writing their ends costs less than looking them up,
            // unless JSON must escape one of them.
            let mut json = *b"\"....***....\"";
            json[1..5].copy_from_slice(&first);
            json[8..12].copy_from_slice(&last);
            let inner = &json[1..12];
            if crate::text::json_plain_run(inner, 0, true) == inner.len() {
                out.extend_from_slice(&json);
                return false;
            }
        }
        if text.len() > MASKED_MAX {
            return self.mask(kind, text, out);
        }
        if self.slots.is_empty() {
            self.slots.resize_with(1 << MASKED_BITS, || None);
        }
        let mut h = WordHash::default();
        h.write_usize(kind as usize);
        write_ends(&mut h, text.as_bytes());
        // The high bits are the well-mixed ones.
        let slot = (h.finish() >> (64 - MASKED_BITS)) as usize;
        if let Some(m) = &self.slots[slot]
            && m.kind == kind
            && *m.text == *text
        {
            out.extend_from_slice(&m.json);
            return m.wide;
        }
        let start = out.len();
        let wide = self.mask(kind, text, out);
        self.slots[slot] = Some(Masked {
            kind,
            text: text.into(),
            json: out[start..].into(),
            wide,
        });
        wide
    }

    fn mask(&mut self, kind: Kind, text: &str, out: &mut Vec<u8>) -> bool {
        self.text.clear();
        pii::mask_into(kind, text, &mut self.text);
        jsonl::push_str(out, &self.text)
    }
}

/// A decimal integer, without going through `fmt`.
fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_uint(out, n.unsigned_abs());
}

fn push_uint(out: &mut Vec<u8>, mut m: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventSummary;
    use crate::text::rfc3339_utc;

    /// The line `row` writes through serde_json (then made terminal-safe): the reference.
    fn reference(event: &Event, f: &Finding, value: Option<&str>, reveal: bool) -> String {
        let shown = match value {
            Some(text) if !reveal => pii::mask(f.kind, text),
            Some(text) => text.to_string(),
            None => String::new(),
        };
        let ts = rfc3339_utc(&event.summary.ts);
        let mut out = Vec::new();
        row(ScanFormat::Jsonl, event, &ts, f, &shown, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn event(id: i64, category: &str, ts: &str) -> Event {
        Event {
            summary: EventSummary {
                id,
                ts: ts.into(),
                category: category.into(),
                ..EventSummary::default()
            },
            ..Event::default()
        }
    }

    fn finding(field: &str, kind: Kind, evidence: Vec<Cow<'static, str>>) -> Finding {
        Finding {
            field: field.into(),
            kind,
            confidence: Confidence::High,
            span: None,
            evidence,
        }
    }

    /// Renders `lines` of one event with `JsonlEvent` and checks each against `reference`.
    fn check(jsonl: &mut JsonlEvent, event: &Event, lines: &[(&Finding, Option<&str>)]) {
        for reveal in [false, true] {
            let s = &event.summary;
            jsonl.start(s.id, &s.category, &s.ts);
            for &(f, value) in lines {
                let mut out = Vec::new();
                jsonl.line(f, value, reveal, &mut out);
                let line = String::from_utf8(out).unwrap();
                assert_eq!(line, reference(event, f, value, reveal), "{f:?} {value:?}");
            }
        }
    }

    #[test]
    fn lines_are_serde_jsons_across_events_whatever_the_caches_hold() {
        let fields = [
            "session_id",
            "payload/a\"b",
            "payload/é\u{202e}",
            "payload/x\u{1b}[31m",
        ];
        let kinds = [
            Kind::SessionId,
            Kind::Email,
            Kind::PersonName,
            Kind::IpAddress,
        ];
        let evidence: [Vec<Cow<'static, str>>; 4] = [
            vec!["pattern".into()],
            vec!["pattern".into(), "field name a,b".into()],
            vec![Cow::Owned("built \u{9b} phrase".into())],
            vec![],
        ];
        let values = [
            Some("6D79C287-73C9-391B-4E69-ED09D8D02E19"),
            Some("6D79C287-73C9-391B-4E69-ED09D8D02E1A"),
            Some("alice@contoso.com"),
            Some("Zoë \u{202e}Ångström\u{1b}"),
            Some("203.0.113.7"),
            // Ids whose kept ends JSON must escape, or that are not all ASCII.
            Some("a\"\\b0123456789abcdef\u{1}\tz"),
            Some("0123456789abcdef\u{7f}xyz"),
            Some("é123456789abcdef0123"),
            Some(""),
            None,
        ];
        let events = [
            event(1, "usage", "2026-06-03T02:42:36.717Z"),
            event(-42, "caté\u{2066}gory", "2026-09-01T14:00:00+02:00"),
            event(i64::MAX, "usage", "yesterday\u{1b}"),
            event(i64::MIN, "a\"b", "2026-06-03T02:42:36.717Z"),
        ];
        let mut all = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            for (j, kind) in kinds.iter().enumerate() {
                let mut f = finding(field, *kind, evidence[(i + j) % evidence.len()].clone());
                f.confidence = [Confidence::Low, Confidence::Medium, Confidence::High][j % 3];
                f.span = (j == 1).then_some(2..5);
                all.push(f);
            }
        }
        // Deterministic pseudo-random picks, so findings, values and categories follow one
        // another in changing orders and every cache both hits and misses.
        let mut seed = 7u64;
        let mut pick = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let mut jsonl = JsonlEvent::default();
        for _ in 0..400 {
            let event = &events[pick(events.len())];
            let count = pick(5);
            let lines: Vec<_> = (0..count)
                .map(|_| (&all[pick(all.len())], values[pick(values.len())]))
                .collect();
            check(&mut jsonl, event, &lines);
        }
    }

    #[test]
    fn a_changed_value_prints_its_own_never_the_one_before() {
        let f = finding(
            "session_id",
            Kind::SessionId,
            vec!["identity column".into()],
        );
        let e = event(7, "usage", "2026-06-03T02:42:36.717Z");
        let mut jsonl = JsonlEvent::default();
        let a = "AAAA0000-0000-0000-0000-00000000AAAA";
        let b = "BBBB0000-0000-0000-0000-00000000BBBB";
        for value in [
            Some(a),
            Some(a),
            Some(b),
            None,
            Some(b),
            Some(a),
            Some("short"),
        ] {
            check(&mut jsonl, &e, &[(&f, value)]);
        }
    }

    #[test]
    fn masked_values_match_masking_when_the_cache_overflows() {
        let mut masked = MaskedValues::default();
        let kinds = [Kind::SessionId, Kind::Email, Kind::Username];
        let text = |i: usize| format!("user{i:06}@example{}.com", i % 7);
        let long = "x".repeat(MASKED_MAX + 1);
        // More values than slots, twice over in two orders: slots are reused and replaced.
        let n = 3 << MASKED_BITS;
        for i in (0..n).chain((0..n).rev()) {
            let kind = kinds[i % kinds.len()];
            let value = if i % 1000 == 0 { long.clone() } else { text(i) };
            let mut out = Vec::new();
            masked.render(kind, &value, &mut out);
            let mut want = Vec::new();
            jsonl::push_str(&mut want, &pii::mask(kind, &value));
            assert_eq!(out, want, "{kind:?} {value}");
        }
    }

    #[test]
    fn middles_stay_right_past_their_bound() {
        let mut jsonl = JsonlEvent::default();
        let e = event(1, "usage", "2026-06-03T02:42:36.717Z");
        let findings: Vec<Finding> = (0..MIDDLES_MAX + 100)
            .map(|i| finding(&format!("payload/f{i}"), Kind::Username, vec!["p".into()]))
            .collect();
        for chunk in findings.chunks(3).chain(findings.chunks(3).take(50)) {
            let lines: Vec<_> = chunk.iter().map(|f| (f, Some("bob"))).collect();
            check(&mut jsonl, &e, &lines);
        }
    }

    #[test]
    fn ids_are_written_as_serde_json_writes_them() {
        for n in [0, 7, -1, 10, 99, 1234567, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            push_int(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }
}
