//! The field inventory (`telex scan --summary`, and the privacy cache keeps one): per category
//! and field, how many records have the field, how many carry identifiers, of which kinds and
//! classes, and one example value as the caller chose to show it. Pure counting, no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::model::{Class, Event, Finding, Kind};
use crate::pii;

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
            .get(&f.field)
            .map(show)
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

/// The fields of one event that the scan reads: the identity columns, extra columns and the
/// payload's leaves (RFC 6901 pointers), or `payload` itself when it is not a JSON object or
/// array. Reusable: reading the next event into it allocates nothing once it is warm, because
/// a cache build does this for every event of the export.
#[derive(Debug, Default)]
pub struct FieldList {
    path: String,
    arena: String,
    ends: Vec<usize>,
}

impl FieldList {
    /// Replaces the list with the fields of `event`. The payload is walked straight from its
    /// text without building a tree; its leaves count only when the whole payload parses, so a
    /// broken one is the single field `payload`, as the scan treats it.
    pub fn read(&mut self, event: &Event) {
        self.read_listed(event, None::<std::iter::Empty<&str>>);
    }

    /// `read`, with the payload's leaves as the scan already listed them (`listed`: the
    /// `EventScanner::payload_fields` of a scanner made `with_all_fields`, which lists the
    /// same leaves in the same order) so the payload is not parsed a second time. `None`
    /// parses it here, as `read` does.
    pub fn read_listed<'l>(
        &mut self,
        event: &Event,
        listed: Option<impl Iterator<Item = &'l str>>,
    ) {
        self.arena.clear();
        self.ends.clear();
        let s = &event.summary;
        for (name, value) in [
            ("tenant_id", &s.tenant_id),
            ("session_id", &s.session_id),
            ("user_id", &s.user_id),
        ] {
            if value.is_some() {
                self.push(name);
            }
        }
        for (name, value) in &event.extra {
            if value.is_some() {
                self.push(name);
            }
        }
        let Some(payload) = event.payload.as_deref() else {
            return;
        };
        if let Some(fields) = listed {
            for field in fields {
                self.push(field);
            }
            return;
        }
        let container = payload
            .bytes()
            .find(|c| !c.is_ascii_whitespace())
            .is_some_and(|c| c == b'{' || c == b'[');
        let (columns, arena_len) = (self.ends.len(), self.arena.len());
        self.path.clear();
        self.path.push_str("payload");
        let parsed = container && {
            let mut de = serde_json::Deserializer::from_str(payload);
            let walk = Walk {
                path: &mut self.path,
                arena: &mut self.arena,
                ends: &mut self.ends,
            };
            walk.deserialize(&mut de).is_ok() && de.end().is_ok()
        };
        if !parsed {
            self.ends.truncate(columns);
            self.arena.truncate(arena_len);
            self.push("payload");
        }
    }

    fn push(&mut self, name: &str) {
        self.arena.push_str(name);
        self.ends.push(self.arena.len());
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.arena[a..b])
    }

    /// An exact key for the whole list (each name preceded by its length), so events of the
    /// same shape can be counted once per shape.
    pub fn key(&self, out: &mut Vec<u8>) {
        for name in self.iter() {
            out.extend_from_slice(&(name.len() as u32).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
        }
    }

    /// The names of a list from its `key`.
    pub fn names_of_key(mut key: &[u8]) -> impl Iterator<Item = &str> {
        std::iter::from_fn(move || {
            let len = u32::from_le_bytes(key.get(..4)?.try_into().ok()?) as usize;
            let name = std::str::from_utf8(key.get(4..4 + len)?).ok()?;
            key = &key[4 + len..];
            Some(name)
        })
    }
}

/// Records the pointer of every non-null scalar leaf under `path`.
struct Walk<'w> {
    path: &'w mut String,
    arena: &'w mut String,
    ends: &'w mut Vec<usize>,
}

impl Walk<'_> {
    fn leaf(self) {
        self.arena.push_str(self.path);
        self.ends.push(self.arena.len());
    }

    fn child(&mut self) -> Walk<'_> {
        Walk {
            path: self.path,
            arena: self.arena,
            ends: self.ends,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.leaf();
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.leaf();
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.leaf();
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.leaf();
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.leaf();
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let len = self.path.len();
            self.path.push('/');
            self.path.push_str(&i.to_string());
            let more = seq.next_element_seed(self.child())?;
            self.path.truncate(len);
            if more.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let len = self.path.len();
            self.path.push('/');
            if key.contains(['~', '/']) {
                self.path
                    .push_str(&key.replace('~', "~0").replace('/', "~1"));
            } else {
                self.path.push_str(&key);
            }
            map.next_value_seed(self.child())?;
            self.path.truncate(len);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventSummary;

    fn event(payload: Option<&str>) -> Event {
        Event {
            summary: EventSummary {
                id: 1,
                ts: "2026-09-01T00:00:00.000Z".into(),
                category: "usage".into(),
                name: "x".into(),
                tenant_id: Some("t".into()),
                session_id: None,
                user_id: Some("u".into()),
            },
            app_name: None,
            app_version: None,
            payload: payload.map(String::from),
            extra: vec![("region".into(), Some("eu".into())), ("n".into(), None)],
        }
    }

    fn fields(payload: Option<&str>) -> Vec<String> {
        let mut list = FieldList::default();
        list.read(&event(Some("[1]")));
        list.read(&event(payload));
        let out: Vec<String> = list.iter().map(String::from).collect();
        let mut key = Vec::new();
        list.key(&mut key);
        assert_eq!(FieldList::names_of_key(&key).collect::<Vec<_>>(), out);
        out
    }

    #[test]
    fn fields_are_columns_and_payload_leaves() {
        assert_eq!(
            fields(Some(
                r#"{"a":1,"b":{"c":"x","d":null,"e/f":[true,"y"]},"g":[]}"#
            )),
            [
                "tenant_id",
                "user_id",
                "region",
                "payload/a",
                "payload/b/c",
                "payload/b/e~1f/0",
                "payload/b/e~1f/1",
            ]
        );
        assert_eq!(fields(Some("not json"))[3..], ["payload"]);
        assert_eq!(fields(Some(r#"{"a":1"#))[3..], ["payload"], "broken JSON");
        assert_eq!(fields(Some(r#""just a string""#))[3..], ["payload"]);
        assert_eq!(fields(None).len(), 3);
    }
}
