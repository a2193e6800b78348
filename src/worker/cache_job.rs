//! The explorer's privacy cache: attached at start when a trusted one exists, else built by a
//! job beside the lanes (progress in the status line) and attached to both lanes when done.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::cache::{BuildOptions, Cache, CacheDir};
use crate::store::Store;
use crate::text;

/// Where the explorer's cache comes from.
pub enum CachePlan {
    /// Already attached to the stores (kept here while the explorer runs: a throwaway cache is
    /// deleted when dropped). `None`: nothing to keep.
    Ready(Option<Box<Cache>>),
    /// Built when the app asks: into this directory, or as a throwaway (`--no-cache`).
    Build(Option<CacheDir>),
}

/// The plan and the caches kept alive while the explorer runs.
pub(super) struct CacheKeeper {
    dir: Option<CacheDir>,
    kept: Mutex<Vec<Cache>>,
}

impl CacheKeeper {
    pub(super) fn new(plan: CachePlan) -> Arc<CacheKeeper> {
        let (dir, kept) = match plan {
            CachePlan::Ready(cache) => (None, cache.into_iter().map(|c| *c).collect()),
            CachePlan::Build(dir) => (dir, Vec::new()),
        };
        Arc::new(CacheKeeper {
            dir,
            kept: Mutex::new(kept),
        })
    }

    /// Builds (or finds) the cache of `store`'s export, checks that it attaches, and keeps it.
    /// Returns the file to attach and a line for the status bar.
    pub(super) fn build(
        &self,
        store: &Store,
        progress: Box<dyn FnMut(u64, u64) + Send>,
    ) -> Result<(PathBuf, String), String> {
        let started = Instant::now();
        let opts = BuildOptions {
            threads: 0,
            progress: Some(progress),
            cancel: None,
        };
        let built = match &self.dir {
            Some(dir) => dir.open_or_build(store, opts),
            None => Cache::build_throwaway(store, opts),
        };
        let cache = built.map_err(|e| e.to_string())?;
        let path = cache.path().to_path_buf();
        // The lanes attach it on their own threads; attaching once here first means a bad
        // file is reported as the job's failure rather than as every later query's.
        let mut check = store.reopen().map_err(|e| e.to_string())?;
        check.attach_cache(&path).map_err(|e| e.to_string())?;
        let events = cache.meta().events;
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(cache);
        Ok((
            path,
            format!(
                "privacy cache ready ({} events, {:.1} s): has:, kind:, class:, field: and the inventory (i) answer now",
                text::thousands(events),
                started.elapsed().as_secs_f64()
            ),
        ))
    }
}
