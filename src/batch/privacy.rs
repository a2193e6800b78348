//! Getting the privacy cache a batch command's filter needs: the trusted one, else built now
//! (progress on stderr when it is a terminal), or a throwaway one under `--no-cache`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use super::BatchError;
use crate::cache::{BuildOptions, Cache, CacheDir, CacheError, Distrust, Found};
use crate::cli::{Input, filter_text};
use crate::model::Filter;
use crate::store::Store;
use crate::text::thousands;

/// A batch command's export, opened read-only, with its filter and the privacy cache attached
/// for it (`attach_for`). Keep `cache` alive while `store` is used.
pub struct Opened {
    pub store: Store,
    pub filter: Filter,
    pub cache: Option<Cache>,
}

/// Opens `input`'s export and parses its filter, with the cache that filter needs: every batch
/// command that takes a filter starts here, so none answers a privacy term without the cache.
pub fn open(input: &Input, no_cache: bool) -> Result<Opened, BatchError> {
    let mut store = Store::open(&input.export)?;
    let filter = super::parse_filter(&store, &filter_text(&input.filter))?;
    let cache = attach_for(&mut store, &filter, no_cache)?;
    Ok(Opened {
        store,
        filter,
        cache,
    })
}

/// Attaches the cache to `store` and returns it (keep it alive while the store is used: a
/// throwaway cache is deleted when dropped). A filter with privacy terms gets one built if
/// there is none; any other filter uses a trusted cache already there (it stands in for the
/// indexes an export lacks) and never waits for a build. `None`: no cache attached.
pub fn attach_for(
    store: &mut Store,
    filter: &Filter,
    no_cache: bool,
) -> Result<Option<Cache>, BatchError> {
    if !filter.needs_cache() {
        return Ok(if no_cache {
            None
        } else {
            attach_existing(store)
        });
    }
    let cache = match (no_cache, CacheDir::user()) {
        (true, _) => Cache::build_throwaway(store, options())?,
        (false, Err(e)) => {
            eprintln!("telex: note: {e}; using a cache for this run only");
            Cache::build_throwaway(store, options())?
        }
        (false, Ok(dir)) => match dir.open(store.path())? {
            Ok(cache) => cache,
            Err(found) => {
                if let Found::Removed(Distrust::Corrupt(why)) = &found {
                    eprintln!("telex: note: the privacy cache was damaged ({why}); rebuilding it");
                }
                match dir.build(store, options()) {
                    Ok(cache) => cache,
                    // A cache directory that cannot be written (read-only home, full disk)
                    // costs the reuse, not the answer.
                    Err(CacheError::Io { path, reason }) if path.starts_with(dir.path()) => {
                        eprintln!(
                            "telex: note: cannot write the privacy cache in {} ({reason}); using \
                             one for this run only",
                            dir.path().display()
                        );
                        Cache::build_throwaway(store, options())?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        },
    };
    store.attach_cache(cache.path())?;
    // `violates:` in a batch filter judges by the default policy, ages measured as the audit
    // measures them.
    let reference = super::audit::reference(store)?;
    store.set_policy(crate::store::Judging {
        policy: Default::default(),
        ctx: crate::policy::AuditContext {
            reference: reference.at,
        },
    })?;
    Ok(Some(cache))
}

/// Build options that draw `building the privacy cache: N / M events` on stderr, at most
/// every half second, when stderr is a terminal.
fn options() -> BuildOptions {
    if !std::io::stderr().is_terminal() {
        return BuildOptions::default();
    }
    let mut last = Instant::now();
    let mut shown = false;
    BuildOptions {
        threads: 0,
        progress: Some(Box::new(move |done, total| {
            let end = total > 0 && done >= total;
            if end && shown {
                eprintln!(
                    "\rbuilding the privacy cache: {} / {} events, indexing",
                    thousands(done),
                    thousands(total)
                );
                shown = false;
            } else if !end && last.elapsed() >= Duration::from_millis(500) {
                last = Instant::now();
                shown = true;
                eprint!(
                    "\rbuilding the privacy cache: {} / {} events",
                    thousands(done),
                    thousands(total)
                );
            }
        })),
        cancel: None,
    }
}

/// Attaches the export's trusted cache if there is one; never builds. Any problem just means
/// no cache.
pub fn attach_existing(store: &mut Store) -> Option<Cache> {
    let cache = CacheDir::user().ok()?.open(store.path()).ok()?.ok()?;
    store.attach_cache(cache.path()).ok()?;
    Some(cache)
}
