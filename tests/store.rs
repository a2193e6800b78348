//! Store queries against real SQLite files: paging, every filter term, counts, facets, stats,
//! and each bad file of DESIGN §6.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use chrono::{DateTime, Utc};
use telex::filter;
use telex::model::{Cursor, EventId, Facet, Filter};
use telex::store::{Anchor, Store, StoreError};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-09-08T16:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn open_small() -> (tempfile::TempDir, Store) {
    let (dir, path) = support::small_export();
    (dir, Store::open(&path).unwrap().with_now(now()))
}

fn f(text: &str) -> Filter {
    filter::parse(text, &["region".to_string()]).unwrap()
}

fn ids(store: &Store, text: &str) -> Vec<EventId> {
    store
        .page(&f(text), &Anchor::First, 100)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect()
}

#[test]
fn pages_walk_every_event_once_across_equal_timestamps() {
    let (_d, store) = open_small();
    let mut seen = Vec::new();
    let mut anchor = Anchor::First;
    loop {
        let page = store.page(&Filter::default(), &anchor, 2).unwrap();
        if page.is_empty() {
            break;
        }
        seen.extend(page.iter().map(|e| e.id));
        anchor = Anchor::After(page.last().unwrap().cursor());
    }
    assert_eq!(seen, (1..=13).collect::<Vec<_>>());

    // and backwards from the end, pages of 3 straddling the three events at 08:00:01
    let mut back = Vec::new();
    let mut anchor = Anchor::Last;
    loop {
        let page = store.page(&Filter::default(), &anchor, 3).unwrap();
        if page.is_empty() {
            break;
        }
        back.splice(0..0, page.iter().map(|e| e.id));
        anchor = Anchor::Before(page[0].cursor());
    }
    assert_eq!(back, seen);
}

#[test]
fn anchors_first_last_and_from() {
    let (_d, store) = open_small();
    let all = Filter::default();
    let first: Vec<_> = store
        .page(&all, &Anchor::First, 2)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(first, [1, 2]);
    let last: Vec<_> = store
        .page(&all, &Anchor::Last, 2)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(last, [12, 13]);
    let from = Cursor {
        ts: "2026-09-01T08:00:01.000Z".into(),
        id: 3,
    };
    let page: Vec<_> = store
        .page(&all, &Anchor::From(from), 3)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(page, [3, 4, 5]);
}

#[test]
fn every_filter_term_narrows_as_documented() {
    let (_d, store) = open_small();
    assert_eq!(ids(&store, "category:census"), [1, 9]);
    assert_eq!(
        ids(&store, "category:census category:audit"),
        [1, 9, 10],
        "same key: alternatives"
    );
    assert_eq!(
        ids(&store, "category:usage tenant:T-FABRIKAM"),
        [8],
        "different keys: all hold"
    );
    assert_eq!(
        ids(&store, "tenant:T-O'HARA"),
        [10, 11],
        "quotes are bound, not spliced"
    );
    assert_eq!(ids(&store, "session:S-3"), [6, 7]);
    assert_eq!(ids(&store, "user:amosmarble"), [6, 7]);
    assert_eq!(ids(&store, "name:request_*"), [2, 3, 4, 12]);
    assert_eq!(ids(&store, "name:*error"), [6]);
    assert_eq!(ids(&store, "app:AdminTool"), [10]);
    assert_eq!(ids(&store, "version:2.0.9"), [6, 7, 8]);
    assert_eq!(ids(&store, "region:us"), [6, 7, 8]);
    assert_eq!(ids(&store, "since:2026-09-07"), [11, 12, 13]);
    assert_eq!(
        ids(&store, "until:2026-09-01"),
        [1, 2, 3, 4],
        "a date includes its whole day"
    );
    assert_eq!(ids(&store, "until:2026-09-01T08:00:00Z"), [1]);
    assert_eq!(
        ids(&store, "since:-2d"),
        [11, 12, 13],
        "relative to the pinned now"
    );
    assert_eq!(ids(&store, "since:-2h"), [13]);
    assert_eq!(
        ids(&store, r#""sign-in failed""#),
        [6, 7],
        "payload text, any case, raw text too"
    );
    assert_eq!(ids(&store, r#""100%""#), [8], "LIKE wildcards are literal");
    assert_eq!(ids(&store, r#""done_ok""#), [8]);
    assert_eq!(ids(&store, r#""[x] failed?""#), [12]);
}

#[test]
fn negation_keeps_rows_without_the_value() {
    let (_d, store) = open_small();
    assert_eq!(
        ids(&store, "-category:usage -category:error"),
        [1, 5, 9, 10]
    );
    assert_eq!(
        ids(&store, "category:census -tenant:T-CONTOSO"),
        [1, 9][1..].to_vec()
    );
    assert_eq!(ids(&store, r#"category:error -"sign-in""#), [12, 13]);
    assert_eq!(
        ids(&store, "-since:2026-09-07"),
        (1..=10).collect::<Vec<_>>()
    );
    assert_eq!(ids(&store, "-name:request_* category:usage"), [8, 11]);
}

#[test]
fn glob_specials_other_than_star_are_literal() {
    let (_d, store) = open_small();
    assert!(ids(&store, "name:request_?reated").is_empty());
    assert!(ids(&store, "name:[r]*").is_empty());
}

#[test]
fn counts_facets_and_stats() {
    let (_d, store) = open_small();
    assert_eq!(store.total().unwrap(), 13);
    assert_eq!(store.count(&f("category:error")).unwrap(), 4);

    let tenants = store
        .facet_values(Facet::Tenant, &f("tenant:T-CONTOSO category:usage"), "", 10)
        .unwrap();
    let listed: Vec<_> = tenants
        .iter()
        .map(|v| (v.value.as_str(), v.count))
        .collect();
    assert_eq!(
        listed,
        [("T-CONTOSO", 3), ("T-FABRIKAM", 1), ("T-O'HARA", 1)],
        "own facet set aside"
    );

    let narrowed = store
        .facet_values(Facet::Tenant, &Filter::default(), "fab", 10)
        .unwrap();
    assert_eq!(narrowed.len(), 1);
    assert_eq!(narrowed[0].value, "T-FABRIKAM");
    assert_eq!(narrowed[0].count, 3);

    let sessions = store
        .facet_values(Facet::Session, &f("tenant:T-CONTOSO"), "", 2)
        .unwrap();
    assert_eq!(sessions.len(), 2, "limited");
    assert_eq!(sessions[0].value, "S-1");

    let stats = store.stats(&f("-category:audit")).unwrap();
    assert_eq!((stats.total, stats.matching), (13, 12));
    let cats: Vec<_> = stats
        .by_category
        .iter()
        .map(|v| (v.value.as_str(), v.count))
        .collect();
    assert_eq!(
        cats,
        [("usage", 5), ("error", 4), ("census", 2), ("support", 1)]
    );
    assert_eq!(
        stats.by_day.first().map(|v| (v.value.as_str(), v.count)),
        Some(("2026-09-01", 4))
    );
    assert_eq!(stats.by_day.len(), 7);
    assert_eq!(stats.by_name.iter().map(|v| v.count).sum::<u64>(), 12);
    assert!(
        stats
            .by_tenant
            .iter()
            .any(|v| v.value.is_empty() && v.count == 1),
        "missing tenant counted"
    );
}

#[test]
fn events_carry_every_column_and_odd_bytes_become_escapes() {
    let (_d, store) = open_small();
    let e = store.event(6).unwrap().unwrap();
    assert_eq!(e.summary.name, "signin_error");
    assert_eq!(e.app_version.as_deref(), Some("2.0.9"));
    assert_eq!(
        e.extra,
        vec![("region".to_string(), Some("us".to_string()))]
    );
    assert!(e.payload.unwrap().contains("203.0.113.7"));

    let bad = store.event(13).unwrap().unwrap();
    assert_eq!(bad.summary.user_id.as_deref(), Some("ali\\xffce"));
    assert_eq!(bad.payload.as_deref(), Some("\\x00\\xff\\x7b\\x7d"));
    assert!(store.event(999).unwrap().is_none());
}

#[test]
fn streaming_visits_matching_events_in_order_and_stops_when_asked() {
    let (_d, store) = open_small();
    let mut seen = Vec::new();
    let n = store
        .for_each_event(&f("category:usage"), None, |e| {
            seen.push(e.summary.id);
            true
        })
        .unwrap();
    assert_eq!((n, seen), (5, vec![2, 3, 4, 8, 11]));
    let mut first = Vec::new();
    store
        .for_each_event(&Filter::default(), Some(2), |e| {
            first.push(e.summary.id);
            true
        })
        .unwrap();
    assert_eq!(first, [1, 2]);
}

#[test]
fn schema_reports_indexes_extra_columns_and_export_info() {
    let (_d, store) = open_small();
    let schema = store.schema();
    assert_eq!(schema.extra, ["region"]);
    assert!(schema.is_indexed("tenant_id") && schema.is_indexed("ts"));
    assert!(!schema.is_indexed("payload"));
    let info = store.export_info().unwrap();
    assert_eq!(
        info[0],
        (
            "exported_at".to_string(),
            "2026-10-01T00:00:00.000Z".to_string()
        )
    );
}

#[test]
fn a_minimal_table_without_optional_columns_or_id_still_browses() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::db_from_sql(
        dir.path(),
        "min.db",
        "CREATE TABLE Events (ts TEXT, category TEXT, name TEXT);
         INSERT INTO Events VALUES ('2026-01-01T00:00:00Z', 'usage', 'a'), ('2026-01-02T00:00:00Z', 'error', 'b');",
    );
    let store = Store::open(&path).unwrap();
    let page = store.page(&f("tenant:x"), &Anchor::First, 10).unwrap();
    assert!(page.is_empty());
    let page = store.page(&Filter::default(), &Anchor::Last, 10).unwrap();
    assert_eq!(page.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(store.event(2).unwrap().unwrap().summary.name, "b");
    assert!(store.export_info().unwrap().is_empty());
}

#[test]
fn reading_never_changes_the_export() {
    let (_d, path) = support::small_export();
    support::assert_untouched(&path, || {
        let store = Store::open(&path).unwrap();
        store.page(&Filter::default(), &Anchor::Last, 50).unwrap();
        store.stats(&Filter::default()).unwrap();
        store
            .facet_values(Facet::Session, &Filter::default(), "s", 5)
            .unwrap();
        store.event(1).unwrap();
    });
}

fn open_err(path: &std::path::Path) -> String {
    match Store::open(path) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "one line: {msg}");
            assert!(
                msg.contains(&path.display().to_string()),
                "names the file: {msg}"
            );
            msg
        }
    }
}

#[test]
fn bad_files_fail_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);

    assert!(open_err(&p("missing.db")).contains("no such file"));
    assert!(open_err(dir.path()).contains("directory"));

    std::fs::write(p("empty.db"), b"").unwrap();
    assert!(open_err(&p("empty.db")).contains("empty"));

    std::fs::write(p("text.db"), b"id,ts,category\n1,2,3\n").unwrap();
    assert!(open_err(&p("text.db")).contains("not a SQLite database"));

    let encrypted: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(p("encrypted.db"), encrypted).unwrap();
    assert!(open_err(&p("encrypted.db")).contains("not a SQLite database"));

    let (_d2, good) = support::small_export();
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(p("truncated.db"), &bytes[..bytes.len() / 2]).unwrap();
    assert!(open_err(&p("truncated.db")).contains("truncated"));
    std::fs::write(p("header-only.db"), &bytes[..60]).unwrap();
    assert!(open_err(&p("header-only.db")).contains("truncated"));

    let other = support::db_from_sql(
        dir.path(),
        "other.db",
        "CREATE TABLE AppEvents (TimeGenerated TEXT); CREATE TABLE AppTraces (x);",
    );
    let msg = open_err(&other);
    assert!(
        msg.contains("AppEvents, AppTraces") && msg.contains("--map"),
        "{msg}"
    );

    let nodb = support::db_from_sql(
        dir.path(),
        "nothing.db",
        "PRAGMA user_version = 1; CREATE TABLE t(x); DROP TABLE t;",
    );
    assert!(open_err(&nodb).contains("tables found: none"));

    let lacking = support::db_from_sql(
        dir.path(),
        "lacking.db",
        "CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT);",
    );
    let msg = open_err(&lacking);
    assert!(
        msg.contains("category, name") && msg.contains("it has: id, ts"),
        "{msg}"
    );

    // No id, and no rowid to stand in for it.
    for (name, sql) in [
        (
            "view.db",
            "CREATE TABLE raw (ts TEXT, category TEXT, name TEXT);
             CREATE VIEW events AS SELECT ts, category, name FROM raw;",
        ),
        (
            "without-rowid.db",
            "CREATE TABLE events (ts TEXT, category TEXT, name TEXT, PRIMARY KEY (ts, name))
             WITHOUT ROWID;",
        ),
    ] {
        let msg = open_err(&support::db_from_sql(dir.path(), name, sql));
        assert!(
            msg.contains("lacks the column(s) id (a view or a table WITHOUT ROWID")
                && msg.contains("it has: ts, category, name"),
            "{msg}"
        );
    }
    // A view with an id browses.
    let view = support::db_from_sql(
        dir.path(),
        "view-with-id.db",
        "CREATE TABLE raw (ts TEXT, category TEXT, name TEXT);
         INSERT INTO raw VALUES ('2026-01-01T00:00:00Z', 'usage', 'a');
         CREATE VIEW events AS SELECT rowid AS id, ts, category, name FROM raw;",
    );
    let store = Store::open(&view).unwrap();
    let page = store.page(&Filter::default(), &Anchor::First, 10).unwrap();
    assert_eq!(page.iter().map(|e| e.id).collect::<Vec<_>>(), [1]);
}

#[test]
fn a_locked_export_fails_clearly() {
    let (_d, path) = support::small_export();
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer
        .execute_batch("BEGIN EXCLUSIVE; UPDATE events SET name = name WHERE id = 1;")
        .unwrap();
    let msg = open_err(&path);
    assert!(msg.contains("locked"), "{msg}");
    writer.execute_batch("ROLLBACK").unwrap();
    assert!(Store::open(&path).is_ok());
}

#[test]
fn is_interrupted_distinguishes_cancelled_queries() {
    let (_d, store) = open_small();
    store.interrupter().interrupt();
    // An interrupt set before a statement starts is cleared by SQLite once no statement runs,
    // so this only checks that ordinary errors are not mistaken for interruptions.
    let err = StoreError::Query(rusqlite::Error::QueryReturnedNoRows);
    assert!(!err.is_interrupted());
}

/// Every page of `filter` from each kind of anchor, on two connections: the same pages.
fn same_pages(sorted: &Store, along: &Store, filter: &Filter) {
    let all = sorted.page(filter, &Anchor::First, 100_000).unwrap();
    let cursors: Vec<Cursor> = [0, 1, all.len() / 3, all.len().saturating_sub(2)]
        .into_iter()
        .chain(all.len().checked_sub(1))
        .filter_map(|i| all.get(i).map(|e| e.cursor()))
        .collect();
    let mut anchors = vec![Anchor::First, Anchor::Last];
    for c in cursors {
        anchors.extend([
            Anchor::After(c.clone()),
            Anchor::Before(c.clone()),
            Anchor::From(c),
        ]);
    }
    for anchor in &anchors {
        for limit in [1, 7] {
            assert_eq!(
                along.page(filter, anchor, limit).unwrap(),
                sorted.page(filter, anchor, limit).unwrap(),
                "{filter:?} {anchor:?} {limit}"
            );
        }
    }
    // The whole walk, page after page, both ways.
    let walk = |store: &Store, forward: bool| {
        let mut seen = Vec::new();
        let mut anchor = if forward { Anchor::First } else { Anchor::Last };
        loop {
            let page = store.page(filter, &anchor, 50).unwrap();
            let (Some(first), Some(last)) = (page.first(), page.last()) else {
                break;
            };
            anchor = if forward {
                Anchor::After(last.cursor())
            } else {
                Anchor::Before(first.cursor())
            };
            seen.extend(page.iter().map(|e| e.id));
        }
        seen
    };
    for forward in [true, false] {
        assert_eq!(walk(along, forward), walk(sorted, forward), "{filter:?}");
    }
    assert_eq!(walk(sorted, true).len(), all.len());
}

#[test]
fn pages_along_rowids_in_time_order_are_the_sorted_pages() {
    let (dir, generated, noindex) = support::generated_pair(1_500, 5);
    // Events without a time first (SQLite sorts NULL first), then runs of equal times.
    let mut sql = String::from(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT, category TEXT NOT NULL,
           name TEXT NOT NULL, tenant_id TEXT, session_id TEXT, user_id TEXT, payload TEXT);",
    );
    for i in 1..=300 {
        let ts = match i {
            ..=3 => "NULL".to_string(),
            _ => format!("'2026-09-01T10:{:02}:00.000Z'", i / 7 % 60),
        };
        let category = ["usage", "error", "census"][i % 3];
        sql.push_str(&format!(
            "INSERT INTO events VALUES ({i}, {ts}, '{category}', 'n', 'T-{}', 'S', 'u', '{{}}');",
            i % 4
        ));
    }
    let runs = support::db_from_sql(dir.path(), "runs.db", &sql);

    assert!(!Store::open(&generated).unwrap().may_page_by_rowid());
    for path in [&noindex, &runs] {
        let sorted = Store::open(path).unwrap().with_now(now());
        let mut along = Store::open(path).unwrap().with_now(now());
        assert!(along.may_page_by_rowid());
        assert!(along.rowids_in_time_order().unwrap(), "{}", path.display());
        along.use_rowid_order();
        for text in [
            "",
            "category:usage",
            "-category:error",
            "tenant:T-1",
            "sign",
        ] {
            same_pages(&sorted, &along, &f(text));
        }
        // A second connection keeps the order it was told.
        same_pages(&sorted, &along.reopen().unwrap(), &f("category:error"));
    }
    // With a privacy cache attached, its indexes serve the pages and its build checked the
    // rowid order: there is nothing to check, and what the cache cannot drive (free text)
    // still goes along the rowids, not through a sort of the whole export.
    let (_dir, caches) = support::cache::cache_dir();
    // The same events with a `ts` index to page along: the reference.
    let mut reference = Store::open(&generated).unwrap().with_now(now());
    let cache = caches
        .open_or_build(&reference, telex::cache::BuildOptions::default())
        .unwrap();
    reference.attach_cache(cache.path()).unwrap();
    for path in [&generated, &noindex] {
        let mut attached = Store::open(path).unwrap().with_now(now());
        let cache = caches
            .open_or_build(&attached, telex::cache::BuildOptions::default())
            .unwrap();
        // With a `ts` index there is no need to know.
        let unindexed = path == &noindex;
        assert_eq!(cache.meta().rowids_in_time_order, unindexed);
        assert!(!attached.pages_by_rowid());
        attached.attach_cache(cache.path()).unwrap();
        assert!(!attached.may_page_by_rowid());
        assert_eq!(attached.pages_by_rowid(), unindexed);
        assert_eq!(attached.reopen().unwrap().pages_by_rowid(), unindexed);
        for text in ["sign", "category:usage sign", "has:pii sign", ""] {
            same_pages(&reference, &attached, &f(text));
        }
    }
}

#[test]
fn rowids_out_of_time_order_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (_caches_dir, caches) = support::cache::cache_dir();
    let table = "CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT, category TEXT NOT NULL,
           name TEXT NOT NULL, tenant_id TEXT, session_id TEXT, user_id TEXT, payload TEXT);";
    let cases = [
        // A later rowid with an earlier time.
        (
            "shuffled.db",
            "(1, '2026-09-02'), (2, '2026-09-01'), (3, '2026-09-03')",
        ),
        // An event without a time after some with one: SQLite sorts it first.
        (
            "null-late.db",
            "(1, '2026-09-01'), (2, NULL), (3, '2026-09-03')",
        ),
        // Text and numbers: SQLite orders them by type first.
        (
            "mixed.db",
            "(1, 1717000000), (2, '2026-09-01'), (3, 1718000000)",
        ),
    ];
    for (name, rows) in cases {
        let sql = format!(
            "{table} INSERT INTO events (id, ts, category, name) SELECT column1, column2, 'usage',
             'n' FROM (VALUES {rows});"
        );
        let path = support::db_from_sql(dir.path(), name, &sql);
        let mut store = Store::open(&path).unwrap();
        assert!(store.may_page_by_rowid());
        assert!(!store.rowids_in_time_order().unwrap(), "{name}");
        // Nor does a privacy cache built for it say otherwise.
        let cache = caches
            .open_or_build(&store, telex::cache::BuildOptions::default())
            .unwrap();
        assert!(!cache.meta().rowids_in_time_order, "{name}");
        store.attach_cache(cache.path()).unwrap();
        assert!(!store.pages_by_rowid(), "{name}");
    }
    let in_order = support::db_from_sql(
        dir.path(),
        "in-order.db",
        &format!(
            "{table} INSERT INTO events (id, ts, category, name) SELECT column1, column2, 'usage',
             'n' FROM (VALUES (1, NULL), (2, '2026-09-01'), (3, '2026-09-01'), (4, '2026-09-02'));"
        ),
    );
    assert!(
        Store::open(&in_order)
            .unwrap()
            .rowids_in_time_order()
            .unwrap()
    );
}

/// The chunks a parallel scan reads: each range read in turn gives the whole `(ts, id)`
/// order, with rows without a time, repeated times, and ids that are the rowid or a plain
/// column (which may repeat), with and without a time bound.
#[test]
fn boundaries_cut_the_whole_order_into_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (0..300)
        .map(|i| {
            let ts = match i % 17 {
                0 => "NULL".to_string(),
                _ => format!("'2026-09-{:02}T00:00:00.000Z'", 1 + (i * 7) % 23),
            };
            format!("({}, {ts})", 1000 - i)
        })
        .collect();
    let rows = rows.join(", ");
    let columns = "ts TEXT, category TEXT NOT NULL, name TEXT NOT NULL, tenant_id TEXT,
        session_id TEXT, user_id TEXT, app_name TEXT, app_version TEXT, payload TEXT";
    let cases = [
        (
            "rowid.db",
            format!("CREATE TABLE events(id INTEGER PRIMARY KEY, {columns});"),
        ),
        // A plain `id` column, with every id twice.
        (
            "plain.db",
            format!("CREATE TABLE events(id INTEGER, {columns});"),
        ),
    ];
    for (name, table) in cases {
        let twice = if name == "plain.db" { 2 } else { 1 };
        let mut sql = format!("{table} CREATE INDEX events_ts ON events(ts);");
        for _ in 0..twice {
            sql += &format!(
                "INSERT INTO events (id, ts, category, name) SELECT column1, column2, 'usage',
                 'n' FROM (VALUES {rows});"
            );
        }
        let path = support::db_from_sql(dir.path(), name, &sql);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.can_read_ranges(), name == "rowid.db");
        for bound in ["", "since:2026-09-05 until:2026-09-20"] {
            let filter = filter::parse(bound, &[]).unwrap();
            let mut want = Vec::new();
            store
                .for_each_event(&filter, None, |e| {
                    want.push((e.summary.id, e.summary.ts));
                    true
                })
                .unwrap();
            for every in [1, 7, 64, 1000] {
                let mut ranges = Vec::new();
                store
                    .boundaries(&filter, every, |r| {
                        ranges.push(r);
                        true
                    })
                    .unwrap();
                let mut got = Vec::new();
                for range in &ranges {
                    store
                        .for_each_event_in(&filter, range, false, |e| {
                            got.push((e.summary.id, e.summary.ts.clone()));
                            true
                        })
                        .unwrap();
                }
                assert_eq!(got, want, "{name} {bound:?} every {every}");
                // Rows are read in batches ahead of the visits: a visitor that stops is
                // still shown no row past the one it stopped at, and the count says so.
                if let [first, ..] = &ranges[..] {
                    for stop in [1, 63, 64, 65, 130] {
                        let mut visited = Vec::new();
                        let seen = store
                            .for_each_event_in(&filter, first, false, |e| {
                                visited.push(e.summary.id);
                                visited.len() < stop
                            })
                            .unwrap();
                        let whole = store
                            .for_each_event_in(&filter, first, false, |_| true)
                            .unwrap() as usize;
                        assert_eq!(visited.len(), stop.min(whole), "{name} stop {stop}");
                        assert_eq!(seen as usize, visited.len());
                        let ids: Vec<i64> = got.iter().take(visited.len()).map(|g| g.0).collect();
                        assert_eq!(visited, ids, "{name} stop {stop}");
                    }
                }
                assert!(
                    ranges.len() > want.len() / every.max(1) / 2,
                    "{name} every {every}"
                );
            }
        }
    }
}
