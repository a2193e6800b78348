//! provisional: the shared scanner API of SCANNER-CONTRACT, as a sequential loop over
//! `Store::for_each_event` + `pii::scan_event`. The parallel one replaces this file at merge;
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

/// Scans every event matching `filter` and calls `visit` ON THE CALLER'S THREAD once per event,
/// with the findings of `pii::scan_event`, in the store's `(ts, id)` order — the same order as
/// `Store::for_each_event`. Workers may open their own read-only connections to `store.path()`.
#[allow(clippy::type_complexity)] // the signature is the shared contract's
pub fn scan_parallel<E>(
    store: &Store,
    filter: &Filter,
    mut opts: ScanOptions,
    visit: &mut dyn FnMut(&Event, &[Finding]) -> Result<(), E>,
) -> Result<(), ScanError<E>> {
    let mut failure = None;
    let mut scanned = 0u64;
    store.for_each_event(filter, None, |event| {
        let findings = pii::scan_event(&event);
        scanned += 1;
        if scanned.is_multiple_of(4096)
            && let Some(progress) = opts.progress.as_mut()
        {
            progress(scanned);
        }
        match visit(&event, &findings) {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    match failure {
        Some(e) => Err(ScanError::Visit(e)),
        None => Ok(()),
    }
}
