//! The field inventory of `telex scan --summary`: per category and field, how many records
//! have the field, how many carry identifiers, of which kinds and classes, and one example
//! (masked unless `--reveal`).

use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasherDefault;
use std::io::Write;

use serde_json::{Value, json};

use super::super::{json as jsonl, table};
use crate::cli::ScanFormat;
use crate::model::{Event, Finding, Kind};
use crate::pii::EventScanner;
use crate::pii::fieldname::WordHash;
use crate::text::{thousands, visible};

/// One row's counts: the same as the privacy cache keeps (`crate::inventory`).
pub use crate::inventory::FieldStats;

/// Category → field → counts, sorted only when written.
#[derive(Debug, Default)]
pub struct Inventory {
    by_category: Map<Fields>,
}

/// One category's fields: counts in first-seen order, an index by name, and where the last
/// record of the category had each of its fields and each of its findings' fields. Records
/// of one kind list their fields and findings alike, so most lookups are a single comparison
/// with that guess.
#[derive(Debug, Default)]
struct Fields {
    list: Vec<(String, Counts)>,
    index: Map<usize>,
    last: Vec<usize>,
    /// This record's, while it is counted.
    next: Vec<usize>,
    /// The fields of the last record's findings, one per field that had any.
    last_found: Vec<usize>,
}

impl Fields {
    fn find(&mut self, field: &str, guess: Option<usize>) -> usize {
        if let Some(g) = guess
            && self.list.get(g).is_some_and(|(name, _)| name == field)
        {
            return g;
        }
        if let Some(&i) = self.index.get(field) {
            return i;
        }
        let i = self.list.len();
        self.list.push((field.to_string(), Counts::default()));
        self.index.insert(field.to_string(), i);
        i
    }
}

/// One field's counts while scanning: kinds in an array (every finding is counted here), made
/// a `FieldStats` when written.
#[derive(Debug, Default)]
struct Counts {
    records: u64,
    identified: u64,
    /// By `Kind as usize` (`Kind::ALL` order).
    kinds: [u64; Kind::ALL.len()],
    example: Option<String>,
}

impl Counts {
    fn stats(&self) -> FieldStats {
        FieldStats {
            records: self.records,
            identified: self.identified,
            kinds: Kind::ALL
                .into_iter()
                .zip(self.kinds)
                .filter(|&(_, n)| n > 0)
                .collect(),
            example: self.example.clone(),
        }
    }
}

/// Field names are short and many per record: a fast word hash, not SipHash.
type Map<V> = HashMap<String, V, BuildHasherDefault<WordHash>>;

impl Inventory {
    /// Counts one event: every field it has, and its findings. `shown` gives a finding's
    /// printable value.
    pub fn add(
        &mut self,
        event: &Event,
        findings: &[Finding],
        scanner: &EventScanner,
        shown: impl Fn(&Finding) -> String,
    ) {
        let category = &event.summary.category;
        if !self.by_category.contains_key(category) {
            self.by_category.insert(category.clone(), Fields::default());
        }
        let Some(fields) = self.by_category.get_mut(category) else {
            return;
        };
        fields.next.clear();
        for_each_field(event, scanner, |field| {
            let guess = fields.last.get(fields.next.len()).copied();
            let i = fields.find(field, guess);
            fields.next.push(i);
            fields.list[i].1.records += 1;
        });
        std::mem::swap(&mut fields.last, &mut fields.next);
        // Findings come sorted by field: one group per field.
        fields.next.clear();
        for group in findings.chunk_by(|a, b| a.field == b.field) {
            let guess = fields.last_found.get(fields.next.len()).copied();
            let i = fields.find(&group[0].field, guess);
            fields.next.push(i);
            let st = &mut fields.list[i].1;
            st.identified += 1;
            for f in group {
                st.kinds[f.kind as usize] += 1;
            }
            if st.example.is_none() {
                st.example = Some(shown(&group[0]));
            }
        }
        std::mem::swap(&mut fields.last_found, &mut fields.next);
    }

    /// Adds a later part of the scan: counts add up, the earlier example stays.
    pub fn merge(&mut self, later: Inventory) {
        for (category, fields) in later.by_category {
            let mine = self.by_category.entry(category).or_default();
            for (field, st) in fields.list {
                let i = mine.find(&field, None);
                let m = &mut mine.list[i].1;
                m.records += st.records;
                m.identified += st.identified;
                for (mine, n) in m.kinds.iter_mut().zip(st.kinds) {
                    *mine += n;
                }
                if m.example.is_none() {
                    m.example = st.example;
                }
            }
        }
    }

    fn sorted(&self) -> Vec<(&str, &str, FieldStats)> {
        let mut rows: Vec<_> = self
            .by_category
            .iter()
            .flat_map(|(c, fields)| {
                fields
                    .list
                    .iter()
                    .map(move |(f, counts)| (c.as_str(), f.as_str(), counts.stats()))
            })
            .collect();
        rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        rows
    }

    pub fn write(&self, format: ScanFormat, out: &mut dyn Write) -> std::io::Result<()> {
        let rows = self.sorted();
        if format == ScanFormat::Jsonl {
            for (category, field, st) in &rows {
                let kinds: serde_json::Map<String, Value> = st
                    .kinds
                    .iter()
                    .map(|(k, n)| (k.as_str().to_string(), json!(n)))
                    .collect();
                let line = json!({
                    "category": category,
                    "field": field,
                    "records": st.records,
                    "identified": st.identified,
                    "kinds": kinds,
                    "classes": classes(st),
                    "example": st.example,
                });
                jsonl::write_line(out, &line)?;
            }
            return Ok(());
        }
        let header = [
            "category",
            "field",
            "records",
            "identified",
            "kinds",
            "classes",
            "example",
        ];
        let cells = |category: &str, field: &str, st: &FieldStats| {
            let kinds: Vec<String> = st
                .kinds
                .iter()
                .map(|(k, n)| format!("{k} {}", thousands(*n)))
                .collect();
            [
                category.to_string(),
                field.to_string(),
                thousands(st.records),
                thousands(st.identified),
                kinds.join(", "),
                classes(st).join(", "),
                st.example.clone().unwrap_or_default(),
            ]
        };
        match format {
            ScanFormat::Csv => {
                table::csv_row(out, header.into_iter())?;
                for (c, f, st) in &rows {
                    let mut row = cells(c, f, st);
                    // CSV is for machines: plain numbers, no thousands separators.
                    row[2] = st.records.to_string();
                    row[3] = st.identified.to_string();
                    table::csv_row(out, row.iter().map(String::as_str))?;
                }
            }
            ScanFormat::Markdown => {
                writeln!(out, "| {} |", header.join(" | "))?;
                writeln!(out, "|---|---|--:|--:|---|---|---|")?;
                for (c, f, st) in &rows {
                    super::rows::markdown_row(out, &cells(c, f, st))?;
                }
            }
            _ => {
                let all: Vec<[String; 7]> = rows.iter().map(|(c, f, st)| cells(c, f, st)).collect();
                let mut widths = header.map(str::len);
                for row in &all {
                    for (w, cell) in widths.iter_mut().zip(row) {
                        *w = (*w).max(visible(cell).chars().count()).min(48);
                    }
                }
                let line = |out: &mut dyn Write, row: &[String]| {
                    let mut text = String::new();
                    for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
                        let cell = table::fit(&visible(cell), w);
                        if i > 0 {
                            text.push_str("  ");
                        }
                        if i == 2 || i == 3 {
                            text.push_str(&format!("{cell:>w$}"));
                        } else {
                            text.push_str(&format!("{cell:<w$}"));
                        }
                    }
                    writeln!(out, "{}", text.trim_end())
                };
                line(out, &header.map(String::from))?;
                for row in &all {
                    line(out, row)?;
                }
            }
        }
        Ok(())
    }
}

fn classes(st: &FieldStats) -> Vec<&'static str> {
    let set: BTreeSet<_> = st.kinds.keys().map(|k| k.class()).collect();
    set.into_iter().map(|c| c.as_str()).collect()
}

/// Every field of the event that the scan reads: the identity columns, extra columns and the
/// payload's leaves (RFC 6901 pointers), or `payload` itself when it is not JSON. The leaves
/// come from the scan's own listing; serde_json's tree decides only when a payload repeats a
/// key (the tree keeps one value per key).
fn for_each_field(event: &Event, scanner: &EventScanner, mut visit: impl FnMut(&str)) {
    let s = &event.summary;
    for (name, value) in [
        ("tenant_id", &s.tenant_id),
        ("session_id", &s.session_id),
        ("user_id", &s.user_id),
    ] {
        if value.is_some() {
            visit(name);
        }
    }
    for (name, value) in &event.extra {
        if value.is_some() {
            visit(name);
        }
    }
    let Some(payload) = event.payload.as_deref() else {
        return;
    };
    if let Some(fields) = scanner.payload_fields() {
        fields.for_each(visit);
        return;
    }
    match serde_json::from_str::<Value>(payload) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => {
            let mut path = String::from("payload");
            leaves(&v, &mut path, &mut visit);
        }
        _ => visit("payload"),
    }
}

fn leaves(v: &Value, path: &mut String, visit: &mut impl FnMut(&str)) {
    let len = path.len();
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                path.push('/');
                path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                leaves(child, path, visit);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push('/');
                path.push_str(&i.to_string());
                leaves(child, path, visit);
                path.truncate(len);
            }
        }
        Value::Null => {}
        _ => visit(path),
    }
}
