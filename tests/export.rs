//! `telex export` end to end on a generated export with its truth file: for every redaction
//! mode and output format no planted identifier survives; hash tokens are keyed and join;
//! drop removes fields and keeps the rest; --keep; deterministic samples; one-line refusals
//! that leave nothing behind; the export's bytes unchanged after every command.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use rusqlite::Connection;
use serde_json::Value;
use telex::generate::{GenerateOptions, generate};
use telex::model::{Event, Filter, Kind};
use telex::pii;
use telex::store::Store;

const KEY1: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const KEY2: &str = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn telex(args: &[&str]) -> Output {
    support::telex_command().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A generated export (2,000 events, with truth) in its own directory; outputs go elsewhere,
/// so `assert_untouched` also sees that nothing appears beside the export.
struct Gen {
    _dir: tempfile::TempDir,
    db: PathBuf,
    truth: PathBuf,
    out: tempfile::TempDir,
}

fn generated() -> Gen {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gen.db");
    let truth = dir.path().join("truth.jsonl");
    let opts = GenerateOptions {
        events: 2_000,
        seed: 5,
        truth: Some(truth.clone()),
        force: false,
    };
    generate(&db, &opts, &mut |_| {}).unwrap();
    Gen {
        _dir: dir,
        db,
        truth,
        out: tempfile::tempdir().unwrap(),
    }
}

impl Gen {
    fn p(&self) -> &str {
        self.db.to_str().unwrap()
    }

    fn out(&self, name: &str) -> PathBuf {
        self.out.path().join(name)
    }

    /// Runs `telex export` with `args` after the export path; must succeed and leave the
    /// export untouched. Returns stdout.
    fn export(&self, args: &[&str]) -> String {
        let mut all = vec!["export", self.p()];
        all.extend(args);
        let o = support::assert_untouched(&self.db, || telex(&all));
        assert_eq!(o.status.code(), Some(0), "{all:?}: {}", text(&o.stderr));
        text(&o.stdout)
    }

    /// Runs `telex export` that must fail with exit 2 and one line; returns that line.
    fn refused(&self, args: &[&str]) -> String {
        let mut all = vec!["export", self.p()];
        all.extend(args);
        let o = support::assert_untouched(&self.db, || telex(&all));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("telex: "), "{err}");
        err
    }

    fn events(&self) -> BTreeMap<i64, Event> {
        let store = Store::open(&self.db).unwrap();
        let mut all = BTreeMap::new();
        store
            .for_each_event(&Filter::default(), None, |e| {
                all.insert(e.summary.id, e);
                true
            })
            .unwrap();
        all
    }
}

/// The text of `field` in an event (a column, or a payload pointer).
fn field_text<'e>(
    event: &'e Event,
    payload: &'e Option<Value>,
    field: &str,
) -> Option<Cow<'e, str>> {
    if let Some(pointer) = field.strip_prefix("payload/") {
        return match payload.as_ref()?.pointer(&format!("/{pointer}"))? {
            Value::String(s) => Some(Cow::Borrowed(s)),
            other => Some(Cow::Owned(other.to_string())),
        };
    }
    let s = &event.summary;
    match field {
        "tenant_id" => s.tenant_id.as_deref(),
        "session_id" => s.session_id.as_deref(),
        "user_id" => s.user_id.as_deref(),
        _ => None,
    }
    .map(Cow::Borrowed)
}

fn parse_payload(event: &Event) -> Option<Value> {
    event
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
}

/// A planted identifier the detector does not find: (id, field, kind).
type Missed = (i64, String, Kind);

/// Every identifier the generator planted, as `(value, kind)`: the text the detector found at
/// the truth's (id, field, kind), its span when it has one. Identifiers the detector misses
/// cannot be redacted; they are returned apart, so the test can say how many there are.
fn planted(g: &Gen) -> (BTreeSet<(String, Kind)>, Vec<Missed>) {
    let events = g.events();
    let (mut found, mut missed) = (BTreeSet::new(), Vec::new());
    for line in std::fs::read_to_string(&g.truth).unwrap().lines() {
        let t: Value = serde_json::from_str(line).unwrap();
        let Some(kind) = t["kind"].as_str() else {
            continue;
        };
        let kind = Kind::parse(kind).unwrap();
        let id = t["id"].as_i64().unwrap();
        let field = t["field"].as_str().unwrap();
        let event = &events[&id];
        let payload = parse_payload(event);
        let whole = field_text(event, &payload, field).unwrap();
        let finding = pii::scan_event(event)
            .into_iter()
            .find(|f| f.field == field && f.kind == kind);
        match finding {
            Some(f) => {
                let value = f.span.and_then(|r| whole.get(r)).unwrap_or(&whole);
                found.insert((value.to_string(), kind));
            }
            None => missed.push((id, field.to_string(), kind)),
        }
    }
    (found, missed)
}

/// Every string in a JSON value, decoded.
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
            if let Ok(inner @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str(s) {
                strings(&inner, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.iter().for_each(|(k, i)| {
            out.push_str(k);
            out.push('\n');
            strings(i, out);
        }),
        _ => {}
    }
}

/// A CSV record's cells (RFC 4180; `telex` writes no raw line breaks inside cells).
fn csv_cells(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.trim_end_matches(['\r', '\n']).chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => cells.push(std::mem::take(&mut cell)),
            (_, c) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// The written sample as rows of `column → value` (payload as JSON when it parses).
fn rows(path: &Path) -> Vec<BTreeMap<String, Value>> {
    let ext = path.extension().unwrap().to_str().unwrap();
    match ext {
        "jsonl" => std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| match serde_json::from_str(l).unwrap() {
                Value::Object(m) => m.into_iter().collect(),
                other => panic!("not an object: {other}"),
            })
            .collect(),
        "csv" => {
            let all = std::fs::read_to_string(path).unwrap();
            let mut lines = all.lines();
            let header = csv_cells(lines.next().unwrap());
            lines
                .map(|l| {
                    header
                        .iter()
                        .cloned()
                        .zip(csv_cells(l))
                        .map(|(k, v)| {
                            let v = match (k.as_str(), v.as_str()) {
                                (_, "") => Value::Null,
                                ("id", n) => Value::from(n.parse::<i64>().unwrap()),
                                ("payload", p) => serde_json::from_str(p)
                                    .unwrap_or_else(|_| Value::String(p.into())),
                                (_, s) => Value::String(s.into()),
                            };
                            (k, v)
                        })
                        .collect()
                })
                .collect()
        }
        "db" => {
            let conn = Connection::open(path).unwrap();
            let mut stmt = conn
                .prepare("SELECT * FROM events ORDER BY ts, id")
                .unwrap();
            let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
            stmt.query_map([], |r| {
                let mut row = BTreeMap::new();
                for (i, name) in names.iter().enumerate() {
                    let v = match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Null => Value::Null,
                        rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                        other => {
                            let s = other.as_str().unwrap().to_string();
                            if name == "payload" {
                                serde_json::from_str(&s).unwrap_or(Value::String(s))
                            } else {
                                Value::String(s)
                            }
                        }
                    };
                    row.insert(name.clone(), v);
                }
                Ok(row)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
        }
        other => panic!("{other}"),
    }
}

/// Everything readable in the sample: its raw bytes and every decoded string of every row
/// (JSON and CSV escape backslashes and quotes, which the raw bytes alone would hide).
fn searchable(path: &Path) -> String {
    let mut all = text(&std::fs::read(path).unwrap());
    for row in rows(path) {
        for v in row.values() {
            strings(v, &mut all);
        }
    }
    if path.extension().unwrap() == "db" {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn.prepare("SELECT key, value FROM export_info").unwrap();
        for kv in stmt
            .query_map([], |r| {
                Ok(format!(
                    "{}={}\n",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?
                ))
            })
            .unwrap()
        {
            all.push_str(&kv.unwrap());
        }
    }
    all
}

#[test]
fn no_planted_identifier_survives_any_mode_or_format() {
    let g = generated();
    let (planted, missed) = planted(&g);
    let kinds: BTreeSet<Kind> = planted.iter().map(|(_, k)| *k).collect();
    assert!(
        kinds.len() >= 15,
        "the generator plants most kinds: {kinds:?}"
    );
    // Detection is the limit of redaction: report what it misses, and keep it rare.
    println!("planted identifiers the detector misses: {missed:?}");
    assert!(missed.len() <= 10, "{} missed: {missed:?}", missed.len());

    for mode in ["mask", "hash", "drop"] {
        for format in ["jsonl", "csv", "db"] {
            let out = g.out(&format!("{mode}.{format}"));
            let mut args = vec!["--out", out.to_str().unwrap(), "--redact", mode];
            if mode == "hash" {
                args.extend(["--key", KEY1]);
            }
            let report = g.export(&args);
            assert!(report.starts_with("wrote 2,000 events to "), "{report}");
            let rows = rows(&out);
            assert_eq!(rows.len(), 2_000, "{mode}.{format}");
            for row in &rows {
                let payload = &row["payload"];
                assert!(
                    payload.is_object() || payload.is_null(),
                    "{mode}.{format}: payload is still JSON: {payload}"
                );
            }
            let written = searchable(&out);
            let left: Vec<&(String, Kind)> = planted
                .iter()
                .filter(|(v, _)| written.contains(v.as_str()))
                .collect();
            assert!(left.is_empty(), "{mode}.{format} leaks {left:?}");
            assert!(!written.contains(KEY1), "the key is never written");
        }
    }
}

/// `column → output value` for every event of a jsonl sample, by id.
fn by_id(path: &Path) -> BTreeMap<i64, BTreeMap<String, Value>> {
    rows(path)
        .into_iter()
        .map(|r| (r["id"].as_i64().unwrap(), r))
        .collect()
}

#[test]
fn hash_tokens_are_keyed_and_join_across_records_and_columns() {
    let g = generated();
    let a = g.out("a.jsonl");
    let a2 = g.out("a2.jsonl");
    let b = g.out("b.jsonl");
    for (out, key) in [(&a, KEY1), (&a2, KEY1), (&b, KEY2)] {
        g.export(&[
            "--out",
            out.to_str().unwrap(),
            "--redact",
            "hash",
            "--key",
            key,
        ]);
    }
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&a2).unwrap(),
        "the same key gives the same bytes"
    );
    let (ra, rb) = (by_id(&a), by_id(&b));
    let source = g.events();

    // Each column: the same value → the same token, different values → different tokens.
    for column in ["tenant_id", "session_id", "user_id"] {
        let mut forward: BTreeMap<String, String> = BTreeMap::new();
        let mut backward: BTreeMap<String, String> = BTreeMap::new();
        for (id, e) in &source {
            let original = field_text(e, &None, column).map(|v| v.to_lowercase());
            let (Some(original), Some(token)) = (original, ra[id][column].as_str()) else {
                continue;
            };
            assert!(token.contains(':') && !token.contains(&original), "{token}");
            assert_eq!(
                forward.entry(original.clone()).or_insert(token.into()),
                token
            );
            assert_eq!(
                backward.entry(token.into()).or_insert(original.clone()),
                &original
            );
            assert_ne!(
                rb[id][column].as_str(),
                Some(token),
                "another key, other tokens"
            );
        }
        assert!(forward.len() > 1, "{column}");
    }

    // A payload field holding a column's value gets the column's token.
    let mut joins = 0;
    for (id, e) in &source {
        let payload = parse_payload(e);
        for (field, column) in [
            ("payload/msTenantId", "tenant_id"),
            ("payload/UserID", "user_id"),
            ("payload/SessionID", "session_id"),
        ] {
            let (Some(v), Some(c)) = (field_text(e, &payload, field), field_text(e, &None, column))
            else {
                continue;
            };
            if v.eq_ignore_ascii_case(&c) {
                let out = &ra[id];
                let pointer = format!("/{}", &field["payload/".len()..]);
                assert_eq!(
                    out["payload"].pointer(&pointer),
                    Some(&out[column]),
                    "{id} {field}"
                );
                joins += 1;
            }
        }
    }
    assert!(joins > 100, "{joins}");

    // The other formats write the same tokens.
    for format in ["csv", "db"] {
        let out = g.out(&format!("a.{format}"));
        g.export(&[
            "--out",
            out.to_str().unwrap(),
            "--redact",
            "hash",
            "--key",
            KEY1,
        ]);
        let other = by_id(&out);
        for (id, row) in &ra {
            assert_eq!(other[id]["tenant_id"], row["tenant_id"], "{format} {id}");
            assert_eq!(other[id]["payload"], row["payload"], "{format} {id}");
        }
    }
}

#[test]
fn a_key_file_is_created_once_private_and_reused() {
    let g = generated();
    let key = g.out("sample.key");
    let (a, b) = (g.out("a.jsonl"), g.out("b.jsonl"));
    let k = key.to_str().unwrap();
    let report = g.export(&[
        "--out",
        a.to_str().unwrap(),
        "--redact",
        "hash",
        "--key-file",
        k,
    ]);
    assert!(
        report.contains("written to") && report.contains("sample.key"),
        "{report}"
    );
    let hex = std::fs::read_to_string(&key).unwrap();
    assert_eq!(hex.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let report = g.export(&[
        "--out",
        b.to_str().unwrap(),
        "--redact",
        "hash",
        "--key-file",
        k,
    ]);
    assert!(!report.contains("hash key"), "{report}");
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "same key file, same bytes"
    );
    assert!(!text(&std::fs::read(&a).unwrap()).contains(hex.trim()));
    assert_eq!(
        std::fs::read_to_string(&key).unwrap(),
        hex,
        "reused, never rewritten"
    );

    // Without a key, a one-off key: tokens differ from run to run, and the report says so.
    let c = g.out("c.jsonl");
    let report = g.export(&["--out", c.to_str().unwrap(), "--redact", "hash"]);
    assert!(report.contains("kept nowhere"), "{report}");
    assert!(
        std::fs::read(&a).unwrap() != std::fs::read(&c).unwrap(),
        "one-off keys differ"
    );
}

#[test]
fn drop_removes_identifying_fields_and_keeps_everything_else() {
    let g = generated();
    let out = g.out("drop.jsonl");
    g.export(&["--out", out.to_str().unwrap(), "--redact", "drop"]);
    let written = by_id(&out);
    let (mut removed, mut spans, mut kept) = (0, 0, 0);
    for (id, e) in g.events() {
        let findings = pii::scan_event(&e);
        let row = &written[&id];
        for column in ["tenant_id", "session_id", "user_id"] {
            let whole = findings
                .iter()
                .any(|f| f.field == column && f.span.is_none());
            match field_text(&e, &None, column) {
                Some(_) if whole => assert_eq!(row[column], Value::Null, "{id} {column}"),
                Some(v) => assert_eq!(row[column], Value::String(v.into_owned())),
                None => assert_eq!(row[column], Value::Null),
            }
        }
        for column in ["ts", "category", "name", "app_name", "app_version"] {
            assert!(row.contains_key(column), "{id} {column}");
        }
        let Some(source) = parse_payload(&e) else {
            continue;
        };
        let mut leaves = Vec::new();
        leaves_of(&source, String::new(), &mut leaves);
        for (pointer, value) in leaves {
            let field = format!("payload{pointer}");
            let here: Vec<_> = findings.iter().filter(|f| f.field == field).collect();
            let now = row["payload"].pointer(&pointer);
            if here.iter().any(|f| f.span.is_none()) {
                assert!(now.is_none(), "{id} {field} should be gone: {now:?}");
                removed += 1;
            } else if let Some(f) = here.first() {
                let now = now.and_then(Value::as_str).unwrap();
                assert!(
                    now.contains(&format!("[{}]", f.kind)),
                    "{id} {field}: {now}"
                );
                spans += 1;
            } else if !pointer.contains("/0") && !pointer.contains("/1") {
                // Away from arrays (whose indices shift when an element goes), untouched.
                assert_eq!(now, Some(&value), "{id} {field}");
                kept += 1;
            }
        }
    }
    assert!(
        removed > 500 && spans > 5 && kept > 1000,
        "{removed} {spans} {kept}"
    );
}

fn leaves_of(v: &Value, pointer: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                leaves_of(child, format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                leaves_of(child, format!("{pointer}/{i}"), out);
            }
        }
        leaf => out.push((pointer, leaf.clone())),
    }
}

#[test]
fn keep_org_leaves_tenants_and_domains_as_they_are() {
    let g = generated();
    let out = g.out("keep.jsonl");
    let report = g.export(&[
        "--out",
        out.to_str().unwrap(),
        "--redact",
        "mask",
        "--keep",
        "org",
    ]);
    assert!(report.contains("kept (org)"), "{report}");
    let written = by_id(&out);
    let (mut tenants, mut domains, mut emails) = (0, 0, 0);
    for (id, e) in g.events() {
        let row = &written[&id];
        assert_eq!(
            row["tenant_id"].as_str(),
            e.summary.tenant_id.as_deref(),
            "{id}: tenant kept"
        );
        tenants += 1;
        let payload = parse_payload(&e);
        for f in pii::scan_event(&e) {
            let Some(pointer) = f.field.strip_prefix("payload") else {
                continue;
            };
            let source = field_text(&e, &payload, &f.field).unwrap();
            let now = row["payload"]
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap();
            match f.kind {
                Kind::Domain | Kind::TenantId | Kind::OrgName => {
                    assert_eq!(now, source, "{id} {}", f.field);
                    domains += 1;
                }
                Kind::Email if f.span.is_none() => {
                    let domain = source.rsplit_once('@').unwrap().1;
                    assert!(
                        now.ends_with(&format!("@{domain}")) && now != source,
                        "{now}"
                    );
                    emails += 1;
                }
                _ => {}
            }
        }
    }
    assert!(
        tenants == 2_000 && domains > 100 && emails > 100,
        "{domains} {emails}"
    );
}

fn ids_of(path: &Path) -> Vec<i64> {
    rows(path)
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn samples_are_uniform_deterministic_and_in_time_order() {
    let g = generated();
    let run = |name: &str, extra: &[&str]| {
        let out = g.out(name);
        let mut args = vec!["--out", out.to_str().unwrap(), "--redact", "mask"];
        args.extend(extra);
        let report = g.export(&args);
        (ids_of(&out), report, out)
    };
    let (a, report, out) = run("a.jsonl", &["--sample", "100", "--seed", "1"]);
    assert!(
        report.starts_with("wrote 100 of 2,000 matching events"),
        "{report}"
    );
    let (again, _, _) = run("a2.db", &["--sample", "100", "--seed", "1"]);
    let (other, _, _) = run("b.csv", &["--sample", "100", "--seed", "2"]);
    assert_eq!(a.len(), 100);
    assert_eq!(a, again, "same seed, same events, whatever the format");
    assert_ne!(a, other, "another seed, another sample");
    let ts: Vec<String> = rows(&out)
        .iter()
        .map(|r| r["ts"].as_str().unwrap().to_string())
        .collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "in time order");
    // Spread over the whole export, not its start.
    assert!(a.iter().any(|id| *id > 1_500) && a.iter().any(|id| *id < 500));

    let (errors, _, _) = run("e.jsonl", &["category:error", "--sample", "20"]);
    let source = g.events();
    assert_eq!(errors.len(), 20);
    assert!(
        errors
            .iter()
            .all(|id| source[id].summary.category == "error")
    );
    let (all, _, _) = run("all.jsonl", &["category:support", "--sample", "100000"]);
    let support = source
        .values()
        .filter(|e| e.summary.category == "support")
        .count();
    assert_eq!(
        all.len(),
        support,
        "a sample larger than the match is all of it"
    );
}

/// A filter with privacy terms builds the privacy cache, as `list`, `stats` and `scan` do: the
/// sample holds exactly the events whose findings the terms describe, in time order.
#[test]
fn a_privacy_filter_exports_the_events_behind_it() {
    let g = generated();
    let source = g.events();
    let found = |e: &Event| pii::scan_event(e);
    type Keep = fn(&Event, &[telex::model::Finding]) -> bool;
    let cases: [(&[&str], Keep); 2] = [
        (&["has:secret"], |_, f| {
            f.iter().any(|x| x.class() == telex::model::Class::Secret)
        }),
        (&["kind:email", "category:support"], |e, f| {
            e.summary.category == "support" && f.iter().any(|x| x.kind == Kind::Email)
        }),
    ];
    let mut in_time_order: Vec<&Event> = source.values().collect();
    in_time_order.sort_by(|a, b| (&a.summary.ts, a.summary.id).cmp(&(&b.summary.ts, b.summary.id)));
    for (i, (filter, keep)) in cases.into_iter().enumerate() {
        let out = g.out(&format!("p{i}.jsonl"));
        let mut args = filter.to_vec();
        args.extend(["--out", out.to_str().unwrap(), "--redact", "mask"]);
        g.export(&args);
        let want: Vec<i64> = in_time_order
            .iter()
            .filter(|e| keep(e, &found(e)))
            .map(|e| e.summary.id)
            .collect();
        assert!(!want.is_empty() && want.len() < source.len(), "{filter:?}");
        assert_eq!(ids_of(&out), want, "{filter:?}");
    }
}

#[test]
fn refusals_are_one_line_and_leave_nothing_behind() {
    let g = generated();
    let out = g.out("s.jsonl");
    let o = out.to_str().unwrap();
    g.export(&["--out", o, "--redact", "mask"]);
    let before = std::fs::read(&out).unwrap();
    let err = g.refused(&["--out", o, "--redact", "drop"]);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert!(
        std::fs::read(&out).unwrap() == before,
        "refused: left as it was"
    );
    g.export(&["--out", o, "--redact", "drop", "--force"]);
    assert!(std::fs::read(&out).unwrap() != before, "--force replaces");

    // The export itself, by any name, even with --force.
    let dir = g.db.parent().unwrap();
    let dotted = dir.join(".").join("gen.db");
    let link = g.out("link.db");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&g.db, &link).unwrap();
    for target in [g.db.clone(), dotted, link] {
        if !target.exists() {
            continue;
        }
        let err = g.refused(&[
            "--out",
            target.to_str().unwrap(),
            "--redact",
            "mask",
            "--force",
        ]);
        assert!(err.contains("is the export itself"), "{err}");
    }

    let bad = g.out("s.txt");
    let err = g.refused(&["--out", bad.to_str().unwrap(), "--redact", "mask"]);
    assert!(err.contains(".jsonl, .csv or .db"), "{err}");
    for class in ["orgs", "secret"] {
        let err = g.refused(&[
            "--out",
            g.out("k.jsonl").to_str().unwrap(),
            "--redact",
            "mask",
            "--keep",
            class,
        ]);
        assert!(
            err.contains(class) && err.contains("user, org, pseudonymous"),
            "{err}"
        );
    }
    // Options that cannot go together, or values out of range: after `--out k.jsonl`.
    let k = g.out("k.jsonl");
    let k = k.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--redact", "mask", "--key", KEY1], "--redact hash only"),
        (&["--redact", "hash", "--key", "abc"], "--key"),
        (
            &["--redact", "hash", "--key-file", k],
            "the key must go elsewhere",
        ),
        (&["--redact", "mask", "--sample", "0"], "at least 1"),
        (&["--redact", "mask", "since:yesterday"], "filter"),
    ];
    for (args, says) in cases {
        let mut all = vec!["--out", k];
        all.extend(args);
        let err = g.refused(&all);
        assert!(err.contains(says), "{all:?}: {err}");
    }

    // Nothing but the two samples written above is in the output directory.
    let mut names: Vec<String> = std::fs::read_dir(g.out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["link.db", "s.jsonl"]);
}

#[test]
fn small_fixture_samples() {
    let (_d, path) = support::small_export();
    let out = tempfile::tempdir().unwrap();
    let p = path.to_str().unwrap();
    for (mode, key) in [("mask", None), ("hash", Some(KEY1)), ("drop", None)] {
        let file = out.path().join(format!("{mode}.jsonl"));
        let mut args = vec![
            "export",
            p,
            "--out",
            file.to_str().unwrap(),
            "--redact",
            mode,
        ];
        if let Some(k) = key {
            args.extend(["--key", k]);
        }
        let o = support::assert_untouched(&path, || telex(&args));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        insta::assert_snapshot!(
            format!("export_small_{mode}"),
            std::fs::read_to_string(&file).unwrap()
        );
    }
    let db = out.path().join("s.db");
    let args = [
        "export",
        p,
        "--out",
        db.to_str().unwrap(),
        "--redact",
        "mask",
        "--keep",
        "org",
        "--sample",
        "5",
        "--seed",
        "3",
    ];
    let o = support::assert_untouched(&path, || telex(&args));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let conn = Connection::open(&db).unwrap();
    let info: Vec<String> = conn
        .prepare("SELECT key, value FROM export_info WHERE key != 'sampled_at' ORDER BY key")
        .unwrap()
        .query_map([], |r| {
            Ok(format!(
                "{} = {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    insta::assert_snapshot!("export_small_db_info", info.join("\n"));
    let region: Vec<Option<String>> = conn
        .prepare("SELECT region FROM events ORDER BY ts, id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(region.len(), 5, "extra columns are kept in a .db sample");
}
