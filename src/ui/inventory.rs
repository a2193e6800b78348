//! The inventory view: the field inventory of the privacy cache as a table over the panes —
//! category, field, records, records with identifiers, kinds, one masked example.

use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table};

use super::Theme;
use super::overlay::centered;
use crate::app::App;
use crate::text;

pub fn render(frame: &mut Frame, app: &App, theme: &Theme) {
    let Some(view) = &app.inventory else {
        return;
    };
    let area = centered(
        frame.area(),
        frame.area().width.saturating_sub(4),
        frame.area().height.saturating_sub(2),
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(" identifying fields · Enter shows the records · Esc closes ");
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);

    let message = if let Some(error) = &view.error {
        Some(Line::styled(text::visible(error).into_owned(), theme.error))
    } else if view.loading {
        let building = app.jobs.iter().find(|j| j.label == "privacy cache");
        Some(Line::styled(
            match building {
                Some(job) => format!("waiting for the {}", job.describe()),
                None => "loading…".to_string(),
            },
            theme.dim,
        ))
    } else if view.rows.is_empty() {
        Some(Line::styled("no fields", theme.dim))
    } else {
        None
    };
    if let Some(message) = message {
        frame.render_widget(Paragraph::new(message), inner);
        return;
    }

    let visible = usize::from(inner.height.saturating_sub(1)).max(1);
    let first = view.selected.saturating_sub(visible - 1);
    let rows = view
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, row)| {
            let kinds = row
                .kinds
                .iter()
                .map(|(k, n)| format!("{k} {}", text::thousands(*n)))
                .collect::<Vec<_>>()
                .join(", ");
            let style = if i == view.selected {
                theme.selected
            } else if row.identified == 0 {
                theme.dim
            } else {
                theme.text
            };
            Row::new(vec![
                Cell::from(text::visible(&row.category).into_owned()),
                Cell::from(text::visible(&row.field).into_owned()),
                Cell::from(format!("{:>9}", text::thousands(row.records))),
                Cell::from(format!("{:>9}", text::thousands(row.identified))),
                Cell::from(text::visible(&kinds).into_owned()),
                Cell::from(text::visible(row.example.as_deref().unwrap_or("")).into_owned()),
            ])
            .style(style)
        });
    let header = Row::new([
        "category",
        "field",
        "  records",
        " with ids",
        "kinds",
        "example",
    ])
    .style(theme.header);
    let widths = [
        Constraint::Length(9),
        Constraint::Min(18),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Min(16),
        Constraint::Min(12),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}
