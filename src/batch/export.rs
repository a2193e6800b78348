//! `telex export`: a shareable sample of the matching events (`.jsonl`, `.csv` or `.db` in the
//! native schema) with every identifier of a redacted class masked, hashed or dropped. The
//! sample is written to a temporary file beside the output, read back and scanned again, and
//! moved into place only when no redacted identifier is left; the export is only ever read.
//! `export` is the engine the explorer calls too (on its marked events, via `ids`).

mod check;
pub mod command;
mod output;
mod paths;
mod readback;
mod select;

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{Class, Event, EventId, Filter, Finding};
use crate::pii;
use crate::redact::{Method, Redaction};
use crate::scanner::{self, ScanError, ScanOptions};
use crate::store::{Store, StoreError};
use output::{Sink, TempFile};
use paths::check_paths;

/// The output format, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    Db,
}

impl Format {
    /// `.jsonl`, `.csv` or `.db` (any case); anything else is a usage error naming those.
    pub fn of(path: &Path) -> Result<Format, ExportError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("jsonl") => Ok(Format::Jsonl),
            Some("csv") => Ok(Format::Csv),
            Some("db") => Ok(Format::Db),
            _ => Err(ExportError::UnknownFormat(path.to_path_buf())),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Db => "db",
        }
    }
}

/// A uniform random sample of `size` of the matching events, the same for the same seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub size: u64,
    pub seed: u64,
}

/// What to export and how.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub out: PathBuf,
    pub method: Method,
    /// Classes whose identifiers stay as they are (secrets are never kept).
    pub keep: Vec<Class>,
    pub sample: Option<Sample>,
    /// Only these events (the explorer's marked ones), among those matching the filter.
    pub ids: Option<Vec<EventId>>,
    /// Replace `out` if it exists.
    pub force: bool,
    /// With `Method::Hash`: write the key (hex) to this new file once the sample has passed
    /// its check. The key is never written into the sample.
    pub save_key: Option<PathBuf>,
    /// Scanner threads; 0 for one per core.
    pub threads: usize,
}

/// Where an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Choosing the sampled (or marked) events.
    Selecting,
    Writing,
    /// Reading the written sample back and scanning it again.
    Checking,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Selecting => "selecting",
            Stage::Writing => "writing",
            Stage::Checking => "checking",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: Option<u64>,
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub path: PathBuf,
    pub format: Format,
    /// Events written.
    pub events: u64,
    /// Events that matched (and were marked, with `ids`): what a sample was drawn from.
    pub matching: u64,
    /// Identifiers replaced or removed.
    pub redacted: u64,
    /// Identifiers of kept classes left as they were.
    pub kept: u64,
}

/// Why an export failed. One line each; nothing is left at the output path.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{}: unknown output format; the file name must end in .jsonl, .csv or .db",
        .0.display()
    )]
    UnknownFormat(PathBuf),
    #[error("{}: already exists (pass --force to replace it)", .0.display())]
    Exists(PathBuf),
    #[error("{}: is the export itself; telex never writes to the export", .0.display())]
    SameAsExport(PathBuf),
    #[error("{}: is the output file; the key must go elsewhere", .0.display())]
    KeyIsOutput(PathBuf),
    #[error(
        "unknown class `{0}` for --keep; valid classes: user, org, pseudonymous (secrets are always redacted)"
    )]
    UnknownClass(String),
    #[error("{0}")]
    Usage(String),
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: cannot read the written sample back: {reason}", path.display())]
    ReadBack { path: PathBuf, reason: String },
    #[error(
        "{}: not written: the check found {kind} left unredacted in event {id}, field {field} ({shown})",
        path.display()
    )]
    Leak {
        path: PathBuf,
        id: EventId,
        field: String,
        kind: crate::model::Kind,
        /// The value, masked.
        shown: String,
    },
    #[error("export cancelled")]
    Cancelled,
}

impl ExportError {
    fn write(path: &Path, source: io::Error) -> ExportError {
        ExportError::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Writes the events matching `filter` (narrowed to `opts.ids`, sampled by `opts.sample`)
/// to `opts.out`, redacted. `progress` is called now and then on this thread; returning
/// `false` cancels. On any failure the temporary file is removed and `opts.out` is untouched.
pub fn export(
    store: &Store,
    filter: &Filter,
    opts: &ExportOptions,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<ExportReport, ExportError> {
    let mut redaction = Redaction::new(opts.method.clone(), &opts.keep);
    let mut values = Redaction::new(opts.method.clone(), &opts.keep);
    let mut redact = |event: &Event, findings: &[Finding]| values.event(event, findings);
    run(store, filter, opts, &mut redaction, &mut redact, progress)
}

/// Redacts one event given its findings; also says how many findings it replaced.
type RedactEvent<'a> = dyn FnMut(&Event, &[Finding]) -> (Event, usize) + 'a;

/// The engine behind `export`, with the per-event redaction passed in (`redaction` still
/// redacts `export_info` and defines what the check accepts), so a test can give it one that
/// leaves values behind and see the check refuse the sample.
fn run(
    store: &Store,
    filter: &Filter,
    opts: &ExportOptions,
    redaction: &mut Redaction,
    redact: &mut RedactEvent<'_>,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<ExportReport, ExportError> {
    let format = Format::of(&opts.out)?;
    check_paths(
        store.path(),
        &opts.out,
        opts.force,
        opts.save_key.as_deref(),
    )?;
    if opts.sample.is_some_and(|s| s.size == 0) {
        return Err(ExportError::Usage("--sample must be at least 1".into()));
    }
    let temp = TempFile::beside(&opts.out)?;
    let extra = store.schema().extra.clone();
    let mut sink = Sink::create(format, temp.path(), &extra)?;
    let mut tally = Tally::default();

    let chosen = if opts.sample.is_some() || opts.ids.is_some() {
        Some(select::choose(
            store,
            filter,
            opts.ids.as_deref(),
            opts.sample,
            progress,
        )?)
    } else {
        None
    };
    let (matching, total) = match &chosen {
        Some(c) => (c.candidates, c.ids.len() as u64),
        None => {
            let n = store.count(filter)?;
            (n, n)
        }
    };
    let mut visit = |event: &Event, findings: &[Finding]| -> Result<(), ExportError> {
        let (redacted, n) = redact(event, findings);
        sink.write(&redacted)?;
        tally.events += 1;
        tally.redacted += n as u64;
        tally.kept += (findings.len() - n) as u64;
        if tally.events.is_multiple_of(1024) {
            let p = Progress {
                stage: Stage::Writing,
                done: tally.events,
                total: Some(total),
            };
            if !progress(&p) {
                return Err(ExportError::Cancelled);
            }
        }
        Ok(())
    };
    match &chosen {
        Some(c) => {
            for &id in &c.ids {
                // Chosen from this store moments ago; a row gone since is skipped.
                if let Some(event) = store.event(id)? {
                    let findings = pii::scan_event(&event);
                    visit(&event, &findings)?;
                }
            }
        }
        None => {
            let scan = ScanOptions {
                threads: opts.threads,
                progress: None,
            };
            scanner::scan_parallel(store, filter, scan, &mut visit).map_err(|e| match e {
                ScanError::Store(s) => ExportError::Store(s),
                ScanError::Visit(v) => v,
            })?;
        }
    }
    let done = Progress {
        stage: Stage::Writing,
        done: tally.events,
        total: Some(total),
    };
    if !progress(&done) {
        return Err(ExportError::Cancelled);
    }
    let info = command::export_info(store, redaction, opts.sample, tally.events, matching)?;
    sink.finish(&info)?;

    check::verify(
        format,
        temp.path(),
        &redaction.check(),
        opts.threads,
        tally.events,
        progress,
    )
    .map_err(|e| match e {
        // Name the file the user asked for, not our temporary one.
        ExportError::Leak {
            id,
            field,
            kind,
            shown,
            ..
        } => ExportError::Leak {
            path: opts.out.clone(),
            id,
            field,
            kind,
            shown,
        },
        ExportError::ReadBack { reason, .. } => ExportError::ReadBack {
            path: opts.out.clone(),
            reason,
        },
        other => other,
    })?;
    let mut saved_key = None;
    if let Some(key_path) = &opts.save_key
        && let Method::Hash(key) = &opts.method
    {
        command::save_key(key_path, key)?;
        saved_key = Some(key_path);
    }
    if let Err(e) = temp.persist(&opts.out, opts.force) {
        if let Some(key_path) = saved_key {
            // A key for a sample that was never written would only mislead.
            let _ = std::fs::remove_file(key_path);
        }
        return Err(e);
    }
    Ok(ExportReport {
        path: opts.out.clone(),
        format,
        events: tally.events,
        matching,
        redacted: tally.redacted,
        kept: tally.kept,
    })
}

#[derive(Default)]
struct Tally {
    events: u64,
    redacted: u64,
    kept: u64,
}

#[cfg(test)]
mod tests;
