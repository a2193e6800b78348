//! `n` / `N`: the next or previous event that breaks the policy. The worker looks for it from
//! the selected event on, through the filtered events; the window then opens at it.

use super::{App, Effect, PageStart};
use crate::model::Cursor;

impl App {
    pub(super) fn seek_violation(&mut self, forward: bool) -> Vec<Effect> {
        let Some(from) = self.selected().map(|row| row.cursor()) else {
            self.say("no event selected", false);
            return Vec::new();
        };
        self.seek_seq = self.seq();
        self.say(
            if forward {
                "looking for the next violation…"
            } else {
                "looking for the previous violation…"
            },
            false,
        );
        vec![Effect::SeekViolation {
            seq: self.seek_seq,
            filter: self.filter.clone(),
            from,
            forward,
        }]
    }

    pub(super) fn seek_found(
        &mut self,
        seq: u64,
        result: Result<Option<Cursor>, String>,
    ) -> Vec<Effect> {
        if seq != self.seek_seq {
            return Vec::new();
        }
        self.seek_seq = 0;
        match result {
            Ok(Some(cursor)) => {
                self.notice = None;
                self.request_page(PageStart::At(cursor))
            }
            Ok(None) => {
                self.say("no violation that way under this filter", false);
                Vec::new()
            }
            Err(error) => {
                self.say(error, true);
                Vec::new()
            }
        }
    }
}
