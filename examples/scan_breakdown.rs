//! Where `telex scan`'s time goes, on an export: the parallel read alone, then read + pii scan
//! (same chunks, connections and threads as `telex scan`, which adds the output on top: time
//! `telex scan EXPORT --format jsonl > /dev/null` for the whole).
//! Run: `cargo run --release --example scan_breakdown -- EXPORT [THREADS]`.

use std::path::Path;
use std::time::Instant;

use telex::model::{Event, Filter, Finding};
use telex::pii::EventScanner;
use telex::scanner::{ScanOptions, Work, scan_parts};
use telex::store::Store;

/// Counts events and findings; the workers scan every event before calling it.
struct Count;

impl Work for Count {
    type Part = u64;
    fn part(&self) -> u64 {
        0
    }
    fn event(&self, part: &mut u64, _: &Event, findings: &[Finding], _: &EventScanner) {
        *part += 1 + findings.len() as u64;
    }
    fn lean_events(&self) -> bool {
        true
    }
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: scan_breakdown EXPORT [THREADS]");
    let threads = std::env::args()
        .nth(2)
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let store = Store::open(Path::new(&path)).expect("export");
    let filter = Filter::default();
    let start = Instant::now();
    let events = read_only(&store, threads);
    let read = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut n = 0;
    let opts = ScanOptions {
        threads,
        progress: None,
    };
    scan_parts::<_, ()>(&store, &filter, opts, &Count, &mut |p| {
        n += p;
        Ok(())
    })
    .expect("scan");
    let scanned = start.elapsed().as_secs_f64();
    println!(
        "{events} events: read alone {read:.2} s, read + pii scan {scanned:.2} s ({} findings)",
        n - events
    );
}

/// Every chunk read on `threads` threads (0: one per core), nothing done with the events.
fn read_only(store: &Store, threads: usize) -> u64 {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        threads
    };
    let mut ranges = Vec::new();
    store
        .boundaries(&Filter::default(), 2048, |r| {
            ranges.push(r);
            true
        })
        .expect("walk");
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let conn = store.reopen().expect("reopen");
                let (ranges, next) = (&ranges, &next);
                s.spawn(move || {
                    let mut n = 0;
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(r) = ranges.get(i) else { return n };
                        conn.for_each_event_in(&Filter::default(), r, true, |_| {
                            n += 1;
                            true
                        })
                        .expect("read");
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}
