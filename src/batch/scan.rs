//! `telex scan`: every finding of the matching events (or the field inventory), scanned on all
//! cores by `scanner`: workers read, scan and render chunks, and the caller writes them out in
//! `(ts, id)` order, so the output is the same whatever the thread count.

mod inventory;
mod middles;
mod rows;
mod text_lines;

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::BatchError;
use crate::cli::ScanFormat;
use crate::model::{Event, Filter, Finding, Kind};
use crate::pii::{self, EventScanner};
use crate::scanner::{self, ScanError};
use crate::store::Store;
use crate::text::{rfc3339_utc, thousands};
use inventory::Inventory;
use rows::{header, row};
use text_lines::{Csv, Table, TextFormat};

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
    let total = if opts.progress {
        Some(store.count(filter)?)
    } else {
        None
    };
    if !opts.summary {
        header(opts.format, out)?;
    }
    let mut report = ScanReport::default();
    let mut inventory = opts.summary.then(Inventory::default);
    let mut progress = Progress::new(total);
    let fail_index = opts.fail_on.map(|k| k as usize);
    let parallel = scanner::ScanOptions {
        threads: opts.workers,
        progress: None,
    };
    let render = Render {
        opts,
        spare: Mutex::new(Vec::new()),
    };
    let mut visit = |mut output: Output| -> Result<(), std::io::Error> {
        out.write_all(&output.bytes)?;
        render.recycle(std::mem::take(&mut output.bytes));
        report.events += output.events;
        report.findings += output.findings;
        if let Some(i) = fail_index {
            report.failing += output.by_kind[i];
        }
        if let (Some(inv), Some(part)) = (&mut inventory, output.inventory) {
            inv.merge(part);
        }
        progress.tick(report.events);
        Ok(())
    };
    scanner::scan_parts(store, filter, parallel, &render, &mut visit).map_err(|e| match e {
        ScanError::Store(e) => BatchError::from(e),
        ScanError::Visit(e) => BatchError::Write(e),
    })?;
    if let Some(inv) = &inventory {
        inv.write(opts.format, out)?;
    } else if opts.format == ScanFormat::Table {
        writeln!(
            out,
            "{} findings in {} events",
            thousands(report.findings),
            thousands(report.events)
        )?;
    }
    progress.finish();
    Ok(report)
}

/// One scanned chunk: rendered finding lines, or the chunk's share of the inventory.
#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    events: u64,
    findings: u64,
    by_kind: [u64; Kind::ALL.len()],
    inventory: Option<Inventory>,
}

/// The workers' share of `telex scan`: findings rendered (or counted into the inventory)
/// where they were found, so the caller's thread only writes bytes out.
struct Render<'o> {
    opts: &'o ScanOptions,
    /// Output buffers already written out, kept for later chunks: they have grown to a
    /// chunk's size, so reusing them saves growing new ones.
    spare: Mutex<Vec<Vec<u8>>>,
}

impl Render<'_> {
    fn recycle(&self, mut bytes: Vec<u8>) {
        bytes.clear();
        if let Ok(mut spare) = self.spare.lock()
            && spare.len() < 16
        {
            spare.push(bytes);
        }
    }
}

impl scanner::Work for Render<'_> {
    type Part = Output;

    fn part(&self) -> Output {
        let bytes = self.spare.lock().ok().and_then(|mut s| s.pop());
        Output {
            bytes: bytes.unwrap_or_default(),
            inventory: self.opts.summary.then(Inventory::default),
            ..Output::default()
        }
    }

    fn all_fields(&self) -> bool {
        self.opts.summary
    }

    fn lean_events(&self) -> bool {
        true
    }

    fn event(&self, output: &mut Output, event: &Event, findings: &[Finding], sc: &EventScanner) {
        let opts = self.opts;
        output.events += 1;
        output.findings += findings.len() as u64;
        for f in findings {
            // `Kind` is declared in `Kind::ALL` order (tested below).
            output.by_kind[f.kind as usize] += 1;
        }
        let shown_owned = |f: &Finding| {
            let mut value = String::new();
            shown(sc, event, f, opts.reveal, &mut value);
            value
        };
        match &mut output.inventory {
            Some(inv) => inv.add(event, findings, sc, shown_owned),
            None if findings.is_empty() => {}
            None if opts.format == ScanFormat::Jsonl => rows::with_lines(|lines| {
                let s = &event.summary;
                lines.start(s.id, &s.category, &s.ts);
                for f in findings {
                    let text = sc.value(event, &f.field);
                    let part = text.as_deref().map(|text| shown_part(f, text));
                    lines.line(f, part, opts.reveal, &mut output.bytes);
                }
            }),
            None if opts.format == ScanFormat::Table => {
                text_rows::<Table>((event, findings, sc), opts.reveal, &mut output.bytes);
            }
            None if opts.format == ScanFormat::Csv => {
                text_rows::<Csv>((event, findings, sc), opts.reveal, &mut output.bytes);
            }
            // Markdown: for reports, rarely of millions of findings.
            None => {
                // Formatted once per event, not once per finding.
                let ts = rfc3339_utc(&event.summary.ts);
                for f in findings {
                    // Writing to a Vec cannot fail.
                    let _ = row(
                        opts.format,
                        event,
                        &ts,
                        f,
                        &shown_owned(f),
                        &mut output.bytes,
                    );
                }
            }
        }
    }
}

/// `f` with this worker thread's value of `key`: caches that outlive each chunk (a chunk's
/// `Output` leaves for the caller's thread, so caches kept there would start cold on every
/// chunk). Fresh ones only if a caller re-entered from inside a render.
fn with_worker_local<T: Default + 'static, R>(
    key: &'static std::thread::LocalKey<std::cell::RefCell<T>>,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut value) => f(&mut value),
        Err(_) => f(&mut T::default()),
    })
}

/// The lines of a scanned event's findings in text format `F`.
fn text_rows<F: TextFormat>(
    (event, findings, sc): (&Event, &[Finding], &EventScanner),
    reveal: bool,
    out: &mut Vec<u8>,
) {
    F::with_lines(|lines| {
        let s = &event.summary;
        lines.start(s.id, &s.category, &F::time(&s.ts));
        for f in findings {
            shown(sc, event, f, reveal, lines.value());
            lines.line(f, out);
        }
    });
}

/// The finding's value as it may be printed, appended to `out`: the span's text (or the whole
/// value), masked unless `reveal`. A span that does not fit the value masks the whole value,
/// so a bad span never leaks.
fn shown(sc: &EventScanner, event: &Event, f: &Finding, reveal: bool, out: &mut String) {
    let Some(text) = sc.value(event, &f.field) else {
        return;
    };
    let part = shown_part(f, &text);
    if reveal {
        out.push_str(part);
    } else {
        pii::mask_into(f.kind, part, out);
    }
}

/// The part of the finding's value `text` that is shown: its span, or the whole value when it
/// has none or the span does not fit (so a bad span never leaks a part of the value).
fn shown_part<'t>(f: &Finding, text: &'t str) -> &'t str {
    f.span
        .as_ref()
        .and_then(|r| text.get(r.clone()))
        .unwrap_or(text)
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
        rows::markdown_row(&mut out, &["a|b".into(), "c\nd".into()]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "| a\\|b | c\\\\nd |\n");
    }

    #[test]
    fn unknown_kinds_list_the_valid_ones() {
        let e = parse_kind("ssn").unwrap_err().to_string();
        assert!(e.contains("ssn") && e.contains("email, person_name"), "{e}");
        assert_eq!(parse_kind("iban").unwrap(), Kind::Iban);
    }
}
