//! Precision and recall per kind of what the engine found against what was labelled: one
//! tally for the generated truth (`tests/scan.rs`) and the hand-labelled corpora (`tests/pii.rs`).

use std::collections::{BTreeMap, BTreeSet};

/// True positives, false positives and false negatives, by kind name.
#[derive(Default)]
pub struct Scores {
    pub kinds: BTreeMap<String, [u64; 3]>,
}

impl Scores {
    /// Counts `found` against `expected` (items whose kind `kind_of` names) and returns what
    /// was found but not expected, and what was expected but not found.
    pub fn add<'a, K: Ord>(
        &mut self,
        expected: &'a BTreeSet<K>,
        found: &'a BTreeSet<K>,
        kind_of: impl Fn(&K) -> &str,
    ) -> (Vec<&'a K>, Vec<&'a K>) {
        let (mut unexpected, mut missed) = (vec![], vec![]);
        for k in found {
            let hit = expected.contains(k);
            self.count(kind_of(k), usize::from(!hit));
            if !hit {
                unexpected.push(k);
            }
        }
        for k in expected.difference(found) {
            self.count(kind_of(k), 2);
            missed.push(k);
        }
        (unexpected, missed)
    }

    fn count(&mut self, kind: &str, which: usize) {
        self.kinds.entry(kind.to_string()).or_default()[which] += 1;
    }

    fn ratio(hits: u64, of: u64) -> f64 {
        if of == 0 {
            1.0
        } else {
            hits as f64 / of as f64
        }
    }

    /// Precision and recall of one kind (1.0 where nothing was found or expected).
    pub fn kind(&self, kind: &str) -> (f64, f64) {
        let [t, f, n] = self.kinds.get(kind).copied().unwrap_or_default();
        (Scores::ratio(t, t + f), Scores::ratio(t, t + n))
    }

    /// Micro precision, recall and F1 over every kind.
    pub fn micro(&self) -> (f64, f64, f64) {
        let [t, f, n] = self
            .kinds
            .values()
            .fold([0; 3], |a, k| [a[0] + k[0], a[1] + k[1], a[2] + k[2]]);
        let (p, r) = (Scores::ratio(t, t + f), Scores::ratio(t, t + n));
        (p, r, 2.0 * p * r / (p + r).max(f64::MIN_POSITIVE))
    }

    /// The per-kind table and the micro line.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<16} {:>6} {:>6} {:>6} {:>9} {:>7}\n",
            "kind", "tp", "fp", "fn", "precision", "recall"
        );
        for (kind, [t, f, n]) in &self.kinds {
            let (p, r) = self.kind(kind);
            out.push_str(&format!(
                "{kind:<16} {t:>6} {f:>6} {n:>6} {p:>9.3} {r:>7.3}\n"
            ));
        }
        let (p, r, f1) = self.micro();
        out.push_str(&format!(
            "micro: precision {p:.3} recall {r:.3} F1 {f1:.3}\n"
        ));
        out
    }
}
