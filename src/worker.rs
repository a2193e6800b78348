//! The only code that runs queries. `execute` turns an `Effect` into a `Loaded` fact;
//! `Workers` runs it on two threads with their own connection — pages and details on a fast
//! lane, counts and facets on a slow lane — keeping only the newest request of each kind and
//! interrupting a running query that a newer request of its kind has made useless.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use crate::app::{Effect, EffectKind, InventoryRow, Loaded, PageStart};
use crate::inventory::Inventory;
use crate::model::Facet;
use crate::store::{Anchor, Interrupter, Store, StoreError};

mod cache_job;
mod jobs;
mod judge;

pub use cache_job::CachePlan;
pub use judge::Judge;

/// The most categories the sidebar asks for.
const CATEGORY_LIMIT: usize = 100;

/// Runs one effect and reports what it found. Failures are reported as text.
pub fn execute(store: &Store, judge: &Judge, effect: Effect) -> Loaded {
    attempt(store, judge, effect).0
}

/// Like `execute`, but `None` when a newer request interrupted the query on purpose: such a
/// result is stale and must not show up as an error.
fn run_quietly(store: &Store, judge: &Judge, effect: Effect) -> Option<Loaded> {
    match attempt(store, judge, effect) {
        (_, true) => None,
        (loaded, false) => Some(loaded),
    }
}

/// The fact, and whether the query was interrupted.
fn attempt(store: &Store, judge: &Judge, effect: Effect) -> (Loaded, bool) {
    let mut interrupted = false;
    let mut fail = |error: StoreError| {
        interrupted |= error.is_interrupted();
        error.to_string()
    };
    let loaded = match effect {
        Effect::LoadPage {
            seq,
            filter,
            start,
            limit,
        } => {
            let anchor = match start {
                PageStart::First => Anchor::First,
                PageStart::Last => Anchor::Last,
                PageStart::At(c) => Anchor::From(c),
                PageStart::After(c) => Anchor::After(c),
                PageStart::Before(c) => Anchor::Before(c),
            };
            Loaded::Page {
                seq,
                result: store
                    .page_events(&filter, &anchor, limit)
                    .map(|events| judge.page(events))
                    .map_err(&mut fail),
            }
        }
        Effect::CountMatching { seq, filter } => Loaded::Count {
            seq,
            result: store.count(&filter).map_err(&mut fail),
        },
        Effect::CountTotal => Loaded::Total {
            result: store.total().map_err(&mut fail),
        },
        Effect::CountCategories { seq, filter } => Loaded::Categories {
            seq,
            result: store
                .facet_values(Facet::Category, &filter, "", CATEGORY_LIMIT)
                .map_err(&mut fail),
        },
        Effect::LoadFacet {
            seq,
            facet,
            filter,
            needle,
            limit,
        } => Loaded::Facet {
            seq,
            result: store
                .facet_values(facet, &filter, &needle, limit)
                .map_err(&mut fail),
        },
        Effect::LoadDetail { seq, id } => Loaded::Detail {
            seq,
            result: store
                .event(id)
                .map(|e| e.map(|e| judge.inspect(e)))
                .map_err(&mut fail),
        },
        Effect::SeekViolation {
            seq,
            filter,
            from,
            forward,
        } => Loaded::Seek {
            seq,
            result: judge.seek(store, &filter, from, forward).map_err(&mut fail),
        },
        Effect::LoadInventory { seq } => Loaded::Inventory {
            seq,
            result: store
                .inventory()
                .map(|inventory| inventory_rows(&inventory))
                .map_err(&mut fail),
        },
        // Run inline here (tests, benchmarks); `Workers` gives each job a thread instead.
        Effect::StartJob { id, job } => Loaded::JobDone {
            id,
            result: jobs::run(store, job, &mut |_, _, _| {}),
        },
    };
    (loaded, interrupted)
}

/// The inventory as the app's rows, in category and field order.
fn inventory_rows(inventory: &Inventory) -> Vec<InventoryRow> {
    inventory
        .rows()
        .into_iter()
        .map(|(category, field, stats)| InventoryRow {
            category: category.to_string(),
            field: field.to_string(),
            records: stats.records,
            identified: stats.identified,
            kinds: stats.kinds.iter().map(|(k, n)| (*k, *n)).collect(),
            example: stats.example.clone(),
        })
        .collect()
}

/// Which lane runs an effect: the fast one must never wait behind a slow count.
fn is_fast(kind: EffectKind) -> bool {
    matches!(kind, EffectKind::Page | EffectKind::Detail)
}

/// What a lane is asked: run an effect, attach the privacy cache once it is built, or page
/// along the rowids once they are known to be in time order.
enum Request {
    Run(Effect),
    Attach(PathBuf),
    RowidOrder,
}

struct Lane {
    requests: Sender<Request>,
    running: Arc<Mutex<Option<EffectKind>>>,
    interrupter: Interrupter,
}

impl Lane {
    /// `also_rowid_order`: the lane checks the rowid order first (`check_rowid_order`), and
    /// tells this other lane too.
    fn start(
        store: Store,
        judge: Judge,
        deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync>,
        also_rowid_order: Option<Sender<Request>>,
    ) -> Lane {
        let (requests, inbox) = mpsc::channel();
        let running = Arc::new(Mutex::new(None));
        let interrupter = store.interrupter();
        let lane_running = Arc::clone(&running);
        thread::spawn(move || {
            let mut store = store;
            if let Some(other) = also_rowid_order {
                check_rowid_order(&mut store, &other);
            }
            serve(store, &judge, &inbox, &lane_running, deliver.as_ref());
        });
        Lane {
            requests,
            running,
            interrupter,
        }
    }

    fn send(&self, effect: Effect) -> bool {
        let kind = effect.kind();
        // Held while interrupting so the lane cannot move on to another query meanwhile.
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if *running == Some(kind) {
            self.interrupter.interrupt();
        }
        self.requests.send(Request::Run(effect)).is_ok()
    }
}

/// On an export without a `ts` index, every page is a sort of the matching events (until the
/// privacy cache's indexes stand in): the fast lane checks once, before its first page,
/// whether the rowids are in time order (one pass over ids and timestamps; it stops at the
/// first one out of order), and if so both lanes page along them instead. The first page then
/// costs the check instead of a sort, which takes longer (1M events: 0.3 s against 1.2 s), and
/// no later key waits for a sort. A failed check changes nothing.
fn check_rowid_order(store: &mut Store, other: &Sender<Request>) {
    if let Ok(true) = store.rowids_in_time_order() {
        store.use_rowid_order();
        let _ = other.send(Request::RowidOrder);
    }
}

/// Runs effects until the UI side hangs up or stops accepting results.
fn serve(
    mut store: Store,
    judge: &Judge,
    inbox: &Receiver<Request>,
    running: &Mutex<Option<EffectKind>>,
    deliver: &(dyn Fn(Loaded) -> bool + Send + Sync),
) {
    let mut queue: VecDeque<Effect> = VecDeque::new();
    // A cache only adds answers, so attaching it ahead of effects queued before is harmless.
    // The build job attached the same file once before reporting success, so a failure here
    // is not expected; were it to happen, privacy terms would say they need the cache.
    let take = |request: Request, queue: &mut VecDeque<Effect>, store: &mut Store| match request {
        Request::Run(effect) => queue.push_back(effect),
        Request::Attach(path) => {
            let _ = store.attach_cache(&path);
        }
        Request::RowidOrder => store.use_rowid_order(),
    };
    loop {
        if queue.is_empty() {
            match inbox.recv() {
                Ok(request) => take(request, &mut queue, &mut store),
                Err(_) => return,
            }
        }
        for request in inbox.try_iter() {
            take(request, &mut queue, &mut store);
        }
        coalesce(&mut queue);
        let Some(effect) = queue.pop_front() else {
            continue;
        };
        *running.lock().unwrap_or_else(PoisonError::into_inner) = Some(effect.kind());
        let loaded = run_quietly(&store, judge, effect);
        *running.lock().unwrap_or_else(PoisonError::into_inner) = None;
        if let Some(loaded) = loaded
            && !deliver(loaded)
        {
            return;
        }
    }
}

/// Keeps only the newest effect of each kind, in the order of those newest ones.
pub fn coalesce(queue: &mut VecDeque<Effect>) {
    let mut seen = Vec::new();
    let mut kept = VecDeque::with_capacity(queue.len());
    while let Some(effect) = queue.pop_back() {
        if !seen.contains(&effect.kind()) {
            seen.push(effect.kind());
            kept.push_front(effect);
        }
    }
    *queue = kept;
}

/// The two query threads. Dropping it ends them once their current query returns.
pub struct Workers {
    fast: Lane,
    slow: Lane,
    path: PathBuf,
    deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync>,
    cache: Arc<cache_job::CacheKeeper>,
}

impl Workers {
    /// Starts both lanes; `slow_store` must be a second connection to the same export.
    /// `deliver` returns false once the UI is gone, and the lanes then stop quietly.
    pub fn spawn(
        fast_store: Store,
        slow_store: Store,
        judge: Judge,
        cache: CachePlan,
        deliver: impl Fn(Loaded) -> bool + Send + Sync + 'static,
    ) -> Workers {
        let deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync> = Arc::new(deliver);
        let path = fast_store.path().to_path_buf();
        let check = fast_store.may_page_by_rowid();
        let slow = Lane::start(slow_store, judge.clone(), Arc::clone(&deliver), None);
        let tell_slow = check.then(|| slow.requests.clone());
        Workers {
            cache: cache_job::CacheKeeper::new(cache),
            path,
            fast: Lane::start(fast_store, judge, Arc::clone(&deliver), tell_slow),
            slow,
            deliver,
        }
    }

    /// Queues an effect; false when its lane has stopped.
    pub fn send(&self, effect: Effect) -> bool {
        if let Effect::StartJob { id, job } = effect {
            let deliver = Arc::clone(&self.deliver);
            let lanes = [self.fast.requests.clone(), self.slow.requests.clone()];
            let attach = move |path: &std::path::Path| {
                for lane in &lanes {
                    let _ = lane.send(Request::Attach(path.to_path_buf()));
                }
            };
            let cache = Arc::clone(&self.cache);
            jobs::spawn(self.path.clone(), id, job, cache, attach, deliver);
            return true;
        }
        if is_fast(effect.kind()) {
            self.fast.send(effect)
        } else {
            self.slow.send(effect)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalescing_keeps_the_newest_of_each_kind() {
        let detail = |seq| Effect::LoadDetail {
            seq,
            id: seq as i64,
        };
        let count = |seq| Effect::CountMatching {
            seq,
            filter: Default::default(),
        };
        let mut queue = VecDeque::from([
            detail(1),
            count(2),
            detail(3),
            Effect::CountTotal,
            detail(4),
        ]);
        coalesce(&mut queue);
        assert_eq!(
            Vec::from(queue),
            vec![count(2), Effect::CountTotal, detail(4)]
        );
    }
}
