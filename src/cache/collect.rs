//! The scan workers' share of a cache build (`scanner::Work`): each chunk of events becomes its
//! rows, its findings packed, and its share of the field inventory, every string named by an
//! id of the chunk's own. The caller's thread (`merge`) then gives those the cache's ids once
//! per distinct string of a chunk, rather than once per event, and the writer thread encodes.
//! The payload is not parsed again: its fields come from the scan's own listing.

use std::ops::Range;

use rusqlite::types::Value;

use super::codec::{self, FxMap, Packed, ts_millis};
use crate::inventory::FieldList;
use crate::model::{Event, Finding, Kind};
use crate::pii::{self, EventScanner};
use crate::scanner::Work;

/// Strings → dense ids, in first-seen order.
#[derive(Default)]
pub(super) struct Dict {
    ids: FxMap<String, u32>,
    pub list: Vec<String>,
}

impl Dict {
    pub fn with_capacity(n: usize) -> Dict {
        Dict {
            ids: FxMap::with_capacity_and_hasher(n, Default::default()),
            list: Vec::with_capacity(n),
        }
    }

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

/// One event's row of `ev`, its strings as ids of its chunk's `vals`; its findings are a range
/// of the chunk's `packed`, their fields ids of the chunk's `fields`.
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

/// What the workers make of one chunk of events.
#[derive(Default)]
pub(super) struct Chunk {
    pub rows: Vec<Row>,
    pub packed: Vec<Packed>,
    /// The chunk's category, name, tenant, session and user strings, in first-seen order.
    pub vals: Dict,
    /// The chunk's finding fields, in first-seen order.
    pub fields: Dict,
    /// (category id + `FieldList::key`) → events of that shape: the inventory's `records`,
    /// counted once per shape rather than once per field.
    pub shapes: FxMap<Vec<u8>, u64>,
    /// [category id][field id] → identifiers found there.
    pub found: Vec<Vec<Option<Found>>>,
    /// Some timestamp is not canonical: the build starts over keeping text.
    pub not_canonical: bool,
    list: FieldList,
    key: Vec<u8>,
    ids: Vec<u32>,
}

/// The identifiers of one category and field in a chunk: `FieldStats` without its records,
/// kinds counted in an array (`Kind` is declared in `Kind::ALL` order).
pub(super) struct Found {
    pub identified: u64,
    pub kinds: [u64; Kind::ALL.len()],
    /// The first identifier of the chunk, masked.
    pub example: String,
}

/// The cache build's `scanner::Work`.
pub(super) struct Encode {
    /// Keep timestamps as text rather than milliseconds.
    pub ts_text: bool,
}

impl Work for Encode {
    type Part = Chunk;

    /// Room for a whole chunk of the scan (2048 events, with about 1000 distinct strings and
    /// 5000 findings in a generated export), so a chunk is not regrown as it fills.
    fn part(&self) -> Chunk {
        Chunk {
            rows: Vec::with_capacity(2048),
            packed: Vec::with_capacity(4096),
            vals: Dict::with_capacity(1024),
            ..Chunk::default()
        }
    }

    /// The inventory counts every field, numbers and booleans too.
    fn all_fields(&self) -> bool {
        true
    }

    fn event(&self, chunk: &mut Chunk, event: &Event, findings: &[Finding], sc: &EventScanner) {
        chunk.add(self.ts_text, event, findings, sc);
    }
}

impl Chunk {
    fn add(&mut self, ts_text: bool, event: &Event, findings: &[Finding], sc: &EventScanner) {
        if self.not_canonical {
            return;
        }
        let s = &event.summary;
        let ts = if ts_text {
            Value::Text(s.ts.clone())
        } else if let Some(ms) = ts_millis(&s.ts) {
            Value::Integer(ms)
        } else {
            self.not_canonical = true;
            return;
        };
        // Ids are taken in the order the cache's dictionaries take them (category, finding
        // fields, name, tenant, session, user), so `merge` gives every string the id a
        // single pass over the events would.
        let category = self.vals.id(&s.category);
        self.ids.clear();
        for (i, f) in findings.iter().enumerate() {
            // Findings come sorted by field: most lookups repeat the previous one.
            let id = match self.ids.last() {
                Some(&last) if findings[i - 1].field == f.field => last,
                _ => self.fields.id(&f.field),
            };
            self.ids.push(id);
        }
        let (kinds, classes) = codec::masks(findings);
        let start = self.packed.len();
        self.packed.extend(
            findings
                .iter()
                .zip(&self.ids)
                .map(|(f, &id)| Packed::new(f, id)),
        );
        let row = Row {
            id: s.id,
            ts,
            category,
            name: self.vals.id(&s.name),
            tenant: s.tenant_id.as_deref().map(|v| self.vals.id(v)),
            session: s.session_id.as_deref().map(|v| self.vals.id(v)),
            user: s.user_id.as_deref().map(|v| self.vals.id(v)),
            kinds,
            classes,
            findings: start..self.packed.len(),
        };
        self.rows.push(row);
        self.count(event, category, findings, sc);
    }

    /// The inventory's share of one event, as `Inventory::add` counts it.
    fn count(&mut self, event: &Event, category: u32, findings: &[Finding], sc: &EventScanner) {
        self.key.clear();
        self.key.extend_from_slice(&category.to_le_bytes());
        self.list
            .key_listed(event, sc.payload_fields(), &mut self.key);
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
            let st = row[field].get_or_insert_with(|| Found {
                identified: 0,
                kinds: [0; Kind::ALL.len()],
                example: example(sc, event, &group[0]),
            });
            st.identified += 1;
            for f in group {
                st.kinds[f.kind as usize] += 1;
            }
        }
    }
}

/// `inventory::masked_value` without parsing the payload again: the value as the scan that
/// just read `event` found it (the span's text, or the whole value), masked; empty when the
/// field is not a string of the event.
fn example(sc: &EventScanner, event: &Event, f: &Finding) -> String {
    let Some(text) = sc.value(event, &f.field) else {
        return String::new();
    };
    let part = f
        .span
        .as_ref()
        .and_then(|r| text.get(r.clone()))
        .unwrap_or(&text);
    pii::mask(f.kind, part)
}
