//! The fields of one event as the inventory counts them (`FieldList`): identity and extra
//! columns and the payload's leaves, read into reusable buffers, and an exact key of the list
//! so events of one shape can be counted once per shape.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::model::Event;

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
        self.arena.clear();
        self.ends.clear();
        for name in columns(event) {
            self.push(name);
        }
        let Some(payload) = event.payload.as_deref() else {
            return;
        };
        let container = payload
            .bytes()
            .find(|c| !c.is_ascii_whitespace())
            .is_some_and(|c| c == b'{' || c == b'[');
        let (kept, arena_len) = (self.ends.len(), self.arena.len());
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
            self.ends.truncate(kept);
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
            key_name(name, out);
        }
    }

    /// `read` then `key`, for an event the scan has listed: `listed` is the
    /// `EventScanner::payload_fields` of a scanner made `with_all_fields` (the same leaves in
    /// the same order as `read` finds), so the names go straight into the key and the payload
    /// is not parsed a second time. `None` reads the event as `read` does.
    pub fn key_listed<'l>(
        &mut self,
        event: &Event,
        listed: Option<impl Iterator<Item = &'l str>>,
        out: &mut Vec<u8>,
    ) {
        match listed {
            Some(fields) if event.payload.is_some() => {
                for name in columns(event) {
                    key_name(name, out);
                }
                for name in fields {
                    key_name(name, out);
                }
            }
            _ => {
                self.read(event);
                self.key(out);
            }
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

/// The columns of the event that are fields: the identity columns and extra columns that are
/// not null.
fn columns(event: &Event) -> impl Iterator<Item = &str> {
    let s = &event.summary;
    let identity = [
        ("tenant_id", &s.tenant_id),
        ("session_id", &s.session_id),
        ("user_id", &s.user_id),
    ];
    let extra = event.extra.iter().map(|(name, v)| (name.as_str(), v));
    identity
        .into_iter()
        .chain(extra)
        .filter(|(_, v)| v.is_some())
        .map(|(name, _)| name)
}

fn key_name(name: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(&(name.len() as u32).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
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

    #[test]
    fn the_scans_listing_keys_the_list_as_reading_it_does() {
        let deep = format!("{}1{}", "[".repeat(130), "]".repeat(130));
        let payloads = [
            None,
            Some(r#"{"a":1,"b":{"c":"x","d":null,"e/f":[true,"y"]},"g":[],"h":{}}"#),
            Some(r#"{"k":"x","k":2}"#),
            Some(r#"{"\u00e9~":"\ud83d\ude00","n":1e5,"m":-0.5}"#),
            Some(r#"  [1, "two", null, {"x": false}] "#),
            Some("not json"),
            Some(r#"{"a":1"#),
            Some(r#""just a string""#),
            Some(deep.as_str()),
        ];
        for payload in payloads {
            let e = event(payload);
            let mut list = FieldList::default();
            list.read(&e);
            let mut want = Vec::new();
            list.key(&mut want);
            let mut sc = crate::pii::EventScanner::with_all_fields();
            sc.scan(&e);
            let mut got = Vec::new();
            FieldList::default().key_listed(&e, sc.payload_fields(), &mut got);
            assert_eq!(got, want, "{payload:?}");
        }
    }
}
