//! One event scanned with reusable buffers: its payload's leaves are listed once, scanned, and
//! kept until the next event, so an output can print the value behind a finding (or list the
//! fields of the inventory) without parsing the payload again.

use std::borrow::Cow;
use std::cell::RefCell;

use super::fieldname::{self, Hints};
use super::json::Doc;
use super::memo::{COLUMNS, Memo, Value};
use super::structured::linked;
use super::{Context, Strings, finish, names, scan_coordinate, scan_hinted};
use crate::model::{Event, Finding};
use crate::text::same_text;

/// Scans events one after another on one thread, reusing its buffers.
#[derive(Debug, Default)]
pub struct EventScanner {
    doc: Doc,
    /// The last payload was a JSON object or array (its leaves are in `doc`).
    json: bool,
    /// The last event's findings.
    found: Vec<Finding>,
    /// Numbers and booleans are listed too, for `fields`.
    scalars: bool,
    /// The memo's index of each leaf's field name (string leaves only).
    names: Vec<usize>,
    /// Findings of earlier events, reused by the next ones (`Sink::push`).
    spare: Vec<Finding>,
    memo: Memo,
}

thread_local! {
    static SCANNER: RefCell<EventScanner> = RefCell::new(EventScanner::default());
}

/// `EventScanner::scan` with this thread's buffers.
pub(super) fn scan_event(event: &Event) -> Vec<Finding> {
    SCANNER.with(|s| match s.try_borrow_mut() {
        Ok(mut scanner) => scanner.scan(event).to_vec(),
        // Only if a caller re-entered from inside a scan: fresh buffers then.
        Err(_) => EventScanner::default().scan(event).to_vec(),
    })
}

impl EventScanner {
    pub fn new() -> EventScanner {
        EventScanner::default()
    }

    /// A scanner whose `fields` lists every field (numbers and booleans too), for inventories.
    pub fn with_all_fields() -> EventScanner {
        EventScanner {
            scalars: true,
            ..EventScanner::default()
        }
    }

    /// `pii::scan_event`: the event's findings, which stay here until the next scan (as do
    /// its payload's fields and values, see `value` and `payload_fields`).
    pub fn scan(&mut self, event: &Event) -> &[Finding] {
        self.spare.append(&mut self.found);
        let mut found = std::mem::take(&mut self.found);
        self.scan_into(event, &mut found);
        self.found = found;
        &self.found
    }

    /// The findings of the last event scanned.
    pub fn findings(&self) -> &[Finding] {
        &self.found
    }

    /// `scan`: lists the payload into `doc` and puts the findings in `out`.
    fn scan_into(&mut self, event: &Event, out: &mut Vec<Finding>) {
        let payload = event.payload.as_deref();
        self.json = payload.is_some_and(|p| self.parse(p));
        let spare = &mut self.spare;
        let doc = &self.doc;
        let s = &event.summary;
        let mut ctx = Context {
            category: &s.category,
            tenant_id: s.tenant_id.as_deref().filter(|t| !t.is_empty()),
            session_id: s.session_id.as_deref().filter(|t| !t.is_empty()),
            user_id: s.user_id.as_deref().filter(|t| !t.is_empty()),
            ..Context::default()
        };
        let src = payload.unwrap_or_default();
        let memo = &mut self.memo;
        memo.start_event();
        let names = &mut self.names;
        names.clear();
        if self.json {
            for leaf in &doc.leaves {
                let Some(value) = leaf.value else { continue };
                let i = memo.name_index(doc.str(src, leaf.key));
                names.push(i);
                let h = memo.name(i).hints;
                if h.is_empty() {
                    continue;
                }
                let v = doc.str(src, value);
                if h.person_name() && names::fit_whole(v).is_some() && v.contains(' ') {
                    ctx.names
                        .push((names::without_title(v), doc.path(leaf).to_string()));
                } else if h.has(Hints::EMAIL) && v.contains('@') && !v.contains(' ') {
                    ctx.emails.push((v, doc.path(leaf).to_string()));
                }
            }
        }
        for (name, value) in &event.extra {
            if let Some(v) = value {
                let i = memo.name_index(name);
                scan_hinted(name, memo.name(i), None, v, &ctx, out, spare);
            }
        }
        if self.json {
            let learnt = (!ctx.names.is_empty(), !ctx.emails.is_empty());
            let category = memo.category_index(ctx.category);
            let leaves = doc.leaves.iter().filter(|l| l.value.is_some());
            for (leaf, &i) in leaves.zip(names.iter()) {
                let Some(value) = leaf.value else { continue };
                let value = doc.str(src, value);
                if value.is_empty() {
                    continue;
                }
                let path = doc.path(leaf);
                // A value equal to an identity column of this record is that identifier here
                // only: checked first, as the memo holds no such outcome.
                let linked = linked(value, &ctx).is_some();
                let what = (category, Value::new(value));
                if !linked && memo.replay(i, what, learnt, path, out, spare) {
                    continue;
                }
                let first = out.len();
                let reads = scan_hinted(path, memo.name(i), None, value, &ctx, out, spare);
                if !linked {
                    memo.remember(i, what, learnt, reads, &out[first..]);
                }
            }
            for (leaf, axis) in &doc.coordinates {
                let key = doc.str(src, leaf.key);
                let value = leaf.value.map_or("", |v| doc.str(src, v));
                let i = memo.name_index(key);
                let name = memo.name(i);
                scan_coordinate(doc.path(leaf), (key, name, *axis), value, &ctx, out, spare);
            }
        } else if let Some(text) = payload {
            let none = fieldname::Name::default();
            scan_hinted("payload", &none, None, text, &ctx, out, spare);
        }
        // The identity columns last, in the order their names sort: `finish` sorts by field,
        // and no other finding has these fields, so this order only spares the sort work.
        let columns: [_; COLUMNS] = [
            ("session_id", s.session_id.as_deref()),
            ("tenant_id", s.tenant_id.as_deref()),
            ("user_id", s.user_id.as_deref()),
        ];
        for (c, (name, value)) in columns.into_iter().enumerate() {
            let Some(v) = value else { continue };
            if memo.column_replay(c, v, name, out, spare) {
                continue;
            }
            let i = memo.name_index(name);
            let first = out.len();
            let reads = scan_hinted(name, memo.name(i), Some(name), v, &ctx, out, spare);
            memo.column_remember(c, v, reads, &out[first..]);
        }
        finish(out);
    }

    /// `{` or `[` first (after whitespace), then a JSON parse.
    fn parse(&mut self, payload: &str) -> bool {
        let first = payload.bytes().find(|c| !c.is_ascii_whitespace());
        matches!(first, Some(b'{' | b'[')) && self.doc.parse(payload, "payload", self.scalars)
    }

    /// The string behind `field` (a column, `payload`, or `payload/…` pointer) in `event`,
    /// which must be the event this scanner scanned last.
    // Inlined into the output's per-finding loop (a call there costs 1% of a scan: measured).
    #[inline(always)]
    pub fn value<'e>(&'e self, event: &'e Event, field: &str) -> Option<Cow<'e, str>> {
        if field.starts_with("payload/") {
            let payload = event.payload.as_deref()?;
            let doc = &self.doc;
            if !self.json {
                return None;
            }
            if doc.duplicate_keys {
                // serde_json's tree decides which of the repeated keys a pointer names.
                let strings = Strings::parse(payload);
                return strings.text(field).map(|s| Cow::Owned(s.into_owned()));
            }
            // Lengths first: most leaves differ there, and `payload/` starts every path.
            let same = |l: &&super::json::Leaf| same_text(doc.path(l), field);
            // A coordinate is a valueless leaf too (`with_all_fields`): strings first, as
            // nearly every finding is one.
            let value = match doc.leaves.iter().find(same).and_then(|l| l.value) {
                Some(value) => value,
                None => doc.coordinates.iter().map(|(l, _)| l).find(same)?.value?,
            };
            return Some(Cow::Borrowed(doc.str(payload, value)));
        }
        let text = event.column_text(field);
        text.map(Cow::Borrowed)
    }

    /// The payload's fields as listed by the last scan (pointers of every non-null leaf when the
    /// scanner was made `with_all_fields`), or `None` when the payload was not a JSON object or
    /// array, or repeats a key (serde_json's tree then decides which leaves exist).
    pub fn payload_fields(&self) -> Option<impl Iterator<Item = &str>> {
        let doc = &self.doc;
        (self.json && !doc.duplicate_keys).then(|| doc.leaves.iter().map(|l| doc.path(l)))
    }
}
