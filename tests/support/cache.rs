//! Helpers of the privacy-cache tests: the small export with a secret, private cache
//! directories, filters parsed against a store, and a cache attached.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::path::{Path, PathBuf};

use telex::cache::{BuildOptions, Cache, CacheDir};
use telex::filter;
use telex::model::{Event, Filter, Finding};
use telex::pii;
use telex::store::Store;

/// The small fixture plus an event carrying two secrets (a card number, a URL password).
pub const SECRET_EVENT: &str = "INSERT INTO events VALUES (14, '2026-09-09T16:00:00.000Z', \
    'error', 'upload_failed', 'T-CONTOSO', 'S-7', 'D1B2C3D4-0000-4000-8000-000000000004', \
    'TeamsPro', '2.1.0', '{\"url\":\"https://bob:hunter2@files.contoso.com/x\",\
    \"card\":\"4111 1111 1111 1111\"}', 'eu');";

pub fn export() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sql = format!("{}\n{SECRET_EVENT}", super::SMALL_SQL);
    let path = super::db_from_sql(dir.path(), "small.db", &sql);
    (dir, path)
}

/// A fresh, empty cache directory of the test's own.
pub fn cache_dir() -> (tempfile::TempDir, CacheDir) {
    let dir = tempfile::tempdir().unwrap();
    let cache = CacheDir::at(dir.path().join("cache"));
    (dir, cache)
}

pub fn parse(store: &Store, text: &str) -> Filter {
    filter::parse(text, &store.schema().extra).unwrap()
}

pub fn ids(store: &Store, text: &str) -> Vec<i64> {
    let mut out = Vec::new();
    store
        .for_each_event(&parse(store, text), None, |e| {
            out.push(e.summary.id);
            true
        })
        .unwrap();
    out.sort_unstable();
    out
}

pub fn all_events(store: &Store) -> Vec<(Event, Vec<Finding>)> {
    let mut out = Vec::new();
    store
        .for_each_event(&Filter::default(), None, |e| {
            let f = pii::scan_event(&e);
            out.push((e, f));
            true
        })
        .unwrap();
    out
}

pub fn attached(path: &Path, dir: &CacheDir) -> (Store, Cache) {
    let mut store = Store::open(path).unwrap();
    let cache = dir.open_or_build(&store, BuildOptions::default()).unwrap();
    store.attach_cache(cache.path()).unwrap();
    (store, cache)
}

/// Fails unless the cache holds exactly `findings` (field, kind, confidence, span) for event
/// `id`; `at` says which build in the message.
pub fn assert_stored(cache: &Cache, id: i64, findings: &[Finding], at: &str) {
    let stored = cache.findings(id).unwrap().unwrap();
    let want: Vec<_> = findings
        .iter()
        .map(|f| (f.field.clone(), f.kind, f.confidence, f.span.clone()))
        .collect();
    let got: Vec<_> = stored
        .into_iter()
        .map(|f| (f.field, f.kind, f.confidence, f.span))
        .collect();
    assert_eq!(got, want, "event {id} ({at})");
}
