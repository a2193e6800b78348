//! The privacy cache's life on real SQLite files: built from a small export, reused, rebuilt
//! when the export changes or the file is damaged, never left half-built, never beside the
//! export; its inventory and stored findings; and the command line around it.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;
use support::cache::{all_events, assert_stored, attached, cache_dir, export, ids};
use telex::cache::{BuildOptions, Builder, Cache, CacheError, Distrust, Found};
use telex::inventory::{self, Inventory};
use telex::model::Kind;
use telex::store::Store;

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
        assert_stored(&cache, event.summary.id, &findings, "fresh build");
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
