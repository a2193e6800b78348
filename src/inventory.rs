//! The field inventory (`telex scan --summary`, and the privacy cache keeps one): per category
//! and field, how many records have the field, how many carry identifiers, of which kinds and
//! classes, and one example value as the caller chose to show it. Pure counting, no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{Class, Event, Finding, Kind};
use crate::pii;

mod fields;
pub use fields::FieldList;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldStats {
    /// Records that have the field (a non-null value).
    pub records: u64,
    /// Records where the field carries at least one identifier.
    pub identified: u64,
    pub kinds: BTreeMap<Kind, u64>,
    /// The first identifier seen in scan order, already masked or revealed.
    pub example: Option<String>,
}

impl FieldStats {
    pub fn classes(&self) -> BTreeSet<Class> {
        self.kinds.keys().map(|k| k.class()).collect()
    }
}

/// Category → field → counts. Hash maps while counting (looked up by `&str`, so a field
/// already seen costs no allocation); sorted only when read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Inventory {
    by_category: HashMap<String, HashMap<String, FieldStats>>,
}

impl Inventory {
    /// Counts one event: every field it has, and its findings. `shown` gives a finding's
    /// printable value; it is called only for the first identifier of each field.
    pub fn add(&mut self, event: &Event, findings: &[Finding], shown: impl Fn(&Finding) -> String) {
        let category = &event.summary.category;
        if !self.by_category.contains_key(category) {
            self.by_category.insert(category.clone(), HashMap::new());
        }
        let Some(fields) = self.by_category.get_mut(category) else {
            return;
        };
        let mut list = FieldList::default();
        list.read(event);
        for field in list.iter() {
            bump(fields, field, |st| st.records += 1);
        }
        // Findings come sorted by field: one group per field.
        for group in findings.chunk_by(|a, b| a.field == b.field) {
            bump(fields, &group[0].field, |st| {
                st.identified += 1;
                for f in group {
                    *st.kinds.entry(f.kind).or_default() += 1;
                }
                if st.example.is_none() {
                    st.example = Some(shown(&group[0]));
                }
            });
        }
    }

    /// Adds a later part of the scan: counts add up, the earlier example stays.
    pub fn merge(&mut self, later: Inventory) {
        for (category, fields) in later.by_category {
            let mine = self.by_category.entry(category).or_default();
            for (field, st) in fields {
                let m = mine.entry(field).or_default();
                m.records += st.records;
                m.identified += st.identified;
                for (k, n) in st.kinds {
                    *m.kinds.entry(k).or_default() += n;
                }
                if m.example.is_none() {
                    m.example = st.example;
                }
            }
        }
    }

    /// Sets one row, as read back from the cache.
    pub fn insert(&mut self, category: &str, field: &str, stats: FieldStats) {
        *self.stats_mut(category, field) = stats;
    }

    /// The counts of one category and field, created empty when new.
    /// Not for hot loops: it copies both names.
    pub fn stats_mut(&mut self, category: &str, field: &str) -> &mut FieldStats {
        self.by_category
            .entry(category.to_string())
            .or_default()
            .entry(field.to_string())
            .or_default()
    }

    /// Every `(category, field, stats)`, sorted by category then field.
    pub fn rows(&self) -> Vec<(&str, &str, &FieldStats)> {
        let mut rows: Vec<_> = self
            .by_category
            .iter()
            .flat_map(|(c, fields)| {
                fields
                    .iter()
                    .map(move |(f, st)| (c.as_str(), f.as_str(), st))
            })
            .collect();
        rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        rows
    }
}

/// The finding's value masked for display (the span's text, or the whole value); empty when
/// the field is not a string of the event. Parses the payload only when the finding is in it.
pub fn masked_value(event: &Event, f: &Finding) -> String {
    let show = |text: &str| {
        let part = f
            .span
            .as_ref()
            .and_then(|r| text.get(r.clone()))
            .unwrap_or(text);
        pii::mask(f.kind, part)
    };
    if f.field.starts_with("payload/") {
        let Some(payload) = event.payload.as_deref() else {
            return String::new();
        };
        return pii::Strings::parse(payload)
            .text(&f.field)
            .map(|text| show(&text))
            .unwrap_or_default();
    }
    event.column_text(&f.field).map(show).unwrap_or_default()
}

/// Updates the field's counts; the name is copied only the first time it is seen.
fn bump(fields: &mut HashMap<String, FieldStats>, field: &str, f: impl FnOnce(&mut FieldStats)) {
    match fields.get_mut(field) {
        Some(st) => f(st),
        None => {
            let mut st = FieldStats::default();
            f(&mut st);
            fields.insert(field.to_string(), st);
        }
    }
}
