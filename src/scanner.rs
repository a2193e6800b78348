//! The one place that reads matching events in parallel and runs the pii scan on them
//! (`telex scan`, the sidecar cache build, `telex audit`, `telex export`'s rescan).
//!
//! When `ts` is indexed, the caller's connection walks the `(ts, id)` order and cuts it into
//! chunks of `CHUNK_ROWS` rows; each worker reads its chunks through its own read-only
//! connection and scans them, so reading is parallel too. Without a `ts` index, chunks are cut
//! along the rowids when that order is the time order (checked first, one pass over the ids and
//! timestamps, unless the store knows it: `Store::pages_by_rowid`), or when the work needs
//! every event but not in time order
//! (`scan_parts_stored`). Otherwise the caller reads in order and the workers scan batches: so
//! too for a filter with privacy terms when a cache is attached (`Store::reads_through_cache`),
//! whose ordered read walks the cache's narrow rows and fetches only the matching events,
//! where chunks would look up every export row in the cache (1M events, `has:secret`: 0.08 s
//! against 1.3 s; for a filter that every event matches, 5–10 % slower).
//! Either way, results come back to the caller's thread and are delivered in chunk order
//! through a reorder buffer of at most `4 × threads` chunks, so the order is
//! `Store::for_each_event`'s whatever the thread count, and memory stays bounded.
//! Each connection reads its own snapshot: exports are not written to while telex reads them
//! (if one were, chunks could come from different states of the file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};

use crate::model::{Event, Filter, Finding};
use crate::pii::EventScanner;
use crate::store::{KeyRange, Store, StoreError};

/// Rows of the `(ts, id)` order per chunk: enough that a chunk's query and hand-over are
/// noise, few enough that the chunks in flight hold little memory.
const CHUNK_ROWS: usize = 2048;
/// Events per batch when the caller reads (no `ts` index).
const BATCH: usize = 512;

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
#[allow(clippy::type_complexity)] // the signature is the shared contract (SCANNER-CONTRACT.md)
pub fn scan_parallel<E>(
    store: &Store,
    filter: &Filter,
    opts: ScanOptions,
    visit: &mut dyn FnMut(&Event, &[Finding]) -> Result<(), E>,
) -> Result<(), ScanError<E>> {
    struct Collect;
    impl Work for Collect {
        type Part = Vec<(Event, Vec<Finding>)>;
        fn part(&self) -> Self::Part {
            Vec::new()
        }
        fn event(&self, part: &mut Self::Part, e: &Event, f: &[Finding], _: &EventScanner) {
            part.push((e.clone(), f.to_vec()));
        }
    }
    scan_parts(store, filter, opts, &Collect, &mut |part| {
        part.iter()
            .try_for_each(|(event, findings)| visit(event, findings))
    })
}

/// What the workers make of the scanned events of one chunk, for callers that want the heavy
/// per-event work (formatting, say) done in parallel too.
pub trait Work: Sync {
    /// The result of one chunk, handed to the caller's thread.
    type Part: Send;
    fn part(&self) -> Self::Part;
    /// One event with its findings; `scanner` scanned it last (its `value` and
    /// `payload_fields` answer for this event).
    fn event(
        &self,
        part: &mut Self::Part,
        event: &Event,
        findings: &[Finding],
        scanner: &EventScanner,
    );
    /// Whether `EventScanner::payload_fields` must list numbers and booleans too.
    fn all_fields(&self) -> bool {
        false
    }

    /// Whether `event` may lack what the scan never reads (`name`, `app_name`,
    /// `app_version`): less to read and copy, for work that only prints findings.
    fn lean_events(&self) -> bool {
        false
    }
}

/// `scan_parallel` with the per-event work done by the workers: `visit` gets each chunk's
/// part on the caller's thread, in `(ts, id)` order of the chunks.
pub fn scan_parts<W: Work, E>(
    store: &Store,
    filter: &Filter,
    opts: ScanOptions,
    work: &W,
    visit: &mut dyn FnMut(W::Part) -> Result<(), E>,
) -> Result<(), ScanError<E>> {
    scan_parts_in(store, filter, Order::Time, opts, work, visit)
}

/// `scan_parts` for work that needs every event but not in time order (the cache build):
/// chunks come in the order the export stores the events (rowid order) where the id is the
/// rowid, so an export without a `ts` index is read in parallel too instead of sorted on one
/// thread. Otherwise, and where the `ts` index is there, in `(ts, id)` order as `scan_parts`.
pub fn scan_parts_stored<W: Work, E>(
    store: &Store,
    filter: &Filter,
    opts: ScanOptions,
    work: &W,
    visit: &mut dyn FnMut(W::Part) -> Result<(), E>,
) -> Result<(), ScanError<E>> {
    scan_parts_in(store, filter, Order::Stored, opts, work, visit)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// `(ts, id)`, as `Store::for_each_event`.
    Time,
    /// Any order the export reads fastest in.
    Stored,
}

/// How the chunks are cut: along the `ts` index, along the rowids, by a list of rowid ranges
/// that are in time order, or by the caller's one ordered read.
enum Walk {
    Time,
    Rowids,
    Listed(Vec<KeyRange>),
    Caller,
}

fn scan_parts_in<W: Work, E>(
    store: &Store,
    filter: &Filter,
    order: Order,
    opts: ScanOptions,
    work: &W,
    visit: &mut dyn FnMut(W::Part) -> Result<(), E>,
) -> Result<(), ScanError<E>> {
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let walk = if store.reads_through_cache(filter)? {
        // Most privacy filters keep a few events; every chunk would test all of its rows.
        Walk::Caller
    } else if store.can_read_ranges() {
        Walk::Time
    } else if !store.schema().id_is_rowid {
        Walk::Caller
    } else if order == Order::Stored || store.pages_by_rowid() {
        // Also when the rowid order is known to be the time order (the explorer checked it,
        // or the attached cache's build did): no second pass to check it again.
        Walk::Rowids
    } else {
        // Exports without a `ts` index are often stored in time order: then the rowid ranges
        // are read in parallel in that order too, rather than sorted on one thread.
        store
            .rowid_ranges_in_time_order(CHUNK_ROWS)?
            .map_or(Walk::Caller, Walk::Listed)
    };
    let ranges = !matches!(walk, Walk::Caller);
    // The walk and the workers share one pinned "now", so relative time terms cut and read
    // alike. Connections open here, so a failure is reported before any work starts.
    let walker = if ranges { Some(store.reopen()?) } else { None };
    let mut stores = Vec::with_capacity(threads);
    for _ in 0..threads {
        stores.push(walker.as_ref().map(Store::reopen).transpose()?);
    }
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Job)>(threads * 2);
    let job_rx = Mutex::new(job_rx);
    // Unbounded, but `Coordinator::send` keeps at most `max_in_flight` chunks undelivered.
    let (done_tx, done_rx) = mpsc::channel::<Done<W::Part>>();
    let mut co = Coordinator {
        path: store.path().to_path_buf(),
        job_tx: Some(job_tx),
        done_rx,
        pending: BTreeMap::new(),
        sent: 0,
        delivered: 0,
        max_in_flight: threads as u64 * 4,
        events: 0,
        progress: opts.progress,
        visit,
    };
    std::thread::scope(|s| {
        for conn in stores {
            let done_tx = done_tx.clone();
            let job_rx = &job_rx;
            s.spawn(move || worker(conn, filter, work, job_rx, done_tx));
        }
        drop(done_tx);
        let result = match (walk, &walker) {
            (Walk::Rowids, Some(walker)) => {
                co.run_ranges(|visit| walker.rowid_boundaries(CHUNK_ROWS, visit))
            }
            (Walk::Listed(list), _) => co.run_ranges(|visit| {
                for range in list {
                    if !visit(range) {
                        break;
                    }
                }
                Ok(())
            }),
            (_, Some(walker)) => {
                co.run_ranges(|visit| walker.boundaries(filter, CHUNK_ROWS, visit))
            }
            (_, None) => co.run_batches(store, filter),
        };
        // Closing the job channel ends the workers, whatever happened.
        co.job_tx = None;
        result
    })
}

enum Job {
    /// Read and scan the events of this range (the worker's own connection).
    Range(KeyRange),
    /// Scan these events (read by the caller).
    Events(Vec<Event>),
}

struct Done<P> {
    seq: u64,
    events: u64,
    part: Result<P, StoreError>,
}

struct Coordinator<'v, P, E> {
    path: PathBuf,
    job_tx: Option<SyncSender<(u64, Job)>>,
    done_rx: Receiver<Done<P>>,
    /// Finished chunks that arrived before an earlier one, by chunk number.
    pending: BTreeMap<u64, (u64, P)>,
    sent: u64,
    delivered: u64,
    max_in_flight: u64,
    events: u64,
    progress: Option<Box<dyn FnMut(u64)>>,
    visit: &'v mut dyn FnMut(P) -> Result<(), E>,
}

impl<P, E> Coordinator<'_, P, E> {
    /// Queues every range `walk` cuts (it stops the walk when a send fails), then waits for
    /// the rest.
    fn run_ranges(
        &mut self,
        walk: impl FnOnce(&mut dyn FnMut(KeyRange) -> bool) -> Result<(), StoreError>,
    ) -> Result<(), ScanError<E>> {
        let mut failure = None;
        walk(&mut |range| match self.send(Job::Range(range)) {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        })?;
        match failure {
            Some(e) => Err(e),
            None => self.finish(),
        }
    }

    fn run_batches(&mut self, store: &Store, filter: &Filter) -> Result<(), ScanError<E>> {
        let mut batch = Vec::with_capacity(BATCH);
        let mut failure = None;
        store.for_each_event(filter, None, |event| {
            batch.push(event);
            if batch.len() < BATCH {
                return true;
            }
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            match self.send(Job::Events(full)) {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if !batch.is_empty() {
            self.send(Job::Events(batch))?;
        }
        self.finish()
    }

    /// Queues a job, delivers whatever is ready, and waits while too many chunks are
    /// undelivered, so memory stays bounded even behind one slow chunk.
    fn send(&mut self, job: Job) -> Result<(), ScanError<E>> {
        let mut item = (self.sent, job);
        loop {
            let tx = self.job_tx.as_ref().ok_or_else(|| stopped(&self.path))?;
            match tx.try_send(item) {
                Ok(()) => break,
                // The queue is full: a result will come (or every worker has stopped).
                Err(TrySendError::Full(back)) => {
                    item = back;
                    self.wait_one()?;
                }
                Err(TrySendError::Disconnected(_)) => return Err(stopped(&self.path).into()),
            }
        }
        self.sent += 1;
        while let Ok(done) = self.done_rx.try_recv() {
            self.arrived(done)?;
        }
        while self.sent - self.delivered >= self.max_in_flight {
            self.wait_one()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ScanError<E>> {
        self.job_tx = None;
        while self.delivered < self.sent {
            self.wait_one()?;
        }
        Ok(())
    }

    fn wait_one(&mut self) -> Result<(), ScanError<E>> {
        let done = self.done_rx.recv().map_err(|_| stopped(&self.path))?;
        self.arrived(done)
    }

    fn arrived(&mut self, done: Done<P>) -> Result<(), ScanError<E>> {
        self.pending.insert(done.seq, (done.events, done.part?));
        while let Some((events, part)) = self.pending.remove(&self.delivered) {
            self.delivered += 1;
            (self.visit)(part).map_err(ScanError::Visit)?;
            self.events += events;
            if let Some(progress) = &mut self.progress {
                progress(self.events);
            }
        }
        Ok(())
    }
}

/// A worker that stopped early (it panicked: the scope re-raises that panic when it joins).
fn stopped(path: &Path) -> StoreError {
    StoreError::Unreadable {
        path: path.to_path_buf(),
        reason: "a scan worker stopped".into(),
    }
}

fn worker<W: Work>(
    store: Option<Store>,
    filter: &Filter,
    work: &W,
    jobs: &Mutex<Receiver<(u64, Job)>>,
    done: Sender<Done<W::Part>>,
) {
    let mut scanner = if work.all_fields() {
        EventScanner::with_all_fields()
    } else {
        EventScanner::new()
    };
    loop {
        // The lock is held only while taking one job, never while doing it.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, job)) = job else { return };
        let mut part = work.part();
        let mut events = 0;
        let mut each = |event: &Event| {
            scanner.scan(event);
            work.event(&mut part, event, scanner.findings(), &scanner);
            events += 1;
        };
        let read = match job {
            Job::Range(range) => match &store {
                Some(store) => store
                    .for_each_event_in(filter, &range, work.lean_events(), |event| {
                        each(event);
                        true
                    })
                    .map(|_| ()),
                None => Err(stopped(Path::new(""))),
            },
            Job::Events(list) => {
                list.iter().for_each(&mut each);
                Ok(())
            }
        };
        let part = read.map(|()| part);
        if done.send(Done { seq, events, part }).is_err() {
            return;
        }
    }
}
