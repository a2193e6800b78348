//! Draws the screen from `&App`. Never queries, never changes the app; all colours come from
//! `theme`. The layout is a pure function of the terminal size, shared with the runtime (to
//! resolve mouse positions and tell the app its viewport).
//!
//! ```text
//!  filter › category:error tenant:T-CONTOSO                          (2 lines: text, caret/hint)
//! ┌ categories ┐┌ events ──────────────────────────────────────────────┐
//! │ All     13 ││ time                     category  name     tenant … │
//! │ census   2 ││ 2026-09-01 08:00:00.000  census    app_…    T-CON… │
//! │ usage    5 │└──────────────────────────────────────────────────────┘
//! │ …          │┌ event 1 ─────────────────────────────────────────────┐
//! │            ││ id  1 …  payload { "AppName": "TeamsPro", … }        │
//! └────────────┘└──────────────────────────────────────────────────────┘
//!  12 of 13 events · loading…                      / filter  t tenant  ? help  q quit
//! ```

mod detail;
mod export;
mod filter_bar;
mod inventory;
mod overlay;
mod sidebar;
mod status;
mod table;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect, Size};
use ratatui::style::Style;
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::{App, Mode, Pane, Viewport};
pub use theme::Theme;

/// Below this size the layout is replaced by a message.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;
const SIDEBAR_WIDTH: u16 = 20;

/// The renderer's own memory: only the theme, chosen once by the runtime.
#[derive(Debug, Clone)]
pub struct ViewState {
    pub theme: Theme,
}

impl ViewState {
    /// `no_color` comes from the `NO_COLOR` convention, read by the runtime.
    pub fn new(no_color: bool) -> ViewState {
        ViewState {
            theme: if no_color {
                Theme::plain()
            } else {
                Theme::colored()
            },
        }
    }
}

/// Where each region goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub filter: Rect,
    pub sidebar: Rect,
    pub table: Rect,
    pub detail: Rect,
    pub status: Rect,
}

/// The regions for a terminal area; `None` when it is too small for them.
pub fn layout(area: Rect) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [filter, middle, status] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let [sidebar, right] =
        Layout::horizontal([Constraint::Length(SIDEBAR_WIDTH), Constraint::Min(0)]).areas(middle);
    let [table, detail] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
    Some(Areas {
        filter,
        sidebar,
        table,
        detail,
        status,
    })
}

/// The room the app has for paging and wrapping at this terminal size.
pub fn viewport(size: Size) -> Viewport {
    match layout(Rect::new(0, 0, size.width, size.height)) {
        Some(areas) => Viewport {
            // Borders and the header row.
            table_rows: areas.table.height.saturating_sub(3),
            detail_width: areas.detail.width.saturating_sub(2),
            detail_rows: areas.detail.height.saturating_sub(2),
        },
        None => Viewport::default(),
    }
}

/// The pane under a terminal cell and the content line it is on (0 = first line inside the
/// border), for mouse clicks and the wheel.
pub fn hit(size: Size, column: u16, row: u16) -> Option<(Pane, u16)> {
    let areas = layout(Rect::new(0, 0, size.width, size.height))?;
    [
        (Pane::Sidebar, areas.sidebar),
        (Pane::Table, areas.table),
        (Pane::Detail, areas.detail),
    ]
    .into_iter()
    .find_map(|(pane, rect)| {
        let inner = rect.inner(ratatui::layout::Margin::new(1, 1));
        let inside =
            column >= inner.x && column < inner.right() && row >= inner.y && row < inner.bottom();
        inside.then(|| (pane, row - inner.y))
    })
}

pub fn draw(frame: &mut Frame, app: &App, view: &mut ViewState) {
    let theme = &view.theme;
    let Some(areas) = layout(frame.area()) else {
        overlay::too_small(frame, theme);
        return;
    };
    filter_bar::render(frame, areas.filter, app, theme);
    sidebar::render(frame, areas.sidebar, app, theme);
    table::render(frame, areas.table, app, theme);
    detail::render(frame, areas.detail, app, theme);
    status::render(frame, areas.status, app, theme);
    match app.mode() {
        Mode::Help => overlay::help(frame, app, theme),
        Mode::Picker => overlay::picker(frame, app, theme),
        Mode::Export => export::render(frame, app, theme),
        Mode::Inventory => inventory::render(frame, app, theme),
        Mode::Normal | Mode::Filter => {}
    }
}

/// A bordered pane whose border shows whether it has the focus.
fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let (border, kind) = if focused {
        (theme.border_focus, BorderType::Thick)
    } else {
        (theme.border, BorderType::Plain)
    };
    Block::new()
        .borders(Borders::ALL)
        .border_type(kind)
        .border_style(border)
        .title(title)
        .title_style(if focused {
            theme.title_focus
        } else {
            Style::default()
        })
}
