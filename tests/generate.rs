//! `telex generate` against real SQLite files: determinism, schema, proportions, the truth file's
//! consistency with the rows, leak presence and rarity, overwrite protection, timestamps.
// Helpers outside #[test] fns are not covered by clippy.toml's allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::Value;
use telex::generate::{GenerateError, GenerateOptions, GenerateReport, generate};

const CUTOFF: &str = "2026-07-03T00:00:00.000Z"; // exported_at minus 90 days
const WINDOW_START: &str = "2026-06-03T00:00:00.000Z"; // exported_at minus 120 days

struct Row {
    ts: String,
    category: String,
    name: String,
    tenant_id: String,
    session_id: String,
    user_id: String,
    payload: Value,
}

struct Export {
    _dir: tempfile::TempDir,
    db: PathBuf,
    truth: Vec<Value>,
    report: GenerateReport,
}

fn options(events: u64, seed: u64, truth: Option<PathBuf>) -> GenerateOptions {
    GenerateOptions {
        events,
        seed,
        truth,
        force: false,
    }
}

fn export(events: u64, seed: u64) -> Export {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let truth_path = dir.path().join("t.truth.jsonl");
    let report = generate(
        &db,
        &options(events, seed, Some(truth_path.clone())),
        &mut |_| {},
    )
    .unwrap();
    let truth = std::fs::read_to_string(&truth_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Export {
        _dir: dir,
        db,
        truth,
        report,
    }
}

fn rows(db: &Path) -> BTreeMap<i64, Row> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT id, ts, category, name, tenant_id, session_id, user_id, payload FROM events",
        )
        .unwrap();
    stmt.query_map([], |r| {
        let payload: String = r.get(7)?;
        Ok((
            r.get(0)?,
            Row {
                ts: r.get(1)?,
                category: r.get(2)?,
                name: r.get(3)?,
                tenant_id: r.get(4)?,
                session_id: r.get(5)?,
                user_id: r.get(6)?,
                payload: serde_json::from_str(&payload).expect("payload is JSON"),
            },
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn raw_rows(db: &Path) -> Vec<Vec<rusqlite::types::Value>> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT * FROM events ORDER BY id").unwrap();
    stmt.query_map([], |r| (0..10).map(|i| r.get(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn luhn_ok(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn iban_ok(iban: &str) -> bool {
    let iban: String = iban.chars().filter(|c| *c != ' ').collect();
    let moved = format!("{}{}", &iban[4..], &iban[..4]);
    moved.bytes().fold(0u32, |rem, c| {
        if c.is_ascii_digit() {
            (rem * 10 + u32::from(c - b'0')) % 97
        } else {
            (rem * 100 + u32::from(c - b'A') + 10) % 97
        }
    }) == 1
}

/// The string a truth line's field names in its row.
fn value_of<'a>(row: &'a Row, field: &str) -> &'a str {
    match field {
        "tenant_id" => &row.tenant_id,
        "session_id" => &row.session_id,
        "user_id" => &row.user_id,
        "ts" => &row.ts,
        _ => {
            let pointer = field.strip_prefix("payload").expect("payload field");
            row.payload
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{field} missing in {}", row.payload))
        }
    }
}

fn check_value(row: &Row, field: &str, kind: &str, leak: Option<&str>) {
    let v = value_of(row, field);
    let p = |key: &str| row.payload.get(key).and_then(Value::as_str).unwrap_or("");
    let ok = match (kind, field) {
        ("tenant_id", "tenant_id") => is_guid(v),
        ("tenant_id", _) => v == row.tenant_id,
        ("session_id", "session_id") => is_guid(v),
        ("session_id", _) => v == row.session_id,
        ("hashed_id", _) => {
            is_guid(v) && v == v.to_uppercase() && (field == "user_id" || v == row.user_id)
        }
        ("username", _) => {
            !v.contains('@') && row.category == "error" && v == p("UserID") && v == row.user_id
        }
        ("email", "payload/team_name") => leak == Some("email_in_team_name") && v.contains('@'),
        ("email", _) => {
            let (local, domain) = v.split_once('@').unwrap_or(("", ""));
            !local.is_empty() && domain.contains('.') && !v.contains(' ')
        }
        ("person_name", "payload/DeviceName") => v.contains("'s "),
        ("person_name", _) => v.split(' ').count() >= 2,
        ("ip_address", _) => v.parse::<IpAddr>().is_ok() && v != "0.0.0.0" && !v.ends_with(".0"),
        ("sip_uri", _) => v.starts_with("sip:") && v.contains('@'),
        ("domain", _) => v.contains('.') && !v.contains('@') && !v.contains(' '),
        ("org_name", _) => !v.is_empty() && v == p("companyName"),
        ("device_id" | "user_guid", _) => is_guid(v),
        ("phone_number", _) => v.starts_with('+'),
        ("mac_address", _) => v.len() == 17 && v.split([':', '-']).count() == 6,
        ("geo_coordinates", _) => v
            .split(',')
            .map(|x| x.parse::<f64>().map(f64::abs))
            .collect::<Result<Vec<_>, _>>()
            .is_ok_and(|c| c.len() == 2 && c[0] <= 90.0 && c[1] <= 180.0),
        ("user_path", _) => ["\\Users\\", "/Users/", "/home/"]
            .iter()
            .any(|p| v.contains(p)),
        ("credit_card", _) => {
            let number = v
                .split("card ")
                .nth(1)
                .unwrap_or("")
                .split(" (")
                .next()
                .unwrap_or("");
            let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
            (13..=19).contains(&digits.len()) && luhn_ok(&digits)
        }
        ("iban", _) => iban_ok(
            v.split("IBAN ")
                .nth(1)
                .unwrap_or("")
                .split(':')
                .next()
                .unwrap_or(""),
        ),
        ("secret_token", "payload/headers/Authorization") => v
            .strip_prefix("Bearer ey")
            .is_some_and(|t| t.split('.').count() == 3),
        ("secret_token", _) => v.contains("https://") && v.contains(":") && v.contains('@'),
        _ => false,
    };
    assert!(ok, "{kind} at {field} does not hold: {v:?}");
}

#[test]
fn the_same_seed_gives_the_same_export_and_another_seed_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<(PathBuf, PathBuf)> = (0..3)
        .map(|i| {
            (
                dir.path().join(format!("{i}.db")),
                dir.path().join(format!("{i}.jsonl")),
            )
        })
        .collect();
    for (i, (db, truth)) in paths.iter().enumerate() {
        let seed = if i == 2 { 8 } else { 7 };
        generate(db, &options(3_000, seed, Some(truth.clone())), &mut |_| {}).unwrap();
    }
    let read = |p: &PathBuf| std::fs::read(p).unwrap();
    assert_eq!(raw_rows(&paths[0].0), raw_rows(&paths[1].0));
    assert_eq!(read(&paths[0].1), read(&paths[1].1));
    assert_ne!(raw_rows(&paths[0].0), raw_rows(&paths[2].0));
    assert_ne!(read(&paths[0].1), read(&paths[2].1));
}

#[test]
fn the_export_has_the_native_schema_indexes_and_export_info() {
    let e = export(2_000, 1);
    let conn = Connection::open(&e.db).unwrap();
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('events')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected = [
        "id",
        "ts",
        "category",
        "name",
        "tenant_id",
        "session_id",
        "user_id",
        "app_name",
        "app_version",
        "payload",
    ];
    assert_eq!(columns, expected);
    let mut indexes: Vec<String> = conn
        .prepare(
            "SELECT group_concat(ii.name, ',') FROM sqlite_master m, pragma_index_info(m.name) ii \
             WHERE m.type = 'index' AND m.tbl_name = 'events' GROUP BY m.name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    indexes.sort();
    assert_eq!(
        indexes,
        [
            "category,ts",
            "session_id,ts",
            "tenant_id,ts",
            "ts",
            "user_id,ts"
        ]
    );
    let info: HashMap<String, String> = conn
        .prepare("SELECT key, value FROM export_info")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(info["exported_at"], "2026-10-01T00:00:00.000Z");
    assert_eq!(info["source"], "telex generate");
    assert_eq!(info["product"], "TeamsPro");
    assert_eq!(info["seed"], "1");
    assert_eq!(info["events"], "2000");
    let count: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 2_000);
}

#[test]
fn categories_tenants_and_sessions_have_realistic_proportions() {
    let e = export(20_000, 42);
    let rows = rows(&e.db);
    let mut by_category: HashMap<&str, usize> = HashMap::new();
    for r in rows.values() {
        *by_category.entry(r.category.as_str()).or_default() += 1;
    }
    let share = |c: &str| by_category.get(c).copied().unwrap_or(0) as f64 / rows.len() as f64;
    assert!((0.42..0.58).contains(&share("usage")), "{by_category:?}");
    assert!((0.19..0.31).contains(&share("census")), "{by_category:?}");
    assert!((0.11..0.19).contains(&share("error")), "{by_category:?}");
    assert!((0.07..0.14).contains(&share("support")), "{by_category:?}");
    assert_eq!(by_category.len(), 4);

    let tenants: HashSet<&str> = rows.values().map(|r| r.tenant_id.as_str()).collect();
    assert!(
        (20..=40).contains(&tenants.len()),
        "{} tenants",
        tenants.len()
    );
    let sessions: HashSet<&str> = rows.values().map(|r| r.session_id.as_str()).collect();
    assert!(
        sessions.len() > 100 && sessions.len() < 2_000,
        "{} sessions",
        sessions.len()
    );
    let avg = rows
        .values()
        .map(|r| r.payload.to_string().len())
        .sum::<usize>()
        / rows.len();
    assert!((150..300).contains(&avg), "average payload {avg} bytes");
}

#[test]
fn every_truth_line_matches_the_export_and_every_identifier_has_one() {
    let e = export(20_000, 42);
    let rows = rows(&e.db);
    let mut seen = HashSet::new();
    let mut fields_by_id: HashMap<i64, HashSet<String>> = HashMap::new();
    let mut planted = 0;
    for line in &e.truth {
        let obj = line.as_object().unwrap();
        assert_eq!(
            obj.keys().collect::<Vec<_>>(),
            ["id", "field", "kind", "leak"]
        );
        let id = line["id"].as_i64().unwrap();
        let field = line["field"].as_str().unwrap();
        let leak = line["leak"].as_str();
        planted += u64::from(leak.is_some());
        let row = rows.get(&id).unwrap_or_else(|| panic!("no row {id}"));
        assert!(
            seen.insert((id, field.to_string(), line["kind"].clone())),
            "duplicate {line}"
        );
        fields_by_id
            .entry(id)
            .or_default()
            .insert(field.to_string());
        match line["kind"].as_str() {
            Some(kind) => {
                assert!(telex::model::Kind::parse(kind).is_some(), "{kind}");
                check_value(row, field, kind, leak);
            }
            None => {
                assert_eq!((field, leak), ("ts", Some("retention")));
                assert!(
                    row.category == "error" && row.ts.as_str() < CUTOFF,
                    "{line}"
                );
            }
        }
    }
    assert_eq!(planted, e.report.planted);

    // Completeness: identifiers the generator writes all have a line; traps never do.
    const IDENTIFYING: &[&str] = &[
        "UserID",
        "SessionID",
        "DeviceID",
        "FederationPartner",
        "intercomId",
        "intercomEmail",
        "msTenantId",
        "msUpn",
        "msUserId",
        "userId",
        "msEmail",
        "tld",
        "name",
        "companyName",
        "msTenantInitialDomain",
        "msTenantDefaultDomain",
        "phone",
        "SipUri",
        "MacAddress",
        "Location",
    ];
    const TRAPS: &[&str] = &[
        "request_id",
        "template_id",
        "team_id",
        "ConversationThreadId",
        "OSVersion",
        "companyId",
        "customerId",
        "locale",
        "msLocale",
        "version",
        "license",
        "theme",
        "UserLanguage",
        "AppName",
        "DeviceModel",
        "ErrorCode",
    ];
    for (id, row) in &rows {
        let fields = fields_by_id.get(id).cloned().unwrap_or_default();
        for column in ["tenant_id", "session_id", "user_id"] {
            assert!(fields.contains(column), "{id} lacks {column}");
        }
        let obj = row.payload.as_object().expect("payload is an object");
        for key in obj.keys() {
            let field = format!("payload/{key}");
            if IDENTIFYING.contains(&key.as_str()) {
                assert!(fields.contains(&field), "{id} {field} unlabelled");
            }
            if TRAPS.contains(&key.as_str()) {
                assert!(!fields.contains(&field), "{id} trap {field} labelled");
            }
        }
        let ip = obj.get("ClientIP").and_then(Value::as_str);
        let masked = ip.is_some_and(|ip| ip.ends_with(".0"));
        assert_eq!(
            ip.is_some() && !masked,
            fields.contains("payload/ClientIP"),
            "{id} {ip:?}"
        );
        let text = row.payload.to_string();
        let expect = |needle: &str, field: &str| {
            if text.contains(needle) {
                assert!(
                    fields.contains(field),
                    "{id}: {needle} in {text} unlabelled"
                );
            }
        };
        expect("Bearer ", "payload/headers/Authorization");
        expect("IBAN ", "payload/Message");
        expect("for card ", "payload/Message");
        expect(":Winter2026!@", "payload/Message");
        expect("\\\\Users\\\\", "payload/Exception/stack");
        expect("/home/", "payload/Exception/stack");
        if obj
            .get("DeviceName")
            .and_then(Value::as_str)
            .is_some_and(|n| n.contains("'s "))
        {
            assert!(
                fields.contains("payload/DeviceName"),
                "{id} owner device unlabelled"
            );
        }
        let old_error = row.category == "error" && row.ts.as_str() < CUTOFF;
        assert_eq!(old_error, fields.contains("ts"), "{id} retention");
    }
}

#[test]
fn every_leak_is_present_and_rare_in_a_20k_export() {
    let e = export(20_000, 42);
    let rows = rows(&e.db);
    let count = |pred: &dyn Fn(&Row) -> bool| rows.values().filter(|r| pred(r)).count() as f64;
    let census = count(&|r| r.category == "census");
    let usage = count(&|r| r.category == "usage");
    let errors = count(&|r| r.category == "error");
    let team_names = count(&|r| r.name == "request_created" || r.name == "team_created");
    let mut leaks: HashMap<&str, f64> = HashMap::new();
    for line in &e.truth {
        if let Some(leak) = line["leak"].as_str() {
            *leaks.entry(leak).or_default() += 1.0;
        }
    }
    let expected = [
        ("device_named_after_owner", census),
        ("unhashed_user_id", census + usage),
        ("email_in_team_name", team_names),
        ("bearer_token", errors),
        ("card_number", errors),
        ("iban_in_error", errors),
        ("password_in_url", errors),
        ("user_path_in_error", errors),
        ("mac_address_in_error", errors),
        ("location_in_error", errors),
        ("retention", errors),
    ];
    for (leak, relevant) in expected {
        let n = leaks.get(leak).copied().unwrap_or(0.0);
        assert!(n >= 3.0, "{leak}: only {n}");
        assert!(n / relevant <= 0.03, "{leak}: {n} of {relevant}");
    }
    assert_eq!(leaks.len(), expected.len(), "{leaks:?}");
}

#[test]
fn traps_are_present() {
    let e = export(20_000, 42);
    let all: String = rows(&e.db)
        .values()
        .map(|r| r.payload.to_string())
        .collect();
    for trap in [
        "10.0.19041.1",
        "2.1.0.3",
        "\"0.0.0.0\"",
        "203.0.113.0",
        "EN-US",
        "ConversationThreadId",
        "order #",
    ] {
        assert!(all.contains(trap), "no {trap}");
    }
    let v6 = rows(&e.db)
        .values()
        .filter_map(|r| r.payload.get("ClientIP")?.as_str().map(str::to_string))
        .filter(|ip| ip.contains(':'))
        .count();
    assert!(v6 > 0, "no IPv6 client address");
}

#[test]
fn timestamps_are_utc_milliseconds_in_id_order() {
    let e = export(5_000, 3);
    let rows = rows(&e.db);
    let shape = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").unwrap();
    let mut previous = "";
    let mut ties = 0;
    let mut first_of_session: HashMap<&str, &str> = HashMap::new();
    for r in rows.values() {
        assert!(shape.is_match(&r.ts), "{}", r.ts);
        assert!(r.ts.as_str() >= previous, "{} before {previous}", r.ts);
        assert!(r.ts.as_str() >= WINDOW_START && r.ts.as_str() < "2026-10-01T00:00:00.000Z");
        ties += usize::from(r.ts == previous);
        previous = &r.ts;
        first_of_session.entry(&r.session_id).or_insert(&r.name);
    }
    assert!(ties > 0, "no equal timestamps");
    assert!(first_of_session.values().all(|n| *n == "app_session_start"));
}

#[test]
fn an_existing_export_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    std::fs::write(&db, "keep").unwrap();
    let err = generate(&db, &options(100, 1, None), &mut |_| {}).unwrap_err();
    assert!(
        matches!(err, GenerateError::Exists(ref p) if *p == db),
        "{err}"
    );
    assert!(err.to_string().contains("--force"));
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "keep");

    let truth = dir.path().join("x.jsonl");
    std::fs::write(&truth, "keep").unwrap();
    let fresh = dir.path().join("y.db");
    let err = generate(&fresh, &options(100, 1, Some(truth.clone())), &mut |_| {}).unwrap_err();
    assert!(
        matches!(err, GenerateError::Exists(ref p) if *p == truth),
        "{err}"
    );
    assert!(!fresh.exists());

    let mut forced = options(100, 1, Some(truth.clone()));
    forced.force = true;
    generate(&db, &forced, &mut |_| {}).unwrap();
    assert_eq!(rows(&db).len(), 100);
    assert!(
        std::fs::read_to_string(&truth)
            .unwrap()
            .starts_with("{\"id\":1,")
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn a_failed_run_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let truth = dir.path().join("missing").join("t.jsonl");
    let err = generate(&db, &options(100, 1, Some(truth)), &mut |_| {}).unwrap_err();
    assert!(matches!(err, GenerateError::Io { .. }), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn progress_is_reported_every_10k_events_and_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    let report = generate(
        &dir.path().join("p.db"),
        &options(25_000, 2, None),
        &mut |n| seen.push(n),
    )
    .unwrap();
    assert_eq!(seen, [10_000, 20_000, 25_000]);
    assert_eq!(report.events, 25_000);
}

#[test]
fn an_empty_export_is_valid() {
    let e = export(0, 9);
    assert!(rows(&e.db).is_empty());
    assert!(e.truth.is_empty());
}
