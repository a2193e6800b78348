//! Marks: the events a support engineer picks (Space) to export together, kept by id across
//! filters so a ticket's evidence can be gathered from several views.

use super::{App, Effect};

impl App {
    /// Marks or unmarks the selected event, then moves down so Space can mark a run of rows.
    pub(super) fn toggle_mark(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected().map(|row| row.id) else {
            self.say("no event selected", false);
            return Vec::new();
        };
        if !self.marked.remove(&id) {
            self.marked.insert(id);
        }
        self.move_selection(1)
    }

    pub(super) fn clear_marks(&mut self) -> Vec<Effect> {
        if self.marked.is_empty() {
            self.say("no events are marked", false);
        } else {
            let n = self.marked.len();
            self.marked.clear();
            self.say(
                format!("{n} mark{} cleared", if n == 1 { "" } else { "s" }),
                false,
            );
        }
        Vec::new()
    }
}
