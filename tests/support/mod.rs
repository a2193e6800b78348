//! Shared test helpers: build real SQLite exports from reviewable SQL and check that commands
//! leave them byte for byte unchanged.
#![allow(clippy::unwrap_used)] // tests fail loudly by design
#![allow(dead_code)]

pub mod cache;
pub mod scores;

use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;

pub const SMALL_SQL: &str = include_str!("../fixtures/small.sql");

/// The telex binary, with its privacy cache kept under cargo's test scratch directory: tests
/// never read or write the cache of the user who runs them (`~/.cache/telex`).
pub fn telex_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_telex"));
    cmd.env(
        telex::cache::DIR_ENV,
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("telex-cache"),
    );
    cmd
}

/// Runs `cmd`, which must end with exit `code` and leave `export` untouched; returns stdout.
pub fn stdout_of(mut cmd: Command, export: &Path, code: i32) -> String {
    let o = assert_untouched(export, || cmd.output().unwrap());
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    assert_eq!(o.status.code(), Some(code), "{cmd:?}: {err}");
    String::from_utf8(o.stdout).unwrap()
}

/// A generated export of `events` events at `path`, deterministic for `seed` (no truth file).
pub fn generated(path: &Path, events: u64, seed: u64) {
    let opts = telex::generate::GenerateOptions {
        events,
        seed,
        truth: None,
        force: false,
    };
    telex::generate::generate(path, &opts, &mut |_| {}).unwrap();
}

/// A generated export twice, in a fresh directory: as generated (indexed) and with every
/// index dropped.
pub fn generated_pair(events: u64, seed: u64) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let indexed = dir.path().join("indexed.db");
    generated(&indexed, events, seed);
    let bare = dir.path().join("bare.db");
    copy_without_indexes(&indexed, &bare);
    (dir, indexed, bare)
}

/// A copy of the export at `from`, written to `to`, with every index dropped.
pub fn copy_without_indexes(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    let conn = Connection::open(to).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!names.is_empty(), "{} has no index to drop", from.display());
    for name in names {
        conn.execute_batch(&format!("DROP INDEX \"{name}\""))
            .unwrap();
    }
}

/// Writes a SQLite file at `dir/name` from SQL text and returns its path.
pub fn db_from_sql(dir: &Path, name: &str, sql: &str) -> PathBuf {
    let path = dir.join(name);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    path
}

/// The small fixture export in a fresh directory.
pub fn small_export() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_sql(dir.path(), "small.db", SMALL_SQL);
    (dir, path)
}

/// Fails the test if running `f` changes the file's bytes (or creates journal files beside it).
pub fn assert_untouched<T>(path: &Path, f: impl FnOnce() -> T) -> T {
    let before = std::fs::read(path).unwrap();
    let siblings_before = siblings(path);
    let out = f();
    assert!(
        std::fs::read(path).unwrap() == before,
        "{} was modified",
        path.display()
    );
    assert_eq!(
        siblings(path),
        siblings_before,
        "files appeared beside the export"
    );
    out
}

fn siblings(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
