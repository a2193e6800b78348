//! The check before a sample is moved into place: read the written file back (a db through
//! `Store` and the scanner, jsonl and csv parsed) and scan every event again; any identifier
//! of a redacted class that is not a replacement the export wrote fails the export.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use serde_json::Value;

use super::readback::{Failed, Parsed, Records};
use super::{ExportError, Format, Progress, Stage};
use crate::model::{Event, Filter, Finding};
use crate::pii;
use crate::redact::modes::Check;
use crate::scanner::{self, ScanError, ScanOptions};
use crate::store::Store;

const BATCH: usize = 256;

/// A redacted identifier found in the written sample.
struct Leftover {
    id: i64,
    field: String,
    kind: crate::model::Kind,
    shown: String,
}

pub fn verify(
    format: Format,
    path: &Path,
    check: &Check,
    threads: usize,
    expected: u64,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<(), ExportError> {
    let read_back = |reason: String| ExportError::ReadBack {
        path: path.to_path_buf(),
        reason,
    };
    let mut seen = 0u64;
    let mut tick = |n: u64| {
        progress(&Progress {
            stage: Stage::Checking,
            done: n,
            total: Some(expected),
        })
    };
    let found = match format {
        Format::Db => {
            let store = Store::open(path).map_err(|e| read_back(e.to_string()))?;
            let mut first = None;
            let opts = ScanOptions {
                threads,
                progress: None,
            };
            let mut visit = |event: &Event, findings: &[Finding]| -> Result<(), ExportError> {
                seen += 1;
                if seen.is_multiple_of(1024) && !tick(seen) {
                    return Err(ExportError::Cancelled);
                }
                if !findings.is_empty() {
                    let payload = parse_payload(event);
                    first = leftover(check, event, payload.as_ref(), findings);
                }
                // Stopping the scan is how the first leftover ends it.
                if first.is_some() {
                    return Err(ExportError::Cancelled);
                }
                Ok(())
            };
            match scanner::scan_parallel(&store, &Filter::default(), opts, &mut visit) {
                Ok(()) => {}
                Err(ScanError::Visit(ExportError::Cancelled)) if first.is_some() => {}
                Err(ScanError::Visit(e)) => return Err(e),
                Err(ScanError::Store(e)) => return Err(read_back(e.to_string())),
            }
            first.or(info_leftover(check, &store).map_err(|e| read_back(e.to_string()))?)
        }
        Format::Jsonl | Format::Csv => {
            let file = File::open(path).map_err(|e| read_back(e.to_string()))?;
            let reader = BufReader::with_capacity(1 << 16, file);
            parallel(check, threads, reader, format, &mut |n| {
                seen = n;
                tick(n)
            })
            .map_err(|e| match e {
                Failed::Cancelled => ExportError::Cancelled,
                Failed::Read(reason) => read_back(reason),
            })?
        }
    };
    if seen != expected && found.is_none() {
        return Err(read_back(format!(
            "{seen} events read back of the {expected} written"
        )));
    }
    match found {
        None => Ok(()),
        Some(l) => Err(ExportError::Leak {
            path: path.to_path_buf(),
            id: l.id,
            field: l.field,
            kind: l.kind,
            shown: l.shown,
        }),
    }
}

fn parse_payload(event: &Event) -> Option<Value> {
    event
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
}

/// The first finding of `findings` (made on `event` as written, whose payload parsed is
/// `payload`) that is a leftover.
fn leftover(
    check: &Check,
    event: &Event,
    payload: Option<&Value>,
    findings: &[Finding],
) -> Option<Leftover> {
    findings.iter().find_map(|f| {
        let text = field_text(event, payload, &f.field);
        match &text {
            Some(t) if !check.is_leak(f, t) => return None,
            // A redacted finding whose text cannot be found again counts as a leftover:
            // never pass what cannot be checked.
            None if !check.redacts(f.class()) => return None,
            _ => {}
        }
        let text = text.unwrap_or(Cow::Borrowed(""));
        let value = f
            .span
            .clone()
            .and_then(|r| text.get(r))
            .unwrap_or(&text)
            .to_string();
        Some(Leftover {
            id: event.summary.id,
            field: f.field.clone(),
            kind: f.kind,
            shown: if value.is_empty() {
                "value not shown".into()
            } else {
                pii::mask(f.kind, &value)
            },
        })
    })
}

fn field_text<'e>(
    event: &'e Event,
    payload: Option<&'e Value>,
    field: &str,
) -> Option<Cow<'e, str>> {
    if let Some(pointer) = field.strip_prefix("payload/") {
        return match payload?.pointer(&format!("/{pointer}"))? {
            Value::String(s) => Some(Cow::Borrowed(s)),
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            _ => None,
        };
    }
    let v = event.column_text(field);
    v.map(Cow::Borrowed)
}

/// `export_info` of a written db: its values are checked like event text.
fn info_leftover(
    check: &Check,
    store: &Store,
) -> Result<Option<Leftover>, crate::store::StoreError> {
    for (key, value) in store.export_info()? {
        let field = format!("export_info/{key}");
        let findings = pii::scan_text(&field, &value, &pii::Context::default());
        for f in findings {
            let text = f.span.clone().and_then(|r| value.get(r)).unwrap_or(&value);
            if check.is_leak(&f, &value) {
                return Ok(Some(Leftover {
                    id: 0,
                    field,
                    kind: f.kind,
                    shown: pii::mask(f.kind, text),
                }));
            }
        }
    }
    Ok(None)
}

/// Parses the file on this thread and scans batches of events on `threads` workers; the
/// leftover of the earliest batch wins, so the message does not depend on timing.
fn parallel(
    check: &Check,
    threads: usize,
    reader: impl BufRead,
    format: Format,
    tick: &mut dyn FnMut(u64) -> bool,
) -> Result<Option<Leftover>, Failed> {
    let workers = match threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let (tx, rx) = mpsc::sync_channel::<(u64, Vec<Parsed>)>(workers * 2);
    let rx = Mutex::new(rx);
    let found: Mutex<Option<(u64, Leftover)>> = Mutex::new(None);
    // The number of the earliest batch with a leftover so far (MAX: none yet). Later
    // batches need no scanning; earlier ones still do, so the result is always the same.
    let first = AtomicU64::new(u64::MAX);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let next = rx.lock().map(|r| r.recv());
                    let Ok(Ok((batch_no, events))) = next else {
                        break;
                    };
                    if batch_no > first.load(Ordering::Relaxed) {
                        continue;
                    }
                    for parsed in &events {
                        let event = &parsed.event;
                        let findings = pii::scan_event(event);
                        if let Some(l) = leftover(check, event, parsed.payload.as_ref(), &findings)
                        {
                            if let Ok(mut slot) = found.lock()
                                && slot.as_ref().is_none_or(|(b, _)| batch_no < *b)
                            {
                                *slot = Some((batch_no, l));
                            }
                            first.fetch_min(batch_no, Ordering::Relaxed);
                            break;
                        }
                    }
                }
            });
        }
        let result = feed(reader, format, &tx, &first, tick);
        drop(tx);
        result
    })?;
    Ok(found.into_inner().ok().flatten().map(|(_, l)| l))
}

fn feed(
    reader: impl BufRead,
    format: Format,
    tx: &mpsc::SyncSender<(u64, Vec<Parsed>)>,
    first: &AtomicU64,
    tick: &mut dyn FnMut(u64) -> bool,
) -> Result<(), Failed> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut batch_no = 0u64;
    let mut seen = 0u64;
    let mut send = |batch: Vec<Parsed>, seen: u64| -> Result<bool, Failed> {
        if first.load(Ordering::Relaxed) != u64::MAX {
            return Ok(false);
        }
        if !tick(seen) {
            return Err(Failed::Cancelled);
        }
        // A closed channel means every worker has stopped: nothing more to check.
        let sent = tx.send((batch_no, batch)).is_ok();
        batch_no += 1;
        Ok(sent)
    };
    let mut records = Records::new(reader, format)?;
    while let Some(event) = records.next_event()? {
        seen += 1;
        batch.push(event);
        if batch.len() == BATCH && !send(std::mem::take(&mut batch), seen)? {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        send(batch, seen)?;
    }
    tick(seen);
    Ok(())
}
