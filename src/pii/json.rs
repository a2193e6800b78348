//! The payload's leaves in one pass, without a tree: each string (and, on request, number and
//! boolean) with its RFC 6901 pointer and last key. Strings point into the payload unless they
//! had escapes; all buffers are kept between events, so a scan allocates almost nothing here.
//!
//! serde_json stays the reference: this tokenizer accepts only text it is sure serde_json would
//! parse the same way, and hands anything else (exponents, surrogate escapes, deep nesting,
//! invalid text) to `tree::parse`, whose tree is then listed the same way.

use std::ops::Range;

use super::fieldname::{Axis, Hints};
use super::tree::Json;
use crate::text::word_at;
use parser::Parser;

mod parser;

/// Where a key or string lives: in the payload, or in `Doc::text` when it had escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Str {
    start: usize,
    end: usize,
    owned: bool,
}

impl Str {
    const EMPTY: Str = Str {
        start: 0,
        end: 0,
        owned: false,
    };
}

/// The last step of a pointer, appended only where it is needed: onto a leaf's own copy of
/// the path, or onto the current path while a container is read.
#[derive(Clone, Copy)]
enum Seg<'s> {
    Here,
    /// A key of the payload without escapes, `~` or `/` (most keys): copied as it is.
    Plain(&'s str),
    /// Any other key: escaped as a pointer needs.
    Key(Str),
    Index(usize),
}

impl Seg<'_> {
    #[inline(always)]
    fn push_onto(self, path: &mut String, text: &str, src: &str) {
        match self {
            Seg::Here => {}
            Seg::Plain(name) => {
                path.push('/');
                path.push_str(name);
            }
            Seg::Key(k) => {
                path.push('/');
                let name = if k.owned { text } else { src };
                push_escaped(path, &name[k.start..k.end]);
            }
            Seg::Index(n) => {
                path.push('/');
                push_index(path, n);
            }
        }
    }
}

/// One leaf: its pointer (a range of `Doc::paths`), the key that names it (an array element is
/// named by its array's key; a generic key by its parent too, see `Doc::hint_name`), and its
/// string value (`None` for numbers and booleans; see `Doc::coordinates` for the numbers
/// that are scanned).
#[derive(Debug, Clone)]
pub(crate) struct Leaf {
    pub path: Range<usize>,
    pub key: Str,
    pub value: Option<Str>,
}

/// The leaves of one payload, and the buffers reused for the next.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    pub leaves: Vec<Leaf>,
    /// The numbers whose key names a coordinate (`"lat": 47.6062`), the only numbers scanned,
    /// with their text as serde_json prints them (so both listings, and the redaction, agree on
    /// it), and the axis their key names. Kept apart from `leaves`, which they would make
    /// bigger and slower to walk.
    pub coordinates: Vec<(Leaf, Axis)>,
    /// Every leaf's pointer, back to back.
    paths: String,
    /// Keys and strings that had escapes, unescaped.
    text: String,
    /// Some object repeats a key: lookups by pointer must then follow serde_json's tree.
    pub duplicate_keys: bool,
    path: String,
    /// The keys of the objects being read, with a fingerprint that settles most comparisons.
    keys: Vec<(u64, Str)>,
}

/// Deeper payloads go to serde_json, which enforces its own recursion limit (128).
const MAX_DEPTH: u32 = 100;

impl Doc {
    /// Lists the leaves of `src` under the pointer root `root` (`payload`). `scalars` keeps
    /// numbers and booleans too. False when `src` is not JSON serde_json would parse to a
    /// container; the leaves are then meaningless.
    pub fn parse(&mut self, src: &str, root: &str, scalars: bool) -> bool {
        if self.tokenize(src, root, scalars) {
            return true;
        }
        match super::tree::parse(src) {
            Some(tree @ (Json::Obj(_) | Json::Arr(_))) => {
                self.clear(root);
                self.walk(&tree, Str::EMPTY, scalars);
                true
            }
            _ => false,
        }
    }

    /// The tokenizer's listing alone: false where it is not sure, and serde_json decides.
    fn tokenize(&mut self, src: &str, root: &str, scalars: bool) -> bool {
        self.clear(root);
        let mut p = Parser {
            b: src.as_bytes(),
            src,
            i: 0,
            doc: self,
            scalars,
        };
        if p.value(Str::EMPTY, Seg::Here, 0).is_none() {
            return false;
        }
        p.ws();
        p.i == p.b.len()
    }

    fn clear(&mut self, root: &str) {
        self.leaves.clear();
        self.coordinates.clear();
        self.paths.clear();
        self.text.clear();
        self.keys.clear();
        self.duplicate_keys = false;
        self.path.clear();
        self.path.push_str(root);
    }

    /// The text of a key or value of the payload `src` this document was parsed from.
    pub fn str<'a>(&'a self, src: &'a str, s: Str) -> &'a str {
        let text = if s.owned { &self.text } else { src };
        text.get(s.start..s.end).unwrap_or_default()
    }

    pub fn path(&self, leaf: &Leaf) -> &str {
        self.paths.get(leaf.path.clone()).unwrap_or_default()
    }

    /// A leaf at the current path plus `seg`, written straight into `paths`.
    #[inline(always)]
    fn leaf(&mut self, key: Str, seg: Seg, value: Option<Str>, src: &str) {
        let path = self.leaf_path(seg, src);
        self.leaves.push(Leaf { path, key, value });
    }

    /// The current path plus `seg`, appended to `paths`.
    #[inline(always)]
    fn leaf_path(&mut self, seg: Seg, src: &str) -> Range<usize> {
        let start = self.paths.len();
        self.paths.push_str(&self.path);
        seg.push_onto(&mut self.paths, &self.text, src);
        start..self.paths.len()
    }

    /// A number at the current path plus `seg`: one of the `coordinates` when its key names
    /// one (`coordinate`: serde_json's reading of the number, and the axis), and a leaf when
    /// `scalars` asks for every leaf.
    fn number_leaf(
        &mut self,
        key: Str,
        seg: Seg,
        coordinate: Option<(&serde_json::Number, Axis)>,
        src: &str,
        scalars: bool,
    ) {
        if scalars {
            self.leaf(key, seg, None, src);
        }
        if let Some((n, axis)) = coordinate {
            let text = self.owned(&n.to_string());
            let path = self.leaf_path(seg, src);
            let leaf = Leaf {
                path,
                key,
                value: Some(text),
            };
            self.coordinates.push((leaf, axis));
        }
    }

    /// Names `to` what a pair's `value` listed before its name (`early`): the leaves it
    /// named itself (its own string, and typed values named by their parent alone). Leaves
    /// with a key of their own below it keep theirs, as they would have. Rare: kept out of
    /// the tokenizer's loop.
    #[cold]
    #[inline(never)]
    fn rename(&mut self, early: Early, to: Str) {
        let Early {
            name,
            leaves,
            coordinates,
        } = early;
        let renamed = |l: &mut Leaf| {
            if l.key == name {
                l.key = to;
            }
        };
        self.leaves
            .get_mut(leaves)
            .into_iter()
            .flatten()
            .for_each(renamed);
        self.coordinates
            .get_mut(coordinates)
            .into_iter()
            .flatten()
            .for_each(|(l, _)| renamed(l));
    }

    fn owned(&mut self, s: &str) -> Str {
        let start = self.text.len();
        self.text.push_str(s);
        Str {
            start,
            end: self.text.len(),
            owned: true,
        }
    }

    /// The same listing from serde_json's tree (every string copied: this path is rare).
    fn walk(&mut self, v: &Json, key: Str, scalars: bool) {
        match v {
            Json::Str(s) => {
                let s = self.owned(s);
                self.leaf(key, Seg::Here, Some(s), "");
            }
            Json::Number(n) => {
                let axis = super::fieldname::coordinate_axis(self.str("", key));
                self.number_leaf(key, Seg::Here, axis.map(|a| (n, a)), "", scalars);
            }
            Json::Scalar if scalars => self.leaf(key, Seg::Here, None, ""),
            Json::Scalar | Json::Null => {}
            Json::Obj(map) => {
                let mut object = ObjectKeys::new(self);
                let mut pair = Pair::default();
                for (k, child) in map {
                    let k = self.owned(&k.0);
                    let (print, _) = key_facts(&self.text.as_bytes()[k.start..k.end]);
                    self.add_key(&mut object, k, print, "");
                    let len = self.path.len();
                    self.path.push('/');
                    push_escaped(&mut self.path, &self.text[k.start..k.end]);
                    let role = self.pair_role(k, "");
                    let name = pair
                        .name_of(role)
                        .unwrap_or_else(|| self.hint_name(key, k, ""));
                    let first = self.leaves.len();
                    let mark = pair.mark(role, self);
                    self.walk(child, name, scalars);
                    if let Some(mark) = mark {
                        pair.listed(mark, name, self);
                    }
                    if let (Json::Str(_), Some(leaf)) = (child, self.leaves.get(first)) {
                        let s = leaf.value.unwrap_or(Str::EMPTY);
                        if let Some(early) = pair.saw(role, s) {
                            self.rename(early, s);
                        }
                    }
                    self.path.truncate(len);
                }
                self.keys.truncate(object.first);
            }
            Json::Arr(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = self.path.len();
                    self.path.push('/');
                    push_index(&mut self.path, i);
                    self.walk(child, key, scalars);
                    self.path.truncate(len);
                }
            }
        }
    }

    /// What key `k` is in a key/value pair object (see `Pair`).
    #[inline]
    fn pair_role(&self, k: Str, src: &str) -> Role {
        // Told by length first: this runs for every key.
        if !matches!(k.end - k.start, 3..=5) {
            return Role::Other;
        }
        let key = self.str(src, k);
        // All three end in `e` or `y`: most keys are told apart by that byte alone.
        if !matches!(key.as_bytes().last(), Some(b'e' | b'y')) {
            return Role::Other;
        }
        match key {
            "key" | "name" => Role::Key,
            "value" => Role::Value,
            _ => Role::Other,
        }
    }

    /// The name that key `k` of an object named `parent` gives its value's hints. Nested
    /// exports (Sentry's `user.id`, Segment's `context.device.id` and `traits.company.name`,
    /// Application Insights' `context.session.id`) put what a value is in the parent's key and
    /// leave a bare `id` or `name` below it: those are named `device.id`, `company.name`. A
    /// `name` under a person's key (`user`, `author`) stays a bare `name`, a person's name.
    /// OpenTelemetry's typed values (`{"stringValue": …}`, `{"arrayValue": {"values": […]}}`)
    /// are named by their parent alone.
    #[inline]
    fn hint_name(&mut self, parent: Str, k: Str, src: &str) -> Str {
        if parent.start == parent.end {
            return k;
        }
        // Most keys are none of these: told by their length before their text (inlined, as
        // this runs for every key).
        match k.end - k.start {
            2 | 4 => self.hint_name_of_id_or_name(parent, k, src),
            6 | 8..=11 if is_typed_value(self.str(src, k)) => parent,
            _ => k,
        }
    }

    fn hint_name_of_id_or_name(&mut self, parent: Str, k: Str, src: &str) -> Str {
        let key = self.str(src, k);
        if !(key.eq_ignore_ascii_case("id") || key.eq_ignore_ascii_case("name")) {
            return k;
        }
        let of = self.str(src, parent);
        let hints = super::fieldname::hints(of);
        let personal = hints.any(Hints::USER) || hints.any(Hints::PERSON);
        if hints.is_empty() || personal && key.eq_ignore_ascii_case("name") {
            return k;
        }
        let start = self.text.len();
        self.push_text(parent, src);
        self.text.push('.');
        self.push_text(k, src);
        Str {
            start,
            end: self.text.len(),
            owned: true,
        }
    }

    /// Appends `s` to `text` (where it may already live: copied through its range).
    fn push_text(&mut self, s: Str, src: &str) {
        if s.owned {
            self.text.extend_from_within(s.start..s.end);
        } else {
            self.text.push_str(&src[s.start..s.end]);
        }
    }

    /// Notes key `k` (fingerprint `print`) of `object`, and whether it repeats one of its keys.
    #[inline(always)]
    fn add_key(&mut self, object: &mut ObjectKeys, k: Str, print: u64, src: &str) {
        // Most keys are new to their object, which its filter tells without a look at them.
        let bit = 1 << (print.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58);
        if object.seen & bit != 0 && !self.duplicate_keys {
            self.duplicate_keys = self.repeats(object.first, k, print, src);
        }
        object.seen |= bit;
        self.keys.push((print, k));
    }

    /// Whether key `k` (fingerprint `print`) is among the keys from `first` on.
    fn repeats(&self, first: usize, k: Str, print: u64, src: &str) -> bool {
        let name = self.str(src, k).as_bytes();
        self.keys[first..]
            .iter()
            .any(|(p, other)| *p == print && self.str(src, *other).as_bytes() == name)
    }
}

/// The keys of the object being read: where they start in `Doc::keys`, and a one-word filter
/// of their fingerprints (a key whose bit is not set yet cannot repeat one).
pub(super) struct ObjectKeys {
    pub first: usize,
    seen: u64,
}

impl ObjectKeys {
    pub fn new(doc: &Doc) -> ObjectKeys {
        ObjectKeys {
            first: doc.keys.len(),
            seen: 0,
        }
    }
}

/// What a key is in an object that pairs a name with a value (see `Pair`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// `key` or `name`: its string names the pair's value.
    Key,
    /// `value`.
    Value,
    Other,
}

/// Key/value pair objects put what a value is in a sibling's string: OpenTelemetry's
/// attributes (`{"key": "enduser.id", "value": {"stringValue": …}}`) and HAR's headers
/// (`{"name": "Authorization", "value": "Bearer …"}`). The `key` (or `name`) string read so
/// far in an object names its `value` member, as a key would. Both formats write the name
/// first, but JSON does not order members: a `value` read before its name is named again
/// when the name comes (`Doc::rename`).
#[derive(Debug, Default)]
pub(super) struct Pair {
    name: Option<Str>,
    /// A `value` member read before any name: what it was named, and what it listed.
    early: Option<Early>,
}

/// What a `value` member listed before its pair's name was read (see `Pair`).
#[derive(Debug)]
pub(super) struct Early {
    name: Str,
    leaves: Range<usize>,
    coordinates: Range<usize>,
}

/// Where the listing stands, to tell later what a member added (`Pair::listed`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    leaves: usize,
    coordinates: usize,
}

impl Pair {
    /// The name of a member whose key has `role`, when the pair gives it one.
    pub fn name_of(&self, role: Role) -> Option<Str> {
        self.name.filter(|_| role == Role::Value)
    }

    /// Where the listing stands before a member whose key has `role`, when that member is a
    /// `value` with no name yet (it may have to be named again).
    #[inline(always)]
    pub fn mark(&self, role: Role, doc: &Doc) -> Option<Mark> {
        (role == Role::Value && self.name.is_none()).then_some(Mark {
            leaves: doc.leaves.len(),
            coordinates: doc.coordinates.len(),
        })
    }

    /// Notes what the `value` member named `name` listed since `mark`.
    pub fn listed(&mut self, mark: Mark, name: Str, doc: &Doc) {
        self.early = Some(Early {
            name,
            leaves: mark.leaves..doc.leaves.len(),
            coordinates: mark.coordinates..doc.coordinates.len(),
        });
    }

    /// Notes a member with a string value `s`. When it names the pair (`role` is
    /// `Role::Key`), returns the `value` read before it, if any, to be named `s`
    /// (`Doc::rename`).
    #[inline(always)]
    #[must_use]
    pub fn saw(&mut self, role: Role, s: Str) -> Option<Early> {
        if role != Role::Key {
            return None;
        }
        self.name = Some(s);
        self.early.take()
    }
}

/// OpenTelemetry's AnyValue members, and an array value's `values`.
#[inline]
fn is_typed_value(key: &str) -> bool {
    // All end in `e` or `s`: most keys are told apart by that byte alone.
    matches!(key.as_bytes().last(), Some(b'e' | b's'))
        && matches!(
            key,
            "stringValue"
                | "intValue"
                | "boolValue"
                | "doubleValue"
                | "bytesValue"
                | "arrayValue"
                | "kvlistValue"
                | "values"
        )
}

/// What the listing needs of a key's bytes: a fingerprint (equal keys have equal ones), and
/// whether it holds `~` or `/`, which a pointer escapes. Both from at most two words of it
/// for keys up to 16 bytes, the usual ones.
#[inline(always)]
fn key_facts(name: &[u8]) -> (u64, bool) {
    let n = name.len();
    let (head, tail) = match n {
        0 => (0, 0),
        1..=3 => (
            u64::from(name[0]) | u64::from(name[n / 2]) << 8 | u64::from(name[n - 1]) << 16,
            0,
        ),
        4..=7 => (u64::from(word4(name, 0)), u64::from(word4(name, n - 4))),
        _ => (word_at(name, 0), word_at(name, n - 8)),
    };
    let print = head ^ tail.rotate_left(29) ^ (n as u64).rotate_right(8);
    // The words cover every byte of keys up to 16 bytes, and their padding is zero bytes.
    // As an array, both words are checked in one vector operation.
    let escape = if n <= 16 {
        [head, tail].map(tilde_or_slash) != [0, 0]
    } else {
        has_tilde_or_slash(name)
    };
    (print, escape)
}

#[inline(always)]
fn word4(b: &[u8], i: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[i..i + 4]);
    u32::from_le_bytes(w)
}

/// The high bit of each byte of `w` that is `~` or `/` (and maybe of a byte above one).
#[inline(always)]
fn tilde_or_slash(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    zero(w ^ (ONES * u64::from(b'~'))) | zero(w ^ (ONES * u64::from(b'/')))
}

/// Whether `b` holds `~` or `/`, eight bytes at a time.
fn has_tilde_or_slash(b: &[u8]) -> bool {
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        if tilde_or_slash(word_at(c, 0)) != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&c| c == b'~' || c == b'/')
}

/// A key as a pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`).
pub(crate) fn push_escaped(path: &mut String, key: &str) {
    if has_tilde_or_slash(key.as_bytes()) {
        path.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        path.push_str(key);
    }
}

pub(crate) fn push_index(path: &mut String, mut n: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &buf[i..] {
        path.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::random_texts;

    /// The leaves, the coordinates, and whether a key repeats.
    type Listing = Option<(Vec<Item>, Vec<Item>, bool)>;
    type Item = (String, String, Option<String>);

    fn leaves(src: &str, scalars: bool) -> Listing {
        let mut doc = Doc::default();
        if !doc.parse(src, "payload", scalars) {
            return None;
        }
        Some((
            listing(&doc, &doc.leaves, src),
            listing(&doc, &coordinate_leaves(&doc), src),
            doc.duplicate_keys,
        ))
    }

    fn coordinate_leaves(doc: &Doc) -> Vec<Leaf> {
        doc.coordinates.iter().map(|(l, _)| l.clone()).collect()
    }

    /// Each leaf as (pointer, key, string value).
    fn listing(doc: &Doc, leaves: &[Leaf], src: &str) -> Vec<Item> {
        leaves
            .iter()
            .map(|l| {
                (
                    doc.path(l).to_string(),
                    doc.str(src, l.key).to_string(),
                    l.value.map(|v| doc.str(src, v).to_string()),
                )
            })
            .collect()
    }

    /// The listing of `src` through serde_json's tree.
    fn walked(src: &str, scalars: bool) -> Listing {
        let mut doc = Doc::default();
        doc.clear("payload");
        match super::super::tree::parse(src) {
            Some(tree @ (Json::Obj(_) | Json::Arr(_))) => {
                doc.walk(&tree, Str::EMPTY, scalars);
                Some((
                    listing(&doc, &doc.leaves, src),
                    listing(&doc, &coordinate_leaves(&doc), src),
                    repeats_a_key(&tree),
                ))
            }
            _ => None,
        }
    }

    /// Whether some object of `v` repeats a key, told without `Doc::add_key`.
    fn repeats_a_key(v: &Json) -> bool {
        match v {
            Json::Obj(map) => {
                let keys: std::collections::HashSet<&str> =
                    map.iter().map(|(k, _)| k.0.as_ref()).collect();
                keys.len() < map.len() || map.iter().any(|(_, child)| repeats_a_key(child))
            }
            Json::Arr(items) => items.iter().any(repeats_a_key),
            _ => false,
        }
    }

    /// The listing of `src` (with numbers and booleans), checked against serde_json's.
    fn both(src: &str) -> Listing {
        let fast = leaves(src, true);
        assert_eq!(fast, walked(src, true), "{src}");
        fast
    }

    #[test]
    fn leaves_carry_pointers_keys_and_values() {
        let (l, _, dup) =
            both(r#"{"a":"x","b\/~":"y\n\u00e9","c":[1,"z",{"d":true}],"n":null}"#).expect("json");
        assert!(!dup);
        let want = [
            ("payload/a", "a", Some("x")),
            ("payload/b~1~0", "b/~", Some("y\né")),
            ("payload/c/0", "c", None),
            ("payload/c/1", "c", Some("z")),
            ("payload/c/2/d", "d", None),
        ];
        let got: Vec<_> = l
            .iter()
            .map(|(p, k, v)| (p.as_str(), k.as_str(), v.as_deref()))
            .collect();
        assert_eq!(got, want);
        let (strings, _, _) = leaves(r#"{"a":"x","n":5}"#, false).expect("json");
        assert_eq!(strings.len(), 1);
        // Numbers named as coordinates are listed apart, with serde_json's text.
        let src = r#"{"n":5,"lat":47.60620,"lng":-1e1}"#;
        let (l, coordinates, _) = leaves(src, false).expect("json");
        assert!(l.is_empty());
        let lat = ("payload/lat".into(), "lat".into(), Some("47.6062".into()));
        let lng = ("payload/lng".into(), "lng".into(), Some("-10.0".into()));
        assert_eq!(coordinates, [lat, lng]);
        let (l, _, _) = leaves(src, true).expect("json");
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn generic_keys_are_named_with_a_hinted_parent() {
        let src = r#"{"user":{"id":"u","name":"n"},"device":{"id":"d","name":"m"},"traits":{"name":"t"},"items":[{"id":"i"}],"session":[{"id":"e"}],"a\/b":{"Id":"x"}}"#;
        let (l, _, _) = both(src).expect("json");
        let keys: Vec<(&str, &str)> = l.iter().map(|(p, k, _)| (p.as_str(), k.as_str())).collect();
        assert_eq!(
            keys,
            [
                ("payload/user/id", "user.id"),
                ("payload/user/name", "name"),
                ("payload/device/id", "device.id"),
                ("payload/device/name", "device.name"),
                ("payload/traits/name", "name"),
                ("payload/items/0/id", "id"),
                ("payload/session/0/id", "session.id"),
                ("payload/a~1b/Id", "Id"),
            ]
        );
    }

    #[test]
    fn pairs_name_their_value_by_their_key() {
        let src = r#"{"attributes":[{"key":"enduser.id","value":{"stringValue":"u"}},{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"t"}]}}},{"key":"s\u00e9ssion","value":{"intValue":"7"}},{"value":{"stringValue":"v"},"key":"late"},{"value":{"kvlistValue":{"values":[{"key":"inner","value":{"stringValue":"w"}}]}},"key":"outer"}],"headers":[{"name":"Authorization","value":"Bearer x"},{"value":"Basic y","name":"Proxy-Authorization"}],"body":{"stringValue":"b"},"stringValue":"top","k":{"key":3,"value":"n"}}"#;
        let (l, _, _) = both(src).expect("json");
        let keys: Vec<(&str, &str)> = l.iter().map(|(p, k, _)| (p.as_str(), k.as_str())).collect();
        assert_eq!(
            keys,
            [
                ("payload/attributes/0/key", "key"),
                ("payload/attributes/0/value/stringValue", "enduser.id"),
                ("payload/attributes/1/key", "key"),
                (
                    "payload/attributes/1/value/arrayValue/values/0/stringValue",
                    "tags"
                ),
                ("payload/attributes/2/key", "key"),
                ("payload/attributes/2/value/intValue", "séssion"),
                // A value before its key is named when the key comes.
                ("payload/attributes/3/value/stringValue", "late"),
                ("payload/attributes/3/key", "key"),
                // ... but what has a name of its own below it keeps it.
                ("payload/attributes/4/value/kvlistValue/values/0/key", "key"),
                (
                    "payload/attributes/4/value/kvlistValue/values/0/value/stringValue",
                    "inner"
                ),
                ("payload/attributes/4/key", "key"),
                ("payload/headers/0/name", "name"),
                ("payload/headers/0/value", "Authorization"),
                ("payload/headers/1/value", "Proxy-Authorization"),
                ("payload/headers/1/name", "name"),
                ("payload/body/stringValue", "body"),
                ("payload/stringValue", "stringValue"),
                ("payload/k/key", "key"),
                // Only a string key names a value.
                ("payload/k/value", "value"),
            ]
        );
    }

    #[test]
    fn agrees_with_serde_json_on_edge_cases() {
        for src in [
            "{}",
            "[]",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":-}",
            "{\"a\":1e5,\"b\":\"x\"}",
            "{\"a\":1E400}",
            "{\"a\":-0.25}",
            "{\"a\":\"\\ud83d\\ude00\"}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":\"x\"} trailing",
            "{\"a\":\"x\"}  \n",
            "\u{c}{}",
            "{\"a\":tru}",
            "{\"k\":1,\"k\":\"v\"}",
            "{\"a\":{\"b\":\"x\"},\"a\":{\"c\":\"y\"}}",
            &format!("{}\"x\"{}", "[".repeat(127), "]".repeat(127)),
            &format!("{}\"x\"{}", "[".repeat(128), "]".repeat(128)),
            &format!("{{\"a\":1{}}}", "0".repeat(310)),
        ] {
            both(src);
        }
        assert!(both("{\"k\":1,\"k\":\"v\"}").expect("json").2);
        let pieces = [
            "a",
            "é",
            "\\\"",
            "\\\\",
            "\\n",
            "\\u00e9",
            "\\/",
            " ",
            "0123456789",
            "~",
            "/",
            "\t",
        ];
        for text in random_texts(9, &pieces, 5_000) {
            both(&format!("{{\"{text}\":\"{text}\",\"x\":[\"{text}\"]}}"));
        }
        assert!(both("[1,]").is_none());
    }

    #[test]
    fn key_facts_see_every_pointer_character() {
        // Every length around the one- and two-word cases, every position, and the bytes a
        // word's borrows could mistake for `~` (0x7e) or `/` (0x2f).
        for n in 0..40 {
            for at in 0..n {
                for c in [b'~', b'/', b'.', 0x7f, b'}', b'0', 0x00, 0xfe] {
                    let mut key = vec![b'k'; n];
                    key[at] = c;
                    let pointer = c == b'~' || c == b'/';
                    assert_eq!(key_facts(&key).1, pointer, "{key:?}");
                    key[n - 1] = b'/';
                    assert!(key_facts(&key).1, "{key:?}");
                }
            }
        }
    }

    /// Random JSON-like text: nested objects and arrays, repeated and generic keys under
    /// hinted parents, strings with escapes and pointer characters, now and then what the
    /// tokenizer leaves to serde_json (exponents, surrogates, raw tabs, a form feed) and
    /// mistakes. Choices are `|`-separated.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        /// One of `common`, or one of `rare` once in `odds` times.
        fn pick<'a>(&mut self, common: &'a str, rare: &'a str, odds: usize) -> &'a str {
            let from = if self.next(odds) == 0 { rare } else { common };
            let choices: Vec<&str> = from.split('|').collect();
            choices[self.next(choices.len())]
        }

        fn ws(&mut self, out: &mut String) {
            if self.next(6) == 0 {
                out.push_str(self.pick(" |\n|\t|\r\n  ", "\u{c}", 50));
            }
        }

        fn string(&mut self, out: &mut String) {
            out.push('"');
            for _ in 0..self.next(5) {
                out.push_str(self.pick(
                    r#"a|id|name|user|device|Ab|é|日本|~|/|#|!| |\"|\\|\/|\n|\u00e9|\u007e|0123456789abcdef"#,
                    "\\ud83d\\ude00|\\ud800|\t|\u{1}",
                    40,
                ));
            }
            out.push('"');
        }

        fn key(&mut self, out: &mut String) {
            if self.next(3) == 0 {
                return self.string(out);
            }
            out.push_str(self.pick(
                r#""id"|"name"|"Id"|"NAME"|"user"|"device"|"session"|"traits"|"a"|"a/b"|"~"|"x\u0069d"|"long_key_name_here_x"|"long_key_name_here_y"|"lat"|"coordinates"|"l\u0061t""#,
                r#""""#,
                10,
            ));
        }

        fn value(&mut self, out: &mut String, depth: u32) {
            self.ws(out);
            match self.next(if depth > 4 { 4 } else { 7 }) {
                0 | 1 => self.string(out),
                2 => out.push_str(self.pick(
                    "0|-1|12.5|-0.0|3.25|123456789012345678901234567890|47.60620|-122.3321",
                    "1e5|1E400|01|1.|-",
                    10,
                )),
                3 => out.push_str(self.pick("true|false|null", "tru|nul", 20)),
                4 | 5 => {
                    out.push('{');
                    for i in 0..self.next(5) {
                        if i > 0 {
                            out.push(',');
                        }
                        self.ws(out);
                        self.key(out);
                        self.ws(out);
                        out.push(':');
                        self.value(out, depth + 1);
                    }
                    self.ws(out);
                    out.push('}');
                }
                _ => {
                    out.push('[');
                    for i in 0..self.next(4) {
                        if i > 0 {
                            out.push(',');
                        }
                        self.value(out, depth + 1);
                    }
                    out.push(']');
                }
            }
            self.ws(out);
        }

        fn document(&mut self) -> String {
            let mut out = String::new();
            let array = self.next(4) == 0;
            out.push(if array { '[' } else { '{' });
            for i in 0..self.next(6) {
                if i > 0 {
                    out.push(',');
                }
                if !array {
                    self.key(&mut out);
                    out.push(':');
                }
                self.value(&mut out, 1);
            }
            out.push(if array { ']' } else { '}' });
            if self.next(30) == 0 {
                // A mistake: a byte dropped, or a stray comma.
                let at = self.next(out.len());
                if out.is_char_boundary(at) && out.is_char_boundary(at + 1) {
                    if self.next(2) == 0 {
                        out.remove(at);
                    } else {
                        out.insert(at, ',');
                    }
                }
            }
            out
        }
    }

    #[test]
    fn agrees_with_serde_json_on_random_documents() {
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        // Documents the tokenizer listed by itself, and those of them that repeat a key.
        let (mut tokenized, mut repeating) = (0, 0);
        for _ in 0..20_000 {
            let src = g.document();
            for scalars in [true, false] {
                assert_eq!(leaves(&src, scalars), walked(&src, scalars), "{src}");
            }
            let mut doc = Doc::default();
            if doc.tokenize(&src, "payload", true) {
                tokenized += 1;
                repeating += usize::from(doc.duplicate_keys);
            }
        }
        // Most by the tokenizer itself, not its fallback; many repeating a key.
        assert!(
            tokenized > 10_000 && repeating > 1_000,
            "{tokenized} {repeating}"
        );
    }
}
