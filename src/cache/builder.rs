//! A cache build on a thread of its own, for the explorer: it polls the progress, may cancel,
//! and joins for the cache to attach.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use super::{BuildOptions, Cache, CacheDir, CacheError};
use crate::store::Store;

/// A build running on a thread of its own, for the explorer: poll `progress`, `cancel` it,
/// and `join` it for the cache (then `Store::attach_cache(cache.path())`).
pub struct Builder {
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<Result<Cache, CacheError>>>,
}

impl Builder {
    /// Opens the export's trusted cache in `dir` or builds it there, on a new thread with its
    /// own read-only connection. `None` builds a throwaway cache for this run (`--no-cache`).
    pub fn start(export: &Path, dir: Option<CacheDir>) -> Builder {
        let done = Arc::new(AtomicU64::new(0));
        let total = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (d, t) = (Arc::clone(&done), Arc::clone(&total));
        let opts = BuildOptions {
            threads: 0,
            progress: Some(Box::new(move |n, of| {
                d.store(n, Ordering::Relaxed);
                t.store(of, Ordering::Relaxed);
            })),
            cancel: Some(Arc::clone(&cancel)),
        };
        let export = export.to_path_buf();
        let handle = std::thread::spawn(move || {
            let store = Store::open(&export)?;
            match dir {
                Some(dir) => dir.open_or_build(&store, opts),
                None => Cache::build_throwaway(&store, opts),
            }
        });
        Builder {
            done,
            total,
            cancel,
            handle: Some(handle),
        }
    }

    /// Events scanned so far, and in the export (0 until it is counted).
    pub fn progress(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Asks the build to stop; `join` then returns `CacheError::Cancelled`.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the build and returns the trusted cache.
    pub fn join(mut self) -> Result<Cache, CacheError> {
        match self.handle.take() {
            Some(handle) => handle.join().unwrap_or_else(|_| {
                Err(CacheError::Io {
                    path: PathBuf::new(),
                    reason: "the cache build panicked".into(),
                })
            }),
            None => Err(CacheError::Cancelled),
        }
    }
}

impl Drop for Builder {
    /// A builder dropped unjoined stops its build rather than leave it running unseen.
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.cancel();
            let _ = handle.join();
        }
    }
}
