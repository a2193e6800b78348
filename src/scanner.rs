//! provisional: a sequential stand-in with exactly the API of /work/wt/SCANNER-CONTRACT.md
//! (`Store::for_each_event` + `pii::scan_event` on the caller's thread). The parallel scanner
//! replaces this file at merge; callers use only this API.

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
#[allow(clippy::type_complexity)] // the contract's exact signature
pub fn scan_parallel<E>(
    store: &Store,
    filter: &Filter,
    mut opts: ScanOptions,
    visit: &mut dyn FnMut(&Event, &[Finding]) -> Result<(), E>,
) -> Result<(), ScanError<E>> {
    let mut failure = None;
    let mut seen = 0u64;
    store.for_each_event(filter, None, |event| {
        let findings = pii::scan_event(&event);
        seen += 1;
        if seen.is_multiple_of(4096)
            && let Some(progress) = opts.progress.as_mut()
        {
            progress(seen);
        }
        match visit(&event, &findings) {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    if let Some(progress) = opts.progress.as_mut() {
        progress(seen);
    }
    match failure {
        Some(e) => Err(ScanError::Visit(e)),
        None => Ok(()),
    }
}
