//! Long work the explorer starts and keeps using while it runs — exporting a sample, building
//! the privacy cache — with the progress the status line shows and the outcome it reports.

use std::path::PathBuf;

use super::inventory::CacheStatus;
use super::{App, Effect};
use crate::model::{Class, EventId, Filter};

/// How identifying values are made safe in an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Redaction {
    /// Keeps the shape: `a***@contoso.com`.
    #[default]
    Mask,
    /// A keyed pseudonym: the same value gives the same token, so joins still work.
    Hash,
    /// The field is removed.
    Drop,
}

impl Redaction {
    pub const ALL: [Redaction; 3] = [Redaction::Mask, Redaction::Hash, Redaction::Drop];

    pub fn as_str(self) -> &'static str {
        match self {
            Redaction::Mask => "mask",
            Redaction::Hash => "hash",
            Redaction::Drop => "drop",
        }
    }

    pub fn next(self) -> Redaction {
        match self {
            Redaction::Mask => Redaction::Hash,
            Redaction::Hash => Redaction::Drop,
            Redaction::Drop => Redaction::Mask,
        }
    }
}

/// Which events an export takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportScope {
    /// The events marked with Space, whatever the filter.
    Marked(Vec<EventId>),
    /// Every event matching the filter.
    Filtered(Filter),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub out: PathBuf,
    pub redaction: Redaction,
    /// Classes left as they are (`org`, say).
    pub keep: Vec<Class>,
    pub scope: ExportScope,
}

/// Work that runs on a thread of its own, reporting progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Export(ExportRequest),
    /// The privacy cache of the export, so privacy filter terms and the inventory can answer.
    BuildCache,
}

impl Job {
    /// What the status line calls it while it runs.
    pub fn label(&self) -> &'static str {
        match self {
            Job::Export(_) => "exporting",
            Job::BuildCache => "privacy cache",
        }
    }
}

/// A running job as the status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub id: u64,
    pub label: &'static str,
    /// The step it reported last (`writing`, `checking`…); empty before the first report.
    pub stage: &'static str,
    pub done: u64,
    pub total: Option<u64>,
}

impl JobStatus {
    /// `exporting: writing 42%`, or a count while the total is unknown.
    pub fn describe(&self) -> String {
        let what = if self.stage.is_empty() {
            self.label.to_string()
        } else {
            format!("{}: {}", self.label, self.stage)
        };
        match self.total {
            Some(total) if total > 0 => {
                let percent = (self.done.min(total) * 100) / total;
                format!("{what} {percent}%")
            }
            _ => format!("{what} {}…", crate::text::thousands(self.done)),
        }
    }
}

impl App {
    /// Starts `job` and shows it in the status line until it reports its end.
    pub(super) fn start_job(&mut self, job: Job) -> Vec<Effect> {
        let id = self.seq();
        self.jobs.push(JobStatus {
            id,
            label: job.label(),
            stage: "",
            done: 0,
            total: None,
        });
        vec![Effect::StartJob { id, job }]
    }

    pub(super) fn job_progress(
        &mut self,
        id: u64,
        stage: &'static str,
        done: u64,
        total: Option<u64>,
    ) {
        if let Some(status) = self.jobs.iter_mut().find(|j| j.id == id) {
            status.stage = stage;
            status.done = done;
            status.total = total;
        }
    }

    /// A finished job leaves the status line; its outcome becomes the notice.
    pub(super) fn job_done(&mut self, id: u64, result: Result<String, String>) -> Vec<Effect> {
        self.jobs.retain(|j| j.id != id);
        if self.cache_job == Some(id) {
            self.cache_job = None;
            self.cache = match &result {
                Ok(_) => CacheStatus::Ready,
                Err(error) => CacheStatus::Failed(error.clone()),
            };
        }
        let effects = if self.cache == CacheStatus::Ready {
            self.inventory_after_build()
        } else {
            Vec::new()
        };
        match result {
            Ok(summary) => self.say(summary, false),
            Err(error) => self.say(error, true),
        }
        effects
    }
}
