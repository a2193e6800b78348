//! `telex audit` output does not depend on how the work is split: every format, with the
//! default and a review policy, is byte for byte the same with 1, 2 or 5 worker threads, and
//! with the export read in `ts` ranges (indexed) or in caller-read batches (no `ts` index),
//! which cut the events into chunks of different sizes — the report's examples and event
//! counts are merged across those chunks.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::path::Path;

use telex::batch::audit::{self, AuditOptions, AuditReport};
use telex::cli::ScanFormat;
use telex::model::Filter;
use telex::policy::Policy;
use telex::store::Store;

const REVIEW: &str = include_str!("fixtures/review-policy.toml");

fn run(
    path: &Path,
    policy: &Policy,
    format: ScanFormat,
    reveal: bool,
    workers: usize,
) -> (String, AuditReport) {
    let store = Store::open(path).unwrap();
    let opts = AuditOptions {
        format,
        reveal,
        progress: false,
        policy_source: "the policy".into(),
        workers,
    };
    let mut out = Vec::new();
    let report = audit::audit(&store, &Filter::default(), policy, &opts, &mut out).unwrap();
    // The report names the file: the copy without the index is another file.
    let text = String::from_utf8(out).unwrap();
    let text = text.replace(&path.display().to_string(), "EXPORT");
    let text = text
        .lines()
        .filter(|l| !l.starts_with("| size |"))
        .collect::<Vec<_>>()
        .join("\n");
    (text, report)
}

#[test]
fn output_does_not_depend_on_workers_or_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let indexed = dir.path().join("gen.db");
    support::generated(&indexed, 6_000, 11);
    let plain = dir.path().join("plain.db");
    std::fs::copy(&indexed, &plain).unwrap();
    let conn = rusqlite::Connection::open(&plain).unwrap();
    conn.execute_batch("DROP INDEX events_ts").unwrap();
    drop(conn);
    assert!(Store::open(&indexed).unwrap().can_read_ranges());
    assert!(!Store::open(&plain).unwrap().can_read_ranges());

    let review = Policy::from_toml(REVIEW, &Policy::default()).unwrap();
    let policies = [Policy::default(), review];
    let formats = [
        ScanFormat::Jsonl,
        ScanFormat::Csv,
        ScanFormat::Table,
        ScanFormat::Markdown,
    ];
    for (p, policy) in policies.iter().enumerate() {
        for format in formats {
            let reveal = format == ScanFormat::Csv;
            let (first, report) = run(&indexed, policy, format, reveal, 1);
            assert_eq!(report.events, 6_000);
            assert!(report.violations > report.events_with && report.events_with > 1);
            let runs = [(&indexed, 2), (&indexed, 5), (&plain, 1), (&plain, 3)];
            for (path, workers) in runs {
                let (text, r) = run(path, policy, format, reveal, workers);
                let what = format!("policy {p}, {format:?}, {workers} workers, {path:?}");
                assert_eq!(r, report, "{what}");
                assert!(text == first, "{what}: output differs");
            }
        }
    }
}
