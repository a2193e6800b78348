//! `telex audit`: every violation of the policy in the matching events, as lines (`jsonl`,
//! `csv`, `table`) or as the Markdown report a reviewer attaches to a review (`report`).
//! Events and findings come from the shared scanner, whose workers also judge them and render
//! the lines or sum up the report per chunk (`check`); this thread writes the chunks out and
//! merges their counts in `(ts, id)` order, so the output is the same whatever the thread
//! count. Values are masked unless `--reveal`.

mod check;
mod report;
mod summary;
mod values;

use std::cell::Cell;
use std::io::{self, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::table::{self, Column};
use super::{BatchError, json as jsonl};
use crate::cli::ScanFormat;
use crate::model::{Event, Filter};
use crate::policy::{AuditContext, Policy, Subject, Violation};
use crate::scanner::{self, ScanError};
use crate::store::Store;
use crate::store::StoreError;
use crate::text::thousands;
use check::{Check, Part};
use summary::Summary;

/// How `telex audit` runs.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub format: ScanFormat,
    pub reveal: bool,
    /// Report progress on stderr (the caller decides: only when stderr is a terminal).
    pub progress: bool,
    /// Where the policy came from, for the report: "the default policy", "strict.toml (extends
    /// the default)".
    pub policy_source: String,
    /// Worker threads; 0 for one per available core.
    pub workers: usize,
}

/// What an audit saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub events: u64,
    pub violations: u64,
    /// Events with at least one violation.
    pub events_with: u64,
}

/// Where retention is measured from, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub at: Option<DateTime<Utc>>,
    /// "exported_at", "the newest event", or why there is none.
    pub origin: String,
    /// An `exported_at` that is not an RFC 3339 time, reported as not usable.
    pub bad_exported_at: Option<String>,
}

/// The export's `exported_at`, else its newest event's `ts` (DESIGN §1.1).
pub fn reference(store: &Store) -> Result<Reference, StoreError> {
    let info = store.export_info()?;
    let exported_at = info
        .iter()
        .find(|(k, _)| k == "exported_at")
        .map(|(_, v)| v.clone());
    let parse = |t: &str| {
        DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    if let Some(at) = exported_at.as_deref().and_then(parse) {
        return Ok(Reference {
            at: Some(at),
            origin: "exported_at".into(),
            bad_exported_at: None,
        });
    }
    let newest = store
        .time_span(&Filter::default())?
        .and_then(|(_, last)| parse(&last));
    Ok(Reference {
        origin: if newest.is_some() {
            "the newest event".into()
        } else {
            "nothing (no exported_at and no event time)".into()
        },
        at: newest,
        bad_exported_at: exported_at,
    })
}

/// `telex audit`: checks every event matching `filter` against `policy` and writes the
/// violations (or the report). The caller exits 1 when `violations > 0`.
pub fn audit(
    store: &Store,
    filter: &Filter,
    policy: &Policy,
    opts: &AuditOptions,
    out: &mut dyn Write,
) -> Result<AuditReport, BatchError> {
    let reference = reference(store)?;
    let ctx = AuditContext {
        reference: reference.at,
    };
    let (progress, shown) = if opts.progress {
        let total = store.count(filter)?;
        let (p, shown) = progress(total);
        (Some(p), shown)
    } else {
        (None, Rc::new(Cell::new(false)))
    };
    let markdown = opts.format == ScanFormat::Markdown;
    if !markdown {
        header(opts.format, out)?;
    }
    let check = Check::new(policy, ctx, opts);
    let mut summary = Summary::default();
    let mut report = AuditReport::default();
    // Parts arrive in chunk order: written out and merged as they come, nothing else kept.
    let mut visit = |mut part: Part| -> io::Result<()> {
        if let Some(e) = part.error.take() {
            return Err(e);
        }
        out.write_all(&part.bytes)?;
        check.recycle(std::mem::take(&mut part.bytes));
        report.events += part.events;
        report.violations += part.violations;
        report.events_with += part.events_with;
        if let Some(later) = part.summary.take() {
            summary.merge(later);
        }
        Ok(())
    };
    let scanned = scanner::scan_parts(
        store,
        filter,
        scanner::ScanOptions {
            threads: opts.workers,
            progress,
        },
        &check,
        &mut visit,
    );
    if shown.get() {
        eprintln!();
    }
    match scanned {
        Ok(()) => {}
        Err(ScanError::Store(e)) => return Err(e.into()),
        Err(ScanError::Visit(e)) => return Err(e.into()),
    }
    match opts.format {
        ScanFormat::Markdown => {
            let export = report::Export::read(store, filter, reference)?;
            summary.write(&export, policy, &opts.policy_source, out)?;
        }
        ScanFormat::Table => writeln!(
            out,
            "{} violations in {} of {} events",
            thousands(report.violations),
            thousands(report.events_with),
            thousands(report.events)
        )?,
        _ => {}
    }
    Ok(report)
}

/// Set once progress was printed, so the line can be ended.
type Shown = Rc<Cell<bool>>;

/// `auditing: N / M events` on stderr, at most every half second; the flag says whether
/// anything was printed (so the caller ends the line).
fn progress(total: u64) -> (Box<dyn FnMut(u64)>, Shown) {
    let shown = Rc::new(Cell::new(false));
    let flag = Rc::clone(&shown);
    let mut last = Instant::now();
    let p = move |scanned: u64| {
        if last.elapsed() < Duration::from_millis(500) {
            return;
        }
        last = Instant::now();
        flag.set(true);
        eprint!(
            "\rauditing: {} / {} events",
            thousands(scanned),
            thousands(total)
        );
    };
    (Box::new(p), shown)
}

const COLUMNS: [&str; 11] = [
    "id",
    "ts",
    "category",
    "rule",
    "field",
    "kind",
    "class",
    "confidence",
    "span",
    "value",
    "evidence",
];

/// The table's columns (a subset: class, confidence, span and evidence are in csv and jsonl)
/// and their widths; the value takes the rest of the line.
const TABLE: [(&str, Column); 7] = [
    ("id", Column::Right(8)),
    ("time (UTC)", Column::Left(23)),
    ("category", Column::Left(8)),
    ("rule", Column::Left(30)),
    ("field", Column::Left(30)),
    ("kind", Column::Left(15)),
    ("value", Column::Free),
];

fn header(format: ScanFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        ScanFormat::Csv => table::csv_row(out, COLUMNS.iter().copied()),
        ScanFormat::Table => table_line(out, TABLE.map(|(name, _)| name)),
        ScanFormat::Jsonl | ScanFormat::Markdown => Ok(()),
    }
}

/// One JSON line: the fields of a `telex scan` line plus `rule`; retention lines have no kind.
#[derive(Serialize)]
struct Line<'a> {
    id: i64,
    rule: &'a str,
    category: &'a str,
    field: &'a str,
    kind: Option<&'a str>,
    class: Option<&'a str>,
    confidence: Option<&'a str>,
    span: Option<[usize; 2]>,
    evidence: &'a [std::borrow::Cow<'static, str>],
    ts: &'a str,
    value: &'a str,
}

fn row(
    format: ScanFormat,
    event: &Event,
    ts: &str,
    v: &Violation,
    value: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = &event.summary;
    let finding = match v.subject {
        Subject::Finding(f) => Some(f),
        Subject::Retention { .. } => None,
    };
    let kind = v.kind().map(|k| k.as_str());
    let class = v.kind().map(|k| k.class().as_str());
    let confidence = finding.map(|f| f.confidence.as_str());
    let span = finding
        .and_then(|f| f.span.as_ref())
        .map(|r| [r.start, r.end]);
    let evidence: &[std::borrow::Cow<'static, str>] = finding.map_or(&[], |f| &f.evidence);
    if format == ScanFormat::Jsonl {
        let line = Line {
            id: s.id,
            rule: &v.rule.id,
            category: &s.category,
            field: v.field(),
            kind,
            class,
            confidence,
            span,
            evidence,
            ts,
            value,
        };
        return jsonl::write_serialize(out, &line);
    }
    if format == ScanFormat::Table {
        let id = s.id.to_string();
        let cells = [
            id.as_str(),
            ts,
            &s.category,
            &v.rule.id,
            v.field(),
            kind.unwrap_or(""),
            value,
        ];
        return table_line(out, cells);
    }
    let cells = [
        s.id.to_string(),
        ts.to_string(),
        s.category.clone(),
        v.rule.id.clone(),
        v.field().to_string(),
        kind.unwrap_or("").to_string(),
        class.unwrap_or("").to_string(),
        confidence.unwrap_or("").to_string(),
        span.map_or_else(String::new, |[a, b]| format!("{a}..{b}")),
        value.to_string(),
        evidence.join("; "),
    ];
    table::csv_row(out, cells.iter().map(String::as_str))
}

/// One table line: `cells` in the table's columns.
fn table_line(out: &mut dyn Write, cells: [&str; 7]) -> io::Result<()> {
    let mut line = Vec::new();
    table::table_line_into(
        &mut line,
        &std::array::from_fn::<_, 7, _>(|i| (cells[i], TABLE[i].1)),
    );
    out.write_all(&line)
}
