//! The vocabulary of the state machine: modes and panes, the actions keys map to, the
//! messages `update` consumes, the effects it requests and the facts the worker reports.

use super::inventory::InventoryRow;
use super::jobs::Job;
use super::lens::{Inspected, Page};
use crate::model::{Cursor, EventId, Facet, Filter, ValueCount};

/// What the keys currently mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Normal,
    /// Typing in the filter bar.
    Filter,
    /// A tenant/session picker is open.
    Picker,
    /// The export dialog is open.
    Export,
    /// The inventory of identifying fields is open.
    Inventory,
    Help,
}

/// The pane that receives movement keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Sidebar,
    Table,
    Detail,
}

/// What a key means (imperative).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    SelectNext,
    SelectPrev,
    PageDown,
    PageUp,
    SelectFirst,
    SelectLast,
    FocusNext,
    FocusPrev,
    /// Enter in normal mode: apply the sidebar category, or open the detail pane.
    Activate,
    EditFilter,
    ClearFilter,
    OpenPicker(Facet),
    NarrowToSelected(Facet),
    Back,
    ToggleHelp,
    /// Shows identifying values masked (or not) everywhere on screen, for screen sharing.
    ToggleMask,
    /// Space: marks the selected event for export (or unmarks it) and moves down.
    ToggleMark,
    ClearMarks,
    /// Opens the export dialog for the marked (else the filtered) events.
    OpenExport,
    /// Opens (or closes) the inventory of identifying fields.
    OpenInventory,
    /// Jumps to the next (or previous) event that breaks the policy.
    SeekViolation {
        forward: bool,
    },
    /// Esc: leave the current mode or overlay.
    Cancel,
    /// Enter while typing.
    Submit,
    Input(char),
    DeleteBack,
    DeleteForward,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    ClearLine,
}

/// A mouse gesture, already resolved by the runtime to the pane under the pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointer {
    /// Wheel over a pane: positive scrolls down.
    Wheel { pane: Pane, lines: i32 },
    /// A click on the `line`-th content line of a pane (0 = first line inside the border).
    Click { pane: Pane, line: u16 },
}

/// The room the layout gives to the panes, so `update` can page and wrap without ratatui.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Viewport {
    /// Visible rows of the events table (header excluded).
    pub table_rows: u16,
    pub detail_width: u16,
    pub detail_rows: u16,
}

/// Everything `update` consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Action(Action),
    Pointer(Pointer),
    Resized(Viewport),
    Loaded(Loaded),
}

/// Where a requested page starts; pages always come back in ascending `(ts, id)` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStart {
    First,
    Last,
    /// The page starting at this event, which becomes the selection (narrowing keeps the
    /// event the user was reading in view).
    At(Cursor),
    After(Cursor),
    Before(Cursor),
}

/// Work `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadPage {
        seq: u64,
        filter: Filter,
        start: PageStart,
        limit: usize,
    },
    CountMatching {
        seq: u64,
        filter: Filter,
    },
    CountTotal,
    /// Counts per category for `filter` with its category terms set aside.
    CountCategories {
        seq: u64,
        filter: Filter,
    },
    LoadFacet {
        seq: u64,
        facet: Facet,
        filter: Filter,
        needle: String,
        limit: usize,
    },
    LoadDetail {
        seq: u64,
        id: EventId,
    },
    /// Finds the nearest event after (or before) `from` that breaks the policy.
    SeekViolation {
        seq: u64,
        filter: Filter,
        from: Cursor,
        forward: bool,
    },
    /// The privacy cache's field inventory.
    LoadInventory {
        seq: u64,
    },
    /// Runs `job` on a thread of its own; it reports `JobProgress` and then `JobDone`.
    StartJob {
        id: u64,
        job: Job,
    },
}

/// The kinds of work; the worker keeps only the newest request of each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectKind {
    Page,
    Count,
    Total,
    Categories,
    Facet,
    Detail,
    Seek,
    Inventory,
    Job,
}

impl Effect {
    pub fn kind(&self) -> EffectKind {
        match self {
            Effect::LoadPage { .. } => EffectKind::Page,
            Effect::CountMatching { .. } => EffectKind::Count,
            Effect::CountTotal => EffectKind::Total,
            Effect::CountCategories { .. } => EffectKind::Categories,
            Effect::LoadFacet { .. } => EffectKind::Facet,
            Effect::LoadDetail { .. } => EffectKind::Detail,
            Effect::SeekViolation { .. } => EffectKind::Seek,
            Effect::LoadInventory { .. } => EffectKind::Inventory,
            Effect::StartJob { .. } => EffectKind::Job,
        }
    }
}

/// Facts the worker reports back. Errors are display text: the app shows them and goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Page {
        seq: u64,
        result: Result<Page, String>,
    },
    Count {
        seq: u64,
        result: Result<u64, String>,
    },
    Total {
        result: Result<u64, String>,
    },
    Categories {
        seq: u64,
        result: Result<Vec<ValueCount>, String>,
    },
    Facet {
        seq: u64,
        result: Result<Vec<ValueCount>, String>,
    },
    Detail {
        seq: u64,
        result: Result<Option<Box<Inspected>>, String>,
    },
    Inventory {
        seq: u64,
        result: Result<Vec<InventoryRow>, String>,
    },
    /// Where the nearest violation is; `None` when there is none that way.
    Seek {
        seq: u64,
        result: Result<Option<Cursor>, String>,
    },
    JobProgress {
        id: u64,
        /// What the job is doing now (`writing`, `checking`…).
        stage: &'static str,
        done: u64,
        total: Option<u64>,
    },
    /// A job ended: a one-line summary, or why it failed.
    JobDone {
        id: u64,
        result: Result<String, String>,
    },
}
