//! `telex export`: a shareable sample of the matching events (`.jsonl`, `.csv` or `.db` in the
//! native schema) with every identifier of a redacted class masked, hashed or dropped. The
//! sample is written to a temporary file beside the output, read back and scanned again, and
//! moved into place only when no redacted identifier is left; the export is only ever read.
//! `export` is the engine the explorer calls too (on its marked events, via `ids`).

mod check;
pub mod command;
mod output;
mod select;

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{Class, Event, EventId, Filter, Finding};
use crate::pii;
use crate::redact::{Method, Redaction};
use crate::scanner::{self, ScanError, ScanOptions};
use crate::store::{Store, StoreError};
use output::{Sink, TempFile};

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

/// Refuses an output that is the export itself (by canonical path, or the same file under
/// another name), one that exists without `force`, and a key file that is the output.
fn check_paths(
    export: &Path,
    out: &Path,
    force: bool,
    key: Option<&Path>,
) -> Result<(), ExportError> {
    if same_file(export, out) {
        return Err(ExportError::SameAsExport(out.to_path_buf()));
    }
    if out.is_dir() {
        return Err(ExportError::Usage(format!(
            "{}: is a directory; give a file name ending in .jsonl, .csv or .db",
            out.display()
        )));
    }
    if !force && out.exists() {
        return Err(ExportError::Exists(out.to_path_buf()));
    }
    if let Some(key) = key
        && (same_file(key, out) || canonical(key) == canonical(out))
    {
        return Err(ExportError::KeyIsOutput(key.to_path_buf()));
    }
    Ok(())
}

/// The canonical form of a path that may not exist yet: its directory canonicalised.
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(name))
}

fn same_file(a: &Path, b: &Path) -> bool {
    if canonical(a).is_some_and(|ca| Some(ca) == canonical(b)) {
        return true;
    }
    same_inode(a, b)
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenerateOptions, generate};

    fn generated(dir: &Path) -> Store {
        let db = dir.join("gen.db");
        let opts = GenerateOptions {
            events: 300,
            seed: 4,
            truth: None,
            force: false,
        };
        generate(&db, &opts, &mut |_| {}).unwrap();
        Store::open(&db).unwrap()
    }

    fn options(out: PathBuf) -> ExportOptions {
        ExportOptions {
            out,
            method: Method::Mask,
            keep: vec![],
            sample: None,
            ids: None,
            force: false,
            save_key: None,
            threads: 1,
        }
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_sample_the_check_refuses_leaves_no_file() {
        let src = tempfile::tempdir().unwrap();
        let store = generated(src.path());
        for ext in ["jsonl", "csv", "db"] {
            let dir = tempfile::tempdir().unwrap();
            let opts = options(dir.path().join(format!("s.{ext}")));
            let mut redaction = Redaction::new(Method::Mask, &[]);
            // A replacer that leaves every value as it was.
            let mut leave = |e: &Event, _: &[Finding]| (e.clone(), 0);
            let err = run(
                &store,
                &Filter::default(),
                &opts,
                &mut redaction,
                &mut leave,
                &mut |_| true,
            )
            .unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, ExportError::Leak { .. }), "{msg}");
            assert!(
                msg.starts_with(&format!("{}: not written", opts.out.display())),
                "{msg}"
            );
            assert!(!msg.contains('\n'));
            assert!(
                files(dir.path()).is_empty(),
                "{ext}: {:?}",
                files(dir.path())
            );
        }
    }

    #[test]
    fn marked_ids_are_exported_in_time_order() {
        let src = tempfile::tempdir().unwrap();
        let store = generated(src.path());
        let dir = tempfile::tempdir().unwrap();
        let mut opts = options(dir.path().join("marked.jsonl"));
        opts.ids = Some(vec![250, 3, 120, 3, 99_999]);
        let report = export(&store, &Filter::default(), &opts, &mut |_| true).unwrap();
        assert_eq!((report.events, report.matching), (3, 3));
        let text = std::fs::read_to_string(&opts.out).unwrap();
        let ids: Vec<i64> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        let mut by_time = ids.clone();
        by_time.sort_by_key(|id| (store.event(*id).unwrap().unwrap().summary.ts, *id));
        assert_eq!(ids, by_time);
        assert_eq!(
            ids.iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            [3, 120, 250].into()
        );

        // With a filter, only the marked events that match it.
        let filter = crate::filter::parse("category:error", &[]).unwrap();
        let errors: Vec<i64> = store
            .page(&filter, &crate::store::Anchor::First, 3)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        let mut opts = options(dir.path().join("marked-errors.jsonl"));
        opts.ids = Some(vec![errors[0], errors[2], 3]);
        let report = export(&store, &filter, &opts, &mut |_| true).unwrap();
        let third_is_error = store.event(3).unwrap().unwrap().summary.category == "error";
        assert_eq!(report.events, 2 + u64::from(third_is_error));
    }

    #[test]
    fn cancelling_leaves_no_file() {
        let src = tempfile::tempdir().unwrap();
        let store = generated(src.path());
        let dir = tempfile::tempdir().unwrap();
        let opts = options(dir.path().join("c.db"));
        let err = export(&store, &Filter::default(), &opts, &mut |_| false).unwrap_err();
        assert!(matches!(err, ExportError::Cancelled), "{err}");
        assert!(files(dir.path()).is_empty());
    }
}
