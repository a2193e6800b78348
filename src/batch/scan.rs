//! `telex scan`: every finding of the matching events (or the field inventory), scanned on all
//! cores. The store reads on the calling thread (its SQLite connection is not `Sync`), workers
//! scan and render batches, and the caller writes them back in batch order, so the output is
//! the same whatever the thread count.

mod inventory;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{BatchError, json as jsonl, table};
use crate::cli::ScanFormat;
use crate::inventory::Inventory;
use crate::model::{Event, Filter, Finding, Kind};
use crate::pii;
use crate::store::Store;
use crate::text::{rfc3339_utc, thousands, utc_time, visible};

/// Events per unit of work: large enough that channel traffic is noise, small enough that a
/// batch in flight holds little memory.
const BATCH: usize = 512;

/// How `telex scan` runs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub format: ScanFormat,
    /// Print the field inventory instead of the findings.
    pub summary: bool,
    pub reveal: bool,
    /// Count the findings of this kind (the caller exits 1 when there is any).
    pub fail_on: Option<Kind>,
    /// Report progress on stderr (the caller decides: only when stderr is a terminal).
    pub progress: bool,
    /// Worker threads; 0 for one per available core.
    pub workers: usize,
}

/// What a scan saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub events: u64,
    pub findings: u64,
    /// Findings of the `--fail-on` kind.
    pub failing: u64,
}

/// `--fail-on` text → a kind, or the one-line error that lists the valid kinds.
pub fn parse_kind(text: &str) -> Result<Kind, BatchError> {
    Kind::parse(text).ok_or_else(|| BatchError::UnknownKind {
        given: text.to_string(),
        valid: Kind::ALL.map(Kind::as_str).join(", "),
    })
}

/// `telex scan`: scans every event matching `filter` and writes findings or the inventory.
pub fn scan(
    store: &Store,
    filter: &Filter,
    opts: &ScanOptions,
    out: &mut dyn Write,
) -> Result<ScanReport, BatchError> {
    let workers = match opts.workers {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let total = if opts.progress {
        Some(store.count(filter)?)
    } else {
        None
    };
    if !opts.summary {
        header(opts.format, out)?;
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Vec<Event>)>(workers * 2);
    // Unbounded, but `Pipeline::send` never lets more than `max_in_flight` batches be
    // unwritten, so at most that many results wait here.
    let (done_tx, done_rx) = mpsc::channel::<(u64, Output)>();
    let work_rx = Mutex::new(work_rx);
    let mut pipeline = Pipeline {
        work_tx: Some(work_tx),
        done_rx,
        pending: BTreeMap::new(),
        sent: 0,
        written: 0,
        max_in_flight: (workers * 4) as u64,
        report: ScanReport::default(),
        inventory: opts.summary.then(Inventory::default),
        fail_index: opts.fail_on.map(|k| k as usize),
        out,
        progress: Progress::new(total),
    };
    std::thread::scope(|s| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || worker(work_rx, done_tx, opts));
        }
        drop(done_tx);
        // Whatever happens, the work channel closes here so the workers end and the scope joins.
        let result = pipeline.run(store, filter);
        pipeline.work_tx = None;
        result
    })?;
    if let Some(inv) = &pipeline.inventory {
        inv.write(opts.format, pipeline.out)?;
    } else if opts.format == ScanFormat::Table {
        writeln!(
            pipeline.out,
            "{} findings in {} events",
            thousands(pipeline.report.findings),
            thousands(pipeline.report.events)
        )?;
    }
    pipeline.progress.finish();
    Ok(pipeline.report)
}

/// One scanned batch: rendered finding lines, or the batch's share of the inventory.
#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    events: u64,
    findings: u64,
    by_kind: [u64; Kind::ALL.len()],
    inventory: Option<Inventory>,
}

struct Pipeline<'o> {
    work_tx: Option<SyncSender<(u64, Vec<Event>)>>,
    done_rx: Receiver<(u64, Output)>,
    /// Finished batches that arrived before an earlier one, by batch number.
    pending: BTreeMap<u64, Output>,
    sent: u64,
    written: u64,
    max_in_flight: u64,
    report: ScanReport,
    inventory: Option<Inventory>,
    /// Index in `Kind::ALL` of the `--fail-on` kind.
    fail_index: Option<usize>,
    out: &'o mut dyn Write,
    progress: Progress,
}

impl Pipeline<'_> {
    fn run(&mut self, store: &Store, filter: &Filter) -> Result<(), BatchError> {
        let mut batch = Vec::with_capacity(BATCH);
        let mut failure = None;
        store.for_each_event(filter, None, |event| {
            batch.push(event);
            if batch.len() < BATCH {
                return true;
            }
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            match self.send(full) {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if !batch.is_empty() {
            self.send(batch)?;
        }
        self.work_tx = None;
        while self.written < self.sent {
            self.wait_one()?;
        }
        Ok(())
    }

    /// Hands a batch to the workers, then writes whatever is ready; blocks while too many
    /// batches are unwritten so memory stays bounded even behind one slow batch.
    fn send(&mut self, batch: Vec<Event>) -> Result<(), BatchError> {
        let tx = self.work_tx.as_ref().ok_or_else(worker_gone)?;
        tx.send((self.sent, batch)).map_err(|_| worker_gone())?;
        self.sent += 1;
        while let Ok((seq, output)) = self.done_rx.try_recv() {
            self.arrived(seq, output)?;
        }
        while self.sent - self.written >= self.max_in_flight {
            self.wait_one()?;
        }
        Ok(())
    }

    fn wait_one(&mut self) -> Result<(), BatchError> {
        let (seq, output) = self.done_rx.recv().map_err(|_| worker_gone())?;
        self.arrived(seq, output)
    }

    fn arrived(&mut self, seq: u64, output: Output) -> Result<(), BatchError> {
        self.pending.insert(seq, output);
        while let Some(output) = self.pending.remove(&self.written) {
            self.out.write_all(&output.bytes)?;
            self.report.events += output.events;
            self.report.findings += output.findings;
            if let (Some(inv), Some(part)) = (&mut self.inventory, output.inventory) {
                inv.merge(part);
            }
            self.written += 1;
            self.progress.tick(self.report.events);
            if let Some(i) = self.fail_index {
                self.report.failing += output.by_kind[i];
            }
        }
        Ok(())
    }
}

fn worker_gone() -> BatchError {
    BatchError::Write(std::io::Error::other("a scan worker stopped"))
}

fn worker(
    work_rx: &Mutex<Receiver<(u64, Vec<Event>)>>,
    done: Sender<(u64, Output)>,
    opts: &ScanOptions,
) {
    loop {
        // The lock is held only while taking one batch, never while scanning it.
        let job = match work_rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, events)) = job else { return };
        if done.send((seq, scan_batch(&events, opts))).is_err() {
            return;
        }
    }
}

fn scan_batch(events: &[Event], opts: &ScanOptions) -> Output {
    let mut output = Output {
        events: events.len() as u64,
        inventory: opts.summary.then(Inventory::default),
        ..Output::default()
    };
    for event in events {
        let findings = pii::scan_event(event);
        output.findings += findings.len() as u64;
        for f in &findings {
            // `Kind` is declared in `Kind::ALL` order (tested below).
            output.by_kind[f.kind as usize] += 1;
        }
        let values = Values::new(event, &findings);
        match &mut output.inventory {
            Some(inv) => inv.add(event, &findings, |f| values.shown(f, opts.reveal)),
            None if findings.is_empty() => {}
            None => {
                // Formatted once per event, not once per finding.
                let ts = match opts.format {
                    ScanFormat::Table => utc_time(&event.summary.ts).into_owned(),
                    _ => rfc3339_utc(&event.summary.ts),
                };
                for f in &findings {
                    let value = values.shown(f, opts.reveal);
                    // Writing to a Vec cannot fail.
                    let _ = row(opts.format, event, &ts, f, &value, &mut output.bytes);
                }
            }
        }
    }
    output
}

/// The string values behind findings: columns directly, payload leaves through one borrowing
/// parse of the payload, done only when a finding points into it.
pub(crate) struct Values<'e> {
    event: &'e Event,
    payload: Option<pii::Strings<'e>>,
}

impl<'e> Values<'e> {
    pub(crate) fn new(event: &'e Event, findings: &[Finding]) -> Values<'e> {
        let payload = findings
            .iter()
            .any(|f| f.field.starts_with("payload/"))
            .then(|| event.payload.as_deref().map(pii::Strings::parse))
            .flatten();
        Values { event, payload }
    }

    fn text(&self, field: &str) -> Option<&str> {
        if field.starts_with("payload/") {
            return self.payload.as_ref()?.get(field);
        }
        let event = self.event;
        let s = &event.summary;
        match field {
            "tenant_id" => s.tenant_id.as_deref(),
            "session_id" => s.session_id.as_deref(),
            "user_id" => s.user_id.as_deref(),
            "app_name" => event.app_name.as_deref(),
            "app_version" => event.app_version.as_deref(),
            "payload" => event.payload.as_deref(),
            other => event
                .extra
                .iter()
                .find(|(name, _)| name == other)
                .and_then(|(_, v)| v.as_deref()),
        }
    }

    /// The finding's value as it may be printed: the span's text (or the whole value), masked
    /// unless `reveal`. A span that does not fit the value masks the whole value, so a bad
    /// span never leaks.
    pub(crate) fn shown(&self, f: &Finding, reveal: bool) -> String {
        let Some(text) = self.text(&f.field) else {
            return String::new();
        };
        let part = f
            .span
            .as_ref()
            .and_then(|r| text.get(r.clone()))
            .unwrap_or(text);
        if reveal {
            part.to_string()
        } else {
            pii::mask(f.kind, part)
        }
    }
}

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

fn header(format: ScanFormat, out: &mut dyn Write) -> std::io::Result<()> {
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
    evidence: &'a [String],
    category: &'a str,
    ts: &'a str,
    value: &'a str,
}

/// One finding in `format`; `value` is already masked (or revealed on request).
fn row(
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

/// `scanning: N / M events` on stderr, at most every half second.
struct Progress {
    total: Option<u64>,
    last: Instant,
    shown: bool,
}

impl Progress {
    fn new(total: Option<u64>) -> Progress {
        Progress {
            total,
            last: Instant::now(),
            shown: false,
        }
    }

    fn tick(&mut self, scanned: u64) {
        let Some(total) = self.total else { return };
        if self.last.elapsed() < Duration::from_millis(500) {
            return;
        }
        self.last = Instant::now();
        self.shown = true;
        eprint!(
            "\rscanning: {} / {} events",
            thousands(scanned),
            thousands(total)
        );
    }

    fn finish(&mut self) {
        if self.shown {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_declared_in_all_order() {
        for (i, k) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(k as usize, i);
        }
    }

    #[test]
    fn markdown_cells_cannot_add_columns() {
        let mut out = Vec::new();
        markdown_row(&mut out, &["a|b".into(), "c\nd".into()]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "| a\\|b | c\\\\nd |\n");
    }

    #[test]
    fn unknown_kinds_list_the_valid_ones() {
        let e = parse_kind("ssn").unwrap_err().to_string();
        assert!(e.contains("ssn") && e.contains("email, person_name"), "{e}");
        assert_eq!(parse_kind("iban").unwrap(), Kind::Iban);
    }
}
