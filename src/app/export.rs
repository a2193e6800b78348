//! The export dialog: where a shareable sample of the marked (else the filtered) events goes,
//! and how its identifiers are redacted. The export itself runs as a job.

use std::path::PathBuf;

use super::jobs::{ExportRequest, ExportScope, Job, Redaction};
use super::{Action, App, Effect, LineInput, Mode};
use crate::model::Class;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDialog {
    pub path: LineInput,
    pub redaction: Redaction,
    /// How many marked events it would export; 0 exports the filtered events.
    pub marked: usize,
    /// Why the last Enter was refused.
    pub problem: Option<String>,
}

/// The file a new export suggests: a `.jsonl` in the working directory.
pub const DEFAULT_EXPORT_PATH: &str = "telex-sample.jsonl";
const EXTENSIONS: [&str; 3] = ["jsonl", "csv", "db"];

impl App {
    /// `e`: asks where to write the marked events (or, with none marked, the filtered ones).
    pub(super) fn open_export(&mut self) -> Vec<Effect> {
        self.export = Some(ExportDialog {
            path: LineInput::new(DEFAULT_EXPORT_PATH),
            redaction: Redaction::default(),
            marked: self.marked.len(),
            problem: None,
        });
        self.mode = Mode::Export;
        Vec::new()
    }

    pub(super) fn on_export_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(dialog) = self.export.as_mut() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        match action {
            Action::Cancel => {
                self.export = None;
                self.mode = Mode::Normal;
                Vec::new()
            }
            Action::FocusNext => {
                dialog.redaction = dialog.redaction.next();
                Vec::new()
            }
            Action::Submit => {
                let out = PathBuf::from(dialog.path.text().trim());
                let extension = out.extension().and_then(|e| e.to_str()).unwrap_or("");
                if !EXTENSIONS.contains(&extension) {
                    dialog.problem = Some("the file must end in .jsonl, .csv or .db".into());
                    return Vec::new();
                }
                let scope = if self.marked.is_empty() {
                    ExportScope::Filtered(self.filter.clone())
                } else {
                    ExportScope::Marked(self.marked.iter().copied().collect())
                };
                let request = ExportRequest {
                    out,
                    redaction: dialog.redaction,
                    keep: Vec::<Class>::new(),
                    scope,
                };
                self.export = None;
                self.mode = Mode::Normal;
                self.start_job(Job::Export(request))
            }
            other => {
                if dialog.path.edit(other) {
                    dialog.problem = None;
                }
                Vec::new()
            }
        }
    }
}
