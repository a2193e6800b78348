//! The workers' share of `telex audit`: each chunk's events judged against the policy where
//! they were scanned, and their violations rendered as lines (or summed up for the report),
//! so the caller's thread only writes bytes out and merges the counts in chunk order.

use std::io;
use std::sync::Mutex;

use super::summary::Summary;
use super::values::Values;
use super::{AuditOptions, row};
use crate::cli::ScanFormat;
use crate::model::{Event, Finding};
use crate::pii::EventScanner;
use crate::policy::{AuditContext, Policy, Subject, Violation};
use crate::scanner::Work;
use crate::text::{rfc3339_utc, utc_time};

/// One audited chunk.
#[derive(Default)]
pub(super) struct Part {
    /// The violations' lines (empty for the report).
    pub bytes: Vec<u8>,
    pub events: u64,
    pub violations: u64,
    pub events_with: u64,
    /// The chunk's share of the report (`--format markdown`).
    pub summary: Option<Summary>,
    /// Why a line could not be rendered (into memory: not expected, but not hidden either).
    pub error: Option<io::Error>,
}

pub(super) struct Check<'a> {
    policy: &'a Policy,
    ctx: AuditContext,
    opts: &'a AuditOptions,
    /// Line buffers already written out, kept for later chunks: they have grown to a chunk's
    /// size, so reusing them saves growing new ones.
    spare: Mutex<Vec<Vec<u8>>>,
}

impl<'a> Check<'a> {
    pub fn new(policy: &'a Policy, ctx: AuditContext, opts: &'a AuditOptions) -> Check<'a> {
        Check {
            policy,
            ctx,
            opts,
            spare: Mutex::new(Vec::new()),
        }
    }

    pub fn recycle(&self, mut bytes: Vec<u8>) {
        bytes.clear();
        if let Ok(mut spare) = self.spare.lock()
            && spare.len() < 16
        {
            spare.push(bytes);
        }
    }
}

impl Work for Check<'_> {
    type Part = Part;

    fn part(&self) -> Part {
        let markdown = self.opts.format == ScanFormat::Markdown;
        let bytes = if markdown {
            None
        } else {
            self.spare.lock().ok().and_then(|mut s| s.pop())
        };
        Part {
            bytes: bytes.unwrap_or_default(),
            summary: markdown.then(Summary::default),
            ..Part::default()
        }
    }

    /// The policy reads an event's category, `ts` and findings, and the lines its id and the
    /// findings' values: never `name`, `app_name` or `app_version`.
    fn lean_events(&self) -> bool {
        true
    }

    fn event(&self, part: &mut Part, event: &Event, findings: &[Finding], _: &EventScanner) {
        let (policy, opts) = (self.policy, self.opts);
        let violations = policy.violations(event, findings, &self.ctx);
        part.events += 1;
        if !violations.is_empty() {
            part.events_with += 1;
            part.violations += violations.len() as u64;
        }
        // The payload is parsed again for the values only when something is to be shown.
        let values = (!violations.is_empty()).then(|| Values::new(event, findings));
        let shown = |v: &Violation| match v.subject {
            Subject::Finding(f) => values
                .as_ref()
                .map_or_else(String::new, |values| values.shown(f, opts.reveal)),
            Subject::Retention {
                age_days,
                limit_days,
            } => format!("{age_days} days old (limit {limit_days})"),
        };
        if let Some(summary) = &mut part.summary {
            summary.add(event, findings, &violations, policy, shown);
            return;
        }
        if violations.is_empty() || part.error.is_some() {
            return;
        }
        let ts = match opts.format {
            ScanFormat::Table => utc_time(&event.summary.ts).into_owned(),
            _ => rfc3339_utc(&event.summary.ts),
        };
        for v in &violations {
            if let Err(e) = row(opts.format, event, &ts, v, &shown(v), &mut part.bytes) {
                part.error = Some(e);
                return;
            }
        }
    }
}
