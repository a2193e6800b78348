//! The cache file's tables, its `meta` rows, and the checks that decide whether a cache file
//! may be trusted: it must be whole, complete, of this format and engine, and describe the
//! export as it is now (path, size, modification time).

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

/// Bump when the tables or encodings change: older files are then stale and rebuilt.
pub const FORMAT: i64 = 3;

/// Tables, filled before any index but `ev_id` exists (the others are built once, after the
/// bulk load).
/// `ev` is stored in `(ts, id)` order, the order of every page: a filter on findings alone
/// walks it front to back (or back to front) reading only these narrow rows, and the build
/// appends to it, since the scan delivers events in that order.
pub const TABLES: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE vals(id INTEGER PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE fields(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE ev(
    ts NOT NULL,
    id INTEGER NOT NULL,
    category INTEGER NOT NULL,
    name INTEGER NOT NULL,
    tenant INTEGER,
    session INTEGER,
    user INTEGER,
    kinds INTEGER NOT NULL,
    classes INTEGER NOT NULL,
    findings BLOB,
    PRIMARY KEY (ts, id)
) WITHOUT ROWID;
CREATE TABLE inventory(
    category TEXT NOT NULL,
    field TEXT NOT NULL,
    records INTEGER NOT NULL,
    identified INTEGER NOT NULL,
    kinds TEXT NOT NULL,
    example TEXT,
    PRIMARY KEY(category, field)
) WITHOUT ROWID;
";

/// The dictionaries' lookups by text.
pub const DICT_INDEXES: &str = "
CREATE UNIQUE INDEX vals_v ON vals(v);
CREATE UNIQUE INDEX fields_name ON fields(name);
";

/// Events by id (privacy terms on a query that reads the export, and pages that fetch rows
/// back from it). Made before the bulk load when ids rise with `(ts, id)`, as they do in most
/// exports: each row then lands at the index's end, cheaper than sorting them all at the end.
pub const ID_INDEX: &str = "CREATE UNIQUE INDEX ev_id ON ev(id)";

/// The key indexes the cache can add, by the export column they stand in for: each is built
/// only when the export has no index led by that column (so filters on it are fast on any
/// export without paying, on a well-indexed one, for indexes it never uses). Every index ends
/// with `ev`'s key, so `(tenant, ts)` holds `(tenant, ts, id)`: keyset pages walk a tenant's
/// events without sorting. (`ts` needs none: `ev` itself is in that order.)
pub const KEY_INDEXES: [(&str, &str); 4] = [
    ("category", "CREATE INDEX ev_category ON ev(category, ts)"),
    ("tenant_id", "CREATE INDEX ev_tenant ON ev(tenant, ts)"),
    ("session_id", "CREATE INDEX ev_session ON ev(session, ts)"),
    ("user_id", "CREATE INDEX ev_user ON ev(user, ts)"),
];

/// The name of the index `KEY_INDEXES` builds for an export column.
pub fn key_index_name(column: &str) -> Option<&'static str> {
    KEY_INDEXES
        .iter()
        .find(|(c, _)| *c == column)
        .and_then(|(_, sql)| sql.split_whitespace().nth(2))
}

/// The schema objects every trusted file has (plus the key indexes its meta lists).
const OBJECTS: [&str; 8] = [
    "meta",
    "vals",
    "fields",
    "ev",
    "inventory",
    "vals_v",
    "fields_name",
    "ev_id",
];

/// What a cache file says about itself and the export it was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub format: i64,
    pub engine: i64,
    /// Events in the cache: every event of the export when it was built.
    pub events: u64,
    /// Timestamps kept as text (the export has some that are not canonical) rather than as
    /// milliseconds.
    pub ts_text: bool,
    /// The export columns (`ts`, `category`, `tenant_id`…) whose key index the cache has.
    pub indexed: Vec<String>,
    /// The export has no `ts` index, its ids are its rowids and those run in `(ts, id)` order
    /// (checked during the build): pages of filters the cache cannot drive (free text,
    /// payload fields) then go along the rowids instead of sorting the export.
    pub rowids_in_time_order: bool,
    /// When the build finished (RFC 3339, nanoseconds): tells one build from another.
    pub built_at: String,
    pub build_ms: u64,
    /// The part of `build_ms` after the scan: dictionaries, inventory, indexes.
    pub finish_ms: u64,
}

impl Meta {
    pub fn write(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut stmt = conn.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?;
        stmt.execute(params!["path", self.path])?;
        stmt.execute(params!["size", self.size as i64])?;
        stmt.execute(params!["mtime_ns", self.mtime_ns])?;
        stmt.execute(params!["format", self.format])?;
        stmt.execute(params!["engine", self.engine])?;
        stmt.execute(params!["events", self.events as i64])?;
        stmt.execute(params!["ts_text", i64::from(self.ts_text)])?;
        stmt.execute(params!["indexed", self.indexed.join(",")])?;
        stmt.execute(params![
            "rowids_in_time_order",
            i64::from(self.rowids_in_time_order)
        ])?;
        stmt.execute(params!["built_at", self.built_at])?;
        stmt.execute(params!["build_ms", self.build_ms as i64])?;
        stmt.execute(params!["finish_ms", self.finish_ms as i64])?;
        // Written last, in the same transaction: a file without it was never finished.
        stmt.execute(params!["complete", 1])?;
        Ok(())
    }

    /// Reads the meta rows; `Err` with the reason when they are missing or unreadable.
    pub fn read(conn: &Connection) -> Result<Meta, String> {
        Meta::read_in(conn, "main")
    }

    /// `read` from the cache attached to `conn` as `database`.
    pub fn read_in(conn: &Connection, database: &str) -> Result<Meta, String> {
        let sql = format!("SELECT value FROM {database}.meta WHERE key = ?1");
        let get = |key: &str| -> Result<rusqlite::types::Value, String> {
            conn.query_row(&sql, [key], |r| r.get(0))
                .optional()
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no `{key}` in meta"))
        };
        let int = |key: &str| -> Result<i64, String> {
            match get(key)? {
                rusqlite::types::Value::Integer(i) => Ok(i),
                _ => Err(format!("`{key}` is not a number")),
            }
        };
        let text = |key: &str| -> Result<String, String> {
            match get(key)? {
                rusqlite::types::Value::Text(s) => Ok(s),
                _ => Err(format!("`{key}` is not text")),
            }
        };
        if int("complete")? != 1 {
            return Err("the build never finished".into());
        }
        Ok(Meta {
            path: text("path")?,
            size: u64::try_from(int("size")?).map_err(|e| e.to_string())?,
            mtime_ns: int("mtime_ns")?,
            format: int("format")?,
            engine: int("engine")?,
            events: u64::try_from(int("events")?).map_err(|e| e.to_string())?,
            ts_text: int("ts_text")? != 0,
            indexed: text("indexed")?
                .split(',')
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect(),
            rowids_in_time_order: int("rowids_in_time_order")? != 0,
            built_at: text("built_at")?,
            build_ms: u64::try_from(int("build_ms")?).map_err(|e| e.to_string())?,
            finish_ms: u64::try_from(int("finish_ms")?).map_err(|e| e.to_string())?,
        })
    }
}

/// Why a cache file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distrust {
    /// Whole, but built from another state of the export or by another telex.
    Stale(String),
    /// Not a cache telex finished writing: damaged, truncated, foreign or interrupted.
    Corrupt(String),
}

/// Checks an open cache file: whole, complete, every table and index present, the row count
/// agreeing with `meta`, and built from the export as `expected` describes it now.
pub fn check(conn: &Connection, expected: &Meta) -> Result<Meta, Distrust> {
    let corrupt = |e: String| Distrust::Corrupt(e);
    let meta = Meta::read(conn).map_err(corrupt)?;
    let mut present: Vec<String> = Vec::new();
    {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master")
            .map_err(|e| corrupt(e.to_string()))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| corrupt(e.to_string()))?;
        for row in rows {
            present.push(row.map_err(|e| corrupt(e.to_string()))?);
        }
    }
    let mut wanted: Vec<&str> = OBJECTS.to_vec();
    for column in &meta.indexed {
        wanted.push(key_index_name(column).ok_or_else(|| corrupt(format!("index on `{column}`")))?);
    }
    if let Some(missing) = wanted.iter().find(|o| !present.iter().any(|p| p == *o)) {
        return Err(corrupt(format!("no `{missing}`")));
    }
    if meta.format != expected.format || meta.engine != expected.engine {
        return Err(Distrust::Stale(format!(
            "built by another telex (format {}, engine {})",
            meta.format, meta.engine
        )));
    }
    if (&meta.path, meta.size, meta.mtime_ns) != (&expected.path, expected.size, expected.mtime_ns)
    {
        return Err(Distrust::Stale(
            "the export changed since it was built".into(),
        ));
    }
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM ev", [], |r| r.get(0))
        .map_err(|e| corrupt(e.to_string()))?;
    if u64::try_from(rows).ok() != Some(meta.events) {
        return Err(corrupt(format!(
            "{rows} events where meta says {}",
            meta.events
        )));
    }
    Ok(meta)
}

/// Whether `path` names a SQLite file at all, and a whole one (the header's page count fits
/// the file): garbage and truncated files are caught before SQLite reads them.
pub fn looks_whole(path: &Path) -> bool {
    crate::store::check_header(path).is_ok()
}
