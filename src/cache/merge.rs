//! The caller's share of a cache build: chunks arrive from the scan workers in `(ts, id)`
//! order, and each distinct string of a chunk gets its id in the cache's dictionaries (so ids
//! are in first-seen order, as one pass over the events would give them); the chunk's share
//! of the inventory is added to the export's.

use super::codec::{FxMap, Packed};
use super::collect::{Chunk, Dict, Found, Row};
use crate::inventory::{FieldList, FieldStats, Inventory};
use crate::model::Kind;

/// One chunk on its way to the writer thread, with the cache's id of each of its own.
pub(super) struct Batch {
    pub rows: Vec<Row>,
    pub packed: Vec<Packed>,
    /// Chunk `vals` id → cache `vals` id.
    pub vals: Vec<u32>,
    /// Chunk `fields` id → cache `fields` id.
    pub fields: Vec<u32>,
}

/// The export's dictionaries and inventory so far.
#[derive(Default)]
pub(super) struct Merger {
    pub vals: Dict,
    pub fields: Dict,
    /// (cache category id + `FieldList::key`) → events of that shape.
    shapes: FxMap<Vec<u8>, u64>,
    /// [category id][field id] → identifiers found there.
    found: Vec<Vec<Option<FieldStats>>>,
    key: Vec<u8>,
}

impl Merger {
    /// Adds the next chunk (in scan order) and returns what the writer needs of it.
    pub fn add(&mut self, chunk: Chunk) -> Batch {
        let vals: Vec<u32> = chunk.vals.list.iter().map(|v| self.vals.id(v)).collect();
        let fields: Vec<u32> = chunk
            .fields
            .list
            .iter()
            .map(|f| self.fields.id(f))
            .collect();
        for (key, n) in chunk.shapes {
            let Some(&category) = key
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .and_then(|c| vals.get(c as usize))
            else {
                continue;
            };
            self.key.clear();
            self.key.extend_from_slice(&category.to_le_bytes());
            self.key.extend_from_slice(&key[4..]);
            match self.shapes.get_mut(self.key.as_slice()) {
                Some(total) => *total += n,
                None => {
                    self.shapes.insert(self.key.clone(), n);
                }
            }
        }
        for (cat, row) in chunk.found.into_iter().enumerate() {
            let Some(&category) = vals.get(cat) else {
                continue;
            };
            for (field, st) in row.into_iter().enumerate() {
                let (Some(st), Some(&field)) = (st, fields.get(field)) else {
                    continue;
                };
                let Found {
                    identified,
                    kinds,
                    example,
                } = st;
                let mine = slot(&mut self.found, category, field).get_or_insert_with(|| {
                    FieldStats {
                        // The first chunk's example: it was seen first.
                        example: Some(example),
                        ..FieldStats::default()
                    }
                });
                mine.identified += identified;
                for (kind, n) in Kind::ALL.into_iter().zip(kinds) {
                    if n > 0 {
                        *mine.kinds.entry(kind).or_default() += n;
                    }
                }
            }
        }
        Batch {
            rows: chunk.rows,
            packed: chunk.packed,
            vals,
            fields,
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

/// `found[category][field]`, made room for.
fn slot(
    found: &mut Vec<Vec<Option<FieldStats>>>,
    category: u32,
    field: u32,
) -> &mut Option<FieldStats> {
    let (cat, field) = (category as usize, field as usize);
    if found.len() <= cat {
        found.resize_with(cat + 1, Vec::new);
    }
    let row = &mut found[cat];
    if row.len() <= field {
        row.resize_with(field + 1, || None);
    }
    &mut row[field]
}
