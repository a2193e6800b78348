//! Turning each scanned event into its cache row and its share of the field inventory, on the
//! scan's calling thread, as cheaply as possible: every string becomes a dictionary id once,
//! and events of the same shape (same category, same list of fields) are counted once per
//! shape rather than once per field.

use std::ops::Range;

use rusqlite::types::Value;

use super::codec::{self, FxMap, ts_millis};
use crate::inventory::{self, FieldList, FieldStats, Inventory};
use crate::model::{Event, Finding};

/// One event's row of `ev`; its findings are a range of the batch's byte buffer.
pub(super) struct Row {
    pub id: i64,
    pub ts: Value,
    pub category: u32,
    pub name: u32,
    pub tenant: Option<u32>,
    pub session: Option<u32>,
    pub user: Option<u32>,
    pub kinds: i64,
    pub classes: i64,
    pub findings: Range<usize>,
}

/// Rows on their way to the writer thread.
#[derive(Default)]
pub(super) struct Batch {
    pub rows: Vec<Row>,
    pub bytes: Vec<u8>,
}

/// Strings → dense ids, in first-seen order.
#[derive(Default)]
pub(super) struct Dict {
    ids: FxMap<String, u32>,
    pub list: Vec<String>,
}

impl Dict {
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.ids.insert(s.to_string(), id);
        self.list.push(s.to_string());
        id
    }
}

/// A timestamp that is not canonical: the build starts over keeping text.
pub(super) struct NotCanonical;

#[derive(Default)]
pub(super) struct Collector {
    ts_text: bool,
    pub vals: Dict,
    pub fields: Dict,
    /// (category id + field list key) → events of that shape.
    shapes: FxMap<Vec<u8>, u64>,
    /// [category id][field id] → identifiers found there.
    found: Vec<Vec<Option<FieldStats>>>,
    list: FieldList,
    key: Vec<u8>,
    ids: Vec<u32>,
}

impl Collector {
    /// `ts_text`: keep timestamps as text rather than milliseconds.
    pub fn new(ts_text: bool) -> Collector {
        Collector {
            ts_text,
            ..Collector::default()
        }
    }

    pub fn add(
        &mut self,
        event: &Event,
        findings: &[Finding],
        batch: &mut Batch,
    ) -> Result<(), NotCanonical> {
        let s = &event.summary;
        let ts = if self.ts_text {
            Value::Text(s.ts.clone())
        } else {
            Value::Integer(ts_millis(&s.ts).ok_or(NotCanonical)?)
        };
        let category = self.vals.id(&s.category);
        self.ids.clear();
        for f in findings {
            // Findings come sorted by field: most lookups repeat the previous one.
            let id = match (self.ids.last(), self.ids.len().checked_sub(1)) {
                (Some(&last), Some(i)) if findings[i].field == f.field => last,
                _ => self.fields.id(&f.field),
            };
            self.ids.push(id);
        }
        let (kinds, classes) = codec::masks(findings);
        let start = batch.bytes.len();
        codec::encode(findings, &self.ids, &mut batch.bytes);
        batch.rows.push(Row {
            id: s.id,
            ts,
            category,
            name: self.vals.id(&s.name),
            tenant: s.tenant_id.as_deref().map(|v| self.vals.id(v)),
            session: s.session_id.as_deref().map(|v| self.vals.id(v)),
            user: s.user_id.as_deref().map(|v| self.vals.id(v)),
            kinds,
            classes,
            findings: start..batch.bytes.len(),
        });
        self.count(event, category, findings);
        Ok(())
    }

    /// The inventory's share of one event, as `Inventory::add` counts it.
    fn count(&mut self, event: &Event, category: u32, findings: &[Finding]) {
        self.list.read(event);
        self.key.clear();
        self.key.extend_from_slice(&category.to_le_bytes());
        self.list.key(&mut self.key);
        match self.shapes.get_mut(self.key.as_slice()) {
            Some(n) => *n += 1,
            None => {
                self.shapes.insert(self.key.clone(), 1);
            }
        }
        let cat = category as usize;
        if self.found.len() <= cat {
            self.found.resize_with(cat + 1, Vec::new);
        }
        let mut i = 0;
        for group in findings.chunk_by(|a, b| a.field == b.field) {
            let field = self.ids[i] as usize;
            i += group.len();
            let row = &mut self.found[cat];
            if row.len() <= field {
                row.resize_with(field + 1, || None);
            }
            let st = row[field].get_or_insert_with(FieldStats::default);
            st.identified += 1;
            for f in group {
                *st.kinds.entry(f.kind).or_default() += 1;
            }
            if st.example.is_none() {
                st.example = Some(inventory::masked_value(event, &group[0]));
            }
        }
    }

    /// The inventory of everything added, examples masked.
    pub fn inventory(&self) -> Inventory {
        let mut inv = Inventory::default();
        for (key, &n) in &self.shapes {
            let Some(category) = key
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .and_then(|c| self.vals.list.get(c as usize))
            else {
                continue;
            };
            for field in FieldList::names_of_key(&key[4..]) {
                inv.stats_mut(category, field).records += n;
            }
        }
        for (cat, row) in self.found.iter().enumerate() {
            let Some(category) = self.vals.list.get(cat) else {
                continue;
            };
            for (field, st) in row.iter().enumerate() {
                let (Some(st), Some(name)) = (st, self.fields.list.get(field)) else {
                    continue;
                };
                let mine = inv.stats_mut(category, name);
                mine.identified += st.identified;
                mine.kinds.clone_from(&st.kinds);
                mine.example.clone_from(&st.example);
            }
        }
        inv
    }
}
