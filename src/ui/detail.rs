//! The detail pane: the selected event's document (columns, then the payload), scrolled.
//! Further sections (findings under the payload) arrive as more lines of the same document.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, pane_block};
use crate::app::{App, Detail, Pane};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Detail;
    let height = usize::from(area.height.saturating_sub(2));
    let (title, lines) = match &app.detail {
        Detail::Empty => (
            " event ".to_string(),
            vec![Line::styled(" no event selected", theme.dim)],
        ),
        Detail::Loading(id) => (
            format!(" event {id} "),
            vec![Line::styled(" loading…", theme.dim)],
        ),
        Detail::Missing(id) => (
            format!(" event {id} "),
            vec![Line::styled(
                " this event is no longer in the export",
                theme.dim,
            )],
        ),
        Detail::Failed(error) => (
            " event ".to_string(),
            vec![Line::styled(format!(" {error}"), theme.error)],
        ),
        Detail::Ready(doc) => {
            let total = doc.lines.len();
            let first = app.detail_scroll.min(total);
            let last = (first + height).min(total);
            let lines = doc.lines[first..last]
                .iter()
                .map(|line| {
                    Line::from(
                        line.spans
                            .iter()
                            .map(|(tone, text)| Span::styled(text.as_str(), theme.tone(*tone)))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            (
                format!(" event {} · lines {}–{last} of {total} ", doc.id, first + 1),
                lines,
            )
        }
    };
    let block = pane_block(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(lines), inner);
}
