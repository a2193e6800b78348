//! All SQL against the export: the read-only open with its checks (DESIGN §6), the schema
//! it found, keyset pages on `(ts, id)`, counts, facets, statistics, time spans and streaming
//! reads.
//! Every value is a bound parameter; only column names found in the schema are written in.

mod attach;
mod chunks;
mod counts;
mod keyed;
mod open;
mod privacy;
mod query;
mod schema;
mod span;
mod tally;
mod violates;
mod writer;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Row, params_from_iter};

use crate::model::{Cursor, Event, EventId, EventSummary, Filter, ValueCount};
pub use chunks::{Boundary, KeyRange};
pub use open::StoreError;
use query::Sql;
pub use schema::{NATIVE, Schema};
pub use violates::Judging;
pub use writer::{NativeRow, NativeWriter};

/// A read-only connection to one export.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    schema: Schema,
    /// Pinned time for relative filter terms (`since:-7d`); the wall clock when `None`.
    now: Option<DateTime<Utc>>,
    /// The privacy cache attached to this connection, which answers `has:pii` and its kin,
    /// and stands in for the indexes the export lacks.
    cache: Option<keyed::Attached>,
    /// What `violates:` judges by.
    judging: violates::Judging,
    /// The rowid order is known to be the `(ts, id)` order (`use_rowid_order`): pages are
    /// read along the rowids rather than sorted, on an export without a `ts` index.
    rowid_order: bool,
}

/// Where a page starts. Pages always come back in ascending `(ts, id)` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    First,
    Last,
    /// Rows strictly after the cursor.
    After(Cursor),
    /// Rows strictly before the cursor (the page that ends just before it).
    Before(Cursor),
    /// Rows from the cursor on, the cursor's own row included.
    From(Cursor),
}

/// Counts of the matching events by category, tenant, event name and day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub total: u64,
    pub matching: u64,
    pub by_category: Vec<ValueCount>,
    pub by_tenant: Vec<ValueCount>,
    pub by_name: Vec<ValueCount>,
    pub by_day: Vec<ValueCount>,
}

/// Lets another thread stop a query that this store is running (a superseded page or count).
pub struct Interrupter(rusqlite::InterruptHandle);

impl Interrupter {
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

impl Store {
    /// Opens an export read-only, checking that it is a readable SQLite file with an events table.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = open::read_only(path)?;
        let schema = Schema::read(&conn, path)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            schema,
            now: None,
            cache: None,
            judging: violates::Judging::default(),
            rowid_order: false,
        })
    }

    /// Whether checking `rowids_in_time_order` could speed pages up: the export has no `ts`
    /// index to page along, but its ids are the rowids, and no privacy cache is attached (its
    /// indexes serve the pages, and its build checked the rowid order for the rest: a trusted
    /// one is attached before the first page).
    pub fn may_page_by_rowid(&self) -> bool {
        !self.schema.is_indexed("ts") && self.schema.id_is_rowid && self.cache.is_none()
    }

    /// Pages of this connection go along the rowids, which must be in `(ts, id)` order:
    /// `rowids_in_time_order` said so (exports are not written while telex reads them).
    /// Pages are then read without sorting the whole export, whatever its indexes.
    pub fn use_rowid_order(&mut self) {
        self.rowid_order = self.schema.id_is_rowid;
    }

    /// Whether pages the privacy cache does not drive go along the rowids (`use_rowid_order`,
    /// or an attached cache whose build found them in time order).
    pub fn pages_by_rowid(&self) -> bool {
        self.rowid_order
    }

    /// Pins "now" for relative time terms, so results do not depend on the clock.
    pub fn with_now(mut self, now: DateTime<Utc>) -> Store {
        self.now = Some(now);
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub fn interrupter(&self) -> Interrupter {
        Interrupter(self.conn.get_interrupt_handle())
    }

    fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    /// The WHERE clause of `filter`; privacy terms need the attached cache.
    fn sql(&self, filter: &Filter) -> Result<Sql, StoreError> {
        let mut sql = Sql::new(&self.schema, filter, self.now());
        if let Some(term) = filter.terms.iter().find(|t| t.test.is_privacy()) {
            if self.cache.is_none() {
                return Err(StoreError::NeedsCache {
                    term: term.to_string(),
                });
            }
            // Qualified: inside the cache subquery a bare `id` would be the cache's own.
            let id = format!("{}.{}", self.schema.table_sql(), self.schema.id_sql());
            privacy::add(&self.conn, &mut sql, filter, &privacy::Source::Export(&id))?;
            self.add_violates(&mut sql, filter);
        }
        Ok(sql)
    }

    /// Up to `limit` matching events from `anchor`, in ascending `(ts, id)` order.
    pub fn page(
        &self,
        filter: &Filter,
        anchor: &Anchor,
        limit: usize,
    ) -> Result<Vec<EventSummary>, StoreError> {
        let columns = self.schema.summary_columns();
        self.keyset(filter, anchor, limit, &columns, summary_from_row)
    }

    /// Like `page`, but every column of each event: what the privacy lens scans for the
    /// markers of a page.
    pub fn page_events(
        &self,
        filter: &Filter,
        anchor: &Anchor,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let columns = self.schema.event_columns();
        self.keyset(filter, anchor, limit, &columns, |row| {
            self.event_from_row(row)
        })
    }

    /// One keyset page of `columns`, each row read by `read`, in ascending `(ts, id)` order.
    fn keyset<T>(
        &self,
        filter: &Filter,
        anchor: &Anchor,
        limit: usize,
        columns: &str,
        read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let descending = matches!(anchor, Anchor::Last | Anchor::Before(_));
        let (text, params) = self.ordered(filter, columns, anchor, Some(limit))?;
        let mut stmt = self.conn.prepare_cached(&text)?;
        let mut rows: Vec<T> = stmt
            .query_map(params_from_iter(params), read)?
            .collect::<Result<_, _>>()?;
        if descending {
            rows.reverse();
        }
        Ok(rows)
    }

    /// The SELECT of `columns` for the rows matching `filter` from `anchor` on, in `(ts, id)`
    /// order (descending for `Last` and `Before`), with its parameters. The cache's key table
    /// drives it when it should (`keyed::plan`): its ids in order, each row then read from the
    /// export by id.
    fn ordered(
        &self,
        filter: &Filter,
        columns: &str,
        anchor: &Anchor,
        limit: Option<usize>,
    ) -> Result<(String, Vec<Value>), StoreError> {
        let (mut sql, driven) = match self.cache_plan(filter, keyed::Purpose::Page)? {
            Some(sql) => (sql, true),
            None => (self.sql(filter)?, false),
        };
        let descending = matches!(anchor, Anchor::Last | Anchor::Before(_));
        let by_rowid = self.rowid_order && !driven;
        let id = self.schema.id_sql();
        let cursor = match anchor {
            Anchor::First | Anchor::Last => None,
            Anchor::After(c) => Some((c, ">")),
            Anchor::From(c) => Some((c, ">=")),
            Anchor::Before(c) => Some((c, "<")),
        };
        if let Some((c, op)) = cursor {
            sql.after(c, op);
            if by_rowid {
                // A cursor is a row's own position: along rowids in `(ts, id)` order, the
                // rows past it are those past its id, which SQLite seeks to.
                sql.push(format!("{id} {op} ?"), vec![Value::Integer(c.id)]);
            }
        }
        let order = if descending { "DESC" } else { "ASC" };
        let limit_sql = if limit.is_some() { " LIMIT ?" } else { "" };
        let table = self.schema.table_sql();
        let text = if driven {
            format!(
                "SELECT {columns} FROM (SELECT {ev}.id AS k_id, {ev}.ts AS k_ts \
                 FROM {cache}.ev AS {ev} {where_} ORDER BY {ev}.ts {order}, {ev}.id {order}\
                 {limit_sql}) AS k JOIN {table} ON {table}.{id} = k.k_id \
                 ORDER BY k.k_ts {order}, k.k_id {order}",
                ev = keyed::EV,
                cache = privacy::ALIAS,
                where_ = sql.where_clause(),
            )
        } else if by_rowid {
            format!(
                "SELECT {columns} FROM {table} {where_} ORDER BY {id} {order}{limit_sql}",
                where_ = sql.where_clause(),
            )
        } else {
            format!(
                "SELECT {columns} FROM {table} {where_} ORDER BY {ts} {order}, {id} {order}\
                 {limit_sql}",
                where_ = sql.where_clause(),
                ts = self.schema.ts_sql(),
            )
        };
        let mut params = sql.params;
        if let Some(limit) = limit {
            params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        Ok((text, params))
    }

    /// How many events match.
    pub fn count(&self, filter: &Filter) -> Result<u64, StoreError> {
        let (sql, from) = match self.cache_plan(filter, keyed::Purpose::Count)? {
            Some(sql) => (sql, format!("{}.ev AS {}", privacy::ALIAS, keyed::EV)),
            None => (self.sql(filter)?, self.schema.table_sql()),
        };
        let text = format!("SELECT count(*) FROM {from} {}", sql.where_clause());
        let n: i64 = self
            .conn
            .prepare_cached(&text)?
            .query_row(params_from_iter(sql.params), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Events in the whole export.
    pub fn total(&self) -> Result<u64, StoreError> {
        self.count(&Filter::default())
    }

    /// One event with every column, or `None` when no event has that id.
    pub fn event(&self, id: EventId) -> Result<Option<Event>, StoreError> {
        let text = format!(
            "SELECT {} FROM {} WHERE {} = ?",
            self.schema.event_columns(),
            self.schema.table_sql(),
            self.schema.id_sql()
        );
        let mut stmt = self.conn.prepare_cached(&text)?;
        let mut rows = stmt.query([id])?;
        match rows.next()? {
            Some(row) => Ok(Some(self.event_from_row(row)?)),
            None => Ok(None),
        }
    }

    /// Calls `visit` with every matching event in `(ts, id)` order, streaming (nothing is
    /// collected), until it returns `false` or `limit` events were visited.
    pub fn for_each_event(
        &self,
        filter: &Filter,
        limit: Option<u64>,
        mut visit: impl FnMut(Event) -> bool,
    ) -> Result<u64, StoreError> {
        let columns = self.schema.event_columns();
        let (text, params) = self.ordered(filter, &columns, &Anchor::First, None)?;
        let mut stmt = self.conn.prepare(&text)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut seen = 0;
        while limit.is_none_or(|l| seen < l) {
            let Some(row) = rows.next()? else { break };
            seen += 1;
            if !visit(self.event_from_row(row)?) {
                break;
            }
        }
        Ok(seen)
    }

    /// The rows of the optional `export_info` table, in key order.
    pub fn export_info(&self) -> Result<Vec<(String, String)>, StoreError> {
        if !self.schema.has_export_info {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM export_info ORDER BY key")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                text_of(r.get_ref(0)?).unwrap_or_default(),
                text_of(r.get_ref(1)?).unwrap_or_default(),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn event_from_row(&self, row: &Row<'_>) -> rusqlite::Result<Event> {
        let summary = summary_from_row(row)?;
        let app_name = text_of(row.get_ref(7)?);
        let app_version = text_of(row.get_ref(8)?);
        let payload = text_of(row.get_ref(9)?);
        let mut extra = Vec::with_capacity(self.schema.extra.len());
        for (i, name) in self.schema.extra.iter().enumerate() {
            extra.push((name.clone(), text_of(row.get_ref(10 + i)?)));
        }
        Ok(Event {
            summary,
            app_name,
            app_version,
            payload,
            extra,
        })
    }
}

/// Whether a file is a whole SQLite database, judged by its header alone: the cache checks
/// its own files with the same test the export gets.
pub(crate) fn check_header(path: &Path) -> Result<(), StoreError> {
    let len = std::fs::metadata(path)
        .map_err(|e| StoreError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?
        .len();
    open::check_header(path, len)
}

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<EventSummary> {
    Ok(EventSummary {
        id: row.get(0)?,
        ts: text_of(row.get_ref(1)?).unwrap_or_default(),
        category: text_of(row.get_ref(2)?).unwrap_or_default(),
        name: text_of(row.get_ref(3)?).unwrap_or_default(),
        tenant_id: text_of(row.get_ref(4)?),
        session_id: text_of(row.get_ref(5)?),
        user_id: text_of(row.get_ref(6)?),
    })
}

/// Any SQLite value as text. Invalid UTF-8 and BLOBs become `\xNN` escapes, so a strange
/// export can be shown and never panics.
fn text_of(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(bytes) => Some(match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => escape_bytes(bytes, false),
        }),
        ValueRef::Blob(bytes) => Some(escape_bytes(bytes, true)),
    }
}

fn escape_bytes(bytes: &[u8], all: bool) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for chunk in bytes.utf8_chunks() {
        if all {
            for b in chunk.valid().bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            out.push_str(chunk.valid());
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}
