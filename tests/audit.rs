//! `telex audit` and `telex policy` end to end: the formats on the small fixture (default and a
//! stricter review policy), masking by default, exit codes and one-line errors, retention
//! measured from `exported_at` or the newest event, the export left untouched, and recall and
//! precision against the truth file of a generated export.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use telex::generate::{GenerateOptions, generate};
use telex::policy::Policy;

const REVIEW: &str = include_str!("fixtures/review-policy.toml");

/// Runs telex in `dir`, so reports name the export by its relative path.
fn telex_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = support::telex_command();
    cmd.current_dir(dir).args(args);
    cmd
}

/// Runs a command that must end with `code` and leave the export untouched; returns stdout.
fn run(dir: &Path, export: &Path, args: &[&str], code: i32) -> String {
    support::stdout_of(telex_in(dir, args), export, code)
}

/// A command that must fail with exit 2 and one line on stderr; returns that line.
fn fails(dir: &Path, export: &Path, args: &[&str]) -> String {
    let o = support::assert_untouched(export, || telex_in(dir, args).output().unwrap());
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    assert!(o.stdout.is_empty(), "{args:?}");
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("telex: "), "{err}");
    err
}

/// The small fixture and the review policy, side by side in a fresh directory.
fn fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = support::small_export();
    std::fs::write(dir.path().join("review.toml"), REVIEW).unwrap();
    (dir, path)
}

#[test]
fn formats_with_a_review_policy() {
    let (dir, path) = fixture();
    let d = dir.path();
    let args = |format: &'static str| {
        [
            "audit",
            "small.db",
            "--policy",
            "review.toml",
            "--format",
            format,
        ]
    };
    insta::assert_snapshot!("audit_table", run(d, &path, &args("table"), 1));
    let jsonl = run(d, &path, &args("jsonl"), 1);
    insta::assert_snapshot!("audit_jsonl", jsonl);
    let mut rules = BTreeSet::new();
    for line in jsonl.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for key in [
            "id",
            "rule",
            "category",
            "field",
            "kind",
            "class",
            "confidence",
            "span",
            "evidence",
            "ts",
            "value",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {line}");
        }
        rules.insert(v["rule"].as_str().unwrap().to_string());
    }
    assert_eq!(
        rules,
        BTreeSet::from(
            [
                "error-retention",
                "error-user-id-not-pseudonymous",
                "support-identifies-user",
                "user-anywhere",
            ]
            .map(String::from)
        )
    );
    insta::assert_snapshot!("audit_csv", run(d, &path, &args("csv"), 1));
    insta::assert_snapshot!("audit_markdown", run(d, &path, &args("markdown"), 1));
}

#[test]
fn the_default_policy_finds_nothing_in_the_small_fixture() {
    let (dir, path) = fixture();
    let d = dir.path();
    let table = run(d, &path, &["audit", "small.db"], 0);
    assert_eq!(table.lines().last(), Some("0 violations in 0 of 13 events"));
    assert_eq!(
        run(d, &path, &["audit", "small.db", "--format", "jsonl"], 0),
        ""
    );
    let md = run(d, &path, &["audit", "small.db", "--format", "markdown"], 0);
    insta::assert_snapshot!("audit_markdown_default", md);
}

#[test]
fn values_are_masked_unless_revealed() {
    let (dir, path) = fixture();
    let d = dir.path();
    for format in ["table", "jsonl", "csv", "markdown"] {
        let mut args = vec![
            "audit",
            "small.db",
            "--policy",
            "review.toml",
            "--format",
            format,
        ];
        let masked = run(d, &path, &args, 1);
        for raw in ["alice@contoso.com", "203.0.113.7", "amosmarble"] {
            assert!(!masked.contains(raw), "{raw} leaked in {format}:\n{masked}");
        }
        args.push("--reveal");
        let revealed = run(d, &path, &args, 1);
        for raw in ["alice@contoso.com", "203.0.113.7", "amosmarble"] {
            assert!(revealed.contains(raw), "{raw} not revealed in {format}");
        }
    }
}

#[test]
fn a_filter_narrows_the_audit() {
    let (dir, path) = fixture();
    let d = dir.path();
    let args = [
        "audit",
        "small.db",
        "category:support",
        "--policy",
        "review.toml",
        "--format",
        "jsonl",
    ];
    let out = run(d, &path, &args, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("support-identifies-user"));
    let md = run(
        d,
        &path,
        &[
            "audit",
            "small.db",
            "--format",
            "markdown",
            "category:census",
        ],
        0,
    );
    assert!(md.contains("audited, filter `category:census`"), "{md}");
    assert!(md.contains("Only the events matching `category:census` were audited (2 of 13)"));
}

/// A filter with privacy terms builds the privacy cache, as `list`, `stats` and `scan` do: the
/// audit then covers exactly the events `list` gives for it.
#[test]
fn a_privacy_filter_narrows_the_audit() {
    let (dir, path) = fixture();
    let d = dir.path();
    let ids = |text: &str| -> BTreeSet<i64> {
        text.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_i64()
                    .unwrap()
            })
            .collect()
    };
    let audit = [
        "audit",
        "small.db",
        "--policy",
        "review.toml",
        "--format",
        "jsonl",
    ];
    let all = run(d, &path, &audit, 1);
    let mut kept = Vec::new();
    for filter in ["kind:email", "-kind:email"] {
        let listed = ids(&run(
            d,
            &path,
            &["list", "small.db", filter, "--format", "jsonl"],
            0,
        ));
        let want: Vec<&str> = all
            .lines()
            .filter(|l| listed.contains(&ids(l).into_iter().next().unwrap()))
            .collect();
        let code = if want.is_empty() { 0 } else { 1 };
        let mut args = audit.to_vec();
        args.insert(2, filter);
        let got = run(d, &path, &args, code);
        assert_eq!(got.lines().collect::<Vec<_>>(), want, "{filter}");
        assert!(!listed.is_empty(), "{filter}");
        kept.push(want.len());
    }
    // A term and its negation split the violations between them.
    assert!(kept.iter().all(|&n| n > 0), "{kept:?}");
    assert_eq!(kept.iter().sum::<usize>(), all.lines().count());
}

#[test]
fn errors_exit_2_with_one_line() {
    let (dir, path) = fixture();
    let d = dir.path();
    let e = fails(d, &path, &["audit", "missing.db"]);
    assert!(e.contains("missing.db: no such file"), "{e}");

    std::fs::write(
        d.join("bad.toml"),
        "[category.census]\nallow_classes = [\"user\"\n",
    )
    .unwrap();
    let e = fails(d, &path, &["audit", "small.db", "--policy", "bad.toml"]);
    assert!(e.starts_with("telex: bad.toml: line 2: "), "{e}");

    std::fs::write(d.join("kind.toml"), "\n[never]\nkinds = [\"ssn\"]\n").unwrap();
    let e = fails(d, &path, &["audit", "small.db", "--policy", "kind.toml"]);
    assert!(
        e.starts_with("telex: kind.toml: line 3: unknown kind \"ssn\""),
        "{e}"
    );
    assert!(e.contains("valid kinds: email, person_name"), "{e}");

    std::fs::write(
        d.join("class.toml"),
        "[category.usage]\nallow_classes = [\"person\"]\n",
    )
    .unwrap();
    let e = fails(d, &path, &["policy", "--policy", "class.toml"]);
    assert!(
        e.contains(
            "line 2: unknown class \"person\"; valid classes: user, org, pseudonymous, secret"
        ),
        "{e}"
    );

    let e = fails(d, &path, &["audit", "small.db", "--policy", "none.toml"]);
    assert!(e.contains("none.toml: cannot read the policy"), "{e}");

    let e = fails(d, &path, &["audit", "small.db", "name:\"open"]);
    assert!(e.contains("filter"), "{e}");
}

#[test]
fn telex_policy_prints_the_default_or_the_effective_policy() {
    let (dir, path) = fixture();
    let d = dir.path();
    let text = run(d, &path, &["policy"], 0);
    assert_eq!(text, Policy::default().to_toml());
    let review = run(d, &path, &["policy", "--policy", "review.toml"], 0);
    assert!(
        review.contains("kinds = [\"ip_address\", \"credit_card\", \"iban\", \"secret_token\"]"),
        "{review}"
    );
    assert!(review.contains("retention_days = 25"));
    assert!(review.contains("Support records carry no user identifiers in this review."));
    // The printed policy is complete: read back on its own it is the same policy.
    std::fs::write(d.join("printed.toml"), &review).unwrap();
    assert_eq!(
        run(d, &path, &["policy", "--policy", "printed.toml"], 0),
        review
    );
    let expected = Policy::from_toml(REVIEW, &Policy::default()).unwrap();
    assert_eq!(
        Policy::from_toml(&review, &Policy::empty()).unwrap(),
        expected
    );
}

const RETENTION_SQL: &str = "
CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, category TEXT NOT NULL,
  name TEXT NOT NULL, tenant_id TEXT, session_id TEXT, user_id TEXT, app_name TEXT,
  app_version TEXT, payload TEXT);
INSERT INTO events VALUES
 (1, '2025-12-01T00:00:00.000Z', 'error', 'crash', 'T-1', 'S-1', 'amosmarble', NULL, NULL, '{}'),
 (2, '2026-01-15T00:00:00.000Z', 'error', 'crash', 'T-1', 'S-1', 'amosmarble', NULL, NULL, '{}'),
 (3, '2026-02-01T00:00:00+01:00', 'error', 'crash', 'T-1', 'S-1', 'amosmarble', NULL, NULL, '{}'),
 (4, 'last tuesday', 'error', 'crash', 'T-1', 'S-1', 'amosmarble', NULL, NULL, '{}'),
 (5, '2026-04-01T00:00:00.000Z', 'census', 'app_heartbeat', 'T-1', 'S-1', NULL, NULL, NULL, '{}');
";

fn retention_ids(dir: &Path, export: &Path) -> Vec<i64> {
    let out = run(dir, export, &["audit", "r.db", "--format", "jsonl"], 1);
    out.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .inspect(|v| {
            assert_eq!(
                (v["rule"].as_str(), v["field"].as_str()),
                (Some("error-retention"), Some("ts"))
            )
        })
        .map(|v| v["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn retention_is_measured_from_exported_at_else_the_newest_event() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No export_info: ages count back from the newest event (2026-04-01), so only the record
    // of 2025-12-01 is more than 90 days old.
    let path = support::db_from_sql(d, "r.db", RETENTION_SQL);
    assert_eq!(retention_ids(d, &path), [1]);
    let md = run(d, &path, &["audit", "r.db", "--format", "markdown"], 1);
    assert!(
        md.contains("| ages measured from | 2026-04-01 00:00:00 UTC (the newest event) |"),
        "{md}"
    );
    assert!(
        md.contains("1 records of categories with a retention window have a `ts` that is not"),
        "{md}"
    );
    // With exported_at, from there: all three dated error records are old.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE export_info (key TEXT PRIMARY KEY, value TEXT);
         INSERT INTO export_info VALUES ('exported_at', '2026-10-01T00:00:00.000Z');",
    )
    .unwrap();
    drop(conn);
    assert_eq!(retention_ids(d, &path), [1, 2, 3]);
    // An exported_at that is not a time is reported, and the newest event used instead.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE export_info SET value = 'soon'", [])
        .unwrap();
    drop(conn);
    assert_eq!(retention_ids(d, &path), [1]);
    let md = run(d, &path, &["audit", "r.db", "--format", "markdown"], 1);
    assert!(
        md.contains("`exported_at` (`soon`) is not an RFC 3339 time"),
        "{md}"
    );
}

type Key = (i64, String, Option<String>);

fn key(v: &Value) -> Key {
    (
        v["id"].as_i64().unwrap(),
        v["field"].as_str().unwrap().to_string(),
        v["kind"].as_str().map(String::from),
    )
}

/// Every leak the generator planted is a violation, and nothing the truth says the practice
/// allows is (UPNs in support records, IP addresses and SIP URIs in error reports…).
#[test]
fn audit_finds_every_planted_leak_and_nothing_the_policy_allows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gen.db");
    let truth_path = dir.path().join("truth.jsonl");
    let opts = GenerateOptions {
        events: 6_000,
        seed: 11,
        truth: Some(truth_path.clone()),
        force: false,
    };
    generate(&db, &opts, &mut |_| {}).unwrap();
    let mut leaks: BTreeMap<Key, String> = BTreeMap::new();
    let mut allowed: BTreeSet<Key> = BTreeSet::new();
    for line in std::fs::read_to_string(&truth_path).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v["leak"].as_str() {
            Some(leak) => leaks.insert(key(&v), leak.to_string()).map_or((), |_| ()),
            None => {
                allowed.insert(key(&v));
            }
        }
    }
    let out = run(
        dir.path(),
        &db,
        &["audit", "gen.db", "--format", "jsonl"],
        1,
    );
    let flagged: BTreeSet<Key> = out
        .lines()
        .map(|l| key(&serde_json::from_str(l).unwrap()))
        .collect();

    let mut per_leak: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (k, name) in &leaks {
        let e = per_leak.entry(name).or_default();
        e.1 += 1;
        e.0 += usize::from(flagged.contains(k));
    }
    for (name, (found, planted)) in &per_leak {
        println!("{name:<26} {found:>5} / {planted:<5}");
    }
    let missed: Vec<_> = leaks
        .keys()
        .filter(|k| !flagged.contains(*k))
        .take(10)
        .collect();
    assert!(missed.is_empty(), "planted leaks not flagged: {missed:?}");
    assert!(per_leak.contains_key("retention") && per_leak.contains_key("user_path_in_error"));

    let on_allowed: Vec<_> = flagged.intersection(&allowed).take(10).collect();
    assert!(
        on_allowed.is_empty(),
        "allowed identifiers flagged: {on_allowed:?}"
    );
    let true_positives = flagged.iter().filter(|k| leaks.contains_key(*k)).count();
    let precision = true_positives as f64 / flagged.len() as f64;
    println!(
        "recall 1.000 precision {precision:.4} ({} violations, {} planted)",
        flagged.len(),
        leaks.len()
    );
    let extra: Vec<_> = flagged
        .iter()
        .filter(|k| !leaks.contains_key(*k))
        .take(10)
        .collect();
    assert!(precision >= 0.99, "precision {precision}: {extra:?}");
}
