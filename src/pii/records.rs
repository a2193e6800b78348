//! Whole records seen before: telemetry repeats itself record for record (a heartbeat every
//! minute with the same device details, a sign-in event sent twice), and a record's findings
//! depend only on what the scan reads of it — its category, identity and extra columns and its
//! payload — never on its id, time or name. A record equal in all of those to a remembered one
//! gets the remembered findings and the remembered payload listing, with no parse and no scan.

use super::json::Doc;
use crate::model::{Event, Finding};

/// Remembered records (direct-mapped): a scan chunk of 2,048 records holds a few hundred
/// sessions, whose repeated records come back within it.
const SLOTS: usize = 2048;
/// Longer payloads are rarely repeated, and cost more to keep.
const PAYLOAD_MAX: usize = 4_096;

#[derive(Debug)]
pub(super) struct Records {
    slots: Box<[Option<Record>]>,
}

impl Default for Records {
    fn default() -> Records {
        Records {
            slots: std::iter::repeat_with(|| None).take(SLOTS).collect(),
        }
    }
}

/// What one record's scan made: its payload's listing and its findings.
#[derive(Debug, Default)]
pub(super) struct Scanned {
    pub doc: Doc,
    /// The payload was a JSON object or array (its leaves are in `doc`).
    pub json: bool,
    pub findings: Vec<Finding>,
}

/// What the scan reads of one record, and what the scan made of it.
#[derive(Debug, Default)]
struct Record {
    hash: u64,
    category: String,
    columns: [Option<String>; 3],
    /// Extra columns, named: a name is a field-name hint.
    extra: Vec<(String, Option<String>)>,
    payload: Option<String>,
    scanned: Scanned,
}

/// The identity columns, in a fixed order.
fn columns(event: &Event) -> [Option<&str>; 3] {
    let s = &event.summary;
    [
        s.tenant_id.as_deref(),
        s.session_id.as_deref(),
        s.user_id.as_deref(),
    ]
}

/// A hash of what the scan reads of `event`, or `None` when it is too big to remember.
/// Only the ends of each value are hashed: records of one shape differ in their ids, which
/// sit at the ends of a column and, mostly, of a payload; `Record::is` compares the rest.
pub(super) fn key(event: &Event) -> Option<u64> {
    let payload = event.payload.as_deref();
    if payload.map_or(0, str::len) > PAYLOAD_MAX {
        return None;
    }
    let mut h = ends(0, Some(&event.summary.category), 8);
    for column in columns(event) {
        h = ends(h, column, 8);
    }
    for (_, value) in &event.extra {
        h = ends(h, value.as_deref(), 8);
    }
    Some(ends(h, payload, 64) | 1)
}

/// `h` mixed with the length, the first eight and the last `tail` (or so) bytes of `text`.
fn ends(mut h: u64, text: Option<&str>, tail: usize) -> u64 {
    let Some(b) = text.map(str::as_bytes) else {
        return mix(h, 0);
    };
    h = mix(h, b.len() as u64 * 2 + 1);
    if b.len() < 8 {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        return mix(h, u64::from_le_bytes(w));
    }
    h = mix(h, word(b, 0));
    let mut at = b.len().saturating_sub(tail);
    while at + 8 < b.len() {
        h = mix(h, word(b, at));
        at += 8;
    }
    mix(h, word(b, b.len() - 8))
}

fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// The eight bytes of `b` from `at` (at most `b.len() - 8`), as a number.
fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(bytes) = b.get(at..at + 8) {
        w.copy_from_slice(bytes);
    }
    u64::from_le_bytes(w)
}

impl Record {
    /// Whether `event` reads the same as this record.
    fn is(&self, hash: u64, event: &Event) -> bool {
        self.hash == hash
            && self.payload.as_deref() == event.payload.as_deref()
            && self.category == event.summary.category
            && self
                .columns
                .iter()
                .zip(columns(event))
                .all(|(a, b)| a.as_deref() == b)
            && self.extra.len() == event.extra.len()
            && self
                .extra
                .iter()
                .zip(&event.extra)
                .all(|((n, a), (m, b))| a.as_deref() == b.as_deref() && n == m)
    }

    fn set(&mut self, hash: u64, event: &Event) {
        self.hash = hash;
        self.category.clone_from(&event.summary.category);
        for (kept, c) in self.columns.iter_mut().zip(columns(event)) {
            set_text(kept, c);
        }
        self.extra.resize_with(event.extra.len(), Default::default);
        for ((name, kept), (n, v)) in self.extra.iter_mut().zip(&event.extra) {
            name.clone_from(n);
            set_text(kept, v.as_deref());
        }
        set_text(&mut self.payload, event.payload.as_deref());
    }
}

/// `kept = text`, reusing `kept`'s buffer.
fn set_text(kept: &mut Option<String>, text: Option<&str>) {
    match text {
        Some(t) => {
            let s = kept.get_or_insert_with(String::new);
            s.clear();
            s.push_str(t);
        }
        None => *kept = None,
    }
}

impl Records {
    /// The slot of a remembered record that reads the same as `event` (hashed `hash`).
    pub fn find(&self, hash: u64, event: &Event) -> Option<usize> {
        let i = hash as usize % SLOTS;
        let slot = self.slots[i].as_ref()?;
        slot.is(hash, event).then_some(i)
    }

    /// What the scan made of the record in slot `i`.
    pub fn get(&self, i: usize) -> Option<&Scanned> {
        Some(&self.slots.get(i)?.as_ref()?.scanned)
    }

    /// Remembers a record just scanned, with what its scan made: `scanned` is swapped into
    /// the record's slot (and gets the buffers of the record it replaces back). Returns the
    /// slot, where the record's results now live.
    pub fn remember(&mut self, hash: u64, event: &Event, scanned: &mut Scanned) -> usize {
        let i = hash as usize % SLOTS;
        let slot = self.slots[i].get_or_insert_with(Record::default);
        slot.set(hash, event);
        std::mem::swap(&mut slot.scanned, scanned);
        i
    }
}
