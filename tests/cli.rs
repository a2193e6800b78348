//! The binary end to end: batch output on a real export, exit codes, one-line errors for every
//! bad input of DESIGN §6, and the export's bytes unchanged after every command.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::path::Path;
use std::process::Output;

fn telex(args: &[&str]) -> Output {
    support::telex_command()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Runs a command that must succeed and leave the export untouched.
fn ok(path: &Path, args: &[&str]) -> String {
    let o = support::assert_untouched(path, || telex(args));
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// Runs a command that must fail with exit 2 and one line naming the problem.
fn fails(args: &[&str]) -> String {
    let o = telex(args);
    assert_eq!(o.status.code(), Some(2), "{args:?} → {}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("telex: "), "{err}");
    err
}

#[test]
fn list_formats() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    let table = ok(&path, &["list", p, "category:usage", "--reveal"]);
    insta::assert_snapshot!("list_table", table);
    let jsonl = ok(
        &path,
        &["list", p, "--format", "jsonl", "--reveal", "--limit", "3"],
    );
    insta::assert_snapshot!("list_jsonl", jsonl);
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["payload"].is_object());
    }
    let csv = ok(
        &path,
        &["list", p, "--format", "csv", "--reveal", "region:us"],
    );
    insta::assert_snapshot!("list_csv", csv);
}

#[test]
fn list_shows_raw_payloads_and_escapes_control_characters() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    let out = ok(
        &path,
        &[
            "list",
            p,
            "--format",
            "jsonl",
            "--reveal",
            "session:S-3",
            "category:error",
        ],
    );
    let crash: serde_json::Value = serde_json::from_str(out.lines().nth(1).unwrap()).unwrap();
    assert_eq!(crash["payload"], "not json at all: sign-in FAILED");

    for format in ["table", "jsonl", "csv"] {
        let out = ok(&path, &["list", p, "--format", format, "--reveal"]);
        assert!(
            !out.contains('\u{1b}'),
            "{format}: raw ESC reached the output"
        );
        assert!(
            !out.contains('\u{202e}'),
            "{format}: raw bidi override reached the output"
        );
    }
    let shown = ok(&path, &["show", p, "10", "--reveal"]);
    assert!(
        shown.contains("\\u001b[31mALERT") || shown.contains("\\x1b[31mALERT"),
        "{shown}"
    );
    assert!(!shown.contains('\u{1b}') && !shown.contains('\u{202e}'));
}

#[test]
fn shell_quoted_text_is_one_phrase() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    let out = ok(
        &path,
        &["list", p, "--format", "jsonl", "--reveal", "sign-in failed"],
    );
    assert_eq!(out.lines().count(), 2);
    let none = ok(
        &path,
        &["list", p, "--format", "jsonl", "--reveal", "failed sign-in"],
    );
    assert_eq!(none.lines().count(), 0, "a phrase, not two words");
}

#[test]
fn show_formats() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    insta::assert_snapshot!("show_text", ok(&path, &["show", p, "6", "--reveal"]));
    insta::assert_snapshot!("show_raw_payload", ok(&path, &["show", p, "7", "--reveal"]));
    insta::assert_snapshot!("show_blob", ok(&path, &["show", p, "13", "--reveal"]));
    let json: serde_json::Value = serde_json::from_str(&ok(
        &path,
        &["show", p, "5", "--format", "json", "--reveal"],
    ))
    .unwrap();
    assert_eq!(json["id"], 5);
    assert_eq!(json["ts"], "2026-09-02T09:30:00.000Z");
    assert_eq!(json["region"], "eu");
    assert_eq!(json["payload"]["locale"], "EN-US");
}

#[test]
fn stats_formats() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    insta::assert_snapshot!(
        "stats_table",
        ok(&path, &["stats", p, "--reveal", "--top", "3"])
    );
    let json: serde_json::Value = serde_json::from_str(&ok(
        &path,
        &[
            "stats",
            p,
            "--format",
            "json",
            "--reveal",
            "-category:audit",
        ],
    ))
    .unwrap();
    assert_eq!(json["total"], 13);
    assert_eq!(json["matching"], 12);
    assert_eq!(json["filter"], "-category:audit");
    assert_eq!(
        json["by_category"][0],
        serde_json::json!({"value": "usage", "count": 5})
    );
    assert_eq!(json["by_day"].as_array().unwrap().len(), 7);
}

#[test]
fn bad_inputs_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

    assert!(fails(&["list", &d("missing.db")]).contains("no such file"));
    assert!(fails(&["stats", dir.path().to_str().unwrap()]).contains("directory"));
    std::fs::write(d("empty.db"), b"").unwrap();
    assert!(fails(&["list", &d("empty.db")]).contains("empty"));
    std::fs::write(d("notes.txt"), b"hello, I am not a database\n").unwrap();
    assert!(fails(&["show", &d("notes.txt"), "1"]).contains("not a SQLite database"));
    let (_d2, good) = support::small_export();
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(d("cut.db"), &bytes[..bytes.len() / 2]).unwrap();
    assert!(fails(&["list", &d("cut.db")]).contains("truncated"));
    let other = support::db_from_sql(
        dir.path(),
        "ai.db",
        "CREATE TABLE AppEvents (TimeGenerated TEXT);",
    );
    let err = fails(&["stats", other.to_str().unwrap()]);
    assert!(err.contains("AppEvents") && err.contains("--map"), "{err}");
    // the explorer refuses the same files before touching the terminal
    assert!(fails(&[&d("empty.db")]).contains("empty"));
}

#[test]
fn a_locked_export_exits_2() {
    let (_d, path) = support::small_export();
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer
        .execute_batch("BEGIN EXCLUSIVE; UPDATE events SET name = name WHERE id = 1;")
        .unwrap();
    assert!(fails(&["list", path.to_str().unwrap()]).contains("locked"));
    writer.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn bad_filters_and_ids_exit_2_saying_where() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    let err = fails(&["list", p, "category:error", "tenat:x"]);
    assert!(
        err.contains("column 16") && err.contains("unknown key `tenat`"),
        "{err}"
    );
    assert!(fails(&["stats", p, "since:soon"]).contains("since"));
    assert!(fails(&["show", p, "999"]).contains("no event with id 999"));
    let usage = telex(&["list"]);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "clap usage errors are exit 2 too"
    );
}

#[test]
fn every_command_leaves_the_export_unchanged() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    for args in [
        vec!["list", p],
        vec!["list", p, "--format", "csv"],
        vec!["show", p, "1"],
        vec!["stats", p, "--format", "json"],
    ] {
        ok(&path, &args);
    }
}

#[test]
fn help_lists_the_commands() {
    let o = telex(&["--help"]);
    let help = stdout(&o);
    for cmd in ["list", "show", "stats", "generate"] {
        assert!(help.contains(cmd), "{help}");
    }
}
