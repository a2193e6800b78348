//! What one scanner remembers between events: for each field name, its hints and evidence
//! (looked up once), and the findings of its recent values. Exports repeat the same values in
//! record after record (app names, device models, OS versions, the ids of a user's device),
//! and a value's findings depend only on the value, its field name and the record's category —
//! except where a detector looked at the rest of the record (`Reads`): an entry notes what it
//! looked at, and is replayed only where that gives the same findings.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::Reads;
use super::fieldname::{self, Name, WordHash};
use crate::model::Finding;
use crate::text::same_text;

/// Keyed by the `WordHash` of the text an entry stands for; the entry keeps the text, and a
/// lookup compares it (inlined: a `memcmp` call per lookup cost more than the comparison). Two
/// texts with one hash take turns in the entry, as a direct-mapped cache's would.
type Map<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

/// The hasher of keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys come here (`write_u64`); anything else is still hashed.
        let mut h = WordHash::default();
        h.write_u64(self.0);
        h.write(bytes);
        self.0 = h.finish();
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Longer values are rarely repeated, and cost more to hash and keep.
const VALUE_MAX: usize = 160;
/// Remembered values, all names together, before the memo starts over: kept small, as a
/// memo that stays in the core's cache beats a bigger one that misses it (measured).
const VALUES_MAX: usize = 2_048;
/// Field names before the cache starts over.
const NAMES_MAX: usize = 4_096;

#[derive(Debug)]
pub(crate) struct Memo {
    index: Map<usize>,
    names: Vec<Entry>,
    values: usize,
    /// Categories seen, so an outcome keeps a small index rather than a copy.
    categories: Vec<Box<str>>,
    /// Hashes of values seen once (direct-mapped): a value is remembered the second time it
    /// is scanned, so ids seen only once never fill the memo.
    seen: Box<[u64]>,
    /// The findings of recent values of each identity column (`Memo::column_replay`).
    columns: [Box<[Option<ColumnOutcome>]>; COLUMNS],
}

/// Identity columns with remembered values (tenant, session, user).
pub(crate) const COLUMNS: usize = 3;
/// Remembered values per identity column (direct-mapped). A scan chunk of 2,048 records holds
/// a few hundred sessions and users, each seen in a handful of records.
const COLUMN_SLOTS: usize = 1 << 10;

/// One identity-column value and its findings, with empty fields. Unlike `Outcome`, not
/// keyed by category: only outcomes that read nothing of the record are kept, and those come
/// from the column rules of `structured::classify`, which look at the value alone.
#[derive(Debug)]
struct ColumnOutcome {
    hash: u64,
    value: String,
    found: Vec<Finding>,
}

const SEEN_SLOTS: usize = 1 << 13;
/// Categories before the memo starts over (exports have a handful).
const CATEGORIES_MAX: usize = 64;

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            index: Map::default(),
            names: Vec::new(),
            values: 0,
            categories: Vec::new(),
            seen: vec![0; SEEN_SLOTS].into_boxed_slice(),
            columns: std::array::from_fn(|_| {
                std::iter::repeat_with(|| None).take(COLUMN_SLOTS).collect()
            }),
        }
    }
}

#[derive(Debug)]
struct Entry {
    key: Box<str>,
    name: Name,
    values: Map<Outcome>,
}

/// A value and its hash, for `Memo::replay` and `Memo::remember` (hashed once for both).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Value<'v> {
    pub text: &'v str,
    hash: u64,
}

impl<'v> Value<'v> {
    pub fn new(text: &'v str) -> Value<'v> {
        Value {
            text,
            hash: value_hash(text),
        }
    }
}

#[derive(Debug)]
struct Outcome {
    value: Box<str>,
    /// Index in `Memo::categories`.
    category: usize,
    reads: Reads,
    /// The findings, with empty fields.
    found: Vec<Finding>,
}

impl Memo {
    /// Called before each event: indices from `name_index` stay valid until the next call.
    pub fn start_event(&mut self) {
        if self.names.len() >= NAMES_MAX {
            self.index.clear();
            self.names.clear();
            self.values = 0;
        }
    }

    /// The index of field name `key` (what it says: `name`).
    pub fn name_index(&mut self, key: &str) -> usize {
        let hash = value_hash(key);
        if let Some(&i) = self.index.get(&hash)
            && same_text(&self.names[i].key, key)
        {
            return i;
        }
        let i = self.names.len();
        self.names.push(Entry {
            key: key.into(),
            name: fieldname::lookup(key),
            values: Map::default(),
        });
        self.index.insert(hash, i);
        i
    }

    /// The index of a record's category, for `replay` and `remember` (once per record).
    pub fn category_index(&mut self, category: &str) -> usize {
        if let Some(c) = self.categories.iter().position(|c| same_text(c, category)) {
            return c;
        }
        if self.categories.len() >= CATEGORIES_MAX {
            // Outcomes point at categories: they go too.
            self.categories.clear();
            self.names.iter_mut().for_each(|e| e.values.clear());
            self.values = 0;
        }
        self.categories.push(category.into());
        self.categories.len() - 1
    }

    pub fn name(&self, i: usize) -> &Name {
        &self.names[i].name
    }

    /// Appends the remembered findings of `value` under field name `i` in a record of
    /// `category` (`category_index`) to `out`, as findings of `field` (reused from `spare`). False when nothing is
    /// remembered that holds here: `names`/`emails` say whether this record learnt any.
    #[allow(clippy::too_many_arguments)]
    pub fn replay(
        &self,
        i: usize,
        (category, value): (usize, Value),
        (names, emails): (bool, bool),
        field: &str,
        out: &mut Vec<Finding>,
        spare: &mut Vec<Finding>,
    ) -> bool {
        let Some(o) = self.names[i].values.get(&value.hash) else {
            return false;
        };
        if o.category != category
            || !same_text(&o.value, value.text)
            || names && o.reads.has(Reads::NAMES)
            || emails && o.reads.has(Reads::EMAILS)
        {
            return false;
        }
        copy_found(&o.found, field, out, spare);
        true
    }

    /// `replay` for the value of identity column `c` (below `COLUMNS`), named `field`.
    pub fn column_replay(
        &self,
        c: usize,
        value: &str,
        field: &str,
        out: &mut Vec<Finding>,
        spare: &mut Vec<Finding>,
    ) -> bool {
        let hash = value_hash(value);
        match &self.columns[c][hash as usize & (COLUMN_SLOTS - 1)] {
            Some(o) if o.hash == hash && same_text(&o.value, value) => {
                copy_found(&o.found, field, out, spare);
                true
            }
            _ => false,
        }
    }

    /// `remember` for the value of identity column `c`: kept only when its findings read
    /// nothing of the rest of the record (a cleartext login compared with the other columns
    /// is not).
    pub fn column_remember(&mut self, c: usize, value: &str, reads: Reads, found: &[Finding]) {
        if value.len() > VALUE_MAX || reads != Reads::default() {
            return;
        }
        let hash = value_hash(value);
        let slot = &mut self.columns[c][hash as usize & (COLUMN_SLOTS - 1)];
        // The slot's buffers are reused: a miss here is as common as a hit.
        let kept = slot.get_or_insert_with(|| ColumnOutcome {
            hash,
            value: String::new(),
            found: Vec::new(),
        });
        kept.hash = hash;
        kept.value.clear();
        kept.value.push_str(value);
        kept.found.clear();
        kept.found.extend(found.iter().map(template));
    }

    /// Remembers `found`, the findings just made for `value` under field name `i` in a record
    /// of `category`, when they hold in other records: they did not depend on this record's
    /// columns, nor on names or emails it learnt (`names`, `emails`).
    pub fn remember(
        &mut self,
        i: usize,
        (category, value): (usize, Value),
        (names, emails): (bool, bool),
        reads: Reads,
        found: &[Finding],
    ) {
        if value.text.len() > VALUE_MAX
            || reads.has(Reads::COLUMNS)
            || names && reads.has(Reads::NAMES)
            || emails && reads.has(Reads::EMAILS)
        {
            return;
        }
        let mut h = WordHash::default();
        h.write_u64(value.hash);
        h.write_usize(i);
        let hash = h.finish() | 1;
        let slot = &mut self.seen[(hash as usize) & (SEEN_SLOTS - 1)];
        if *slot != hash {
            *slot = hash;
            return;
        }
        if self.values >= VALUES_MAX {
            self.names.iter_mut().for_each(|e| e.values.clear());
            self.values = 0;
        }
        let found = found.iter().map(template).collect();
        let outcome = Outcome {
            value: value.text.into(),
            category,
            reads,
            found,
        };
        if self.names[i].values.insert(value.hash, outcome).is_none() {
            self.values += 1;
        }
    }
}

fn value_hash(value: &str) -> u64 {
    let mut h = WordHash::default();
    h.write(value.as_bytes());
    h.finish()
}

/// A finding as remembered: everything but its field, which each record names anew.
fn template(f: &Finding) -> Finding {
    Finding {
        field: String::new(),
        kind: f.kind,
        confidence: f.confidence,
        span: f.span.clone(),
        evidence: f.evidence.clone(),
    }
}

/// Appends remembered findings to `out` as findings of `field`, reusing findings from `spare`.
fn copy_found(found: &[Finding], field: &str, out: &mut Vec<Finding>, spare: &mut Vec<Finding>) {
    for t in found {
        let f = match spare.pop() {
            Some(mut f) => {
                f.field.clear();
                f.field.push_str(field);
                f.kind = t.kind;
                f.confidence = t.confidence;
                f.span.clone_from(&t.span);
                f.evidence.clone_from(&t.evidence);
                f
            }
            None => Finding {
                field: field.to_string(),
                ..t.clone()
            },
        };
        out.push(f);
    }
}
