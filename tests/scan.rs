//! `telex scan` end to end: output formats on the small fixture, masking by default, exit codes,
//! the field inventory, the export left untouched, and precision/recall per kind against the
//! truth file of a generated export.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use telex::batch::scan::{self, ScanOptions};
use telex::cli::ScanFormat;
use telex::generate::{GenerateOptions, generate};
use telex::model::{Filter, Kind};
use telex::store::Store;

use support::scores::Scores;

fn telex(args: &[&str]) -> Output {
    support::telex_command().args(args).output().unwrap()
}

/// Runs a scan that must end with `code` and leave the export untouched; returns stdout.
fn run(path: &Path, args: &[&str], code: i32) -> String {
    let mut cmd = support::telex_command();
    cmd.args(args);
    support::stdout_of(cmd, path, code)
}

#[test]
fn formats() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    insta::assert_snapshot!("scan_table", run(&path, &["scan", p], 0));
    let jsonl = run(&path, &["scan", p, "--format", "jsonl"], 0);
    insta::assert_snapshot!("scan_jsonl", jsonl);
    for line in jsonl.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for key in [
            "id",
            "field",
            "kind",
            "class",
            "confidence",
            "span",
            "evidence",
            "category",
            "ts",
            "value",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {line}");
        }
    }
    let csv = run(&path, &["scan", p, "category:error", "--format", "csv"], 0);
    insta::assert_snapshot!("scan_csv", csv);
    let md = run(
        &path,
        &["scan", p, "--format", "markdown", "category:support"],
        0,
    );
    insta::assert_snapshot!("scan_markdown", md);
}

#[test]
fn values_are_masked_unless_revealed() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    for format in ["table", "jsonl", "csv", "markdown"] {
        for summary in [false, true] {
            let mut args = vec!["scan", p, "--format", format];
            if summary {
                args.push("--summary");
            }
            let masked = run(&path, &args, 0);
            for raw in ["alice@contoso.com", "203.0.113.7", "amosmarble"] {
                assert!(!masked.contains(raw), "{raw} leaked in {args:?}:\n{masked}");
            }
            args.push("--reveal");
            let revealed = run(&path, &args, 0);
            assert!(revealed.contains("alice@contoso.com"), "{args:?}");
            assert!(revealed.contains("203.0.113.7"), "{args:?}");
        }
    }
}

#[test]
fn fail_on_sets_the_exit_code() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    run(&path, &["scan", p, "--fail-on", "email"], 1);
    run(&path, &["scan", p, "--fail-on", "iban"], 0);
    // Only the filtered events count.
    run(
        &path,
        &["scan", p, "category:usage", "--fail-on", "email"],
        0,
    );
    let o = telex(&["scan", p, "--fail-on", "ssn"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ssn") && err.contains("credit_card, iban, secret_token"));
    let o = telex(&["scan", "/nonexistent/x.db"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn summary_is_the_field_inventory() {
    let (_d, path) = support::small_export();
    let p = path.to_str().unwrap();
    insta::assert_snapshot!("scan_summary", run(&path, &["scan", p, "--summary"], 0));
    let jsonl = run(&path, &["scan", p, "--summary", "--format", "jsonl"], 0);
    let rows: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let usage_user = rows
        .iter()
        .find(|r| r["category"] == "usage" && r["field"] == "user_id")
        .unwrap();
    assert_eq!(usage_user["records"], 5);
    assert_eq!(usage_user["identified"], 5);
    assert_eq!(usage_user["kinds"]["hashed_id"], 5);
    assert_eq!(usage_user["classes"], serde_json::json!(["pseudonymous"]));
    let upn = rows.iter().find(|r| r["field"] == "payload/msUpn").unwrap();
    assert_eq!(upn["example"], "a***@contoso.com");
}

#[test]
fn output_does_not_depend_on_the_worker_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    support::generated(&db, 3_000, 3);
    let store = Store::open(&db).unwrap();
    let mut outputs = Vec::new();
    for workers in [1, 2, 5] {
        let mut out = Vec::new();
        let opts = ScanOptions {
            format: ScanFormat::Jsonl,
            summary: false,
            reveal: false,
            fail_on: Some(Kind::Email),
            progress: false,
            workers,
        };
        let report = scan::scan(&store, &Filter::default(), &opts, &mut out).unwrap();
        assert_eq!(report.events, 3_000);
        assert!(report.failing > 0);
        outputs.push(out);
    }
    // The command line's knob gives the same bytes.
    let path = db.to_str().unwrap();
    for threads in ["1", "3"] {
        let o = support::telex_command()
            .env("TELEX_THREADS", threads)
            .args(["scan", path, "--format", "jsonl"])
            .output()
            .unwrap();
        assert!(o.status.success());
        outputs.push(o.stdout);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

type Key = (i64, String, String);

/// Precision and recall per kind at the (id, field, kind) level against the generator's truth.
#[test]
fn precision_and_recall_on_generated_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gen.db");
    let truth_path = dir.path().join("truth.jsonl");
    let opts = GenerateOptions {
        events: 3_000,
        seed: 11,
        truth: Some(truth_path.clone()),
        force: false,
    };
    generate(&db, &opts, &mut |_| {}).unwrap();

    let mut truth: BTreeSet<Key> = BTreeSet::new();
    for line in std::fs::read_to_string(&truth_path).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        // Retention lines (`kind: null`) are about age, not identifiers.
        let Some(kind) = v["kind"].as_str() else {
            continue;
        };
        let id = v["id"].as_i64().unwrap();
        truth.insert((id, v["field"].as_str().unwrap().into(), kind.into()));
    }

    let p = db.to_str().unwrap();
    let out = run(&db, &["scan", p, "--format", "jsonl"], 0);
    let mut found: BTreeSet<Key> = BTreeSet::new();
    for line in out.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        found.insert((
            v["id"].as_i64().unwrap(),
            v["field"].as_str().unwrap().into(),
            v["kind"].as_str().unwrap().into(),
        ));
    }

    let planted: BTreeSet<&str> = truth.iter().map(|k| k.2.as_str()).collect();
    let mut scores = Scores::default();
    let (extra, misses) = scores.add(&truth, &found, |k| k.2.as_str());
    print!("{}", scores.table());
    let failures: Vec<&str> = planted
        .iter()
        .copied()
        .filter(|kind| {
            let (p, r) = scores.kind(kind);
            p < 0.95 || r < 0.95
        })
        .collect();
    for kind in &failures {
        let of = |list: &[&Key]| -> Vec<Key> {
            list.iter()
                .filter(|k| k.2 == *kind)
                .take(5)
                .map(|k| (*k).clone())
                .collect()
        };
        println!(
            "{kind}: missed {:?}\n  false positives {:?}",
            of(&misses),
            of(&extra)
        );
    }
    assert!(failures.is_empty(), "below 0.95: {failures:?}");
}

#[test]
fn coordinates_sent_as_numbers_are_found_masked_and_in_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let sql = "CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, category TEXT NOT NULL, \
               name TEXT NOT NULL, tenant_id TEXT, session_id TEXT, user_id TEXT, app_name TEXT, \
               app_version TEXT, payload TEXT);
               CREATE INDEX idx_events_ts ON events(ts);
               INSERT INTO events VALUES (1, '2026-09-01T08:00:00.000Z', 'usage', 'store_visited', \
               NULL, NULL, NULL, 'Shop', '4.2.0', \
               '{\"context\":{\"location\":{\"latitude\":47.6097,\"longitude\":-122.3331}},\"latencyMs\":12.75}');";
    let path = support::db_from_sql(dir.path(), "geo.db", sql);
    let p = path.to_str().unwrap();
    let jsonl = run(&path, &["scan", p, "--format", "jsonl"], 0);
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["field"].as_str().unwrap(),
                l["kind"].as_str().unwrap(),
                l["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "payload/context/location/latitude",
                "geo_coordinates",
                "47.6***"
            ),
            (
                "payload/context/location/longitude",
                "geo_coordinates",
                "-122.3***"
            ),
        ]
    );
    let revealed = run(&path, &["scan", p, "--format", "jsonl", "--reveal"], 0);
    assert!(revealed.contains(r#""value":"47.6097""#), "{revealed}");
    let summary = run(&path, &["scan", p, "--summary", "--format", "jsonl"], 0);
    let row = summary
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["field"] == "payload/context/location/latitude")
        .unwrap();
    assert_eq!(row["identified"], 1);
    assert_eq!(row["kinds"]["geo_coordinates"], 1);
    assert_eq!(row["example"], "47.6***");
    assert!(!summary.contains("47.6097"), "{summary}");
}
