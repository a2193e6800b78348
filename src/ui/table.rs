//! The events table: only the rows on screen are built. Columns are a table of their own so
//! a new one is one more entry in `COLUMNS`. The first is the privacy marker (the strongest
//! class of identifier in the event); while masking, identity columns show masked values.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{Theme, pane_block};
use crate::app::{App, Marker, Pane, masked_column};
use crate::model::EventSummary;
use crate::text;

/// What a cell is drawn from: the row, its marker and whether values are masked.
#[derive(Clone, Copy)]
struct RowView<'a> {
    event: &'a EventSummary,
    marker: Marker,
    masked: bool,
    /// Marked with Space for export.
    marked: bool,
}

/// The marker column's title; its cells are styled by class.
const MARKER_TITLE: &str = "pii";

struct Column {
    title: &'static str,
    /// Its minimum width; `widths` shares out the room left.
    width: Constraint,
    /// Narrow tables keep the columns with the lowest numbers.
    priority: u8,
    cell: fn(RowView) -> String,
}

impl Column {
    fn room(&self) -> u16 {
        match self.width {
            Constraint::Length(n) | Constraint::Min(n) => n,
            _ => 0,
        }
    }
}

fn optional(value: Option<&String>) -> String {
    value.map_or_else(|| "—".to_string(), |v| text::visible(v).into_owned())
}

/// Identity column `index` (tenant, session, user), masked when the view asks for it.
fn identity(row: RowView, index: usize, value: Option<&String>) -> String {
    match value {
        Some(v) if row.masked => {
            text::visible(&masked_column(index, row.marker.columns[index], v)).into_owned()
        }
        _ => optional(value),
    }
}

const COLUMNS: &[Column] = &[
    Column {
        title: MARKER_TITLE,
        priority: 0,
        width: Constraint::Length(3),
        cell: |r| {
            let mark = if r.marked { "+" } else { " " };
            let breach = if r.marker.breach { "!" } else { " " };
            format!("{mark}{breach}{}", r.marker.letter())
        },
    },
    Column {
        title: "time (UTC)",
        priority: 0,
        width: Constraint::Length(23),
        cell: |r| text::utc_time(&r.event.ts).into_owned(),
    },
    Column {
        title: "category",
        priority: 2,
        width: Constraint::Length(8),
        cell: |r| text::visible(&r.event.category).into_owned(),
    },
    Column {
        title: "name",
        priority: 1,
        width: Constraint::Min(12),
        cell: |r| text::visible(&r.event.name).into_owned(),
    },
    Column {
        title: "tenant",
        priority: 3,
        width: Constraint::Length(12),
        cell: |r| identity(r, 0, r.event.tenant_id.as_ref()),
    },
    Column {
        title: "session",
        priority: 5,
        width: Constraint::Length(8),
        cell: |r| identity(r, 1, r.event.session_id.as_ref()),
    },
    Column {
        title: "user",
        priority: 4,
        width: Constraint::Length(14),
        cell: |r| identity(r, 2, r.event.user_id.as_ref()),
    },
];

/// The columns that fit in `width`, most important first, shown in table order.
fn fitting(width: u16) -> Vec<&'static Column> {
    let mut by_priority: Vec<&Column> = COLUMNS.iter().collect();
    by_priority.sort_by_key(|c| c.priority);
    let mut used = 0u16;
    let mut kept: Vec<&Column> = Vec::new();
    for column in by_priority {
        let need = column.room() + u16::from(!kept.is_empty());
        if used + need <= width || kept.is_empty() {
            used = used.saturating_add(need);
            kept.push(column);
        }
    }
    COLUMNS
        .iter()
        .filter(|c| kept.iter().any(|k| std::ptr::eq(*k, *c)))
        .collect()
}

/// Column widths for a table `width` wide: each column's minimum, then the room left grows the
/// columns in `GROWTH` order up to their caps, so ids are shown whole before `name` widens.
fn widths(columns: &[&Column], width: u16) -> Vec<u16> {
    const GROWTH: [(&str, u16); 5] = [
        ("name", 22),
        ("user", 36),
        ("tenant", 36),
        ("session", 36),
        ("name", 40),
    ];
    let mut sizes: Vec<u16> = columns.iter().map(|c| c.room()).collect();
    let spacing = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let mut spare = width.saturating_sub(sizes.iter().sum::<u16>() + spacing);
    for (title, cap) in GROWTH {
        if let Some(i) = columns.iter().position(|c| c.title == title) {
            let grow = cap.saturating_sub(sizes[i]).min(spare);
            sizes[i] += grow;
            spare -= grow;
        }
    }
    if let Some(i) = columns.iter().position(|c| c.title == "name") {
        sizes[i] += spare;
    }
    sizes
}

/// `text` cut to `width` columns, with `…` saying that it was cut.
fn fit(text: String, width: u16) -> String {
    let width = usize::from(width);
    if text.chars().count() <= width {
        return text;
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        cut.push('…');
    }
    cut
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Table;
    let block = pane_block(" events ".into(), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let window = &app.window;
    if window.rows.is_empty() {
        frame.render_widget(Paragraph::new(empty_message(app, theme)), inner);
        return;
    }
    let visible = usize::from(inner.height.saturating_sub(1));
    let columns = fitting(inner.width);
    let sizes = widths(&columns, inner.width);
    let rows = window
        .visible_rows(visible)
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let style = if window.top + i != window.selected {
                theme.text
            } else if focused {
                theme.selected
            } else {
                theme.selected_unfocused
            };
            let view = RowView {
                event,
                marker: window.marker(window.top + i),
                masked: app.masked,
                marked: app.marked.contains(&event.id),
            };
            let cells = columns.iter().zip(&sizes).map(|(c, &size)| {
                let cell = Cell::from(fit((c.cell)(view), size));
                match view.marker.class {
                    _ if c.title != MARKER_TITLE => cell,
                    _ if view.marker.breach => cell.style(theme.violation),
                    Some(class) => cell.style(theme.class(class)),
                    None => cell,
                }
            });
            Row::new(cells.collect::<Vec<_>>()).style(style)
        });
    let header = Row::new(columns.iter().map(|c| Cell::from(c.title))).style(theme.header);
    let table = Table::new(rows, sizes.iter().copied().map(Constraint::Length))
        .header(header)
        .column_spacing(1);
    frame.render_widget(table, inner);
}

fn empty_message<'a>(app: &App, theme: &Theme) -> Text<'a> {
    if !app.window.loaded {
        return Text::styled(" loading…", theme.dim);
    }
    if app.filter.is_empty() {
        return Text::styled(" no events in this export", theme.dim);
    }
    let back = if app.history.is_empty() {
        " press x to clear the filter"
    } else {
        " press Backspace to go back to the previous filter"
    };
    Text::from(vec![
        Line::styled(
            format!(
                " no events match `{}`",
                text::visible(&app.filter.to_string())
            ),
            theme.text,
        ),
        Line::styled(back, theme.dim),
    ])
}
