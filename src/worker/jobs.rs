//! Jobs: long work started from the explorer (an export, the cache build) on a thread of its
//! own with its own connection, reporting progress now and then and its outcome once.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::cache_job::CacheKeeper;
use crate::app::{ExportRequest, ExportScope, Job, Loaded, Redaction};
use crate::batch;
use crate::batch::export::{ExportError, ExportOptions, Progress, command};
use crate::model::Filter;
use crate::redact::Method;
use crate::store::Store;
use crate::text;

/// Progress is reported at most this often, so a fast job cannot flood the UI's inbox.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Runs `job` to its end on the caller's thread, reporting `(done, total)` as it goes.
pub fn run(
    store: &Store,
    job: Job,
    progress: &mut dyn FnMut(&'static str, u64, Option<u64>),
) -> Result<String, String> {
    match job {
        Job::Export(request) => export(store, request, progress).map_err(|e| e.to_string()),
        // Attaching the cache needs the lanes' connections: only `spawn` can build one.
        Job::BuildCache => Err("the privacy cache is built by the explorer's job threads".into()),
    }
}

/// An export from the explorer: the marked events (else the filtered ones), never replacing
/// an existing file. Hashing uses a one-off key, so tokens join within the file only.
fn export(
    store: &Store,
    request: ExportRequest,
    progress: &mut dyn FnMut(&'static str, u64, Option<u64>),
) -> Result<String, ExportError> {
    let (filter, ids) = match request.scope {
        ExportScope::Marked(ids) => (Filter::default(), Some(ids)),
        ExportScope::Filtered(filter) => (filter, None),
    };
    let method = match request.redaction {
        Redaction::Mask => Method::Mask,
        Redaction::Hash => Method::Hash(command::random_key()?),
        Redaction::Drop => Method::Drop,
    };
    let opts = ExportOptions {
        out: request.out,
        method,
        keep: request.keep,
        sample: None,
        ids,
        force: false,
        save_key: None,
        threads: 0,
    };
    // The status line shows one figure: writing is most of the work, the check the rest.
    let report = batch::export::export(store, &filter, &opts, &mut |p: &Progress| {
        progress(p.stage.label(), p.done, p.total);
        true
    })?;
    let how = match request.redaction {
        Redaction::Mask => "masked",
        Redaction::Hash => "hashed",
        Redaction::Drop => "dropped",
    };
    Ok(format!(
        "exported {} event{} to {} ({} identifier{} {how}; checked by a second scan)",
        text::thousands(report.events),
        if report.events == 1 { "" } else { "s" },
        report.path.display(),
        text::thousands(report.redacted),
        if report.redacted == 1 { "" } else { "s" },
    ))
}

/// Starts `job` on a new thread over a new connection to the export at `path`. A cache build
/// hands the finished file to `attach` (both lanes) before it reports success.
pub(super) fn spawn(
    path: PathBuf,
    id: u64,
    job: Job,
    cache: Arc<CacheKeeper>,
    attach: impl Fn(&Path) + Send + 'static,
    deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync>,
) {
    thread::spawn(move || {
        let result = match Store::open(&path) {
            Ok(store) => match job {
                Job::BuildCache => {
                    let progress = throttled(id, "scanning", Arc::clone(&deliver));
                    cache.build(&store, progress).map(|(file, summary)| {
                        attach(&file);
                        summary
                    })
                }
                job => {
                    let mut report = throttled_stage(id, Arc::clone(&deliver));
                    run(&store, job, &mut report)
                }
            },
            Err(error) => Err(error.to_string()),
        };
        deliver(Loaded::JobDone { id, result });
    });
}

/// A progress callback for the cache build that reports at most every `PROGRESS_EVERY`.
fn throttled(
    id: u64,
    stage: &'static str,
    deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync>,
) -> Box<dyn FnMut(u64, u64) + Send> {
    let mut report = throttled_stage(id, deliver);
    Box::new(move |done, total| {
        let stage = if total > 0 && done >= total {
            "indexing"
        } else {
            stage
        };
        report(stage, done, Some(total));
    })
}

/// A `(stage, done, total)` progress callback that reports at most every `PROGRESS_EVERY`.
fn throttled_stage(
    id: u64,
    deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync>,
) -> impl FnMut(&'static str, u64, Option<u64>) + Send {
    let mut last: Option<Instant> = None;
    move |stage, done, total| {
        if last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
            last = Some(Instant::now());
            deliver(Loaded::JobProgress {
                id,
                stage,
                done,
                total,
            });
        }
    }
}
