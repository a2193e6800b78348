//! The window of loaded rows around the selection: which pages to fetch by keyset as the
//! selection moves, and which rows to drop so memory stays bounded on any export size.

use super::PageStart;
use super::lens::{Marker, Page};
use crate::model::EventSummary;

/// Rows per keyset page.
pub const PAGE_SIZE: usize = 200;
/// The most rows kept at once; the far side is dropped beyond this.
const MAX_ROWS: usize = PAGE_SIZE * 5;

/// A page request the window is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub seq: u64,
    pub plan: Plan,
}

/// What to do with the page when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    ReplaceAtStart,
    ReplaceAtEnd,
    /// Replaces the window with rows from a given event on; earlier rows load as a page
    /// before it.
    ReplaceFrom,
    Append,
    Prepend,
}

/// A contiguous slice of the matching events in `(ts, id)` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub rows: Vec<EventSummary>,
    /// The privacy marker of each row, kept the same length as `rows`.
    pub marks: Vec<Marker>,
    /// Index into `rows`; meaningless while `rows` is empty.
    pub selected: usize,
    /// The first row shown in the table.
    pub top: usize,
    /// Whether `rows` starts at the first matching event / ends at the last one.
    pub at_start: bool,
    pub at_end: bool,
    /// Whether any page has arrived for the current filter.
    pub loaded: bool,
    pub pending: Option<Pending>,
}

impl Window {
    pub fn selected_row(&self) -> Option<&EventSummary> {
        self.rows.get(self.selected)
    }

    /// The marker of row `index` (blank when unknown).
    pub fn marker(&self, index: usize) -> Marker {
        self.marks.get(index).copied().unwrap_or_default()
    }

    /// The rows the table shows, at most `visible` from `top`.
    pub fn visible_rows(&self, visible: usize) -> &[EventSummary] {
        let start = self.top.min(self.rows.len());
        let end = (start + visible).min(self.rows.len());
        &self.rows[start..end]
    }

    pub fn move_selection(&mut self, delta: isize, visible: usize) {
        if self.rows.is_empty() {
            return;
        }
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(self.rows.len() - 1);
        self.keep_visible(visible);
    }

    /// Selects the first or last row without a query when the window already holds it.
    pub fn jump_locally(&mut self, to_end: bool, visible: usize) -> bool {
        if !self.loaded || self.pending.is_some() {
            return false;
        }
        if to_end && self.at_end {
            self.selected = self.rows.len().saturating_sub(1);
        } else if !to_end && self.at_start {
            self.selected = 0;
        } else {
            return false;
        }
        self.keep_visible(visible);
        true
    }

    /// Scrolls so the selection is on screen.
    pub fn keep_visible(&mut self, visible: usize) {
        let visible = visible.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + visible {
            self.top = self.selected + 1 - visible;
        }
        // No blank rows under the last event when the screen could be full.
        self.top = self.top.min(self.rows.len().saturating_sub(visible));
    }

    /// The page to fetch now so scrolling never reaches an unloaded edge, if any.
    pub fn needed_page(&self, visible: usize) -> Option<PageStart> {
        if !self.loaded || self.pending.is_some() || self.rows.is_empty() {
            return None;
        }
        let margin = (PAGE_SIZE / 2).max(visible * 2);
        if !self.at_end && self.rows.len() - self.selected <= margin {
            return self.rows.last().map(|r| PageStart::After(r.cursor()));
        }
        if !self.at_start && self.selected < margin {
            return self.rows.first().map(|r| PageStart::Before(r.cursor()));
        }
        None
    }

    /// Takes in the awaited page. The caller has checked its sequence number.
    pub fn receive(&mut self, page: Page, visible: usize) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let Page {
            rows: page,
            marks: mut page_marks,
        } = page;
        // Rows and markers are trimmed together below, so they must start the same length.
        page_marks.resize(page.len(), Marker::default());
        let full = page.len() >= PAGE_SIZE;
        match pending.plan {
            Plan::ReplaceAtStart => {
                self.rows = page;
                self.marks = page_marks;
                self.at_start = true;
                self.at_end = !full;
                self.selected = 0;
                self.top = 0;
            }
            Plan::ReplaceFrom => {
                self.rows = page;
                self.marks = page_marks;
                self.at_start = false;
                self.at_end = !full;
                self.selected = 0;
                self.top = 0;
            }
            Plan::ReplaceAtEnd => {
                self.rows = page;
                self.marks = page_marks;
                self.at_end = true;
                self.at_start = !full;
                self.selected = self.rows.len().saturating_sub(1);
                self.top = self.selected;
            }
            Plan::Append => {
                self.at_end = !full;
                self.rows.extend(page);
                self.marks.extend(page_marks);
                let excess = self.rows.len().saturating_sub(MAX_ROWS);
                if excess > 0 {
                    self.rows.drain(..excess);
                    self.marks.drain(..excess.min(self.marks.len()));
                    self.selected = self.selected.saturating_sub(excess);
                    self.top = self.top.saturating_sub(excess);
                    self.at_start = false;
                }
            }
            Plan::Prepend => {
                self.at_start = !full;
                let added = page.len();
                let mut rows = page;
                rows.append(&mut self.rows);
                self.rows = rows;
                page_marks.append(&mut self.marks);
                self.marks = page_marks;
                self.selected += added;
                self.top += added;
                if self.rows.len() > MAX_ROWS {
                    self.rows.truncate(MAX_ROWS);
                    self.marks.truncate(MAX_ROWS);
                    self.at_end = false;
                }
            }
        }
        self.loaded = true;
        if self.rows.is_empty() {
            self.selected = 0;
            self.top = 0;
        } else {
            self.selected = self.selected.min(self.rows.len() - 1);
        }
        self.keep_visible(visible);
    }
}
