//! Jobs: long work started from the explorer (an export, the cache build) on a thread of its
//! own with its own connection, reporting progress now and then and its outcome once.

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use crate::app::{Job, Loaded};
use crate::store::Store;

/// Progress is reported at most this often, so a fast job cannot flood the UI's inbox.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Runs `job` to its end on the caller's thread, reporting `(done, total)` as it goes.
pub fn run(
    store: &Store,
    job: Job,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<String, String> {
    match job {
        Job::Export(request) => {
            let _ = (store, request, progress);
            Err("exporting from the explorer is not wired yet".into())
        }
    }
}

/// Starts `job` on a new thread over a new connection to the export at `path`.
pub fn spawn(path: PathBuf, id: u64, job: Job, deliver: impl Fn(Loaded) -> bool + Send + 'static) {
    thread::spawn(move || {
        let result = match Store::open(&path) {
            Ok(store) => {
                let mut last = Instant::now();
                let mut progress = |done: u64, total: Option<u64>| {
                    if last.elapsed() >= PROGRESS_EVERY {
                        last = Instant::now();
                        deliver(Loaded::JobProgress { id, done, total });
                    }
                };
                run(&store, job, &mut progress)
            }
            Err(error) => Err(error.to_string()),
        };
        deliver(Loaded::JobDone { id, result });
    });
}
