//! Moving around: the selection in the table (and the pages that fetching it needs), the
//! sidebar cursor, the detail scroll, and requesting the selected event's record.

use super::window::PAGE_SIZE;
use super::{App, Detail, Effect, PageStart, Pane, window};

impl App {
    pub(super) fn page_step(&self) -> isize {
        let rows = match self.focus {
            Pane::Detail => self.viewport.detail_rows,
            _ => self.viewport.table_rows,
        };
        isize::try_from(rows.max(2) - 1).unwrap_or(1)
    }

    pub(super) fn move_in_focus(&mut self, delta: isize) -> Vec<Effect> {
        match self.focus {
            Pane::Sidebar => {
                let last = self.sidebar_entries().len().saturating_sub(1);
                self.sidebar_cursor = self.sidebar_cursor.saturating_add_signed(delta).min(last);
                Vec::new()
            }
            Pane::Table => self.move_selection(delta),
            Pane::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_add_signed(delta);
                self.clamp_detail_scroll();
                Vec::new()
            }
        }
    }

    pub(super) fn jump_in_focus(&mut self, to_end: bool) -> Vec<Effect> {
        match self.focus {
            Pane::Sidebar => {
                self.sidebar_cursor = if to_end {
                    self.sidebar_entries().len().saturating_sub(1)
                } else {
                    0
                };
                Vec::new()
            }
            Pane::Table => {
                let start = if to_end {
                    PageStart::Last
                } else {
                    PageStart::First
                };
                if self
                    .window
                    .jump_locally(to_end, usize::from(self.viewport.table_rows))
                {
                    self.detail_effects()
                } else {
                    self.request_page(start)
                }
            }
            Pane::Detail => {
                self.detail_scroll = if to_end { usize::MAX } else { 0 };
                self.clamp_detail_scroll();
                Vec::new()
            }
        }
    }

    pub(super) fn move_selection(&mut self, delta: isize) -> Vec<Effect> {
        let before = self.window.selected;
        self.window
            .move_selection(delta, usize::from(self.viewport.table_rows));
        let mut effects = self.window_effects();
        if self.window.selected != before {
            effects.extend(self.detail_effects());
        }
        effects
    }

    pub(super) fn clamp_detail_scroll(&mut self) {
        let lines = match &self.detail {
            Detail::Ready(doc) => doc.lines.len(),
            _ => 0,
        };
        let visible = usize::from(self.viewport.detail_rows.max(1));
        self.detail_scroll = self.detail_scroll.min(lines.saturating_sub(visible));
    }

    /// A page that replaces the window (new filter, first/last) and where the selection lands.
    pub(super) fn request_page(&mut self, start: PageStart) -> Vec<Effect> {
        self.page_seq = self.seq();
        self.window.pending = Some(window::Pending {
            seq: self.page_seq,
            plan: match start {
                PageStart::Last => window::Plan::ReplaceAtEnd,
                PageStart::First => window::Plan::ReplaceAtStart,
                PageStart::At(_) => window::Plan::ReplaceFrom,
                PageStart::After(_) => window::Plan::Append,
                PageStart::Before(_) => window::Plan::Prepend,
            },
        });
        vec![Effect::LoadPage {
            seq: self.page_seq,
            filter: self.filter.clone(),
            start,
            limit: PAGE_SIZE,
        }]
    }

    /// The next page when the selection nears an edge of the window that is not the end.
    pub(super) fn window_effects(&mut self) -> Vec<Effect> {
        match self
            .window
            .needed_page(usize::from(self.viewport.table_rows))
        {
            Some(start) => self.request_page(start),
            None => Vec::new(),
        }
    }

    /// Requests the selected event's record unless it is already shown or on its way.
    pub(super) fn detail_effects(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected().map(|s| s.id) else {
            self.detail = Detail::Empty;
            return Vec::new();
        };
        let current = match &self.detail {
            Detail::Loading(current) | Detail::Missing(current) => Some(*current),
            Detail::Ready(doc) => Some(doc.id),
            Detail::Empty | Detail::Failed(_) => None,
        };
        if current == Some(id) {
            return Vec::new();
        }
        self.detail = Detail::Loading(id);
        self.detail_scroll = 0;
        self.detail_seq = self.seq();
        vec![Effect::LoadDetail {
            seq: self.detail_seq,
            id,
        }]
    }
}
