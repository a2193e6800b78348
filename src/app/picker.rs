//! The tenant/session pickers: values of one facet with their counts under the active filter,
//! narrowed locally as the user types and re-queried when the loaded list was cut short.

use super::{Action, App, Effect, LineInput, Mode};
use crate::model::{Facet, ValueCount};

/// The most values one picker query returns.
pub const PICKER_LIMIT: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub facet: Facet,
    pub needle: LineInput,
    /// Values as loaded for `loaded_needle`.
    pub items: Vec<ValueCount>,
    /// The store had more values than `PICKER_LIMIT` for `loaded_needle`.
    pub truncated: bool,
    pub loaded_needle: String,
    /// Index into `matches()`.
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
    seq: u64,
    /// The needle of the newest query, which becomes `loaded_needle` when it answers.
    requested_needle: String,
}

impl Picker {
    /// The loaded values that contain the typed text, case-insensitively.
    pub fn matches(&self) -> Vec<&ValueCount> {
        let needle = self.needle.text().to_lowercase();
        self.items
            .iter()
            .filter(|v| v.value.to_lowercase().contains(&needle))
            .collect()
    }

    /// Whether the loaded list cannot answer the typed text by itself.
    fn needs_query(&self) -> bool {
        let needle = self.needle.text().to_lowercase();
        self.truncated || !needle.contains(&self.loaded_needle.to_lowercase())
    }
}

impl App {
    pub(super) fn open_picker(&mut self, facet: Facet) -> Vec<Effect> {
        let seq = self.seq();
        self.picker = Some(Picker {
            facet,
            needle: LineInput::default(),
            items: Vec::new(),
            truncated: false,
            loaded_needle: String::new(),
            selected: 0,
            loading: true,
            error: None,
            seq,
            requested_needle: String::new(),
        });
        self.mode = Mode::Picker;
        vec![self.facet_effect(seq, facet, String::new())]
    }

    fn facet_effect(&self, seq: u64, facet: Facet, needle: String) -> Effect {
        Effect::LoadFacet {
            seq,
            facet,
            filter: self.filter.clone(),
            needle,
            // One more than shown tells whether the list was cut.
            limit: PICKER_LIMIT + 1,
        }
    }

    pub(super) fn on_picker_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(picker) = self.picker.as_mut() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        let count = picker.matches().len();
        match action {
            Action::Cancel => {
                self.picker = None;
                self.mode = Mode::Normal;
                Vec::new()
            }
            Action::SelectNext => {
                picker.selected = (picker.selected + 1).min(count.saturating_sub(1));
                Vec::new()
            }
            Action::SelectPrev => {
                picker.selected = picker.selected.saturating_sub(1);
                Vec::new()
            }
            Action::PageDown => {
                picker.selected = (picker.selected + 10).min(count.saturating_sub(1));
                Vec::new()
            }
            Action::PageUp => {
                picker.selected = picker.selected.saturating_sub(10);
                Vec::new()
            }
            Action::Submit => {
                let facet = picker.facet;
                let Some(value) = picker
                    .matches()
                    .get(picker.selected)
                    .map(|v| v.value.clone())
                else {
                    return Vec::new();
                };
                self.picker = None;
                self.mode = Mode::Normal;
                let next = self.filter.narrowed(facet, &value);
                if next == self.filter {
                    Vec::new()
                } else {
                    self.apply_filter(next, true)
                }
            }
            other => {
                if !picker.needle.edit(other) {
                    return Vec::new();
                }
                picker.selected = 0;
                if !picker.needs_query() {
                    return Vec::new();
                }
                let (facet, needle) = (picker.facet, picker.needle.text());
                let seq = self.seq();
                let effect = self.facet_effect(seq, facet, needle.clone());
                if let Some(picker) = self.picker.as_mut() {
                    picker.seq = seq;
                    picker.loading = true;
                    picker.requested_needle = needle;
                }
                vec![effect]
            }
        }
    }

    pub(super) fn on_facet_loaded(
        &mut self,
        seq: u64,
        result: Result<Vec<ValueCount>, String>,
    ) -> Vec<Effect> {
        let Some(picker) = self.picker.as_mut().filter(|p| p.seq == seq) else {
            return Vec::new();
        };
        picker.loading = false;
        match result {
            Ok(mut items) => {
                picker.truncated = items.len() > PICKER_LIMIT;
                items.truncate(PICKER_LIMIT);
                picker.items = items;
                picker.error = None;
                picker.loaded_needle = picker.requested_needle.clone();
                let count = picker.matches().len();
                picker.selected = picker.selected.min(count.saturating_sub(1));
            }
            Err(error) => picker.error = Some(error),
        }
        Vec::new()
    }
}
