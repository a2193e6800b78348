//! The privacy cache on real SQLite files: built from a small export, reused, rebuilt when the
//! export changes or the file is damaged, never left half-built, never beside the export; and
//! every privacy filter term checked against a brute-force scan of the same events.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;
use telex::cache::{BuildOptions, Builder, Cache, CacheDir, CacheError, Distrust, Found};
use telex::filter;
use telex::inventory::{self, Inventory};
use telex::model::{Class, Event, Filter, Finding, Kind};
use telex::pii;
use telex::store::{Anchor, Store, StoreError};

/// The small fixture plus an event carrying two secrets (a card number, a URL password).
const SECRET_EVENT: &str = "INSERT INTO events VALUES (14, '2026-09-09T16:00:00.000Z', \
    'error', 'upload_failed', 'T-CONTOSO', 'S-7', 'D1B2C3D4-0000-4000-8000-000000000004', \
    'TeamsPro', '2.1.0', '{\"url\":\"https://bob:hunter2@files.contoso.com/x\",\
    \"card\":\"4111 1111 1111 1111\"}', 'eu');";

fn export() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sql = format!("{}\n{SECRET_EVENT}", support::SMALL_SQL);
    let path = support::db_from_sql(dir.path(), "small.db", &sql);
    (dir, path)
}

/// A fresh, empty cache directory of the test's own.
fn cache_dir() -> (tempfile::TempDir, CacheDir) {
    let dir = tempfile::tempdir().unwrap();
    let cache = CacheDir::at(dir.path().join("cache"));
    (dir, cache)
}

fn parse(store: &Store, text: &str) -> Filter {
    filter::parse(text, &store.schema().extra).unwrap()
}

fn ids(store: &Store, text: &str) -> Vec<i64> {
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

fn all_events(store: &Store) -> Vec<(Event, Vec<Finding>)> {
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

fn attached(path: &Path, dir: &CacheDir) -> (Store, Cache) {
    let mut store = Store::open(path).unwrap();
    let cache = dir.open_or_build(&store, BuildOptions::default()).unwrap();
    store.attach_cache(cache.path()).unwrap();
    (store, cache)
}

#[test]
fn every_privacy_term_matches_a_brute_force_scan() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    support::assert_untouched(&path, || {
        let (store, _cache) = attached(&path, &dir);
        let events = all_events(&store);
        let glob = |pattern: &str, field: &str| match pattern.strip_suffix('*') {
            Some(prefix) if !prefix.contains('*') => field.starts_with(prefix),
            _ => match pattern.split_once('*') {
                Some((a, b)) => field.starts_with(a) && field.ends_with(b),
                None => field == pattern,
            },
        };
        type Pred = Box<dyn Fn(&[Finding]) -> bool>;
        let cases: Vec<(&str, Pred)> = vec![
            ("has:pii", Box::new(|f| !f.is_empty())),
            ("-has:pii", Box::new(|f| f.is_empty())),
            (
                "has:secret",
                Box::new(|f| f.iter().any(|x| x.class() == Class::Secret)),
            ),
            (
                "-has:secret",
                Box::new(|f| f.iter().all(|x| x.class() != Class::Secret)),
            ),
            (
                "has:user",
                Box::new(|f| f.iter().any(|x| x.class() == Class::User)),
            ),
            (
                "class:secret",
                Box::new(|f| f.iter().any(|x| x.class() == Class::Secret)),
            ),
            (
                "class:org class:user",
                Box::new(|f| {
                    f.iter()
                        .any(|x| matches!(x.class(), Class::Org | Class::User))
                }),
            ),
            (
                "kind:email",
                Box::new(|f| f.iter().any(|x| x.kind == Kind::Email)),
            ),
            (
                "-kind:username",
                Box::new(|f| f.iter().all(|x| x.kind != Kind::Username)),
            ),
            (
                "kind:email kind:credit_card",
                Box::new(|f| {
                    f.iter()
                        .any(|x| matches!(x.kind, Kind::Email | Kind::CreditCard))
                }),
            ),
            (
                "field:payload/msUpn",
                Box::new(|f| f.iter().any(|x| x.field == "payload/msUpn")),
            ),
            (
                "field:payload/ms*",
                Box::new(move |f| f.iter().any(|x| glob("payload/ms*", &x.field))),
            ),
            (
                "field:payload/*IP",
                Box::new(move |f| f.iter().any(|x| glob("payload/*IP", &x.field))),
            ),
            (
                "-field:user_id",
                Box::new(|f| f.iter().all(|x| x.field != "user_id")),
            ),
            (
                "has:pii kind:email -class:secret",
                Box::new(|f| {
                    f.iter().any(|x| x.kind == Kind::Email)
                        && f.iter().all(|x| x.class() != Class::Secret)
                }),
            ),
        ];
        for (text, pred) in cases {
            let want: Vec<i64> = events
                .iter()
                .filter(|(_, f)| pred(f))
                .map(|(e, _)| e.summary.id)
                .collect::<Vec<_>>();
            let mut want = want;
            want.sort_unstable();
            assert_eq!(ids(&store, text), want, "{text}");
            let filter = parse(&store, text);
            assert_eq!(store.count(&filter).unwrap(), want.len() as u64, "{text}");
            let page: Vec<i64> = store
                .page(&filter, &Anchor::Last, 100)
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect();
            assert_eq!(page.len(), want.len(), "{text}");
        }
        // Fixed answers from the fixture, so the brute force itself is checked too.
        assert_eq!(ids(&store, "-has:pii"), [9]);
        assert_eq!(ids(&store, "kind:email"), [5]);
        assert_eq!(ids(&store, "class:secret"), [14]);
        assert_eq!(ids(&store, "field:payload/msUpn"), [5]);
        assert_eq!(ids(&store, "field:payload/*IP"), [6]);
        assert_eq!(ids(&store, "category:error has:secret"), [14]);
        assert_eq!(ids(&store, "has:user"), [5, 6, 7, 12]);
        let stats = store.stats(&parse(&store, "has:secret")).unwrap();
        assert_eq!(stats.matching, 1);
        let tenants = store
            .facet_values(
                telex::model::Facet::Tenant,
                &parse(&store, "class:user"),
                "",
                10,
            )
            .unwrap();
        assert_eq!(tenants.iter().map(|v| v.count).sum::<u64>(), 4);
    });
}

#[test]
fn privacy_terms_without_a_cache_are_a_clear_error() {
    let (_d, path) = export();
    let store = Store::open(&path).unwrap();
    for text in [
        "has:pii",
        "category:error -kind:email",
        "field:payload/msUpn",
    ] {
        let err = store.count(&parse(&store, text)).unwrap_err();
        assert!(matches!(err, StoreError::NeedsCache { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("privacy cache"), "{msg}");
    }
    let err = store
        .page(&parse(&store, "has:secret"), &Anchor::First, 10)
        .unwrap_err();
    assert!(err.to_string().starts_with("`has:secret` needs"), "{err}");
    assert_eq!(store.count(&parse(&store, "category:error")).unwrap(), 5);
}

#[test]
fn a_second_open_reuses_the_cache() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    let store = Store::open(&path).unwrap();
    let first = dir.open_or_build(&store, BuildOptions::default()).unwrap();
    let built_at = first.meta().built_at.clone();
    assert_eq!(first.meta().events, 14);
    assert_eq!(first.path(), dir.location(&path).unwrap());
    drop(first);
    let again = dir.open(&path).unwrap().unwrap();
    assert_eq!(again.meta().built_at, built_at, "opened, not rebuilt");
    let third = dir.open_or_build(&store, BuildOptions::default()).unwrap();
    assert_eq!(third.meta().built_at, built_at);
    // The location is stable and names the export.
    let name = dir.location(&path).unwrap();
    let name = name.file_name().unwrap().to_string_lossy();
    assert!(
        name.starts_with("small-") && name.ends_with(".db"),
        "{name}"
    );
    assert_eq!(name.len(), "small-".len() + 16 + ".db".len());
}

#[test]
fn a_changed_export_makes_the_cache_stale_and_it_is_rebuilt() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    {
        let store = Store::open(&path).unwrap();
        dir.build(&store, BuildOptions::default()).unwrap();
    }
    // Touch: same bytes, a new modification time.
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    file.set_modified(later).unwrap();
    drop(file);
    match dir.open(&path).unwrap() {
        Err(Found::Removed(Distrust::Stale(_))) => {}
        Err(other) => panic!("expected stale, got {other:?}"),
        Ok(_) => panic!("a stale cache was trusted"),
    }
    assert!(!dir.location(&path).unwrap().exists(), "stale file removed");

    // Rewrite: a new event with an email; the rebuilt cache knows it.
    let (store, cache) = attached(&path, &dir);
    assert_eq!(ids(&store, "kind:email"), [5]);
    let built_at = cache.meta().built_at.clone();
    drop((store, cache));
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO events(id, ts, category, name, payload) VALUES (20, \
         '2026-09-10T00:00:00.000Z', 'support', 'x', '{\"email\":\"bob@fabrikam.com\"}')",
        [],
    )
    .unwrap();
    drop(conn);
    assert!(dir.open(&path).unwrap().is_err(), "stale after a rewrite");
    let (store, cache) = attached(&path, &dir);
    assert_ne!(cache.meta().built_at, built_at);
    assert_eq!(ids(&store, "kind:email"), [5, 20]);
}

#[test]
fn a_damaged_cache_file_is_rebuilt_never_trusted() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    let location = {
        let store = Store::open(&path).unwrap();
        dir.build(&store, BuildOptions::default()).unwrap();
        dir.location(&path).unwrap()
    };
    let good = std::fs::read(&location).unwrap();
    let damage: Vec<(&str, Vec<u8>)> = vec![
        (
            "garbage",
            b"this is not a database at all, just garbage".repeat(200),
        ),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("zeroed pages", {
            let mut g = good.clone();
            let from = g.len() / 3;
            g[from..].fill(0);
            g
        }),
    ];
    for (what, bytes) in damage {
        std::fs::write(&location, &bytes).unwrap();
        match dir.open(&path).unwrap() {
            Err(Found::Removed(Distrust::Corrupt(_))) => {}
            Err(other) => panic!("{what}: expected corrupt, got {other:?}"),
            Ok(_) => panic!("{what}: a damaged cache was trusted"),
        }
        std::fs::write(&location, &bytes).unwrap();
        let (store, _cache) = attached(&path, &dir);
        assert_eq!(ids(&store, "class:secret"), [14], "{what}");
        assert_eq!(ids(&store, "-has:pii"), [9], "{what}");
    }
    // A whole SQLite file that is not a finished cache (no meta) is not trusted either.
    std::fs::remove_file(&location).unwrap();
    let conn = Connection::open(&location).unwrap();
    conn.execute_batch("CREATE TABLE ev(id INTEGER PRIMARY KEY, kinds INTEGER)")
        .unwrap();
    drop(conn);
    assert!(matches!(
        dir.open(&path).unwrap(),
        Err(Found::Removed(Distrust::Corrupt(_)))
    ));
}

#[test]
fn an_interrupted_build_leaves_nothing_trusted() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    let store = Store::open(&path).unwrap();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let opts = BuildOptions {
        threads: 0,
        // Cancelled as soon as the build reports its first progress.
        progress: Some(Box::new(move |_, _| flag.store(true, Ordering::Relaxed))),
        cancel: Some(Arc::clone(&cancel)),
    };
    let err = dir.build(&store, opts).err().unwrap();
    assert!(matches!(err, CacheError::Cancelled), "{err:?}");
    assert!(!dir.location(&path).unwrap().exists());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    assert!(matches!(dir.open(&path).unwrap(), Err(Found::Missing)));

    // A temporary left by a build that died (say, killed) is never opened as the cache.
    let built = dir.build(&store, BuildOptions::default()).unwrap();
    let location = built.path().to_path_buf();
    drop(built);
    let name = location.file_name().unwrap().to_string_lossy().into_owned();
    let orphan = location.with_file_name(format!(".{name}.tmp-1-1"));
    std::fs::rename(&location, &orphan).unwrap();
    assert!(matches!(dir.open(&path).unwrap(), Err(Found::Missing)));
}

#[test]
fn a_throwaway_cache_is_gone_when_dropped() {
    let (_d, path) = export();
    let mut store = Store::open(&path).unwrap();
    let cache = Cache::build_throwaway(&store, BuildOptions::default()).unwrap();
    let file = cache.path().to_path_buf();
    assert!(file.exists());
    store.attach_cache(&file).unwrap();
    assert_eq!(ids(&store, "class:secret"), [14]);
    let second = store.reopen().unwrap();
    assert_eq!(second.cache_path(), store.cache_path());
    assert_eq!(ids(&second, "class:secret"), [14]);
    drop((store, second));
    drop(cache);
    assert!(!file.exists());
}

#[test]
fn the_cached_inventory_is_the_scan_summary_with_masked_examples() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    let store = Store::open(&path).unwrap();
    let cache = dir.open_or_build(&store, BuildOptions::default()).unwrap();
    let mut want = Inventory::default();
    for (event, findings) in all_events(&store) {
        want.add(&event, &findings, |f| inventory::masked_value(&event, f));
    }
    let got = cache.inventory().unwrap();
    assert_eq!(got.rows(), want.rows());
    let upn = got
        .rows()
        .into_iter()
        .find(|(c, f, _)| *c == "support" && *f == "payload/msUpn")
        .unwrap()
        .2
        .clone();
    assert_eq!(upn.example.as_deref(), Some("a***@contoso.com"));
    assert_eq!(upn.kinds.get(&Kind::Email), Some(&1));
    // Events without findings and a non-JSON payload count as the scan counts them.
    assert!(
        got.rows()
            .iter()
            .any(|(c, f, st)| *c == "error" && *f == "payload" && st.records == 2)
    );
}

#[test]
fn stored_findings_are_the_scan_without_evidence() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    let store = Store::open(&path).unwrap();
    let cache = dir.open_or_build(&store, BuildOptions::default()).unwrap();
    for (event, findings) in all_events(&store) {
        let stored = cache.findings(event.summary.id).unwrap().unwrap();
        let want: Vec<_> = findings
            .iter()
            .map(|f| (f.field.clone(), f.kind, f.confidence, f.span.clone()))
            .collect();
        let got: Vec<_> = stored
            .into_iter()
            .map(|f| (f.field, f.kind, f.confidence, f.span))
            .collect();
        assert_eq!(got, want, "event {}", event.summary.id);
    }
    assert_eq!(cache.findings(999).unwrap(), None);
}

#[test]
fn a_background_build_reports_progress_and_hands_back_the_cache() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    let builder = Builder::start(&path, Some(dir.clone()));
    let cache = builder.join().unwrap();
    assert_eq!(cache.meta().events, 14);
    assert!(dir.open(&path).unwrap().is_ok());
    let throwaway = Builder::start(&path, None).join().unwrap();
    assert!(!throwaway.path().starts_with(dir.path()));
}

#[test]
fn timestamps_that_are_not_canonical_are_kept_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let sql = format!(
        "{}\nUPDATE events SET ts = '2026-09-01T08:00:00+02:00' WHERE id = 3;",
        support::SMALL_SQL
    );
    let path = support::db_from_sql(dir.path(), "odd.db", &sql);
    let (_c, cdir) = cache_dir();
    let (store, cache) = attached(&path, &cdir);
    assert!(cache.meta().ts_text);
    assert_eq!(ids(&store, "-has:pii"), [9]);
    assert_eq!(cache.meta().events, 13);
}

#[test]
fn key_indexes_are_built_only_for_what_the_export_lacks() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    let store = Store::open(&path).unwrap();
    let cache = dir.build(&store, BuildOptions::default()).unwrap();
    assert!(
        cache.meta().indexed.is_empty(),
        "{:?}",
        cache.meta().indexed
    );

    let bare = tempfile::tempdir().unwrap();
    let sql: String = support::SMALL_SQL
        .lines()
        .filter(|l| !l.starts_with("CREATE INDEX"))
        .collect::<Vec<_>>()
        .join("\n");
    let path = support::db_from_sql(bare.path(), "bare.db", &sql);
    let store = Store::open(&path).unwrap();
    let cache = dir.build(&store, BuildOptions::default()).unwrap();
    assert_eq!(
        cache.meta().indexed,
        ["category", "tenant_id", "session_id", "user_id"]
    );
}

// ---------------------------------------------------------------------------------------------
// The command line

fn telex(cache_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_telex"))
        .args(args)
        .env(telex::cache::DIR_ENV, cache_dir)
        .output()
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn cli_list_has_secret_builds_the_cache_and_reuses_it() {
    let (_d, path) = export();
    let cache = tempfile::tempdir().unwrap();
    let cdir = cache.path().join("telex");
    let p = path.to_str().unwrap();
    let run = |args: &[&str]| {
        let o = support::assert_untouched(&path, || telex(&cdir, args));
        let err = String::from_utf8(o.stderr.clone()).unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        String::from_utf8(o.stdout).unwrap()
    };
    let out = run(&["list", p, "has:secret", "--format", "jsonl"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].contains("\"id\":14"), "{out}");
    assert!(!out.contains("hunter2"), "masked by default: {out}");
    assert_eq!(files_in(&cdir).len(), 1, "one cache file");
    let modified = |f: &Path| std::fs::metadata(f).unwrap().modified().unwrap();
    let file = cdir.join(&files_in(&cdir)[0]);
    let before = modified(&file);
    let stats = run(&["stats", p, "-has:pii", "--format", "json"]);
    assert!(stats.contains("\"matching\":1"), "{stats}");
    assert_eq!(modified(&file), before, "reused, not rebuilt");
    let scan = run(&["scan", p, "kind:credit_card", "--format", "jsonl"]);
    assert_eq!(
        scan.lines().count(),
        5,
        "every finding of the matching event: {scan}"
    );

    // A damaged cache file: rebuilt, and the answer is still right.
    std::fs::write(&file, b"garbage").unwrap();
    let out = run(&["list", p, "class:secret", "--format", "jsonl"]);
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn cli_no_cache_leaves_no_sidecar_file() {
    let (_d, path) = export();
    let cache = tempfile::tempdir().unwrap();
    let cdir = cache.path().join("telex");
    let p = path.to_str().unwrap();
    let throwaways = || {
        files_in(&std::env::temp_dir())
            .into_iter()
            .filter(|f| f.starts_with("telex-throwaway-"))
            .count()
    };
    let before = throwaways();
    let o = support::assert_untouched(&path, || {
        telex(
            &cdir,
            &["list", p, "--no-cache", "kind:email", "--format", "jsonl"],
        )
    });
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 1);
    assert!(
        !cdir.exists(),
        "no cache directory made: {:?}",
        files_in(&cdir)
    );
    assert!(throwaways() <= before, "the throwaway cache is removed");
}

#[test]
fn cli_bad_privacy_terms_exit_2_with_the_valid_values() {
    let (_d, path) = export();
    let cache = tempfile::tempdir().unwrap();
    let p = path.to_str().unwrap();
    let o = telex(cache.path(), &["list", p, "kind:ssn"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("unknown kind `ssn`"), "{err}");
    assert!(err.contains("email person_name phone_number"), "{err}");
    assert!(err.contains("at column 6"), "{err}");
    let o = telex(cache.path(), &["stats", p, "class:private"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("user org pseudonymous secret"), "{err}");
    assert!(
        files_in(cache.path()).is_empty(),
        "no cache for a bad filter"
    );
}

// ---------------------------------------------------------------------------------------------
// Exports without indexes: the cache's key table drives the queries

/// A generated export twice: as generated (indexed) and with every index dropped.
fn generated_pair() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let indexed = dir.path().join("indexed.db");
    let opts = telex::generate::GenerateOptions {
        events: 3_000,
        seed: 11,
        truth: None,
        force: false,
    };
    telex::generate::generate(&indexed, &opts, &mut |_| {}).unwrap();
    let bare = dir.path().join("bare.db");
    std::fs::copy(&indexed, &bare).unwrap();
    let conn = Connection::open(&bare).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!names.is_empty());
    for name in names {
        conn.execute_batch(&format!("DROP INDEX \"{name}\""))
            .unwrap();
    }
    drop(conn);
    (dir, indexed, bare)
}

#[test]
fn on_an_export_without_indexes_the_cache_drives_and_the_answers_agree() {
    let (_d, indexed, bare) = generated_pair();
    let (_c, dir) = cache_dir();
    let plain = Store::open(&indexed).unwrap();
    let (driven, cache) = attached(&bare, &dir);
    assert_eq!(
        cache.meta().indexed,
        ["category", "tenant_id", "session_id", "user_id"]
    );
    let (indexed_cached, _cache2) = attached(&indexed, &dir);
    let probe = plain
        .page(&parse(&plain, "category:support"), &Anchor::First, 1)
        .unwrap()
        .remove(0);
    let tenant = probe.tenant_id.clone().unwrap();
    let session = probe.session_id.clone().unwrap();
    let user = probe.user_id.clone().unwrap();
    let key_filters = vec![
        String::new(),
        "category:error".into(),
        format!("tenant:{tenant}"),
        format!("session:{session}"),
        format!("user:{user}"),
        format!("-tenant:{tenant} category:usage"),
        "category:usage category:error".into(),
        format!("tenant:{}*", &tenant[..3]),
        "name:signin_error".into(),
        format!("since:{} until:2030-01-01", &probe.ts[..10]),
        format!("-since:{}", &probe.ts[..10]),
        "tenant:no-such-tenant".into(),
    ];
    let privacy_filters = [
        "has:secret",
        "-has:pii",
        "kind:email category:support",
        "class:user -kind:ip_address",
        "field:payload/*",
        "has:secret since:2000-01-01",
    ];
    let check = |a: &Store, b: &Store, text: &str| {
        let fa = parse(a, text);
        let fb = parse(b, text);
        assert_eq!(a.count(&fa).unwrap(), b.count(&fb).unwrap(), "count {text}");
        for anchor in [Anchor::First, Anchor::Last] {
            let pa = a.page(&fa, &anchor, 25).unwrap();
            let pb = b.page(&fb, &anchor, 25).unwrap();
            assert_eq!(pa, pb, "page {anchor:?} {text}");
            if let Some(mid) = pa.get(pa.len() / 2) {
                for anchor in [
                    Anchor::After(mid.cursor()),
                    Anchor::Before(mid.cursor()),
                    Anchor::From(mid.cursor()),
                ] {
                    assert_eq!(
                        a.page(&fa, &anchor, 25).unwrap(),
                        b.page(&fb, &anchor, 25).unwrap(),
                        "page {anchor:?} {text}"
                    );
                }
            }
        }
        assert_eq!(
            a.page_events(&fa, &Anchor::Last, 10).unwrap(),
            b.page_events(&fb, &Anchor::Last, 10).unwrap(),
            "events {text}"
        );
        for facet in [
            telex::model::Facet::Tenant,
            telex::model::Facet::Category,
            telex::model::Facet::Session,
        ] {
            assert_eq!(
                a.facet_values(facet, &fa, "", 20).unwrap(),
                b.facet_values(facet, &fb, "", 20).unwrap(),
                "facet {facet:?} {text}"
            );
            assert_eq!(
                a.facet_values(facet, &fa, "A", 20).unwrap(),
                b.facet_values(facet, &fb, "A", 20).unwrap(),
                "facet {facet:?} needle {text}"
            );
        }
        assert_eq!(a.stats(&fa).unwrap(), b.stats(&fb).unwrap(), "stats {text}");
        let stream = |s: &Store, f: &Filter| {
            let mut out = Vec::new();
            s.for_each_event(f, Some(500), |e| {
                out.push(e);
                true
            })
            .unwrap();
            out
        };
        assert_eq!(stream(a, &fa), stream(b, &fb), "for_each_event {text}");
    };
    for text in &key_filters {
        check(&driven, &plain, text);
    }
    for text in privacy_filters {
        check(&driven, &indexed_cached, text);
    }
}

#[test]
fn cli_an_unwritable_cache_directory_costs_the_reuse_not_the_answer() {
    let (_d, path) = export();
    let cache = tempfile::tempdir().unwrap();
    // A file where the cache directory should be: it cannot be created.
    let blocked = cache.path().join("telex");
    std::fs::write(&blocked, b"not a directory").unwrap();
    let p = path.to_str().unwrap();
    let o = telex(&blocked, &["list", p, "class:secret", "--format", "jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 1);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("for this run only"), "{err}");
}
