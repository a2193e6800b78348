//! The category sidebar: All and every category with its count under the active filter
//! (category terms set aside); the active category is marked, the cursor shown when focused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, pane_block};
use crate::app::{App, Pane};
use crate::text;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Sidebar;
    let block = pane_block(" categories ".into(), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let active = app.active_category();
    let lines: Vec<Line> = app
        .sidebar_entries()
        .into_iter()
        .enumerate()
        .map(|(i, (name, count))| {
            let is_active = name.as_deref() == active;
            let label = match &name {
                Some(name) => text::visible(name).into_owned(),
                None => "All".to_string(),
            };
            let count = count.map_or_else(|| "…".to_string(), text::thousands);
            let marker = if is_active { "●" } else { " " };
            let room = width.saturating_sub(count.chars().count() + 3);
            let label: String = label.chars().take(room).collect();
            let pad = room.saturating_sub(label.chars().count());
            let body = format!("{marker} {label}{} {count}", " ".repeat(pad));
            let style = if focused && i == app.sidebar_cursor {
                theme.selected
            } else if is_active {
                theme.active
            } else {
                theme.text
            };
            Line::from(Span::styled(body, style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
