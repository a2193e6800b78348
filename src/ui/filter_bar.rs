//! The filter bar: the active filter (or the text being edited, with its cursor) and, on the
//! line below, a caret under the column a rejected filter went wrong at, with the reason.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::app::{App, Mode, masked_filter};
use crate::text;

const PROMPT: &str = " filter › ";

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut first = vec![Span::styled(PROMPT, theme.label)];
    match (&app.input, app.mode()) {
        (Some(input), Mode::Filter) => {
            let chars: Vec<char> = input.text().chars().collect();
            for (i, c) in chars.iter().enumerate() {
                let shown = text::visible(&c.to_string()).into_owned();
                let style = if i == input.cursor() {
                    theme.cursor
                } else {
                    theme.text
                };
                first.push(Span::styled(shown, style));
            }
            if input.cursor() >= chars.len() {
                first.push(Span::styled(" ", theme.cursor));
            }
        }
        _ if app.filter.is_empty() => {
            first.push(Span::styled("(none: every event)", theme.dim));
        }
        _ => {
            let shown = if app.masked {
                masked_filter(&app.filter).to_string()
            } else {
                app.filter.to_string()
            };
            first.push(Span::styled(
                text::visible(&shown).into_owned(),
                theme.active,
            ));
        }
    }
    let second = match (&app.filter_problem, app.mode()) {
        (Some(problem), _) => {
            let before: String = problem.text.chars().take(problem.position).collect();
            let column = PROMPT.chars().count() + text::visible(&before).chars().count();
            Line::from(vec![
                Span::raw(" ".repeat(column)),
                Span::styled(
                    format!("^ at column {}: {}", problem.position + 1, problem.message),
                    theme.error,
                ),
            ])
        }
        (None, Mode::Filter) => {
            let mut keys: Vec<&str> = crate::filter::KEYS.to_vec();
            keys.extend(app.extra_columns.iter().map(String::as_str));
            Line::styled(
                format!(
                    "{}Enter applies, Esc cancels · key:value -key:value \"text\" · keys: {}",
                    " ".repeat(PROMPT.chars().count()),
                    text::visible(&keys.join(" "))
                ),
                theme.dim,
            )
        }
        (None, _) => Line::default(),
    };
    frame.render_widget(Paragraph::new(vec![Line::from(first), second]), area);
}
