#![allow(clippy::unwrap_used)]
//! The cache build against a one-pass reference: on an export of several scan chunks, with odd
//! payloads and an extra column, whatever the thread count and whether the export is indexed,
//! the dictionaries hold every string in first-seen order, each row holds its event's findings,
//! and the inventory is the one `Inventory::add` counts.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use support::cache::{all_events, assert_stored, cache_dir};
use telex::cache::{BuildOptions, Cache};
use telex::inventory::{self, Inventory};
use telex::store::Store;

/// 4,500 generated events (three scan chunks), some made odd, plus a copy without indexes.
fn exports() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let indexed = dir.path().join("indexed.db");
    support::generated(&indexed, 4_500, 5);
    let conn = Connection::open(&indexed).unwrap();
    let deep = format!("{}\"bob@contoso.com\"{}", "[".repeat(130), "]".repeat(130));
    conn.execute_batch(
        "ALTER TABLE events ADD COLUMN region TEXT;
         UPDATE events SET region = 'eu' WHERE id % 3 = 0;
         UPDATE events SET region = 'carol@contoso.com' WHERE id = 2222;",
    )
    .unwrap();
    let odd = [
        (
            10,
            r#"{"dupfield":"alice@contoso.com","dupfield":"x","n":1}"#,
        ),
        (
            2100,
            r#"{"a/b~c":{"d":[1,true,null,"dave@contoso.com"]},"e":[],"f":{}}"#,
        ),
        (
            2101,
            r#"{"x":"\u00e9 \ud83d\ude00 eve@contoso.com","y":1e5}"#,
        ),
        (4000, "not json: frank@contoso.com"),
        (4001, r#"{"broken": "grace@contoso.com""#),
        (4002, &deep),
        (4003, r#"  ["heidi@contoso.com", null, false]"#),
    ];
    for (id, payload) in odd {
        conn.execute(
            "UPDATE events SET payload = ?1 WHERE id = ?2",
            (payload, id),
        )
        .unwrap();
    }
    drop(conn);
    let bare = dir.path().join("bare.db");
    support::copy_without_indexes(&indexed, &bare);
    (dir, indexed, bare)
}

/// Strings in first-seen order.
#[derive(Default)]
struct Order {
    seen: HashMap<String, usize>,
    list: Vec<String>,
}

impl Order {
    fn see(&mut self, s: &str) {
        if !self.seen.contains_key(s) {
            self.seen.insert(s.to_string(), self.list.len());
            self.list.push(s.to_string());
        }
    }
}

fn column(path: &Path, sql: &str) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every row of `ev`, as text, in its order.
fn rows(cache: &Cache) -> Vec<String> {
    column(
        cache.path(),
        "SELECT concat_ws('|', ts, id, category, name, tenant, session, user, kinds, classes, \
         hex(findings)) FROM ev ORDER BY ts, id",
    )
}

#[test]
fn a_build_in_chunks_matches_a_single_pass_whatever_the_threads() {
    let (_d, indexed, bare) = exports();
    let store = Store::open(&indexed).unwrap();
    let events = all_events(&store);
    assert_eq!(events.len(), 4_500);
    let (mut vals, mut fields) = (Order::default(), Order::default());
    let mut inventory = Inventory::default();
    for (event, findings) in &events {
        let s = &event.summary;
        vals.see(&s.category);
        for f in findings {
            fields.see(&f.field);
        }
        vals.see(&s.name);
        for v in [&s.tenant_id, &s.session_id, &s.user_id]
            .into_iter()
            .flatten()
        {
            vals.see(v);
        }
        inventory.add(event, findings, |f| inventory::masked_value(event, f));
    }
    assert!(fields.list.iter().any(|f| f == "payload/dupfield"));
    assert!(fields.list.iter().any(|f| f == "region"));

    let mut first_rows: Option<Vec<String>> = None;
    for (path, threads) in [(&indexed, 1), (&indexed, 3), (&bare, 2)] {
        let (_c, dir) = cache_dir();
        let store = Store::open(path).unwrap();
        let opts = BuildOptions {
            threads,
            ..BuildOptions::default()
        };
        let cache = dir.build(&store, opts).unwrap();
        let at = format!("{} with {threads} threads", path.display());
        assert_eq!(cache.meta().events, 4_500, "{at}");
        assert_eq!(
            column(cache.path(), "SELECT v FROM vals ORDER BY id"),
            vals.list,
            "{at}"
        );
        assert_eq!(
            column(cache.path(), "SELECT name FROM fields ORDER BY id"),
            fields.list,
            "{at}"
        );
        assert_eq!(cache.inventory().unwrap().rows(), inventory.rows(), "{at}");
        for (event, findings) in &events {
            assert_stored(&cache, event.summary.id, findings, &at);
        }
        assert_eq!(
            column(cache.path(), "PRAGMA integrity_check"),
            ["ok"],
            "{at}"
        );
        let rows = rows(&cache);
        assert_eq!(rows.len(), 4_500);
        match &first_rows {
            None => first_rows = Some(rows),
            Some(first) => assert!(first == &rows, "rows differ ({at})"),
        }
    }
}

#[test]
fn ids_that_do_not_rise_with_time_still_get_their_index() {
    let dir = tempfile::tempdir().unwrap();
    // Event 2 moves to the end of the `(ts, id)` order: ids no longer rise along it.
    let sql = format!(
        "{}\nUPDATE events SET ts = '2026-12-01T00:00:00.000Z' WHERE id = 2;",
        support::SMALL_SQL
    );
    let path = support::db_from_sql(dir.path(), "late.db", &sql);
    // Without indexes, the build reads in rowid order (in parallel), not in time order.
    let bare = dir.path().join("late-bare.db");
    support::copy_without_indexes(&path, &bare);
    for path in [path, bare] {
        cache_of_late_event_two(&path);
    }
}

fn cache_of_late_event_two(path: &Path) {
    let (_c, cdir) = cache_dir();
    let store = Store::open(path).unwrap();
    let opts = BuildOptions {
        threads: 2,
        ..BuildOptions::default()
    };
    let cache = cdir.build(&store, opts).unwrap();
    assert!(!cache.meta().ts_text);
    let ids = column(
        cache.path(),
        "SELECT CAST(id AS TEXT) FROM ev ORDER BY ts, id",
    );
    assert_eq!(ids.last().map(String::as_str), Some("2"));
    assert_eq!(
        column(
            cache.path(),
            "SELECT sql FROM sqlite_master WHERE name = 'ev_id'"
        ),
        ["CREATE UNIQUE INDEX ev_id ON ev(id)"]
    );
    assert_eq!(column(cache.path(), "PRAGMA integrity_check"), ["ok"]);
    for (event, findings) in all_events(&store) {
        let stored = cache.findings(event.summary.id).unwrap().unwrap();
        assert_eq!(stored.len(), findings.len());
    }
}

#[test]
fn an_export_without_indexes_stored_out_of_time_order_is_cached_whole() {
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("generated.db");
    support::generated(&generated, 6_000, 5);
    // The same events, stored (and numbered) in an order that has nothing to do with time,
    // and no index: the build reads rowid ranges in parallel.
    let shuffled = dir.path().join("shuffled.db");
    let conn = Connection::open(&shuffled).unwrap();
    conn.execute_batch(&format!(
        "ATTACH '{}' AS src;
         CREATE TABLE export_info AS SELECT * FROM src.export_info;
         CREATE TABLE events(id INTEGER PRIMARY KEY, ts TEXT NOT NULL, category TEXT NOT NULL,
           name TEXT NOT NULL, tenant_id TEXT, session_id TEXT, user_id TEXT, app_name TEXT,
           app_version TEXT, payload TEXT);
         INSERT INTO events SELECT row_number() OVER (ORDER BY (id * 7919) % 6007), ts,
           category, name, tenant_id, session_id, user_id, app_name, app_version, payload
           FROM src.events;
         DETACH src;",
        generated.display()
    ))
    .unwrap();
    drop(conn);
    let store = Store::open(&shuffled).unwrap();
    assert!(!store.can_read_ranges());
    let events = all_events(&store);
    assert_eq!(events.len(), 6_000);
    let ids: Vec<i64> = events.iter().map(|(e, _)| e.summary.id).collect();
    assert!(
        ids.windows(2).any(|w| w[0] > w[1]),
        "ids must not rise with time"
    );
    let (_c, cdir) = cache_dir();
    let opts = BuildOptions {
        threads: 3,
        ..BuildOptions::default()
    };
    let cache = cdir.build(&store, opts).unwrap();
    assert_eq!(cache.meta().events, 6_000);
    for (event, findings) in &events {
        assert_stored(&cache, event.summary.id, findings, "shuffled");
    }
    // `ev` is in time order whatever order the rows came in.
    let cached: Vec<String> = column(
        cache.path(),
        "SELECT CAST(id AS TEXT) FROM ev ORDER BY ts, id",
    );
    let want: Vec<String> = ids.iter().map(i64::to_string).collect();
    assert_eq!(cached, want);
    assert_eq!(column(cache.path(), "PRAGMA integrity_check"), ["ok"]);
    // The counts of the inventory do not depend on the order (its examples may).
    let mut inventory = Inventory::default();
    for (event, findings) in &events {
        inventory.add(event, findings, |f| inventory::masked_value(event, f));
    }
    let counts = |inv: &Inventory| -> Vec<(String, String, u64, u64)> {
        inv.rows()
            .into_iter()
            .map(|(c, f, st)| (c.into(), f.into(), st.records, st.identified))
            .collect()
    };
    assert_eq!(counts(&cache.inventory().unwrap()), counts(&inventory));
}
