//! Writing a new export in the native schema (DESIGN §1.1). Only files telex itself creates go
//! through here (generated exports, later shareable `.db` samples); a user's export is only
//! ever opened read-only by `open`.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::StoreError;
use super::schema::quote_ident;

const SCHEMA: &str = "
CREATE TABLE events(
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    tenant_id TEXT,
    session_id TEXT,
    user_id TEXT,
    app_name TEXT,
    app_version TEXT,
    payload TEXT
);
CREATE TABLE export_info(key TEXT PRIMARY KEY, value TEXT);
";

/// The recommended indexes of DESIGN §1.1, plus `(ts)` for the unfiltered time line. Built
/// after the bulk insert: one sorted pass each is far cheaper than updating them per row.
const INDEXES: &str = "
CREATE INDEX events_category_ts ON events(category, ts);
CREATE INDEX events_tenant_ts ON events(tenant_id, ts);
CREATE INDEX events_session_ts ON events(session_id, ts);
CREATE INDEX events_user_ts ON events(user_id, ts);
CREATE INDEX events_ts ON events(ts);
";

const INSERT: &str = "INSERT INTO events(id, ts, category, name, tenant_id, session_id, user_id, \
                      app_name, app_version, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// One event as written: every native column.
#[derive(Debug, Clone, Copy)]
pub struct NativeRow<'a> {
    pub id: i64,
    pub ts: &'a str,
    pub category: &'a str,
    pub name: &'a str,
    pub tenant_id: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub app_name: Option<&'a str>,
    pub app_version: Option<&'a str>,
    pub payload: Option<&'a str>,
}

/// A native export being written in one transaction; nothing is visible until `finish`.
pub struct NativeWriter {
    conn: Connection,
    path: PathBuf,
    /// The INSERT statement: the native columns, then any extra ones.
    insert: String,
}

impl NativeWriter {
    /// Starts a new export at `path`, which must be a file of the caller's own (a temp file
    /// renamed into place later): durability is traded for speed while it is private.
    pub fn create(path: &Path) -> Result<NativeWriter, StoreError> {
        NativeWriter::with_extra_columns(path, &[])
    }

    /// Like `create`, with TEXT columns beyond the native schema (a sample of an export that
    /// has them keeps them). The names come from the source export's schema, never from values.
    pub fn with_extra_columns(path: &Path, extra: &[String]) -> Result<NativeWriter, StoreError> {
        let fail = |e| unwritable(path, e);
        let conn = Connection::open(path).map_err(fail)?;
        conn.execute_batch(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-32768; BEGIN;",
        )
        .map_err(fail)?;
        conn.execute_batch(SCHEMA).map_err(fail)?;
        let mut insert = INSERT.to_string();
        if !extra.is_empty() {
            let names: Vec<String> = extra.iter().map(|c| quote_ident(c)).collect();
            for name in &names {
                conn.execute_batch(&format!("ALTER TABLE events ADD COLUMN {name} TEXT"))
                    .map_err(fail)?;
            }
            let marks: Vec<String> = (0..extra.len()).map(|i| format!("?{}", 11 + i)).collect();
            insert = format!(
                "INSERT INTO events(id, ts, category, name, tenant_id, session_id, user_id, \
                 app_name, app_version, payload, {}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
                 ?10, {})",
                names.join(", "),
                marks.join(", ")
            );
        }
        Ok(NativeWriter {
            conn,
            path: path.to_path_buf(),
            insert,
        })
    }

    pub fn insert(&mut self, row: &NativeRow<'_>) -> Result<(), StoreError> {
        self.insert_with_extra(row, &[])
    }

    /// Inserts a row with the values of the extra columns, in the order they were declared.
    pub fn insert_with_extra(
        &mut self,
        row: &NativeRow<'_>,
        extra: &[Option<&str>],
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&self.insert)
            .map_err(|e| unwritable(&self.path, e))?;
        let native = params![
            row.id,
            row.ts,
            row.category,
            row.name,
            row.tenant_id,
            row.session_id,
            row.user_id,
            row.app_name,
            row.app_version,
            row.payload,
        ];
        let mut values: Vec<&dyn rusqlite::ToSql> = native.to_vec();
        values.extend(extra.iter().map(|v| v as &dyn rusqlite::ToSql));
        stmt.execute(values.as_slice())
            .map_err(|e| unwritable(&self.path, e))?;
        Ok(())
    }

    /// Builds the indexes, writes `export_info`, commits and closes.
    pub fn finish(self, info: &[(&str, &str)]) -> Result<(), StoreError> {
        let path = self.path;
        let fail = |e| unwritable(&path, e);
        self.conn.execute_batch(INDEXES).map_err(fail)?;
        {
            let mut stmt = self
                .conn
                .prepare("INSERT INTO export_info(key, value) VALUES (?1, ?2)")
                .map_err(fail)?;
            for (key, value) in info {
                stmt.execute(params![key, value]).map_err(fail)?;
            }
        }
        self.conn.execute_batch("COMMIT").map_err(fail)?;
        self.conn.close().map_err(|(_, e)| fail(e))
    }
}

fn unwritable(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Unwritable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}
