//! The rows of `telex scan`'s findings in each format. JSON lines are written by hand, byte
//! for byte as serde_json writes them (then made terminal-safe like every JSON line), since
//! millions of them are the bulk of a scan's work.

use std::cell::RefCell;
use std::hash::Hasher;
use std::io::Write;

use serde::Serialize;

use super::super::json as jsonl;
use super::super::table::{self, Column};
use super::middles::{Layout, Middles, Piece, write_ends};
use crate::cli::ScanFormat;
use crate::model::{Event, Finding, Kind};
use crate::pii::{self, fieldname::WordHash};
use crate::text::{canonical_utc, rfc3339_utc, same_text, visible};

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

/// Table columns of the findings (`COLUMNS`); evidence takes the rest of the line.
pub(super) const TABLE: [Column; 10] = [
    Column::Right(8),
    Column::Left(23),
    Column::Left(8),
    Column::Left(36),
    Column::Left(15),
    Column::Left(12),
    Column::Left(10),
    Column::Left(9),
    Column::Left(32),
    Column::Free,
];

pub(super) fn header(format: ScanFormat, out: &mut dyn Write) -> std::io::Result<()> {
    let names = &COLUMNS;
    match format {
        ScanFormat::Jsonl => Ok(()),
        ScanFormat::Csv => table::csv_row(out, names.iter().copied()),
        ScanFormat::Table => {
            let names = names.map(|n| if n == "ts" { "time (UTC)" } else { n });
            let mut line = Vec::new();
            table::table_line_into(&mut line, &cells_in(&names));
            out.write_all(&line)
        }
        ScanFormat::Markdown => {
            writeln!(out, "| {} |", names.join(" | "))?;
            writeln!(out, "|{}", "---|".repeat(names.len()))
        }
    }
}

/// `cells` in the table's columns.
fn cells_in<'a>(cells: &[&'a str; 10]) -> [(&'a str, Column); 10] {
    std::array::from_fn(|i| (cells[i], TABLE[i]))
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

/// One finding in `format`, appended to `out`; `value` is already masked (or revealed on
/// request). Cell by cell: what `JsonlEvent` and `TextLines` write faster, byte for byte
/// (tested), and the Markdown rows of reports.
pub(super) fn row(
    format: ScanFormat,
    event: &Event,
    ts: &str,
    f: &Finding,
    value: &str,
    out: &mut Vec<u8>,
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
    let (id, span, evidence) = (s.id.to_string(), span_text(f), evidence_text(f));
    let cells = [
        id.as_str(),
        ts,
        &s.category,
        &f.field,
        f.kind.as_str(),
        f.class().as_str(),
        f.confidence.as_str(),
        &span,
        value,
        &evidence,
    ];
    match format {
        ScanFormat::Csv => table::csv_row_into(out, cells.into_iter()),
        ScanFormat::Markdown => markdown_row(out, &cells.map(String::from))?,
        _ => table::table_line_into(out, &cells_in(&cells)),
    }
    Ok(())
}

/// A finding's span as its cell shows it (`5..12`), or nothing when it is the whole value.
pub(super) fn span_text(f: &Finding) -> String {
    f.span
        .as_ref()
        .map_or_else(String::new, |r| format!("{}..{}", r.start, r.end))
}

/// A finding's evidence as one cell.
pub(super) fn evidence_text(f: &Finding) -> String {
    f.evidence.join("; ")
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
    middles: Middles<JsonMiddle>,
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
    super::with_worker_local(&LINES, f)
}

/// The middle of a JSON line: `field` … `evidence` items; nothing after the value.
#[derive(Default)]
pub(super) struct JsonMiddle;

impl Layout for JsonMiddle {
    fn cells(f: &Finding, out: &mut Vec<u8>) -> Piece {
        Piece {
            wide: json_middle(f, out),
            after: 0,
        }
    }
}

/// `field` … `evidence` items of a line, appended to `out`; true when not all ASCII.
fn json_middle(f: &Finding, out: &mut Vec<u8>) -> bool {
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

impl JsonlEvent {
    /// Starts the lines of an event; `ts` as stored (it is printed as `rfc3339_utc` gives it).
    pub fn start(&mut self, id: i64, category: &str, ts: &str) {
        self.head.clear();
        self.head.extend_from_slice(b"{\"id\":");
        push_int(&mut self.head, id);
        self.head.extend_from_slice(b",\"field\":");
        self.tail.clear();
        self.tail.extend_from_slice(b"],\"category\":");
        self.tail_wide = self.push_category(category);
        self.middles.start(category);
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

    /// `category` as a JSON string, appended to the tail; true when it is not all ASCII.
    fn push_category(&mut self, category: &str) -> bool {
        const MAX: usize = 64;
        if let Some(c) = self
            .categories
            .iter()
            .find(|c| same_text(&c.name, category))
        {
            self.tail.extend_from_slice(&c.json);
            return c.wide;
        }
        let start = self.tail.len();
        let wide = jsonl::push_str(&mut self.tail, category);
        if self.categories.len() >= MAX {
            return wide;
        }
        self.categories.push(Category {
            name: category.into(),
            json: self.tail[start..].into(),
            wide,
        });
        wide
    }

    /// One finding's line, appended to `out`. `value`: the finding's text (its span, or the
    /// whole value; `None` prints empty), masked here unless `reveal`.
    pub fn line(&mut self, f: &Finding, value: Option<&str>, reveal: bool, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.head);
        let mut wide = self.tail_wide | self.middles.render(f, out).wide;
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
pub(super) fn push_int(out: &mut Vec<u8>, n: i64) {
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

/// What the tests of the scan's line writers share.
#[cfg(test)]
pub(super) mod fixtures {
    use crate::model::{Event, EventSummary};

    /// An event with what every line prints of it.
    pub fn event(id: i64, category: &str, ts: &str) -> Event {
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

    /// Deterministic pseudo-random picks below `n`, so that findings, values and categories
    /// follow one another in changing orders and every cache both hits and misses.
    pub fn picker(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::event;
    use super::*;
    use crate::batch::scan::middles::MIDDLES_MAX;
    use crate::model::Confidence;
    use crate::text::rfc3339_utc;
    use std::borrow::Cow;

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
        let mut pick = fixtures::picker(7);
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
