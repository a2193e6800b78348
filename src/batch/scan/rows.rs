//! The rows of `telex scan`'s findings in each format. JSON lines are written by hand, byte
//! for byte as serde_json writes them (then made terminal-safe like every JSON line), since
//! millions of them are the bulk of a scan's work.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;
use std::ops::Range;

use serde::Serialize;

use super::super::{json as jsonl, table};
use crate::cli::ScanFormat;
use crate::model::{Confidence, Event, Finding, Kind};
use crate::pii::fieldname::WordHash;
use crate::text::visible;

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
    middles: Middles,
}

/// Rendered middles of lines (`"field",…,"evidence":[…`), by finding: the same field, kind,
/// span and evidence come back event after event, and are escaped once. Only findings whose
/// evidence is all borrowed phrases are kept: those are told apart by address, cheaply.
#[derive(Default)]
struct Middles {
    map: HashMap<u64, Vec<Middle>, BuildHasherDefault<WordHash>>,
    entries: usize,
}

struct Middle {
    field: Box<str>,
    kind: Kind,
    confidence: Confidence,
    span: Option<Range<usize>>,
    evidence: Vec<(usize, usize)>,
    bytes: Box<[u8]>,
    wide: bool,
}

impl Middle {
    fn is(&self, f: &Finding) -> bool {
        *self.field == *f.field
            && self.kind == f.kind
            && self.confidence == f.confidence
            && self.span == f.span
            && self.evidence.len() == f.evidence.len()
            && self
                .evidence
                .iter()
                .zip(&f.evidence)
                .all(|(a, b)| Some(*a) == address(b))
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
            push_int(out, r.start as i128);
            out.push(b',');
            push_int(out, r.end as i128);
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
    /// `middle(f)` appended to `out`, from the cache when it can be.
    fn render(&mut self, f: &Finding, out: &mut Vec<u8>) -> bool {
        let mut h = WordHash::default();
        h.write(f.field.as_bytes());
        h.write_usize(f.kind as usize * 4 + f.confidence as usize);
        for e in &f.evidence {
            match address(e) {
                Some((at, len)) => h.write_usize(at ^ len),
                None => return middle(f, out),
            }
        }
        if let Some(r) = &f.span {
            h.write_usize(r.start);
            h.write_usize(r.end);
        }
        let key = h.finish();
        if let Some(m) = self
            .map
            .get(&key)
            .and_then(|ms| ms.iter().find(|m| m.is(f)))
        {
            out.extend_from_slice(&m.bytes);
            return m.wide;
        }
        let start = out.len();
        let wide = middle(f, out);
        if self.entries >= 4096 {
            self.map.clear();
            self.entries = 0;
        }
        self.entries += 1;
        self.map.entry(key).or_default().push(Middle {
            field: f.field.as_str().into(),
            kind: f.kind,
            confidence: f.confidence,
            span: f.span.clone(),
            evidence: f.evidence.iter().filter_map(address).collect(),
            bytes: out[start..].into(),
            wide,
        });
        wide
    }
}

impl JsonlEvent {
    pub fn start(&mut self, id: i64, category: &str, ts: &str) {
        self.head.clear();
        self.head.extend_from_slice(b"{\"id\":");
        push_int(&mut self.head, i128::from(id));
        self.head.extend_from_slice(b",\"field\":");
        self.tail.clear();
        self.tail.extend_from_slice(b"],\"category\":");
        self.tail_wide = jsonl::push_str(&mut self.tail, category);
        self.tail.extend_from_slice(b",\"ts\":");
        self.tail_wide |= jsonl::push_str(&mut self.tail, ts);
        self.tail.extend_from_slice(b",\"value\":");
    }

    /// One finding's line, appended to `out`.
    pub fn line(&mut self, f: &Finding, value: &str, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.head);
        let mut wide = self.tail_wide | self.middles.render(f, out);
        out.extend_from_slice(&self.tail);
        wide |= jsonl::push_str(out, value);
        out.push(b'}');
        jsonl::finish_line(out, start, wide);
    }
}

/// A decimal integer, without going through `fmt`.
fn push_int(out: &mut Vec<u8>, n: i128) {
    if n < 0 {
        out.push(b'-');
    }
    let mut m = n.unsigned_abs();
    let mut buf = [0u8; 40];
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
