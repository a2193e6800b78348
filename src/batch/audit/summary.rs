//! What the Markdown report sums up: counts by rule, category and field with a few masked
//! examples each. The workers gather one per chunk and the caller merges them in chunk order;
//! `merge` gives exactly what adding every event to one summary in that order would give
//! (tested below), so the report does not depend on chunking or the thread count.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Event, Finding};
use crate::policy::{Policy, Violation};

/// Distinct examples kept per row of the report.
const EXAMPLES: usize = 3;

/// Counts of one row of the report: violations, the events they are in, a few examples.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Group {
    pub(super) violations: u64,
    pub(super) events: u64,
    /// The first and last event counted: a merge must not count an event twice when it ends
    /// one part and starts the next.
    first_event: Option<i64>,
    last_event: Option<i64>,
    /// The first distinct examples, in the order they were met.
    pub(super) examples: Vec<String>,
}

impl Group {
    fn add(&mut self, event: i64, example: &str) {
        self.violations += 1;
        if self.last_event != Some(event) {
            self.events += 1;
            self.last_event = Some(event);
        }
        self.first_event.get_or_insert(event);
        if self.wants(example) {
            self.examples.push(example.to_string());
        }
    }

    fn wants(&self, example: &str) -> bool {
        self.examples.len() < EXAMPLES && !self.examples.iter().any(|e| e == example)
    }

    /// `later`'s events added after this group's. The examples stay the first distinct ones:
    /// when this group has `k < EXAMPLES` of them, these are all it met, and `later`'s first
    /// `EXAMPLES` distinct ones hold at least `EXAMPLES - k` not among them, in order.
    fn merge(&mut self, later: Group) {
        self.violations += later.violations;
        let shared = self.last_event.is_some() && self.last_event == later.first_event;
        self.events += later.events - u64::from(shared);
        if self.first_event.is_none() {
            self.first_event = later.first_event;
        }
        if later.last_event.is_some() {
            self.last_event = later.last_event;
        }
        for example in later.examples {
            if self.wants(&example) {
                self.examples.push(example);
            }
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct CategoryCounts {
    pub(super) events: u64,
    pub(super) with_violations: u64,
    pub(super) violations: u64,
    pub(super) rules: BTreeSet<String>,
}

impl CategoryCounts {
    fn merge(&mut self, later: CategoryCounts) {
        self.events += later.events;
        self.with_violations += later.with_violations;
        self.violations += later.violations;
        self.rules.extend(later.rules);
    }
}

/// Everything the report sums up, gathered one event at a time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Summary {
    pub(super) events: u64,
    pub(super) events_with: u64,
    pub(super) violations: u64,
    pub(super) by_rule: BTreeMap<String, Group>,
    pub(super) by_category: BTreeMap<String, CategoryCounts>,
    /// (category, field, kind, rule) → counts.
    pub(super) by_field: BTreeMap<(String, String, String, String), Group>,
    /// Payloads that are not a JSON object or array: scanned as plain text.
    pub(super) not_json: u64,
    /// Records whose age could not be measured (their `ts` is not RFC 3339) in a category
    /// with a retention window.
    pub(super) bad_ts: u64,
}

impl Summary {
    pub(super) fn add(
        &mut self,
        event: &Event,
        findings: &[Finding],
        violations: &[Violation],
        policy: &Policy,
        shown: impl Fn(&Violation) -> String,
    ) {
        let s = &event.summary;
        self.events += 1;
        if event
            .payload
            .as_deref()
            .is_some_and(|p| !looks_like_json(p))
            || findings.iter().any(|f| f.field == "payload")
        {
            self.not_json += 1;
        }
        if policy.retention_days(&s.category).is_some()
            && chrono::DateTime::parse_from_rfc3339(&s.ts).is_err()
        {
            self.bad_ts += 1;
        }
        let cat = self.by_category.entry(s.category.clone()).or_default();
        cat.events += 1;
        if violations.is_empty() {
            return;
        }
        cat.with_violations += 1;
        self.events_with += 1;
        for v in violations {
            let example = shown(v);
            self.violations += 1;
            cat.violations += 1;
            if !cat.rules.contains(&v.rule.id) {
                cat.rules.insert(v.rule.id.clone());
            }
            let kind = v.kind().map_or("", |k| k.as_str());
            self.by_rule
                .entry(v.rule.id.clone())
                .or_default()
                .add(s.id, &example);
            let key = (
                s.category.clone(),
                v.field().to_string(),
                kind.to_string(),
                v.rule.id.clone(),
            );
            self.by_field.entry(key).or_default().add(s.id, &example);
        }
    }

    /// `later`'s events added after this summary's (`later` summed up the next chunk).
    pub(super) fn merge(&mut self, later: Summary) {
        self.events += later.events;
        self.events_with += later.events_with;
        self.violations += later.violations;
        self.not_json += later.not_json;
        self.bad_ts += later.bad_ts;
        for (rule, g) in later.by_rule {
            self.by_rule.entry(rule).or_default().merge(g);
        }
        for (category, c) in later.by_category {
            self.by_category.entry(category).or_default().merge(c);
        }
        for (key, g) in later.by_field {
            self.by_field.entry(key).or_default().merge(g);
        }
    }
}

/// `{…}` or `[…]` around the text: what the scan walks as JSON. Anything else it reads as text.
fn looks_like_json(payload: &str) -> bool {
    let t = payload.trim();
    (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (event, example) pairs with repeated events and examples, events split across the cut.
    const STREAM: [(i64, &str); 12] = [
        (1, "a"),
        (1, "a"),
        (2, "b"),
        (2, "a"),
        (3, "c"),
        (3, "d"),
        (4, "a"),
        (5, "e"),
        (5, "b"),
        (7, "f"),
        (7, "f"),
        (9, "c"),
    ];

    fn group(items: &[(i64, &str)]) -> Group {
        let mut g = Group::default();
        for (event, example) in items {
            g.add(*event, example);
        }
        g
    }

    /// Every way of cutting the stream into up to three parts merges to the one-pass group,
    /// events that straddle a cut included (a part ending inside an event's violations).
    #[test]
    fn merged_groups_equal_one_pass() {
        let whole = group(&STREAM);
        assert_eq!((whole.events, whole.violations), (7, 12));
        assert_eq!(whole.examples, ["a", "b", "c"]);
        for i in 0..=STREAM.len() {
            for j in i..=STREAM.len() {
                let mut merged = Group::default();
                for part in [&STREAM[..i], &STREAM[i..j], &STREAM[j..]] {
                    merged.merge(group(part));
                }
                assert_eq!(merged, whole, "cut at {i} and {j}");
            }
        }
    }

    #[test]
    fn examples_come_from_later_parts_when_earlier_ones_had_few() {
        let mut g = group(&[(1, "x")]);
        g.merge(group(&[(2, "x"), (3, "x"), (4, "y"), (5, "z"), (6, "w")]));
        assert_eq!(g.examples, ["x", "y", "z"]);
        assert_eq!(g.events, 6);
    }
}
