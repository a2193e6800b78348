//! Opening an export without ever writing to it, and naming clearly why a file cannot be read.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

/// Why an export cannot be read. Each message is one line naming the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}: no such file")]
    NotFound(PathBuf),
    #[error("{0}: is a directory, not an export file")]
    NotAFile(PathBuf),
    #[error("{0}: the file is empty (0 bytes), not a SQLite export")]
    Empty(PathBuf),
    #[error("{0}: not a SQLite database (or it is encrypted)")]
    NotSqlite(PathBuf),
    #[error(
        "{path}: the file is truncated ({actual} bytes of the {expected} its header announces)"
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error("{0}: the database is damaged (SQLite reports it malformed)")]
    Corrupt(PathBuf),
    #[error("{0}: the database is locked by another program; try again when it has finished")]
    Locked(PathBuf),
    #[error("{path}: cannot be read: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "{path}: no `events` table (tables found: {tables}); telex reads the native schema \
         described in the README — mapping other tables with --map is not supported yet"
    )]
    NoEventsTable { path: PathBuf, tables: String },
    #[error("{path}: table `{table}` lacks the column(s) {missing} (it has: {found})")]
    MissingColumns {
        path: PathBuf,
        table: String,
        missing: String,
        found: String,
    },
    #[error("{path}: cannot write: {reason}")]
    Unwritable { path: PathBuf, reason: String },
    #[error(
        "`{term}` needs the privacy cache, and none is attached (batch commands build it; \
         the explorer attaches it once built)"
    )]
    NeedsCache { term: String },
    #[error("privacy cache {path}: {reason}")]
    CacheUnusable { path: PathBuf, reason: String },
    #[error("query failed: {0}")]
    Query(#[from] rusqlite::Error),
}

impl StoreError {
    /// True when a running query was stopped on purpose (a newer request replaced it).
    pub fn is_interrupted(&self) -> bool {
        matches!(self, StoreError::Query(e) if e.sqlite_error_code() == Some(ErrorCode::OperationInterrupted))
    }
}

const HEADER_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Opens `path` with `SQLITE_OPEN_READ_ONLY` and `query_only`, after checking that it is a
/// whole SQLite file, so that a bad file fails here with a clear reason rather than later.
pub(super) fn read_only(path: &Path) -> Result<Connection, StoreError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::NotFound(path.to_path_buf()),
        _ => unreadable(path, &e),
    })?;
    if meta.is_dir() {
        return Err(StoreError::NotAFile(path.to_path_buf()));
    }
    if meta.len() == 0 {
        return Err(StoreError::Empty(path.to_path_buf()));
    }
    check_header(path, meta.len())?;

    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
    conn.busy_timeout(Duration::from_millis(500))
        .map_err(|e| classify(path, e))?;
    conn.pragma_update(None, "query_only", true)
        .map_err(|e| classify(path, e))?;
    // The first read of the schema is where locks, encryption and damage show up.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| classify(path, e))?;
    Ok(conn)
}

/// Reads the 100-byte header: the magic string, and the page size × page count the file must
/// at least hold (a cheap truncation check that needs no full integrity scan).
pub(super) fn check_header(path: &Path, len: u64) -> Result<(), StoreError> {
    let mut header = [0u8; 100];
    let mut file = File::open(path).map_err(|e| unreadable(path, &e))?;
    let read = read_up_to(&mut file, &mut header).map_err(|e| unreadable(path, &e))?;
    if read < HEADER_MAGIC.len() || &header[..16] != HEADER_MAGIC {
        return Err(StoreError::NotSqlite(path.to_path_buf()));
    }
    if read < header.len() {
        return Err(StoreError::Truncated {
            path: path.to_path_buf(),
            expected: header.len() as u64,
            actual: len,
        });
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let page_count = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    // The page count is only meaningful when the two change counters agree (SQLite file format §1.3.8).
    let counts_valid = header[24..28] == header[92..96] && page_count > 0;
    let expected = page_size * page_count;
    if counts_valid && len < expected {
        return Err(StoreError::Truncated {
            path: path.to_path_buf(),
            expected,
            actual: len,
        });
    }
    Ok(())
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn unreadable(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Turns an SQLite failure at open time into the reason a user can act on.
pub(super) fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked(path),
        Some(ErrorCode::NotADatabase) => StoreError::NotSqlite(path),
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(path),
        _ => StoreError::Unreadable {
            path,
            reason: e.to_string(),
        },
    }
}
