//! The only code that runs queries. `execute` turns an `Effect` into a `Loaded` fact;
//! `Workers` runs it on two threads with their own connection — pages and details on a fast
//! lane, counts and facets on a slow lane — keeping only the newest request of each kind and
//! interrupting a running query that a newer request of its kind has made useless.

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use crate::app::{Effect, EffectKind, Loaded, PageStart};
use crate::model::Facet;
use crate::store::{Anchor, Interrupter, Store, StoreError};

mod jobs;
mod judge;

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
        // Run inline here (tests, benchmarks); `Workers` gives each job a thread instead.
        Effect::StartJob { id, job } => Loaded::JobDone {
            id,
            result: jobs::run(store, job, &mut |_, _, _| {}),
        },
    };
    (loaded, interrupted)
}

/// Which lane runs an effect: the fast one must never wait behind a slow count.
fn is_fast(kind: EffectKind) -> bool {
    matches!(kind, EffectKind::Page | EffectKind::Detail)
}

struct Lane {
    requests: Sender<Effect>,
    running: Arc<Mutex<Option<EffectKind>>>,
    interrupter: Interrupter,
}

impl Lane {
    fn start(
        store: Store,
        judge: Judge,
        deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync>,
    ) -> Lane {
        let (requests, inbox) = mpsc::channel();
        let running = Arc::new(Mutex::new(None));
        let interrupter = store.interrupter();
        let lane_running = Arc::clone(&running);
        thread::spawn(move || serve(&store, &judge, &inbox, &lane_running, deliver.as_ref()));
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
        self.requests.send(effect).is_ok()
    }
}

/// Runs effects until the UI side hangs up or stops accepting results.
fn serve(
    store: &Store,
    judge: &Judge,
    inbox: &Receiver<Effect>,
    running: &Mutex<Option<EffectKind>>,
    deliver: &(dyn Fn(Loaded) -> bool + Send + Sync),
) {
    let mut queue: VecDeque<Effect> = VecDeque::new();
    loop {
        if queue.is_empty() {
            match inbox.recv() {
                Ok(effect) => queue.push_back(effect),
                Err(_) => return,
            }
        }
        queue.extend(inbox.try_iter());
        coalesce(&mut queue);
        let Some(effect) = queue.pop_front() else {
            continue;
        };
        *running.lock().unwrap_or_else(PoisonError::into_inner) = Some(effect.kind());
        let loaded = run_quietly(store, judge, effect);
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
    path: std::path::PathBuf,
    deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync>,
}

impl Workers {
    /// Starts both lanes; `slow_store` must be a second connection to the same export.
    /// `deliver` returns false once the UI is gone, and the lanes then stop quietly.
    pub fn spawn(
        fast_store: Store,
        slow_store: Store,
        judge: Judge,
        deliver: impl Fn(Loaded) -> bool + Send + Sync + 'static,
    ) -> Workers {
        let deliver: Arc<dyn Fn(Loaded) -> bool + Send + Sync> = Arc::new(deliver);
        Workers {
            path: fast_store.path().to_path_buf(),
            fast: Lane::start(fast_store, judge.clone(), Arc::clone(&deliver)),
            slow: Lane::start(slow_store, judge, Arc::clone(&deliver)),
            deliver,
        }
    }

    /// Queues an effect; false when its lane has stopped.
    pub fn send(&self, effect: Effect) -> bool {
        if let Effect::StartJob { id, job } = effect {
            let deliver = Arc::clone(&self.deliver);
            jobs::spawn(self.path.clone(), id, job, move |loaded| deliver(loaded));
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
