//! The parallel scanner against the sequential reference: the same events, in the same
//! `(ts, id)` order, with the same findings, whatever the thread count, index layout, id order
//! or filter — on real SQLite files.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use rusqlite::{Connection, params};
use telex::model::{Event, Filter, Finding, Kind};
use telex::pii;
use telex::scanner::{ScanError, ScanOptions, Work, scan_parallel, scan_parts_stored};
use telex::store::Store;

/// An export of `n` events: timestamps in runs of equal values (so chunks cut inside a run),
/// ids in `ts` order or shuffled, some events without a `ts`, payloads with identifiers.
fn export(dir: &Path, name: &str, n: i64, shuffled: bool, ts_index: bool) -> PathBuf {
    let path = dir.join(name);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT, category TEXT NOT NULL,
           name TEXT NOT NULL, tenant_id TEXT, session_id TEXT, user_id TEXT, app_name TEXT,
           app_version TEXT, payload TEXT, region TEXT);",
    )
    .unwrap();
    if ts_index {
        conn.execute_batch("CREATE INDEX events_ts ON events(ts);")
            .unwrap();
    }
    let tx = conn.unchecked_transaction().unwrap();
    let mut seed = 12_345u64;
    for i in 0..n {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let id = if shuffled {
            (seed >> 20) as i64 % 1_000_000_000 + 1
        } else {
            i + 1
        };
        let ts = match i % 97 {
            0 => None,
            _ => Some(format!(
                "2026-09-{:02}T10:00:{:02}.000Z",
                1 + i / 400,
                (i / 7) % 60
            )),
        };
        let category = ["census", "usage", "support", "error"][(i % 4) as usize];
        let payload = match i % 5 {
            0 => format!(r#"{{"msUpn":"user{i}@contoso.com","name":"Alice Hawking","n":{i}}}"#),
            1 => format!(
                r#"{{"ClientIP":"203.0.113.{}","Message":"call +1 425 555 0{i:03}"}}"#,
                i % 250
            ),
            2 => "not json: bob@fabrikam.com".to_string(),
            3 => format!(r#"{{"UserID":"E296D735-4F36-4E18-7C3B-{:012X}"}}"#, i % 50),
            _ => r#"{"AppName":"TeamsPro","OSVersion":"10.0.19041.1"}"#.to_string(),
        };
        conn.execute(
            "INSERT OR IGNORE INTO events VALUES (?, ?, ?, 'n', ?, ?, ?, 'app', '1.0', ?, ?)",
            params![
                id,
                ts,
                category,
                format!("T-{}", i % 3),
                format!("S-{}", i % 11),
                format!("user{}", i % 13),
                payload,
                (i % 2 == 0).then_some("eu"),
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    path
}

/// What `for_each_event` and `pii::scan_event` give, one event after another.
fn sequential(store: &Store, filter: &Filter) -> Vec<(Event, Vec<Finding>)> {
    let mut all = Vec::new();
    store
        .for_each_event(filter, None, |e| {
            let f = pii::scan_event(&e);
            all.push((e, f));
            true
        })
        .unwrap();
    all
}

fn parallel(store: &Store, filter: &Filter, threads: usize) -> Vec<(Event, Vec<Finding>)> {
    let mut all = Vec::new();
    let opts = ScanOptions {
        threads,
        progress: None,
    };
    scan_parallel::<()>(store, filter, opts, &mut |e, f| {
        all.push((e.clone(), f.to_vec()));
        Ok(())
    })
    .unwrap();
    all
}

fn filter(store: &Store, text: &str) -> Filter {
    telex::filter::parse(text, &store.schema().extra).unwrap()
}

#[test]
fn same_events_in_the_same_order_with_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let layouts = [
        ("in_order.db", false, true),
        ("shuffled.db", true, true),
        ("no_ts_index.db", true, false),
    ];
    for (name, shuffled, ts_index) in layouts {
        let path = export(dir.path(), name, 9_000, shuffled, ts_index);
        let store = Store::open(&path).unwrap();
        for text in [
            "",
            "category:error",
            "-category:usage",
            "contoso",
            "since:2026-09-10",
        ] {
            let f = filter(&store, text);
            let want = sequential(&store, &f);
            assert!(!want.is_empty(), "{name} {text:?}");
            for threads in [1, 2, 3] {
                let got = parallel(&store, &f, threads);
                assert_eq!(got.len(), want.len(), "{name} {text:?} {threads} threads");
                assert!(got == want, "{name} {text:?} {threads} threads");
            }
        }
    }
}

/// With the cache attached, a filter with privacy terms finds its events through the cache's key
/// table (`Store::reads_through_cache`) instead of testing every row of the export: the same
/// events as a scan of everything kept by their findings, in the same order.
#[test]
fn privacy_terms_are_read_through_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let (_caches_dir, caches) = support::cache::cache_dir();
    type Keep = fn(&Event, &[Finding]) -> bool;
    let cases: [(&str, Keep); 5] = [
        ("has:pii", |_, f| !f.is_empty()),
        ("kind:email", |_, f| f.iter().any(|x| x.kind == Kind::Email)),
        ("field:payload/msUpn", |_, f| {
            f.iter().any(|x| x.field == "payload/msUpn")
        }),
        ("kind:phone_number category:support", |e, f| {
            e.summary.category == "support" && f.iter().any(|x| x.kind == Kind::PhoneNumber)
        }),
        ("-kind:email", |_, f| {
            f.iter().all(|x| x.kind != Kind::Email)
        }),
    ];
    for (name, shuffled, ts_index) in [
        ("in_order.db", false, true),
        ("shuffled.db", true, true),
        ("no_ts_index.db", true, false),
    ] {
        let path = export(dir.path(), name, 6_000, shuffled, ts_index);
        let mut store = Store::open(&path).unwrap();
        let cache = caches
            .open_or_build(&store, telex::cache::BuildOptions::default())
            .unwrap();
        store.attach_cache(cache.path()).unwrap();
        let all = parallel(&store, &Filter::default(), 2);
        assert!(!store.reads_through_cache(&Filter::default()).unwrap());
        for (text, keep) in cases {
            let f = filter(&store, text);
            assert!(store.reads_through_cache(&f).unwrap(), "{name} {text:?}");
            let want: Vec<_> = all.iter().filter(|(e, f)| keep(e, f)).cloned().collect();
            assert!(!want.is_empty() && want.len() < all.len() || text == "has:pii");
            for threads in [1, 3] {
                let got = parallel(&store, &f, threads);
                assert_eq!(got.len(), want.len(), "{name} {text:?} {threads} threads");
                assert!(got == want, "{name} {text:?} {threads} threads");
            }
        }
    }
}

#[test]
fn a_visitor_error_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let path = export(dir.path(), "stop.db", 6_000, false, true);
    let store = Store::open(&path).unwrap();
    let mut seen = 0;
    let opts = ScanOptions {
        threads: 2,
        progress: None,
    };
    let result = scan_parallel(&store, &Filter::default(), opts, &mut |_, _| {
        seen += 1;
        if seen == 2_500 {
            Err("disk full")
        } else {
            Ok(())
        }
    });
    assert!(matches!(result, Err(ScanError::Visit("disk full"))));
    assert_eq!(seen, 2_500);
}

#[test]
fn progress_counts_up_to_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = export(dir.path(), "progress.db", 7_000, true, true);
    let store = Store::open(&path).unwrap();
    let counts = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&counts);
    let opts = ScanOptions {
        threads: 0,
        progress: Some(Box::new(move |n| sink.borrow_mut().push(n))),
    };
    let mut events = 0;
    scan_parallel::<()>(&store, &Filter::default(), opts, &mut |_, _| {
        events += 1;
        Ok(())
    })
    .unwrap();
    let counts = counts.borrow();
    assert!(counts.len() > 1, "{counts:?}");
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert_eq!(counts.last().copied(), Some(events));
    assert_eq!(events, store.total().unwrap());
}

/// Collects every event with its findings, as `scan_parallel` does.
struct Collect;

impl Work for Collect {
    type Part = Vec<(Event, Vec<Finding>)>;
    fn part(&self) -> Self::Part {
        Vec::new()
    }
    fn event(&self, part: &mut Self::Part, e: &Event, f: &[Finding], _: &pii::EventScanner) {
        part.push((e.clone(), f.to_vec()));
    }
}

fn stored(store: &Store, filter: &Filter, threads: usize) -> Vec<(Event, Vec<Finding>)> {
    let mut all = Vec::new();
    let opts = ScanOptions {
        threads,
        progress: None,
    };
    scan_parts_stored::<_, ()>(store, filter, opts, &Collect, &mut |part| {
        all.extend(part);
        Ok(())
    })
    .unwrap();
    all
}

#[test]
fn stored_order_gives_every_event_once_by_rowid_without_a_ts_index() {
    let dir = tempfile::tempdir().unwrap();
    let bare = export(dir.path(), "bare.db", 9_000, true, false);
    // No id column: the rowid stands in for it.
    let no_id = dir.path().join("no_id.db");
    std::fs::copy(&bare, &no_id).unwrap();
    // A view (its id is no rowid): the caller's ordered read, as without this order.
    let view = dir.path().join("view.db");
    std::fs::copy(&bare, &view).unwrap();
    for (path, sql) in [
        (
            &no_id,
            "ALTER TABLE events RENAME TO raw; CREATE TABLE events AS SELECT ts, category, name, tenant_id, session_id, user_id, app_name, app_version, payload, region FROM raw ORDER BY id; DROP TABLE raw;",
        ),
        (
            &view,
            "ALTER TABLE events RENAME TO raw; CREATE VIEW events AS SELECT id, ts, category, name, tenant_id, session_id, user_id, app_name, app_version, payload, region FROM raw;",
        ),
    ] {
        Connection::open(path).unwrap().execute_batch(sql).unwrap();
    }
    let timed = export(dir.path(), "timed.db", 5_000, true, true);
    for (path, by_rowid) in [
        (&bare, true),
        (&no_id, true),
        (&view, false),
        (&timed, false),
    ] {
        let store = Store::open(path).unwrap();
        for text in ["", "category:error", "contoso"] {
            let f = filter(&store, text);
            let mut want = sequential(&store, &f);
            assert!(!want.is_empty(), "{} {text:?}", path.display());
            if by_rowid {
                want.sort_by_key(|(e, _)| e.summary.id);
            }
            for threads in [1, 3] {
                let got = stored(&store, &f, threads);
                let at = format!("{} {text:?} {threads} threads", path.display());
                assert_eq!(got.len(), want.len(), "{at}");
                assert!(got == want, "{at}");
            }
        }
    }
}

/// An export of `n` events with no index, stored in time order: the first few without a
/// timestamp, then runs of five equal timestamps. `tail` is SQL run after the rows are in.
fn time_ordered_export(dir: &Path, name: &str, n: i64, column: &str, tail: &str) -> PathBuf {
    let path = dir.join(name);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, ts {column}, category TEXT NOT NULL,
           name TEXT NOT NULL, tenant_id TEXT, session_id TEXT, user_id TEXT, payload TEXT);"
    ))
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..n {
        let secs = i / 5;
        let ts = (i >= 10).then(|| {
            format!(
                "2026-09-{:02}T{:02}:{:02}:{:02}.000Z",
                1 + secs / 86_400,
                secs / 3_600 % 24,
                secs / 60 % 60,
                secs % 60
            )
        });
        let payload = format!(r#"{{"msUpn":"user{}@contoso.com","n":{i}}}"#, i % 40);
        conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, 'n', ?, ?, ?, ?)",
            params![
                i * 3 + 1,
                ts,
                ["census", "usage", "support", "error"][(i % 4) as usize],
                format!("T-{}", i % 3),
                format!("S-{}", i % 11),
                format!("user{}", i % 13),
                payload
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    conn.execute_batch(tail).unwrap();
    path
}

#[test]
fn an_export_stored_in_time_order_is_read_by_rowid_ranges_in_that_order() {
    let dir = tempfile::tempdir().unwrap();
    let ordered = time_ordered_export(dir.path(), "ordered.db", 9_000, "TEXT", "");
    let store = Store::open(&ordered).unwrap();
    assert!(!store.can_read_ranges());
    let ranges = store.rowid_ranges_in_time_order(2048).unwrap().unwrap();
    assert_eq!(ranges.len(), 5, "9,000 rows in ranges of 2,048");
    for text in [
        "",
        "category:error",
        "contoso",
        "since:2026-09-01T00:05:00Z",
    ] {
        let f = filter(&store, text);
        let want = sequential(&store, &f);
        assert!(!want.is_empty(), "{text:?}");
        for threads in [1, 3] {
            let got = parallel(&store, &f, threads);
            assert!(got == want, "{text:?} {threads} threads");
        }
        // A connection that knows the order already cuts the rowids without checking it.
        let mut told = Store::open(&ordered).unwrap();
        told.use_rowid_order();
        assert!(parallel(&told, &f, 2) == want, "{text:?} told");
    }

    // Where the rowid order is not surely the time order, the caller's sorted read.
    let not_in_order = [
        (
            "late.db",
            "TEXT",
            "UPDATE events SET ts = '2026-08-01T00:00:00.000Z' WHERE id = 3001;",
        ),
        (
            "null-late.db",
            "TEXT",
            "UPDATE events SET ts = NULL WHERE id = 3001;",
        ),
        (
            "late-number.db",
            "INTEGER",
            "UPDATE events SET ts = id WHERE ts IS NOT NULL; UPDATE events SET ts = 5 WHERE id = 3001;",
        ),
        (
            "text-and-numbers.db",
            "",
            "UPDATE events SET ts = id WHERE id > 6000;",
        ),
        ("nocase.db", "TEXT COLLATE NOCASE", ""),
    ];
    // Epoch times in order are in order too.
    let epoch = time_ordered_export(
        dir.path(),
        "epoch.db",
        3_000,
        "INTEGER",
        "UPDATE events SET ts = 1788000000000 + id WHERE ts IS NOT NULL;",
    );
    let store = Store::open(&epoch).unwrap();
    assert!(store.rowid_ranges_in_time_order(512).unwrap().is_some());
    let f = Filter::default();
    assert!(parallel(&store, &f, 2) == sequential(&store, &f));
    for (name, column, tail) in not_in_order {
        let path = time_ordered_export(dir.path(), name, 3_000, column, tail);
        let store = Store::open(&path).unwrap();
        assert!(
            store.rowid_ranges_in_time_order(512).unwrap().is_none(),
            "{name}"
        );
        let f = Filter::default();
        assert!(parallel(&store, &f, 2) == sequential(&store, &f), "{name}");
    }
}
