//! The explorer's state and the only place it changes: `update(Msg) -> Vec<Effect>`.
//! Pure: no I/O, no clock, no SQLite, no terminal types, no threads. Everything slow is
//! requested as an `Effect` carrying a sequence number; replies with an older number are dropped.

mod detail;
mod export;
mod input;
mod inventory;
mod jobs;
mod lens;
mod marks;
mod messages;
mod navigation;
mod picker;
mod replies;
mod seek;
mod window;

use std::collections::BTreeSet;

use crate::filter;
use crate::model::{EventId, EventSummary, Facet, Field, Filter, Test, ValueCount};

pub use detail::{DetailDoc, DocLine, Tone};
pub use export::{DEFAULT_EXPORT_PATH, ExportDialog};
pub use input::LineInput;
pub use inventory::{CacheStatus, InventoryRow, InventoryView};
pub use jobs::{ExportRequest, ExportScope, Job, JobStatus, Redaction};
pub use lens::{
    Breach, IDENTITY_COLUMNS, Inspected, Marker, Page, Piece, masked_column, masked_facet_value,
    masked_filter, pieces,
};
pub use messages::{
    Action, Effect, EffectKind, Loaded, Mode, Msg, PageStart, Pane, Pointer, Viewport,
};
pub use picker::Picker;
pub use window::{PAGE_SIZE, Window};

/// How many earlier filters `Back` can return to.
pub const HISTORY_LIMIT: usize = 20;
/// Far enough to reach the end of the help at any height; the renderer stops at its end.
const HELP_SCROLL_LIMIT: usize = 40;
/// The categories every export is expected to have; the sidebar always lists them.
pub const KNOWN_CATEGORIES: [&str; 4] = ["census", "usage", "support", "error"];

/// A number that may still be on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Count {
    Pending,
    Known(u64),
    Failed,
}

/// The selected event's full record, as far as it has arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Empty,
    Loading(EventId),
    Ready(Box<DetailDoc>),
    Missing(EventId),
    Failed(String),
}

/// A rejected filter text with the character position the parser blamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterProblem {
    pub text: String,
    pub position: usize,
    pub message: String,
}

/// A one-line message for the status bar, cleared by the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
}

/// How the explorer starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub filter: Filter,
    /// The export's columns beyond the native schema (filter keys of their own).
    pub extra_columns: Vec<String>,
    /// A trusted privacy cache is attached already; otherwise the app asks for a build.
    pub cache_ready: bool,
}

#[derive(Debug)]
pub struct App {
    pub filter: Filter,
    pub extra_columns: Vec<String>,
    pub window: Window,
    pub focus: Pane,
    pub mode: Mode,
    pub matching: Count,
    pub total: Count,
    /// Category counts for the filter with its category terms set aside; `None` while loading.
    pub categories: Option<Vec<ValueCount>>,
    /// The highlighted sidebar line (0 = All).
    pub sidebar_cursor: usize,
    pub detail: Detail,
    pub detail_scroll: usize,
    /// The filter bar's text while editing.
    pub input: Option<LineInput>,
    pub filter_problem: Option<FilterProblem>,
    pub picker: Option<Picker>,
    pub history: Vec<Filter>,
    pub notice: Option<Notice>,
    /// The first help line shown; the renderer clamps it to the help's length.
    pub help_scroll: usize,
    pub viewport: Viewport,
    /// Identifying values are drawn masked (`m`), for screen sharing.
    pub masked: bool,
    /// Events marked with Space, for export; kept across filters.
    pub marked: BTreeSet<EventId>,
    /// The export dialog while it is open.
    pub export: Option<ExportDialog>,
    /// Jobs running now, oldest first.
    pub jobs: Vec<JobStatus>,
    /// Whether privacy terms and the inventory can be answered.
    pub cache: CacheStatus,
    /// The inventory view while it is open.
    pub inventory: Option<InventoryView>,
    cache_job: Option<u64>,
    inventory_seq: u64,
    /// Sequence numbers of the newest request of each kind; replies with others are stale.
    page_seq: u64,
    count_seq: u64,
    categories_seq: u64,
    detail_seq: u64,
    /// The newest violation search; 0 when none is running.
    seek_seq: u64,
    next_seq: u64,
    quit: bool,
}

impl App {
    /// The initial state and the effects that fill it.
    pub fn new(options: Options) -> (App, Vec<Effect>) {
        let mut app = App {
            filter: Filter::default(),
            extra_columns: options.extra_columns,
            window: Window::default(),
            focus: Pane::Table,
            mode: Mode::Normal,
            matching: Count::Pending,
            total: Count::Pending,
            categories: None,
            sidebar_cursor: 0,
            detail: Detail::Empty,
            detail_scroll: 0,
            input: None,
            filter_problem: None,
            picker: None,
            history: Vec::new(),
            notice: None,
            help_scroll: 0,
            viewport: Viewport::default(),
            masked: false,
            marked: BTreeSet::new(),
            export: None,
            jobs: Vec::new(),
            cache: if options.cache_ready {
                CacheStatus::Ready
            } else {
                CacheStatus::Building
            },
            inventory: None,
            cache_job: None,
            inventory_seq: 0,
            page_seq: 0,
            count_seq: 0,
            categories_seq: 0,
            detail_seq: 0,
            seek_seq: 0,
            next_seq: 0,
            quit: false,
        };
        let mut effects = vec![Effect::CountTotal];
        effects.extend(app.apply_filter(options.filter, false));
        if !options.cache_ready {
            effects.extend(app.start_job(Job::BuildCache));
            app.cache_job = app.jobs.last().map(|j| j.id);
        }
        (app, effects)
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// True while any request whose result the screen waits for is outstanding.
    pub fn is_loading(&self) -> bool {
        self.window.pending.is_some()
            || matches!(self.matching, Count::Pending)
            || self.categories.is_none()
            || matches!(self.detail, Detail::Loading(_))
            || self.picker.as_ref().is_some_and(|p| p.loading)
    }

    pub fn selected(&self) -> Option<&EventSummary> {
        self.window.selected_row()
    }

    /// The sidebar's lines: `None` is "All", then known categories, then any others found.
    pub fn sidebar_entries(&self) -> Vec<(Option<String>, Option<u64>)> {
        let counts = self.categories.as_deref();
        let count_of =
            |name: &str| counts.map(|c| c.iter().find(|v| v.value == name).map_or(0, |v| v.count));
        let mut entries = vec![(None, counts.map(|c| c.iter().map(|v| v.count).sum()))];
        for name in KNOWN_CATEGORIES {
            entries.push((Some(name.to_string()), count_of(name)));
        }
        let mut others: Vec<&ValueCount> = counts
            .unwrap_or_default()
            .iter()
            .filter(|v| !KNOWN_CATEGORIES.contains(&v.value.as_str()))
            .collect();
        others.sort_by(|a, b| a.value.cmp(&b.value));
        entries.extend(
            others
                .into_iter()
                .map(|v| (Some(v.value.clone()), Some(v.count))),
        );
        entries
    }

    /// The category the filter selects, when it selects exactly one; `None` means all.
    pub fn active_category(&self) -> Option<&str> {
        let mut positive = self
            .filter
            .terms
            .iter()
            .filter(|t| t.field() == Field::Category);
        match (positive.next(), positive.next()) {
            (Some(term), None) if !term.negated => match &term.test {
                Test::Equals(_, value) => Some(value),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Action(action) => {
                self.notice = None;
                self.on_action(action)
            }
            Msg::Pointer(pointer) => self.on_pointer(pointer),
            Msg::Resized(viewport) => {
                self.viewport = viewport;
                self.window.keep_visible(usize::from(viewport.table_rows));
                if let Detail::Ready(doc) = &mut self.detail {
                    doc.rewrap(usize::from(viewport.detail_width));
                }
                self.clamp_detail_scroll();
                self.window_effects()
            }
            Msg::Loaded(loaded) => self.on_loaded(loaded),
        }
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::Quit {
            self.quit = true;
            return Vec::new();
        }
        match self.mode {
            Mode::Help => {
                let step = usize::from(self.viewport.table_rows.max(1));
                match action {
                    Action::Cancel | Action::ToggleHelp => self.mode = Mode::Normal,
                    Action::SelectNext => self.help_scroll += 1,
                    Action::SelectPrev => self.help_scroll = self.help_scroll.saturating_sub(1),
                    Action::PageDown => self.help_scroll += step,
                    Action::PageUp => self.help_scroll = self.help_scroll.saturating_sub(step),
                    _ => {}
                }
                self.help_scroll = self.help_scroll.min(HELP_SCROLL_LIMIT);
                Vec::new()
            }
            Mode::Filter => self.on_filter_action(action),
            Mode::Picker => self.on_picker_action(action),
            Mode::Export => self.on_export_action(action),
            Mode::Inventory => self.on_inventory_action(action),
            Mode::Normal => self.on_normal_action(action),
        }
    }

    fn on_normal_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::SelectNext => self.move_in_focus(1),
            Action::SelectPrev => self.move_in_focus(-1),
            Action::PageDown => self.move_in_focus(self.page_step()),
            Action::PageUp => self.move_in_focus(-self.page_step()),
            Action::SelectFirst => self.jump_in_focus(false),
            Action::SelectLast => self.jump_in_focus(true),
            Action::FocusNext => {
                self.focus = match self.focus {
                    Pane::Sidebar => Pane::Table,
                    Pane::Table => Pane::Detail,
                    Pane::Detail => Pane::Sidebar,
                };
                Vec::new()
            }
            Action::FocusPrev => {
                self.focus = match self.focus {
                    Pane::Sidebar => Pane::Detail,
                    Pane::Table => Pane::Sidebar,
                    Pane::Detail => Pane::Table,
                };
                Vec::new()
            }
            Action::Activate => match self.focus {
                Pane::Sidebar => self.choose_category(self.sidebar_cursor),
                Pane::Table => {
                    self.focus = Pane::Detail;
                    Vec::new()
                }
                Pane::Detail => Vec::new(),
            },
            Action::EditFilter => {
                self.input = Some(LineInput::new(&self.filter.to_string()));
                self.filter_problem = None;
                self.mode = Mode::Filter;
                Vec::new()
            }
            Action::ClearFilter => {
                if self.filter.is_empty() {
                    Vec::new()
                } else {
                    self.apply_filter(Filter::default(), true)
                }
            }
            Action::OpenPicker(facet) => self.open_picker(facet),
            Action::NarrowToSelected(facet) => self.narrow_to_selected(facet),
            Action::Back => match self.history.pop() {
                Some(previous) => self.apply_filter(previous, false),
                None => {
                    self.say("no earlier filter to go back to", false);
                    Vec::new()
                }
            },
            Action::ToggleHelp => {
                self.mode = Mode::Help;
                self.help_scroll = 0;
                Vec::new()
            }
            Action::ToggleMask => self.toggle_mask(),
            Action::ToggleMark => self.toggle_mark(),
            Action::ClearMarks => self.clear_marks(),
            Action::OpenExport => self.open_export(),
            Action::OpenInventory => self.open_inventory(),
            Action::SeekViolation { forward } => self.seek_violation(forward),
            Action::Cancel => {
                self.focus = Pane::Table;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_filter_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(input) = self.input.as_mut() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        match action {
            Action::Cancel => {
                self.input = None;
                self.filter_problem = None;
                self.mode = Mode::Normal;
                Vec::new()
            }
            Action::Submit => {
                let text = input.text();
                let parsed = filter::parse(&text, &self.extra_columns)
                    .and_then(|filter| self.answerable(filter, &text));
                match parsed {
                    Ok(filter) => {
                        self.input = None;
                        self.filter_problem = None;
                        self.mode = Mode::Normal;
                        if filter == self.filter {
                            Vec::new()
                        } else {
                            self.apply_filter(filter, true)
                        }
                    }
                    Err(error) => {
                        self.filter_problem = Some(FilterProblem {
                            text,
                            position: error.position,
                            message: error.message,
                        });
                        Vec::new()
                    }
                }
            }
            other => {
                if input.edit(other) {
                    self.filter_problem = None;
                }
                Vec::new()
            }
        }
    }

    /// `filter`, unless it has privacy terms and the cache cannot answer them yet: then an
    /// error at the first such term, so the bar says why and the results stay.
    fn answerable(&self, filter: Filter, text: &str) -> Result<Filter, filter::FilterError> {
        let why = match (&self.cache, filter.needs_cache()) {
            (_, false) | (CacheStatus::Ready, _) => return Ok(filter),
            (CacheStatus::Building, _) => {
                let progress = self.jobs.iter().find(|j| Some(j.id) == self.cache_job);
                match progress {
                    Some(job) => format!("waits for the {}", job.describe()),
                    None => "waits for the privacy cache being built".to_string(),
                }
            }
            (CacheStatus::Failed(error), _) => format!("needs the privacy cache: {error}"),
        };
        let keys = ["has:", "kind:", "class:", "field:"];
        let position = keys
            .iter()
            .filter_map(|k| text.find(k))
            .min()
            .map_or(0, |byte| text[..byte].chars().count());
        Err(filter::FilterError {
            position,
            message: why,
        })
    }

    fn say(&mut self, text: impl Into<String>, is_error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error,
        });
    }

    /// Makes `filter` the active one and requests everything that depends on it.
    fn apply_filter(&mut self, filter: Filter, remember: bool) -> Vec<Effect> {
        self.apply_filter_from(filter, remember, PageStart::First)
    }

    /// `apply_filter` showing the rows from `start` on.
    fn apply_filter_from(
        &mut self,
        filter: Filter,
        remember: bool,
        start: PageStart,
    ) -> Vec<Effect> {
        if remember {
            self.history
                .push(std::mem::replace(&mut self.filter, filter));
            if self.history.len() > HISTORY_LIMIT {
                self.history.remove(0);
            }
        } else {
            self.filter = filter;
        }
        self.matching = Count::Pending;
        self.categories = None;
        self.count_seq = self.seq();
        self.categories_seq = self.seq();
        let mut effects = self.request_page(start);
        effects.push(Effect::CountMatching {
            seq: self.count_seq,
            filter: self.filter.clone(),
        });
        effects.push(Effect::CountCategories {
            seq: self.categories_seq,
            filter: self.filter.clone(),
        });
        effects
    }

    fn choose_category(&mut self, index: usize) -> Vec<Effect> {
        let Some((name, _)) = self.sidebar_entries().into_iter().nth(index) else {
            return Vec::new();
        };
        self.sidebar_cursor = index;
        let next = match name {
            Some(name) => self.filter.narrowed(Facet::Category, &name),
            None => self.filter.without(&Field::Category),
        };
        if next == self.filter {
            return Vec::new();
        }
        self.apply_filter(next, true)
    }

    fn narrow_to_selected(&mut self, facet: Facet) -> Vec<Effect> {
        let Some(row) = self.selected() else {
            self.say("no event selected", false);
            return Vec::new();
        };
        let value = match facet {
            Facet::Tenant => row.tenant_id.clone(),
            Facet::Session => row.session_id.clone(),
            Facet::User => row.user_id.clone(),
            Facet::Category => Some(row.category.clone()),
            Facet::Name => Some(row.name.clone()),
        };
        match value {
            Some(value) => {
                let next = self.filter.narrowed(facet, &value);
                if next == self.filter {
                    Vec::new()
                } else {
                    // The selected event matches the narrowed filter: stay on it.
                    let at = PageStart::At(row.cursor());
                    self.apply_filter_from(next, true, at)
                }
            }
            None => {
                self.say(format!("this event has no {}", facet.label()), false);
                Vec::new()
            }
        }
    }
}
