//! The worker threads on a real export: the explorer's privacy cache built in the background,
//! attached to both lanes, after which privacy terms and the inventory are answered.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use telex::app::{Effect, Job, Loaded};
use telex::cache::CacheDir;
use telex::policy::Policy;
use telex::store::Store;
use telex::{filter, worker};

/// The explorer's workers on the export at `path`, and what they deliver.
fn spawn(path: &Path, cache: worker::CachePlan) -> (worker::Workers, mpsc::Receiver<Loaded>) {
    let store = Store::open(path).unwrap();
    let slow = store.reopen().unwrap();
    let judge = worker::Judge::for_store(Policy::default(), &store).unwrap();
    let (tx, rx) = mpsc::channel();
    let workers = worker::Workers::spawn(store, slow, judge, cache, move |loaded| {
        tx.send(loaded).is_ok()
    });
    (workers, rx)
}

#[test]
fn the_cache_builds_in_the_background_then_both_lanes_answer_privacy_terms() {
    let (_dir, path) = support::small_export();
    let caches = tempfile::tempdir().unwrap();
    let (workers, rx) = spawn(
        &path,
        worker::CachePlan::Build(Some(CacheDir::at(caches.path()))),
    );
    let has_pii = filter::parse("has:pii", &[]).unwrap();
    assert!(workers.send(Effect::StartJob {
        id: 1,
        job: Job::BuildCache
    }));
    let wait = Duration::from_secs(60);
    let done = loop {
        match rx.recv_timeout(wait).unwrap() {
            Loaded::JobDone { id: 1, result } => break result,
            Loaded::JobProgress { id, .. } => assert_eq!(id, 1),
            other => panic!("{other:?}"),
        }
    };
    assert!(done.unwrap().starts_with("privacy cache ready"));
    assert_eq!(
        std::fs::read_dir(caches.path()).unwrap().count(),
        1,
        "one cache file, kept for the next run"
    );
    // The slow lane counts, the fast lane pages: both have the cache now.
    assert!(workers.send(Effect::CountMatching {
        seq: 2,
        filter: has_pii.clone()
    }));
    let Loaded::Count { seq: 2, result } = rx.recv_timeout(wait).unwrap() else {
        panic!()
    };
    let with_pii = result.unwrap();
    assert!(with_pii > 0 && with_pii < 13, "{with_pii}");
    assert!(workers.send(Effect::LoadPage {
        seq: 3,
        filter: has_pii,
        start: telex::app::PageStart::First,
        limit: 100,
    }));
    let Loaded::Page { seq: 3, result } = rx.recv_timeout(wait).unwrap() else {
        panic!()
    };
    assert_eq!(result.unwrap().rows.len() as u64, with_pii);
    assert!(workers.send(Effect::LoadInventory { seq: 4 }));
    let Loaded::Inventory { seq: 4, result } = rx.recv_timeout(wait).unwrap() else {
        panic!()
    };
    assert!(result.unwrap().iter().any(|r| r.field == "payload/msUpn"));
}

#[test]
fn pages_stay_in_time_order_while_the_lanes_learn_the_rowid_order() {
    let (_dir, _generated, path) = support::generated_pair(1_200, 9);
    let sorted = Store::open(&path).unwrap();
    assert!(sorted.may_page_by_rowid() && sorted.rowids_in_time_order().unwrap());
    let (workers, rx) = spawn(&path, worker::CachePlan::Build(None));
    let usage = filter::parse("category:usage", &[]).unwrap();
    let all = sorted
        .page(&usage, &telex::store::Anchor::First, 10_000)
        .unwrap();
    let middle = all[all.len() / 2].cursor();
    let starts = [
        (telex::app::PageStart::First, telex::store::Anchor::First),
        (telex::app::PageStart::Last, telex::store::Anchor::Last),
        (
            telex::app::PageStart::After(middle.clone()),
            telex::store::Anchor::After(middle.clone()),
        ),
        (
            telex::app::PageStart::Before(middle.clone()),
            telex::store::Anchor::Before(middle.clone()),
        ),
        (
            telex::app::PageStart::At(middle.clone()),
            telex::store::Anchor::From(middle),
        ),
    ];
    // Before, during and after the background check: the same pages as a sorted read.
    for seq in 0..60u64 {
        let (start, anchor) = starts[seq as usize % starts.len()].clone();
        assert!(workers.send(Effect::LoadPage {
            seq,
            filter: usage.clone(),
            start,
            limit: 25,
        }));
        let Loaded::Page { seq: got, result } = rx.recv_timeout(Duration::from_secs(60)).unwrap()
        else {
            panic!()
        };
        assert_eq!(got, seq);
        let want = sorted.page(&usage, &anchor, 25).unwrap();
        assert_eq!(result.unwrap().rows, want, "{anchor:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
