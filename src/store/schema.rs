//! What an export's `events` table holds: which native columns exist, which extra columns
//! come along, and how to name each in SQL.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;
use super::open::classify;

/// The native columns after `id`, in the order queries select them.
pub const NATIVE: [&str; 9] = [
    "ts",
    "category",
    "name",
    "tenant_id",
    "session_id",
    "user_id",
    "app_name",
    "app_version",
    "payload",
];
const REQUIRED: [&str; 3] = ["ts", "category", "name"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// The events table's name as written in the export.
    pub table: String,
    /// The identity column: `id` when the table has it, else SQLite's `rowid`.
    pub id_column: Option<String>,
    /// For each of `NATIVE`, the export's own spelling of it, if present.
    native: Vec<Option<String>>,
    /// Columns beyond the native schema, in table order.
    pub extra: Vec<String>,
    pub has_export_info: bool,
    /// Columns that lead at least one index (so filters on them are fast).
    pub indexed: Vec<String>,
    /// Whether the events' id is SQLite's rowid (its alias, `id INTEGER PRIMARY KEY`, or the
    /// rowid itself when there is no `id` column): ranges of ids are read straight from the
    /// table.
    pub id_is_rowid: bool,
    /// Whether a row is found by its id without a scan: the id is the rowid or leads an index.
    pub id_is_key: bool,
}

impl Schema {
    pub(super) fn read(conn: &Connection, path: &Path) -> Result<Schema, StoreError> {
        let tables = names(
            conn,
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name",
            path,
        )?;
        let Some(table) = tables
            .iter()
            .find(|t| t.eq_ignore_ascii_case("events"))
            .cloned()
        else {
            let list = if tables.is_empty() {
                "none".to_string()
            } else {
                tables.join(", ")
            };
            return Err(StoreError::NoEventsTable {
                path: path.to_path_buf(),
                tables: list,
            });
        };
        let has_export_info = tables.iter().any(|t| t == "export_info");
        let columns = names(
            conn,
            &format!(
                "SELECT name FROM pragma_table_info({})",
                quote_literal(&table)
            ),
            path,
        )?;
        let find = |want: &str| {
            columns
                .iter()
                .find(|c| c.eq_ignore_ascii_case(want))
                .cloned()
        };
        let missing: Vec<&str> = REQUIRED.into_iter().filter(|c| find(c).is_none()).collect();
        if !missing.is_empty() {
            return Err(StoreError::MissingColumns {
                path: path.to_path_buf(),
                table,
                missing: missing.join(", "),
                found: columns.join(", "),
            });
        }
        let id_column = find("id");
        if id_column.is_none() && !has_rowids(conn, &table, path)? {
            // The rowid stands in for a missing id; a view or a table `WITHOUT ROWID` has none.
            return Err(StoreError::MissingColumns {
                path: path.to_path_buf(),
                table,
                missing: "id (a view or a table WITHOUT ROWID has no rowid to stand in for it)"
                    .into(),
                found: columns.join(", "),
            });
        }
        let native: Vec<Option<String>> = NATIVE.iter().map(|c| find(c)).collect();
        let extra = columns
            .iter()
            .filter(|c| {
                !c.eq_ignore_ascii_case("id") && !NATIVE.iter().any(|n| c.eq_ignore_ascii_case(n))
            })
            .cloned()
            .collect();
        let indexed = names(
            conn,
            &format!(
                "SELECT DISTINCT ii.name FROM pragma_index_list({}) AS il \
                 JOIN pragma_index_info(il.name) AS ii WHERE ii.seqno = 0 ORDER BY 1",
                quote_literal(&table)
            ),
            path,
        )?;
        // `id` is the rowid only when it is the table's single INTEGER PRIMARY KEY; without an
        // `id` the rowid stands in for it (a table without rowids was refused above).
        let id_is_rowid = match &id_column {
            None => true,
            Some(id) => !names(
                conn,
                &format!(
                    "SELECT name FROM pragma_table_info({}) WHERE name = {} AND pk = 1 \
                     AND upper(type) = 'INTEGER' AND (SELECT count(*) FROM \
                     pragma_table_info({}) WHERE pk > 0) = 1",
                    quote_literal(&table),
                    quote_literal(id),
                    quote_literal(&table)
                ),
                path,
            )?
            .is_empty(),
        };
        let id_is_key = id_is_rowid
            || id_column
                .as_ref()
                .is_some_and(|id| indexed.iter().any(|c| c == id));
        Ok(Schema {
            id_is_rowid,
            id_is_key,
            table,
            id_column,
            native,
            extra,
            has_export_info,
            indexed,
        })
    }

    /// The export's spelling of a column, quoted for SQL; `None` when the export lacks it.
    pub fn column_sql(&self, name: &str) -> Option<String> {
        if let Some(i) = NATIVE.iter().position(|n| *n == name) {
            return self.native[i].as_deref().map(quote_ident);
        }
        self.extra
            .iter()
            .find(|c| *c == name)
            .map(|c| quote_ident(c))
    }

    /// Whether the export has this native column.
    pub fn has(&self, name: &str) -> bool {
        self.column_sql(name).is_some()
    }

    pub fn is_indexed(&self, name: &str) -> bool {
        NATIVE
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.native[i].as_ref())
            .is_some_and(|spelled| self.indexed.iter().any(|c| c == spelled))
    }

    pub(super) fn table_sql(&self) -> String {
        quote_ident(&self.table)
    }

    pub(super) fn id_sql(&self) -> String {
        self.id_column
            .as_deref()
            .map_or_else(|| "rowid".to_string(), quote_ident)
    }

    pub(super) fn ts_sql(&self) -> String {
        self.column_sql("ts").unwrap_or_else(|| "NULL".into())
    }

    fn native_or_null(&self, i: usize) -> String {
        self.native[i]
            .as_deref()
            .map_or_else(|| "NULL".to_string(), quote_ident)
    }

    /// `id` and the six summary columns, NULL where absent.
    pub(super) fn summary_columns(&self) -> String {
        let mut cols = vec![self.id_sql()];
        cols.extend((0..6).map(|i| self.native_or_null(i)));
        cols.join(", ")
    }

    /// Every column: summary, then app name, version, payload, then the extra columns.
    pub(super) fn event_columns(&self) -> String {
        self.event_columns_but(&[])
    }

    /// `event_columns` with the native columns named in `skip` read as NULL.
    pub(super) fn event_columns_but(&self, skip: &[&str]) -> String {
        let mut cols = vec![self.id_sql()];
        cols.extend((0..NATIVE.len()).map(|i| {
            if skip.contains(&NATIVE[i]) {
                "NULL".to_string()
            } else {
                self.native_or_null(i)
            }
        }));
        cols.extend(self.extra.iter().map(|c| quote_ident(c)));
        cols.join(", ")
    }
}

fn names(conn: &Connection, sql: &str, path: &Path) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(sql).map_err(|e| classify(path, e))?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| classify(path, e))?;
    rows.collect::<Result<_, _>>()
        .map_err(|e| classify(path, e))
}

/// Quotes an identifier taken from the export's own schema (never from user input).
pub(super) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Table-valued pragmas take their argument as a string literal; only schema names go here.
fn quote_literal(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// Whether `table` is a table with rowids (not a view, nor `WITHOUT ROWID`).
fn has_rowids(conn: &Connection, table: &str, path: &Path) -> Result<bool, StoreError> {
    let kinds = names(
        conn,
        &format!(
            "SELECT type || ':' || wr FROM pragma_table_list WHERE schema = 'main' AND name = {}",
            quote_literal(table)
        ),
        path,
    )?;
    Ok(kinds.iter().any(|k| k == "table:0"))
}
