//! Reading one export from several threads: positions in `(ts, id)` order that cut the matching
//! events into chunks, more connections to the same file, and a chunk read into one reused
//! `Event`. Chunks read back to back, in order, give exactly what `for_each_event` gives.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{OptionalExtension, Row, params_from_iter};

use super::{Store, StoreError, escape_bytes};
use crate::model::{Event, Filter, Term, Test};

/// A position in `(ts, id)` order, with `ts` exactly as stored (whatever its SQLite type), so
/// the SQL comparisons that cut chunks order it as `ORDER BY ts, id` does.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    ts: Value,
    id: i64,
}

/// The events from `start` (inclusive; `None`: from the first, rows without a `ts` included)
/// to `end` (exclusive; `None`: to the last).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyRange {
    pub start: Option<Boundary>,
    pub end: Option<Boundary>,
    /// Set when the range's rows are exactly the rowids `first..=last`, whose order is then
    /// the `(ts, id)` order: they are read straight from the table, without an index search
    /// per row. Only `boundaries` sets it, from what its walk saw.
    rowids: Option<(i64, i64)>,
}

/// The ids seen in one stretch of the walk: are they every rowid from the first to the last,
/// in increasing order?
#[derive(Default)]
struct Stretch {
    first: Option<i64>,
    last: i64,
    count: i64,
    increasing: bool,
}

impl Stretch {
    fn add(&mut self, id: i64) {
        match self.first {
            None => {
                self.first = Some(id);
                self.increasing = true;
            }
            Some(_) => self.increasing &= id > self.last,
        }
        self.last = id;
        self.count += 1;
    }

    /// `first..=last` when the stretch holds exactly those rowids, in order.
    fn rowids(&self) -> Option<(i64, i64)> {
        let first = self.first?;
        let span = self.last.checked_sub(first)?.checked_add(1)?;
        (self.increasing && span == self.count).then_some((first, self.last))
    }
}

impl Store {
    /// Whether `(ts, id)` ranges are cheap to read: `ts` leads an index and the id is SQLite's
    /// rowid, so each range is one index search. Otherwise only one ordered read is efficient.
    pub fn can_read_ranges(&self) -> bool {
        self.schema.is_indexed("ts") && self.schema.id_is_rowid
    }

    /// Walks the `(ts, id)` order (the filter's time bounds applied, which the `ts` index
    /// serves) and cuts it into ranges of `every` rows, calling `visit` with each in order,
    /// until it returns false. Other filter terms are left to the chunk reads: here they would
    /// cost a table read. The ranges cover the whole order, so reading each with
    /// `for_each_event_in` gives what `for_each_event` gives.
    pub fn boundaries(
        &self,
        filter: &Filter,
        every: usize,
        mut visit: impl FnMut(KeyRange) -> bool,
    ) -> Result<(), StoreError> {
        let rowid = self.can_read_ranges();
        let bounds = Filter {
            terms: filter
                .terms
                .iter()
                .filter(|t| !t.negated && matches!(t.test, Test::Since(_) | Test::Until(_)))
                .cloned()
                .collect::<Vec<Term>>(),
        };
        let sql = self.sql(&bounds)?;
        let (ts, id) = (self.schema.ts_sql(), self.schema.id_sql());
        let table = self.schema.table_sql();
        // Where the id is the rowid, only the ids are read along the way (the index holds
        // them): a cut's timestamp is looked up by its id, once per `every` rows, rather than
        // read from every row. Other ids may repeat, so there every row's is read.
        let text = format!(
            "SELECT {id}{} FROM {table} {} ORDER BY {ts}, {id}",
            if rowid {
                String::new()
            } else {
                format!(", {ts}")
            },
            sql.where_clause(),
        );
        let mut stmt = self.conn.prepare(&text)?;
        let mut ts_of = self
            .conn
            .prepare(&format!("SELECT {ts} FROM {table} WHERE {id} = ?1"))?;
        let mut rows = stmt.query(params_from_iter(sql.params))?;
        let every = every.max(1);
        let mut n = 0;
        let mut start = None;
        let mut stretch = Stretch::default();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            n += 1;
            if n % every == 0 {
                let ts = if rowid {
                    ts_of.query_row([id], |r| Ok(Value::from(r.get_ref(0)?)))?
                } else {
                    Value::from(row.get_ref(1)?)
                };
                // Rows without a `ts` sort first and belong to the first chunk.
                if ts != Value::Null {
                    let b = Boundary { ts, id };
                    let range = KeyRange {
                        start: start.replace(b.clone()),
                        end: Some(b),
                        rowids: stretch.rowids().filter(|_| rowid),
                    };
                    if !visit(range) {
                        return Ok(());
                    }
                    stretch = Stretch::default();
                }
            }
            stretch.add(id);
        }
        visit(KeyRange {
            start,
            end: None,
            rowids: stretch.rowids().filter(|_| rowid),
        });
        Ok(())
    }

    /// Cuts the table into ranges of `every` rows in rowid order (the order the export stores
    /// them), calling `visit` with each in order until it returns false: for work that needs
    /// every event but not in time order, which can then be read in parallel without a `ts`
    /// index. The walk reads only the table's rowids. Needs `Schema::id_is_rowid`; the filter is left
    /// to the chunk reads.
    pub fn rowid_boundaries(
        &self,
        every: usize,
        mut visit: impl FnMut(KeyRange) -> bool,
    ) -> Result<(), StoreError> {
        let id = self.schema.id_sql();
        let text = format!("SELECT {id} FROM {} ORDER BY {id}", self.schema.table_sql());
        let mut stmt = self.conn.prepare(&text)?;
        let mut rows = stmt.query([])?;
        let mut cut = RowidCut::new(every);
        while let Some(row) = rows.next()? {
            if let Some(range) = cut.add(row.get(0)?)
                && !visit(range)
            {
                return Ok(());
            }
        }
        if let Some(range) = cut.rest() {
            visit(range);
        }
        Ok(())
    }

    /// The ranges of `rowid_boundaries`, when the rowid order is also the `(ts, id)` order:
    /// timestamps never go down along the rowids (rows without one first), as in an export
    /// appended in time order. Read one after another, the ranges then give what
    /// `for_each_event` gives, so an export without a `ts` index is read in parallel in time
    /// order too. `None` as soon as a timestamp goes down, and wherever SQLite's order might
    /// not be the bytes' or the numbers' (timestamps neither all text nor all integers, or a
    /// collation in the table's schema): the caller then reads in one sorted pass. Needs
    /// `Schema::id_is_rowid`; one pass over the table's ids and timestamps.
    pub fn rowid_ranges_in_time_order(
        &self,
        every: usize,
    ) -> Result<Option<Vec<KeyRange>>, StoreError> {
        let table = &self.schema.table;
        let schema: Option<String> = self
            .conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if schema.is_none_or(|sql| sql.to_ascii_uppercase().contains("COLLATE")) {
            return Ok(None);
        }
        let (ts, id) = (self.schema.ts_sql(), self.schema.id_sql());
        let text = format!(
            "SELECT {id}, {ts} FROM {} ORDER BY {id}",
            self.schema.table_sql()
        );
        let mut stmt = self.conn.prepare(&text)?;
        let mut rows = stmt.query([])?;
        let mut cut = RowidCut::new(every);
        let mut order = TimeOrder::default();
        let mut ranges = Vec::new();
        while let Some(row) = rows.next()? {
            if !order.admits(row.get_ref(1)?) {
                return Ok(None);
            }
            ranges.extend(cut.add(row.get(0)?));
        }
        ranges.extend(cut.rest());
        Ok(Some(ranges))
    }

    /// Whether the rowid order is the `(ts, id)` order, as `rowid_ranges_in_time_order`
    /// tells it: one pass over the table's ids and timestamps.
    pub fn rowids_in_time_order(&self) -> Result<bool, StoreError> {
        Ok(self.schema.id_is_rowid && self.rowid_ranges_in_time_order(usize::MAX)?.is_some())
    }

    /// Calls `visit` with every event matching `filter` in `range`, in `(ts, id)` order, until
    /// it returns false. Rows are read `READ_BATCH` at a time into events that are refilled
    /// batch after batch, so reading allocates little. `lean` leaves out what the pii scan
    /// never reads (`name`, `app_name`, `app_version` stay empty), for callers that only print
    /// findings.
    pub fn for_each_event_in(
        &self,
        filter: &Filter,
        range: &KeyRange,
        lean: bool,
        mut visit: impl FnMut(&Event) -> bool,
    ) -> Result<u64, StoreError> {
        let mut batch = Batch::default();
        let mut seen = 0;
        let (ts, id) = (self.schema.ts_sql(), self.schema.id_sql());
        let mut order = format!("{ts}, {id}");
        // Rows without a `ts` come first; as their own query, both parts stay index searches.
        let mut parts = Vec::with_capacity(2);
        if let Some((first, last)) = range.rowids {
            order = id.clone();
            parts.push((
                format!("{id} BETWEEN ? AND ?"),
                vec![Value::Integer(first), Value::Integer(last)],
            ));
        } else if range.start.is_none() && range.end.is_some() {
            parts.push((format!("{ts} IS NULL"), Vec::new()));
        }
        if range.rowids.is_none() {
            let mut clauses = Vec::new();
            let mut params = Vec::new();
            if let Some(b) = &range.start {
                clauses.push(format!("({ts}, {id}) >= (?, ?)"));
                params.extend([b.ts.clone(), Value::Integer(b.id)]);
            }
            if let Some(b) = &range.end {
                clauses.push(format!("({ts}, {id}) < (?, ?)"));
                params.extend([b.ts.clone(), Value::Integer(b.id)]);
            }
            parts.push((clauses.join(" AND "), params));
        }
        for (clause, params) in parts {
            let mut sql = self.sql(filter)?;
            if !clause.is_empty() {
                sql.push(clause, params);
            }
            let text = format!(
                "SELECT {} FROM {} {} ORDER BY {order}",
                if lean {
                    self.schema
                        .event_columns_but(&["name", "app_name", "app_version"])
                } else {
                    self.schema.event_columns()
                },
                self.schema.table_sql(),
                sql.where_clause(),
            );
            let mut stmt = self.conn.prepare_cached(&text)?;
            let mut rows = stmt.query(params_from_iter(sql.params))?;
            while let Some(row) = rows.next()? {
                self.fill_event(row, lean, batch.next())?;
                if batch.is_full() && !batch.drain(&mut seen, &mut visit) {
                    return Ok(seen);
                }
            }
        }
        batch.drain(&mut seen, &mut visit);
        Ok(seen)
    }

    /// `event_from_row` into an existing event, reusing its strings (`lean`: the columns
    /// selected as NULL are not even looked at).
    fn fill_event(&self, row: &Row<'_>, lean: bool, e: &mut Event) -> rusqlite::Result<()> {
        let s = &mut e.summary;
        s.id = row.get(0)?;
        text_into(row.get_ref(1)?, &mut s.ts);
        text_into(row.get_ref(2)?, &mut s.category);
        if lean {
            s.name.clear();
            e.app_name = None;
            e.app_version = None;
        } else {
            text_into(row.get_ref(3)?, &mut s.name);
            opt_text_into(row.get_ref(7)?, &mut e.app_name);
            opt_text_into(row.get_ref(8)?, &mut e.app_version);
        }
        opt_text_into(row.get_ref(4)?, &mut s.tenant_id);
        opt_text_into(row.get_ref(5)?, &mut s.session_id);
        opt_text_into(row.get_ref(6)?, &mut s.user_id);
        opt_text_into(row.get_ref(9)?, &mut e.payload);
        let extra = &self.schema.extra;
        if e.extra.len() != extra.len() || e.extra.iter().zip(extra).any(|(a, b)| a.0 != *b) {
            e.extra = extra.iter().map(|n| (n.clone(), None)).collect();
        }
        for (i, (_, v)) in e.extra.iter_mut().enumerate() {
            opt_text_into(row.get_ref(10 + i)?, v);
        }
        Ok(())
    }
}

/// Rows read before they are visited. Read and visited one at a time, SQLite's code and the
/// visitor's (the whole pii scan) took turns in the core's instruction cache and pushed each
/// other out: in batches each stays there for a while. 64 rows halved a scan's
/// instruction-cache misses in `valgrind --tool=cachegrind`'s model (more gained nothing and
/// missed more data); this machine's own prefetching hid most of them already: 1-4 % less
/// CPU time, measured.
const READ_BATCH: usize = 64;

/// The events of one `READ_BATCH`, refilled batch after batch.
#[derive(Default)]
struct Batch {
    events: Vec<Event>,
    filled: usize,
}

impl Batch {
    /// The event the next row is read into.
    fn next(&mut self) -> &mut Event {
        if self.filled == self.events.len() {
            self.events.push(Event::default());
        }
        self.filled += 1;
        &mut self.events[self.filled - 1]
    }

    fn is_full(&self) -> bool {
        self.filled >= READ_BATCH
    }

    /// Visits the events read so far, counting them in `seen`, and empties the batch; false
    /// when `visit` asked to stop.
    fn drain(&mut self, seen: &mut u64, visit: &mut impl FnMut(&Event) -> bool) -> bool {
        let filled = std::mem::take(&mut self.filled);
        for event in &self.events[..filled] {
            *seen += 1;
            if !visit(event) {
                return false;
            }
        }
        true
    }
}

/// Rowids walked in increasing order, cut into ranges of `every` rows: every rowid from a
/// range's first to its last was walked, so the range holds exactly those rows.
struct RowidCut {
    every: usize,
    first: Option<i64>,
    last: i64,
    n: usize,
}

impl RowidCut {
    fn new(every: usize) -> RowidCut {
        RowidCut {
            every: every.max(1),
            first: None,
            last: 0,
            n: 0,
        }
    }

    /// The next rowid; a range when it ends one.
    fn add(&mut self, id: i64) -> Option<KeyRange> {
        let start = *self.first.get_or_insert(id);
        self.last = id;
        self.n += 1;
        self.n.is_multiple_of(self.every).then(|| {
            self.first = None;
            KeyRange {
                rowids: Some((start, id)),
                ..KeyRange::default()
            }
        })
    }

    /// The last, shorter range, if any.
    fn rest(&mut self) -> Option<KeyRange> {
        let start = self.first.take()?;
        Some(KeyRange {
            rowids: Some((start, self.last)),
            ..KeyRange::default()
        })
    }
}

/// Timestamps seen one after another: whether they are in SQLite's `ORDER BY ts` order, told
/// only for the plain cases (text compared as bytes, as the BINARY collation does, or
/// integers, such as epoch times; rows without one first).
#[derive(Default)]
struct TimeOrder {
    text: Option<Vec<u8>>,
    number: Option<i64>,
}

impl TimeOrder {
    /// False when `ts` comes before the last one, or mixes kinds.
    fn admits(&mut self, ts: ValueRef<'_>) -> bool {
        match ts {
            ValueRef::Null => self.text.is_none() && self.number.is_none(),
            ValueRef::Text(t) if self.number.is_none() => {
                if self.text.as_deref().is_some_and(|p| p > t) {
                    return false;
                }
                let kept = self.text.get_or_insert_with(Vec::new);
                kept.clear();
                kept.extend_from_slice(t);
                true
            }
            ValueRef::Integer(n) if self.text.is_none() => {
                let ok = self.number.is_none_or(|p| p <= n);
                self.number = Some(n);
                ok
            }
            _ => false,
        }
    }
}

/// `text_of` into a reused string (`""` for NULL, as `summary_from_row` reads it).
fn text_into(value: ValueRef<'_>, out: &mut String) {
    out.clear();
    match value {
        ValueRef::Null => {}
        ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => out.push_str(s),
            Err(_) => out.push_str(&escape_bytes(bytes, false)),
        },
        other => out.push_str(&super::text_of(other).unwrap_or_default()),
    }
}

fn opt_text_into(value: ValueRef<'_>, out: &mut Option<String>) {
    if value == ValueRef::Null {
        *out = None;
        return;
    }
    text_into(value, out.get_or_insert_with(String::new));
}
