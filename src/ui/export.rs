//! The export dialog: the output file being typed, the redaction chosen with Tab, and what
//! will be exported (the marked events, else the filtered ones).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Theme;
use super::overlay::centered;
use crate::app::{App, Redaction};
use crate::text;

pub fn render(frame: &mut Frame, app: &App, theme: &Theme) {
    let Some(dialog) = &app.export else {
        return;
    };
    let area = centered(frame.area(), 66, 8);
    let what = if dialog.marked > 0 {
        format!(
            " export {} marked event{} ",
            text::thousands(dialog.marked as u64),
            if dialog.marked == 1 { "" } else { "s" }
        )
    } else {
        " export the filtered events ".to_string()
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(what);
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);

    let mut file = vec![Span::styled(" file    › ", theme.label)];
    let chars: Vec<char> = dialog.path.text().chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let style = if i == dialog.path.cursor() {
            theme.cursor
        } else {
            theme.text
        };
        file.push(Span::styled(
            text::visible(&c.to_string()).into_owned(),
            style,
        ));
    }
    if dialog.path.cursor() >= chars.len() {
        file.push(Span::styled(" ", theme.cursor));
    }
    let mut redact = vec![Span::styled(" redact    ", theme.label)];
    for mode in Redaction::ALL {
        let style = if mode == dialog.redaction {
            theme.selected
        } else {
            theme.dim
        };
        redact.push(Span::styled(format!(" {} ", mode.as_str()), style));
        redact.push(Span::raw(" "));
    }
    redact.push(Span::styled("(Tab changes)", theme.dim));
    let lines = vec![
        Line::from(file),
        Line::from(redact),
        Line::styled(
            " .jsonl, .csv or .db; every identifying class is redacted",
            theme.dim,
        ),
        Line::styled(" Enter exports · Esc cancels", theme.dim),
        match &dialog.problem {
            Some(problem) => Line::styled(format!(" {problem}"), theme.error),
            None => Line::default(),
        },
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}
