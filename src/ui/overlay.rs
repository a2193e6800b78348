//! What draws over the panes: the help generated from the keymap, the tenant/session picker,
//! and the "terminal too small" message that replaces the layout.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{MIN_HEIGHT, MIN_WIDTH, Theme};
use crate::app::{App, Mode, masked_facet_value};
use crate::keymap;
use crate::text;

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

pub fn too_small(frame: &mut Frame, theme: &Theme) {
    let area = frame.area();
    let message = format!(
        "terminal too small (need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{})",
        area.width, area.height
    );
    let lines = u16::try_from(message.chars().count() / usize::from(area.width.max(1)) + 1)
        .unwrap_or(u16::MAX);
    let target = centered(area, area.width, lines);
    frame.render_widget(
        Paragraph::new(message)
            .style(theme.error)
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(Wrap { trim: true }),
        target,
    );
}

pub fn help(frame: &mut Frame, app: &App, theme: &Theme) {
    let mut lines = Vec::new();
    for (mode, title) in [
        (Mode::Normal, "browsing"),
        (Mode::Filter, "editing the filter"),
        (Mode::Picker, "in a picker"),
        (Mode::Export, "in the export dialog"),
        (Mode::Inventory, "in the inventory"),
    ] {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(title, theme.heading));
        for (keys, help) in keymap::help(mode) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<14}"), theme.key_hint),
                Span::styled(help, theme.text),
            ]));
        }
    }
    let area = centered(frame.area(), 64, frame.area().height.saturating_sub(2));
    let visible = usize::from(area.height.saturating_sub(2));
    let first = app.help_scroll.min(lines.len().saturating_sub(visible));
    let more = if first + visible < lines.len() {
        " · j/k scroll "
    } else {
        " "
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(format!(" help · Esc or ? closes{more}"));
    frame.render_widget(Clear, area);
    let shown: Vec<Line> = lines.into_iter().skip(first).collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
}

pub fn picker(frame: &mut Frame, app: &App, theme: &Theme) {
    let Some(picker) = &app.picker else {
        return;
    };
    let area = centered(
        frame.area(),
        56,
        frame.area().height.saturating_sub(4).min(20),
    );
    let matches = picker.matches();
    let title = format!(
        " {} · {} value{} ",
        picker.facet.label(),
        matches.len(),
        if matches.len() == 1 { "" } else { "s" }
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);

    let needle = text::visible(&picker.needle.text()).into_owned();
    let mut lines = vec![Line::from(vec![
        Span::styled("› ", theme.label),
        Span::styled(needle, theme.text),
        Span::styled(" ", theme.cursor),
    ])];
    let list_rows = usize::from(inner.height.saturating_sub(2));
    if let Some(error) = &picker.error {
        lines.push(Line::styled(text::visible(error).into_owned(), theme.error));
    } else if picker.loading && picker.items.is_empty() {
        lines.push(Line::styled("loading…", theme.dim));
    } else if matches.is_empty() {
        lines.push(Line::styled("no values match", theme.dim));
    } else if picker.truncated {
        lines.push(Line::styled(
            "the most frequent values; type to narrow",
            theme.dim,
        ));
    } else {
        lines.push(Line::styled(
            "type to narrow · Enter narrows the filter",
            theme.dim,
        ));
    }
    let first = picker.selected.saturating_sub(list_rows.saturating_sub(1));
    let width = usize::from(inner.width);
    for (i, item) in matches.iter().enumerate().skip(first).take(list_rows) {
        let count = text::thousands(item.count);
        let room = width.saturating_sub(count.chars().count() + 2);
        let raw = if app.masked {
            masked_facet_value(picker.facet, &item.value)
        } else {
            item.value.clone()
        };
        let value: String = text::visible(&raw).chars().take(room).collect();
        let pad = room.saturating_sub(value.chars().count());
        let style = if i == picker.selected {
            theme.selected
        } else {
            theme.text
        };
        lines.push(Line::styled(
            format!(" {value}{} {count}", " ".repeat(pad)),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
