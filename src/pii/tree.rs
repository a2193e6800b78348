//! A borrowing JSON tree built by serde_json: the reference parse. The scan's own tokenizer
//! (`json.rs`) defers to it for anything it is not sure of, and `Strings` answers pointer
//! lookups with it when a payload repeats a key.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

pub(crate) enum Json<'a> {
    Str(Cow<'a, str>),
    Obj(Vec<(Key<'a>, Json<'a>)>),
    Arr(Vec<Json<'a>>),
    /// Numbers: scanned when their key names a coordinate, fields of the inventory anyway.
    Number(serde_json::Number),
    /// Booleans: never scanned, but fields of the inventory.
    Scalar,
    Null,
}

pub(crate) struct Key<'a>(pub Cow<'a, str>);

pub(crate) fn parse(text: &str) -> Option<Json<'_>> {
    serde_json::from_str(text).ok()
}

/// A parsed payload that answers "which string is at `payload/a/0/b`?": how outputs find the
/// value behind a finding without a second, allocating parse into `serde_json::Value`.
pub struct Strings<'a>(Option<Json<'a>>);

impl<'a> Strings<'a> {
    pub fn parse(payload: &'a str) -> Strings<'a> {
        Strings(parse(payload))
    }

    /// The string leaf at `field` (`payload` + RFC 6901 pointer), if there is one.
    pub fn get(&self, field: &str) -> Option<&str> {
        match self.node(field)? {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The text of the leaf at `field` a finding can name: a string, or a number (a
    /// coordinate) as serde_json prints it.
    pub fn text(&self, field: &str) -> Option<Cow<'_, str>> {
        match self.node(field)? {
            Json::Str(s) => Some(Cow::Borrowed(s)),
            Json::Number(n) => Some(Cow::Owned(n.to_string())),
            _ => None,
        }
    }

    fn node(&self, field: &str) -> Option<&Json<'a>> {
        let mut node = self.0.as_ref()?;
        let pointer = field.strip_prefix("payload")?;
        if !pointer.is_empty() {
            for raw in pointer.strip_prefix('/')?.split('/') {
                let key: Cow<str> = if raw.contains('~') {
                    Cow::Owned(raw.replace("~1", "/").replace("~0", "~"))
                } else {
                    Cow::Borrowed(raw)
                };
                node = match node {
                    Json::Obj(map) => &map.iter().rev().find(|(k, _)| k.0 == key)?.1,
                    Json::Arr(items) => items.get(key.parse::<usize>().ok()?)?,
                    Json::Str(_) | Json::Number(_) | Json::Scalar | Json::Null => return None,
                };
            }
        }
        Some(node)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v)))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Json<'de>, E> {
        Ok(Json::Scalar)
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        // JSON has no NaN or infinity: serde_json never hands one over.
        Ok(serde_json::Number::from_f64(v).map_or(Json::Scalar, Json::Number))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Json::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Json::Obj(entries))
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let Some(Json::Obj(m)) = parse(r#"{"a":"x","b\/":"y\n","c":[1,"z"]}"#) else {
            panic!("object expected");
        };
        assert!(matches!(&m[0].0.0, Cow::Borrowed("a")));
        assert!(matches!(&m[0].1, Json::Str(Cow::Borrowed("x"))));
        assert!(matches!(&m[1].0.0, Cow::Owned(k) if k == "b/"));
        assert!(matches!(&m[1].1, Json::Str(Cow::Owned(v)) if v == "y\n"));
        assert!(matches!(&m[2].1, Json::Arr(a) if a.len() == 2));
        assert!(parse("not json").is_none());
    }
}
