//! Choosing the events of a sample or of the explorer's marks: ids only, read by keyset pages
//! of summaries (no payloads, no scanning), so a sample of a large export costs one light pass.

use std::collections::HashSet;

use super::{ExportError, Progress, Sample, Stage};
use crate::generate::rng::Rng;
use crate::model::{EventId, Filter};
use crate::store::{Anchor, Store};

const PAGE: usize = 4096;

/// The chosen events in `(ts, id)` order, and how many they were chosen from.
pub struct Chosen {
    pub ids: Vec<EventId>,
    pub candidates: u64,
}

/// The events matching `filter` (and in `ids`, when given), or a uniform sample of `size` of
/// them: reservoir sampling (Algorithm R) over the `(ts, id)` order with the generator's PRNG,
/// so the same export, filter and seed always give the same events.
pub fn choose(
    store: &Store,
    filter: &Filter,
    ids: Option<&[EventId]>,
    sample: Option<Sample>,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<Chosen, ExportError> {
    let mut reservoir = Reservoir::new(sample);
    match ids {
        // Marked events with no filter: look each up rather than read the whole export.
        Some(ids) if filter.is_empty() => {
            let mut found = Vec::with_capacity(ids.len());
            for &id in ids.iter().collect::<HashSet<_>>() {
                if let Some(e) = store.event(id)? {
                    found.push((e.summary.ts, id));
                }
            }
            found.sort();
            for (_, id) in found {
                reservoir.offer(id);
            }
        }
        _ => {
            let wanted: Option<HashSet<EventId>> = ids.map(|ids| ids.iter().copied().collect());
            let total = store.count(filter)?;
            let mut anchor = Anchor::First;
            let mut seen = 0u64;
            loop {
                let page = store.page(filter, &anchor, PAGE)?;
                let Some(last) = page.last() else { break };
                anchor = Anchor::After(last.cursor());
                for s in &page {
                    if wanted.as_ref().is_none_or(|w| w.contains(&s.id)) {
                        reservoir.offer(s.id);
                    }
                }
                seen += page.len() as u64;
                let p = Progress {
                    stage: Stage::Selecting,
                    done: seen,
                    total: Some(total),
                };
                if !progress(&p) {
                    return Err(ExportError::Cancelled);
                }
                if page.len() < PAGE {
                    break;
                }
            }
        }
    }
    Ok(reservoir.finish())
}

struct Reservoir {
    rng: Option<Rng>,
    size: usize,
    seen: u64,
    /// `(position in the stream, id)`; sorted by position at the end, which is `(ts, id)`.
    kept: Vec<(u64, EventId)>,
}

impl Reservoir {
    fn new(sample: Option<Sample>) -> Reservoir {
        Reservoir {
            rng: sample.map(|s| Rng::new(s.seed)),
            size: sample.map_or(usize::MAX, |s| {
                usize::try_from(s.size).unwrap_or(usize::MAX)
            }),
            seen: 0,
            kept: Vec::new(),
        }
    }

    fn offer(&mut self, id: EventId) {
        let position = self.seen;
        self.seen += 1;
        if self.kept.len() < self.size {
            self.kept.push((position, id));
        } else if let Some(rng) = &mut self.rng {
            let j = rng.below(self.seen);
            if let Ok(j) = usize::try_from(j)
                && j < self.size
            {
                self.kept[j] = (position, id);
            }
        }
    }

    fn finish(mut self) -> Chosen {
        self.kept.sort_unstable();
        Chosen {
            ids: self.kept.into_iter().map(|(_, id)| id).collect(),
            candidates: self.seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(n: u64, size: u64, seed: u64) -> Vec<EventId> {
        let mut r = Reservoir::new(Some(Sample { size, seed }));
        for id in 0..n {
            r.offer(id as EventId);
        }
        r.finish().ids
    }

    #[test]
    fn samples_are_deterministic_sorted_and_sized() {
        let a = draw(1000, 50, 7);
        assert_eq!(a, draw(1000, 50, 7));
        assert_ne!(a, draw(1000, 50, 8));
        assert_eq!(a.len(), 50);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(draw(10, 50, 7), (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn samples_are_roughly_uniform() {
        // Over many seeds, each of 10 items is drawn into a sample of 3 about 30% of the time.
        let mut hits = [0u32; 10];
        for seed in 0..3000 {
            for id in draw(10, 3, seed) {
                hits[id as usize] += 1;
            }
        }
        for h in hits {
            assert!((800..1000).contains(&h), "{hits:?}");
        }
    }
}
