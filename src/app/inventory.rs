//! The inventory view (`i`): for each category and field, how many records have it, how many
//! carry identifiers, of which kinds, with one masked example — `telex scan --summary`'s table,
//! read from the privacy cache. Enter narrows the events to the records behind a row.

use super::{Action, App, Effect, Mode};
use crate::model::{Facet, Field, Filter, Kind, Term, Test};

/// One row of the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryRow {
    pub category: String,
    pub field: String,
    /// Records that have the field.
    pub records: u64,
    /// Records where it carries an identifier.
    pub identified: u64,
    pub kinds: Vec<(Kind, u64)>,
    /// Always masked.
    pub example: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InventoryView {
    pub rows: Vec<InventoryRow>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
}

/// Whether the privacy cache can answer yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheStatus {
    Ready,
    Building,
    Failed(String),
}

impl App {
    pub(super) fn open_inventory(&mut self) -> Vec<Effect> {
        self.mode = Mode::Inventory;
        let mut view = InventoryView {
            loading: true,
            ..InventoryView::default()
        };
        match &self.cache {
            CacheStatus::Ready => {}
            CacheStatus::Building => {
                // Asked for again when the build ends.
                self.inventory = Some(view);
                return Vec::new();
            }
            CacheStatus::Failed(why) => {
                view.loading = false;
                view.error = Some(format!("no privacy cache: {why}"));
                self.inventory = Some(view);
                return Vec::new();
            }
        }
        self.inventory = Some(view);
        self.inventory_seq = self.seq();
        vec![Effect::LoadInventory {
            seq: self.inventory_seq,
        }]
    }

    pub(super) fn inventory_loaded(&mut self, seq: u64, result: Result<Vec<InventoryRow>, String>) {
        if seq != self.inventory_seq {
            return;
        }
        if let Some(view) = self.inventory.as_mut() {
            view.loading = false;
            match result {
                Ok(rows) => view.rows = rows,
                Err(error) => view.error = Some(error),
            }
        }
    }

    /// The cache finished building: an inventory waiting for it can load now.
    pub(super) fn inventory_after_build(&mut self) -> Vec<Effect> {
        match &self.inventory {
            Some(view) if view.loading && self.mode == Mode::Inventory => self.open_inventory(),
            _ => Vec::new(),
        }
    }

    pub(super) fn on_inventory_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(view) = self.inventory.as_mut() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        let last = view.rows.len().saturating_sub(1);
        let page = usize::from(self.viewport.table_rows.max(1));
        match action {
            Action::Cancel | Action::OpenInventory => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            Action::SelectNext => {
                view.selected = (view.selected + 1).min(last);
                Vec::new()
            }
            Action::SelectPrev => {
                view.selected = view.selected.saturating_sub(1);
                Vec::new()
            }
            Action::PageDown => {
                view.selected = (view.selected + page).min(last);
                Vec::new()
            }
            Action::PageUp => {
                view.selected = view.selected.saturating_sub(page);
                Vec::new()
            }
            Action::SelectFirst => {
                view.selected = 0;
                Vec::new()
            }
            Action::SelectLast => {
                view.selected = last;
                Vec::new()
            }
            Action::Activate | Action::Submit => {
                let Some(row) = view.rows.get(view.selected).cloned() else {
                    return Vec::new();
                };
                if row.identified == 0 {
                    self.say(
                        format!(
                            "no identifiers in {} of {} records",
                            row.field, row.category
                        ),
                        false,
                    );
                    return Vec::new();
                }
                self.mode = Mode::Normal;
                let next = behind(&self.filter, &row);
                if next == self.filter {
                    Vec::new()
                } else {
                    self.apply_filter(next, true)
                }
            }
            _ => Vec::new(),
        }
    }
}

/// `filter` narrowed to the records behind an inventory row: its category, and a finding in
/// its field (earlier category and field terms replaced).
fn behind(filter: &Filter, row: &InventoryRow) -> Filter {
    let mut next = filter
        .without(&Field::Finding)
        .narrowed(Facet::Category, &row.category);
    next.terms.push(Term {
        negated: false,
        test: Test::InField(row.field.clone()),
    });
    next
}
