//! How the app takes in what arrives from outside the keyboard: mouse gestures resolved to a
//! pane, and the worker's replies (stale ones, by sequence number, are dropped).

use super::{App, Count, Detail, DetailDoc, Effect, Loaded, Mode, Pane, Pointer};

impl App {
    pub(super) fn on_pointer(&mut self, pointer: Pointer) -> Vec<Effect> {
        if self.mode != Mode::Normal {
            return Vec::new();
        }
        match pointer {
            Pointer::Wheel { pane, lines } => {
                let saved = self.focus;
                self.focus = pane;
                let effects = self.move_in_focus(isize::try_from(lines).unwrap_or(0));
                self.focus = saved;
                effects
            }
            Pointer::Click { pane, line } => {
                self.focus = pane;
                match pane {
                    Pane::Sidebar => self.choose_category(usize::from(line)),
                    Pane::Table => {
                        // Line 0 is the column header.
                        let Some(row) = usize::from(line).checked_sub(1) else {
                            return Vec::new();
                        };
                        let target = self.window.top + row;
                        if target >= self.window.rows.len() {
                            return Vec::new();
                        }
                        let delta = target as isize - self.window.selected as isize;
                        self.move_selection(delta)
                    }
                    Pane::Detail => Vec::new(),
                }
            }
        }
    }

    pub(super) fn on_loaded(&mut self, loaded: Loaded) -> Vec<Effect> {
        match loaded {
            Loaded::JobProgress {
                id,
                stage,
                done,
                total,
            } => {
                self.job_progress(id, stage, done, total);
                Vec::new()
            }
            Loaded::Seek { seq, result } => self.seek_found(seq, result),
            Loaded::JobDone { id, result } => self.job_done(id, result),
            Loaded::Inventory { seq, result } => {
                self.inventory_loaded(seq, result);
                Vec::new()
            }
            Loaded::Page { seq, result } => {
                if self.window.pending.as_ref().is_none_or(|p| p.seq != seq) {
                    return Vec::new();
                }
                match result {
                    Ok(page) => {
                        self.window
                            .receive(page, usize::from(self.viewport.table_rows));
                        let mut effects = self.detail_effects();
                        effects.extend(self.window_effects());
                        effects
                    }
                    Err(error) => {
                        self.window.pending = None;
                        self.say(error, true);
                        Vec::new()
                    }
                }
            }
            Loaded::Count { seq, result } => {
                if seq == self.count_seq {
                    self.matching = match result {
                        Ok(n) => Count::Known(n),
                        Err(error) => {
                            self.say(error, true);
                            Count::Failed
                        }
                    };
                }
                Vec::new()
            }
            Loaded::Total { result } => {
                self.total = match result {
                    Ok(n) => Count::Known(n),
                    Err(error) => {
                        self.say(error, true);
                        Count::Failed
                    }
                };
                Vec::new()
            }
            Loaded::Categories { seq, result } => {
                if seq == self.categories_seq {
                    match result {
                        Ok(counts) => self.categories = Some(counts),
                        Err(error) => {
                            self.categories = Some(Vec::new());
                            self.say(error, true);
                        }
                    }
                    let last = self.sidebar_entries().len().saturating_sub(1);
                    self.sidebar_cursor = self.sidebar_cursor.min(last);
                }
                Vec::new()
            }
            Loaded::Facet { seq, result } => self.on_facet_loaded(seq, result),
            Loaded::Detail { seq, result } => {
                if seq != self.detail_seq {
                    return Vec::new();
                }
                let id = match &self.detail {
                    Detail::Loading(id) => *id,
                    _ => return Vec::new(),
                };
                self.detail = match result {
                    Ok(Some(inspected)) => Detail::Ready(Box::new(DetailDoc::build(
                        *inspected,
                        self.masked,
                        usize::from(self.viewport.detail_width),
                    ))),
                    Ok(None) => Detail::Missing(id),
                    Err(error) => Detail::Failed(error),
                };
                self.clamp_detail_scroll();
                Vec::new()
            }
        }
    }
}
