//! The status line: matching / total events, loading state, the latest notice or error, and
//! the key hints of the current mode from the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::app::{App, Count};
use crate::keymap;
use crate::text;

fn count(count: &Count) -> String {
    match count {
        Count::Pending => "counting…".into(),
        Count::Known(n) => text::thousands(*n),
        Count::Failed => "?".into(),
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut left = vec![Span::styled(
        format!(" {} of {} events", count(&app.matching), count(&app.total)),
        theme.text,
    )];
    if app.masked {
        // Said first so it survives a long notice: whoever shares the screen must see it.
        left.push(Span::raw(" · "));
        left.push(Span::styled("masked", theme.masked));
    }
    if !app.marked.is_empty() {
        left.push(Span::raw(" · "));
        left.push(Span::styled(
            format!("{} marked", text::thousands(app.marked.len() as u64)),
            theme.active,
        ));
    }
    for job in &app.jobs {
        left.push(Span::raw(" · "));
        left.push(Span::styled(job.describe(), theme.active));
    }
    if app.is_loading() {
        left.push(Span::styled(" · loading…", theme.dim));
    }
    if let Some(notice) = &app.notice {
        left.push(Span::raw(" · "));
        let style = if notice.is_error {
            theme.error
        } else {
            theme.active
        };
        left.push(Span::styled(
            text::visible(&notice.text).into_owned(),
            style,
        ));
    }
    let left = Line::from(left);
    let left_width = left.width();
    // Hints are dropped from the end when the message needs the room.
    let room = usize::from(area.width).saturating_sub(left_width + 2);
    let mut right = Vec::new();
    let mut used = 0;
    for (key, word) in keymap::hints(app.mode()) {
        let width = key.chars().count() + word.chars().count() + 3;
        if used + width > room {
            break;
        }
        used += width;
        right.push(Span::styled(key, theme.key_hint));
        right.push(Span::styled(format!(" {word}  "), theme.dim));
    }
    let hint_room = u16::try_from(used).unwrap_or(u16::MAX);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(hint_room)]).areas(area);
    frame.render_widget(Paragraph::new(left), left_area);
    frame.render_widget(Paragraph::new(Line::from(right)), right_area);
}
