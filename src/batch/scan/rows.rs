//! The rows of `telex scan`'s findings in each format. JSON lines are written by hand, byte
//! for byte as serde_json writes them (then made terminal-safe like every JSON line), since
//! millions of them are the bulk of a scan's work.

use std::io::Write;

use serde::Serialize;

use super::super::{json as jsonl, table};
use crate::cli::ScanFormat;
use crate::model::{Event, Finding};
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

/// One `--format jsonl` line: `Line` as serde_json serializes it, appended to `out`. `line`
/// is scratch space.
pub(super) fn jsonl_row(
    id: i64,
    category: &str,
    ts: &str,
    f: &Finding,
    value: &str,
    line: &mut String,
    out: &mut Vec<u8>,
) {
    line.clear();
    line.push_str("{\"id\":");
    push_int(line, id);
    line.push_str(",\"field\":");
    jsonl::push_str(line, &f.field);
    line.push_str(",\"kind\":");
    jsonl::push_str(line, f.kind.as_str());
    line.push_str(",\"class\":");
    jsonl::push_str(line, f.class().as_str());
    line.push_str(",\"confidence\":");
    jsonl::push_str(line, f.confidence.as_str());
    line.push_str(",\"span\":");
    match &f.span {
        Some(r) => {
            line.push('[');
            push_int(line, r.start as u64);
            line.push(',');
            push_int(line, r.end as u64);
            line.push(']');
        }
        None => line.push_str("null"),
    }
    line.push_str(",\"evidence\":[");
    for (i, e) in f.evidence.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        jsonl::push_str(line, e);
    }
    line.push_str("],\"category\":");
    jsonl::push_str(line, category);
    line.push_str(",\"ts\":");
    jsonl::push_str(line, ts);
    line.push_str(",\"value\":");
    jsonl::push_str(line, value);
    line.push('}');
    jsonl::push_safe_line(line, out);
}

/// A decimal integer, without going through `fmt`.
fn push_int(out: &mut String, n: impl Into<i128>) {
    let n: i128 = n.into();
    if n < 0 {
        out.push('-');
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
    out.extend(buf[i..].iter().map(|d| char::from(*d)));
}
