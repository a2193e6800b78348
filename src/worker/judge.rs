//! The privacy lens as the worker applies it: scan an event, judge its findings against the
//! policy, and hand the app plain data (markers, findings, breaches) — `app` stays pure.

use std::sync::Arc;

use crate::app::{Breach, Inspected, Marker, Page};
use crate::batch::audit;
use crate::model::{Cursor, Event, Filter, Finding};
use crate::pii;
use crate::policy::{AuditContext, Policy, Subject};
use crate::store::{Anchor, Judging, Store, StoreError};

/// Events read per query while looking for a violation.
const SEEK_PAGE: usize = 500;

/// The policy and the moment retention is measured from, shared by every worker thread.
#[derive(Debug, Clone, Default)]
pub struct Judge {
    /// The same policy and reference time the store's `violates:` terms judge by.
    judging: Judging,
}

impl Judge {
    /// `policy`, with retention measured from the export's `exported_at`, else its newest event.
    pub fn for_store(policy: Policy, store: &Store) -> Result<Judge, StoreError> {
        let reference = audit::reference(store)?;
        Ok(Judge::new(
            policy,
            AuditContext {
                reference: reference.at,
            },
        ))
    }

    pub fn new(policy: Policy, ctx: AuditContext) -> Judge {
        Judge {
            judging: Judging {
                policy: Arc::new(policy),
                ctx,
            },
        }
    }

    /// The same policy and reference time, for the store's `violates:` terms.
    pub fn judging(&self) -> Judging {
        self.judging.clone()
    }

    pub fn breaks(&self, event: &Event, findings: &[Finding]) -> bool {
        !self
            .judging
            .policy
            .violations(event, findings, &self.judging.ctx)
            .is_empty()
    }

    /// The page's rows with their privacy markers. Scanning a page here (about 1 ms for 200
    /// events) keeps `app` pure and the reply small: summaries and one marker per row.
    pub fn page(&self, events: Vec<Event>) -> Page {
        let marks = events
            .iter()
            .map(|e| {
                let findings = pii::scan_event(e);
                Marker::judged(&findings, self.breaks(e, &findings))
            })
            .collect();
        let rows = events.into_iter().map(|e| e.summary).collect();
        Page { rows, marks }
    }

    /// The nearest event after (or before) `from` among those matching `filter` that breaks the
    /// policy, read a page at a time so a newer request can interrupt between pages.
    pub fn seek(
        &self,
        store: &Store,
        filter: &Filter,
        from: Cursor,
        forward: bool,
    ) -> Result<Option<Cursor>, StoreError> {
        let mut at = from;
        loop {
            let anchor = if forward {
                Anchor::After(at)
            } else {
                Anchor::Before(at)
            };
            let mut page = store.page_events(filter, &anchor, SEEK_PAGE)?;
            if !forward {
                page.reverse();
            }
            for event in &page {
                if self.breaks(event, &pii::scan_event(event)) {
                    return Ok(Some(event.summary.cursor()));
                }
            }
            match page.last() {
                Some(last) if page.len() == SEEK_PAGE => at = last.summary.cursor(),
                _ => return Ok(None),
            }
        }
    }

    /// Everything the detail pane shows about one event.
    pub fn inspect(&self, event: Event) -> Box<Inspected> {
        let findings = pii::scan_event(&event);
        let breaches = self
            .judging
            .policy
            .violations(&event, &findings, &self.judging.ctx)
            .into_iter()
            .map(|v| Breach {
                rule: v.rule.id.clone(),
                field: v.field().to_string(),
                kind: v.kind(),
                summary: match v.subject {
                    Subject::Retention {
                        age_days,
                        limit_days,
                    } => format!(
                        "{} (this record is {age_days} days old; the window is {limit_days})",
                        v.rule.summary
                    ),
                    Subject::Finding(_) => v.rule.summary.clone(),
                },
                statement: v.rule.statement.clone(),
            })
            .collect();
        Box::new(Inspected {
            event,
            findings,
            breaches,
        })
    }
}
