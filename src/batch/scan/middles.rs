//! The cells of `telex scan`'s lines that depend only on the finding (field, kind, class,
//! confidence, span, evidence), laid out once per distinct finding and copied after that:
//! they are most of each line, and the same few hundred come back event after event.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use crate::model::{Confidence, Finding, Kind};
use crate::pii::fieldname::WordHash;
use crate::text::same_text;

/// Rendered middles of lines (a finding's own cells: `"field",…,"evidence":[…` in JSON), by
/// finding: the same field, kind, span and evidence come back event after event, and are
/// escaped and laid out once. Only findings whose
/// evidence is all borrowed phrases are kept: those are told apart by address, cheaply.
pub(super) struct Middles<L> {
    entries: Vec<Middle>,
    /// `entries` by `finding_key`.
    index: HashMap<u64, Vec<usize>, BuildHasherDefault<WordHash>>,
    /// The entry of the event's line before, if any: an event's findings mostly follow one
    /// another as they did last time, so its `next` is tried before a lookup.
    prev: Option<usize>,
    /// For the first line, which has no line before it: by category (an export has a few;
    /// at most `CATEGORIES_MAX`), the entry of the first line of the category's last event.
    firsts: Vec<(Box<str>, Option<usize>)>,
    /// The event's category, as its place in `firsts`, if it has one.
    category: Option<usize>,
    layout: std::marker::PhantomData<L>,
}

impl<L> Default for Middles<L> {
    fn default() -> Self {
        Middles {
            entries: Vec::new(),
            index: HashMap::default(),
            prev: None,
            firsts: Vec::new(),
            category: None,
            layout: std::marker::PhantomData,
        }
    }
}

/// How a format lays out a finding's own cells.
pub(super) trait Layout {
    /// Appends `f`'s cells to `out`: those that come before the record's value, then those
    /// that come after it.
    fn cells(f: &Finding, out: &mut Vec<u8>) -> Piece;
}

/// What `Layout::cells` wrote.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    /// Not all ASCII.
    pub wide: bool,
    /// The length of the part after the value, at the end.
    pub after: usize,
}

/// The most entries kept: far more than the distinct findings of an export, as a bound.
pub(super) const MIDDLES_MAX: usize = 4096;
/// Categories with a guess for their first line.
const CATEGORIES_MAX: usize = 64;

struct Middle {
    field: Box<str>,
    kind: Kind,
    confidence: Confidence,
    span: Option<Range<usize>>,
    evidence: Vec<(usize, usize)>,
    bytes: Box<[u8]>,
    piece: Piece,
    /// The entry of the line that came next last time.
    next: Option<usize>,
}

impl Middle {
    fn is(&self, f: &Finding) -> bool {
        same_text(&self.field, &f.field)
            && self.kind == f.kind
            && self.confidence == f.confidence
            && self.span == f.span
            && self.evidence.len() == f.evidence.len()
            && self.same_evidence(&f.evidence)
    }

    /// A plain loop: an iterator chain here was left as a call by the compiler.
    fn same_evidence(&self, evidence: &[Cow<'static, str>]) -> bool {
        for (kept, e) in self.evidence.iter().zip(evidence) {
            if Some(*kept) != address(e) {
                return false;
            }
        }
        true
    }
}

/// Where a borrowed phrase lives; `None` for built ones.
#[allow(clippy::ptr_arg)] // Borrowed or Owned is the point
fn address(e: &Cow<'static, str>) -> Option<(usize, usize)> {
    match e {
        Cow::Borrowed(s) => Some((s.as_ptr() as usize, s.len())),
        Cow::Owned(_) => None,
    }
}

impl<L: Layout> Middles<L> {
    /// A new event, of `category`.
    pub fn start(&mut self, category: &str) {
        self.prev = None;
        self.category = match self.firsts.iter().position(|(c, _)| same_text(c, category)) {
            Some(c) => Some(c),
            None if self.firsts.len() < CATEGORIES_MAX => {
                self.firsts.push((category.into(), None));
                Some(self.firsts.len() - 1)
            }
            None => None,
        };
    }

    /// `L::cells(f)` appended to `out`, from the cache when it can be.
    pub fn render(&mut self, f: &Finding, out: &mut Vec<u8>) -> Piece {
        match self.entry(f) {
            Some(i) => {
                let m = &self.entries[i];
                out.extend_from_slice(&m.bytes);
                m.piece
            }
            None => L::cells(f, out),
        }
    }

    /// `L::cells(f)` appended to `out` with `value`'s writing in between, before the cells
    /// that come after the value.
    pub fn render_around(
        &mut self,
        f: &Finding,
        out: &mut Vec<u8>,
        value: impl FnOnce(&mut Vec<u8>),
    ) -> Piece {
        match self.entry(f) {
            Some(i) => {
                let m = &self.entries[i];
                let (before, after) = m.bytes.split_at(m.bytes.len() - m.piece.after);
                out.extend_from_slice(before);
                value(out);
                out.extend_from_slice(after);
                m.piece
            }
            None => {
                let piece = L::cells(f, out);
                let value_at = out.len();
                value(out);
                out[value_at - piece.after..].rotate_left(piece.after);
                piece
            }
        }
    }

    /// The cache's entry for `f`, found or added (`None` when it is not kept), noted as the
    /// line after the one before.
    fn entry(&mut self, f: &Finding) -> Option<usize> {
        let Some(i) = self
            .predicted(f)
            .or_else(|| self.find(f))
            .or_else(|| self.add(f))
        else {
            self.prev = None;
            return None;
        };
        match (self.prev, self.category) {
            (Some(prev), _) => self.entries[prev].next = Some(i),
            (None, Some(c)) => self.firsts[c].1 = Some(i),
            (None, None) => {}
        }
        self.prev = Some(i);
        Some(i)
    }

    /// The entry that followed the line before last time (or that came first in the
    /// category's last event), if it is `f`'s.
    fn predicted(&self, f: &Finding) -> Option<usize> {
        let expected = match self.prev {
            Some(prev) => self.entries[prev].next,
            None => self.firsts.get(self.category?)?.1,
        }?;
        self.entries[expected].is(f).then_some(expected)
    }

    fn find(&self, f: &Finding) -> Option<usize> {
        let candidates = self.index.get(&finding_key(f))?;
        candidates.iter().copied().find(|&i| self.entries[i].is(f))
    }

    /// A new entry for `f`; `None` when its evidence is not all borrowed (it is not kept).
    fn add(&mut self, f: &Finding) -> Option<usize> {
        let evidence = f.evidence.iter().map(address).collect::<Option<Vec<_>>>()?;
        if self.entries.len() >= MIDDLES_MAX {
            self.entries.clear();
            self.index.clear();
            self.firsts.iter_mut().for_each(|(_, first)| *first = None);
            self.prev = None;
        }
        let mut bytes = Vec::new();
        let piece = L::cells(f, &mut bytes);
        let i = self.entries.len();
        self.entries.push(Middle {
            field: f.field.as_str().into(),
            kind: f.kind,
            confidence: f.confidence,
            span: f.span.clone(),
            evidence,
            bytes: bytes.into(),
            piece,
            next: None,
        });
        self.index.entry(finding_key(f)).or_default().push(i);
        Some(i)
    }
}

/// A hash of `f` but for its evidence, which nearly always follows from the rest (and which
/// `Middle::is` compares anyway).
fn finding_key(f: &Finding) -> u64 {
    let mut h = WordHash::default();
    write_ends(&mut h, f.field.as_bytes());
    h.write_usize(f.kind as usize * 4 + f.confidence as usize);
    if let Some(r) = &f.span {
        h.write_usize(r.start);
        h.write_usize(r.end);
    }
    h.finish()
}

/// Hashes the length and the first and last eight bytes of `b`: enough to tell ids, emails,
/// names and field names apart (they seldom share both ends and the length), and cheaper
/// than every byte. Whatever a key finds is compared in full, so a clash costs only a miss.
pub(super) fn write_ends(h: &mut WordHash, b: &[u8]) {
    h.write_usize(b.len());
    if b.len() <= 16 {
        h.write(b);
    } else {
        h.write(&b[..8]);
        h.write(&b[b.len() - 8..]);
    }
}
