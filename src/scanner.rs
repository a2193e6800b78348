//! provisional: the shared scanner of SCANNER-CONTRACT.md, written sequentially (a few lines over
//! `Store::for_each_event` + `pii::scan_event`). The parallel one replaces this file at merge;
//! callers use only this API.

use crate::model::{Event, Filter, Finding};
use crate::pii;
use crate::store::{Store, StoreError};

/// Why a parallel scan stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScanError<E> {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The visitor asked to stop (an output error, say).
    #[error("{0}")]
    Visit(E),
}

pub struct ScanOptions {
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    /// Called now and then on the caller's thread with the number of events scanned so far.
    pub progress: Option<Box<dyn FnMut(u64)>>,
}

/// How often (in events) the provisional scanner reports progress.
const PROGRESS_EVERY: u64 = 4_096;

/// Scans every event matching `filter` and calls `visit` ON THE CALLER'S THREAD once per event,
/// with the findings of `pii::scan_event`, in the store's `(ts, id)` order — the same order as
/// `Store::for_each_event`. Workers may open their own read-only connections to `store.path()`.
#[allow(clippy::type_complexity)] // the signature is the contract's, word for word
pub fn scan_parallel<E>(
    store: &Store,
    filter: &Filter,
    opts: ScanOptions,
    visit: &mut dyn FnMut(&Event, &[Finding]) -> Result<(), E>,
) -> Result<(), ScanError<E>> {
    let mut progress = opts.progress;
    let mut failure = None;
    let mut scanned = 0u64;
    store.for_each_event(filter, None, |event| {
        let findings = pii::scan_event(&event);
        scanned += 1;
        if scanned.is_multiple_of(PROGRESS_EVERY)
            && let Some(p) = progress.as_mut()
        {
            p(scanned);
        }
        match visit(&event, &findings) {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    if let Some(p) = progress.as_mut() {
        p(scanned);
    }
    match failure {
        Some(e) => Err(ScanError::Visit(e)),
        None => Ok(()),
    }
}
