//! Where detectors put what they find: the `Sink` of one string value (overlaps dropped,
//! findings reused from earlier events), the inline evidence `Ev` a detector builds, and the
//! `Reads` that say what of the record's context an outcome depended on.

use std::borrow::Cow;
use std::ops::Range;

use super::Context;
use super::fieldname::Hints;
use crate::model::{Confidence, Finding, Kind};

/// The evidence of one finding while a detector builds it: mostly fixed phrases, borrowed,
/// and never more than a few, so they are kept inline (no allocation per candidate).
#[derive(Debug, Default)]
pub(crate) struct Ev {
    items: [Cow<'static, str>; 4],
    len: usize,
    more: Vec<Cow<'static, str>>,
}

impl Ev {
    pub fn push(&mut self, e: Cow<'static, str>) {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = e;
                self.len += 1;
            }
            None => self.more.push(e),
        }
    }

    pub fn contains(&self, e: &str) -> bool {
        self.items[..self.len]
            .iter()
            .chain(&self.more)
            .any(|x| x == e)
    }

    /// Moves the phrases, in order, to the end of `out`.
    fn move_into(&mut self, out: &mut Vec<Cow<'static, str>>) {
        out.extend(self.items[..self.len].iter_mut().map(std::mem::take));
        out.append(&mut self.more);
        self.len = 0;
    }
}

impl Extend<Cow<'static, str>> for Ev {
    fn extend<I: IntoIterator<Item = Cow<'static, str>>>(&mut self, iter: I) {
        iter.into_iter().for_each(|e| self.push(e));
    }
}

impl FromIterator<Cow<'static, str>> for Ev {
    fn from_iter<I: IntoIterator<Item = Cow<'static, str>>>(iter: I) -> Ev {
        let mut ev = Ev::default();
        ev.extend(iter);
        ev
    }
}

/// Collects the findings of one string value; drops candidates that overlap an earlier,
/// more specific one (detectors run most specific first).
pub(crate) struct Sink<'s, 'c> {
    pub field: &'s str,
    pub hints: Hints,
    /// The field name's evidence (`field name client,ip`), cited with its hints.
    pub evidence: &'s Cow<'static, str>,
    pub column: Option<&'s str>,
    pub ctx: &'s Context<'c>,
    pub len: usize,
    pub out: &'s mut Vec<Finding>,
    /// Findings of earlier events, emptied and reused so a finding allocates nothing.
    pub spare: &'s mut Vec<Finding>,
    pub first: usize,
    /// What of the rest of the record (`ctx`) the detectors looked at for this value, so its
    /// findings are remembered for other records only where they would be the same.
    pub reads: std::cell::Cell<Reads>,
}

/// The parts of a record's context a value's scan depended on (bit flags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reads(u8);

impl Reads {
    /// The record's own columns (a column value, or a GUID in text compared with the tenant).
    pub const COLUMNS: Reads = Reads(1);
    /// Names learnt from the record's name fields were searched for.
    pub const NAMES: Reads = Reads(2);
    /// Emails learnt from the record's email fields were compared.
    pub const EMAILS: Reads = Reads(4);

    pub fn has(self, r: Reads) -> bool {
        self.0 & r.0 != 0
    }
}

impl<'s, 'c> Sink<'s, 'c> {
    /// The sink of one value of `len` bytes under `field`, named `name` (its hints and
    /// evidence); `column` names an identity column when the value is one.
    pub fn new(
        field: &'s str,
        name: &'s super::fieldname::Name,
        column: Option<&'s str>,
        ctx: &'s Context<'c>,
        len: usize,
        out: &'s mut Vec<Finding>,
        spare: &'s mut Vec<Finding>,
    ) -> Sink<'s, 'c> {
        let first = out.len();
        Sink {
            field,
            hints: name.hints,
            evidence: &name.evidence,
            column,
            ctx,
            len,
            out,
            spare,
            first,
            reads: std::cell::Cell::new(Reads::default()),
        }
    }

    pub fn read(&self, r: Reads) {
        self.reads.set(Reads(self.reads.get().0 | r.0));
    }
}

impl Sink<'_, '_> {
    /// Adds the field-name evidence when the key carries one of `flags`.
    pub fn hint(&self, ev: &mut Ev, flags: Hints) -> bool {
        if !self.hints.any(flags) {
            return false;
        }
        self.hint_any(ev);
        true
    }

    pub fn hint_any(&self, ev: &mut Ev) {
        if !self.hints.is_empty() && !ev.contains(self.evidence) {
            ev.push(self.evidence.clone());
        }
    }

    pub fn taken(&self, span: &Range<usize>) -> bool {
        self.out[self.first..].iter().any(|f| match &f.span {
            None => true,
            Some(r) => r.start < span.end && span.start < r.end,
        })
    }

    pub fn has(&self, kind: Kind) -> bool {
        self.out[self.first..].iter().any(|f| f.kind == kind)
    }

    pub fn push(&mut self, kind: Kind, confidence: Confidence, span: Range<usize>, evidence: Ev) {
        if span.is_empty() || self.taken(&span) {
            return;
        }
        let span = (span != (0..self.len)).then_some(span);
        let mut evidence = evidence;
        let f = match self.spare.pop() {
            Some(mut f) => {
                f.field.clear();
                f.field.push_str(self.field);
                f.kind = kind;
                f.confidence = confidence;
                f.span = span;
                f.evidence.clear();
                evidence.move_into(&mut f.evidence);
                f
            }
            None => {
                let mut list = Vec::with_capacity(evidence.len + evidence.more.len());
                evidence.move_into(&mut list);
                Finding {
                    field: self.field.to_string(),
                    kind,
                    confidence,
                    span,
                    evidence: list,
                }
            }
        };
        self.out.push(f);
    }
}
