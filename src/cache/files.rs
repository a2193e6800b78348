//! The cache's files: the export's identity, trusting a file, private files and directories,
//! temporaries and their cleanup.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rusqlite::{Connection, OpenFlags};

use super::schema::{self, Distrust, FORMAT, Meta};
use super::{Cache, CacheError};
use crate::pii;
use crate::store::StoreError;

/// The export as a cache must describe it: canonical path, size, modification time, and this
/// telex's format and engine versions.
pub(super) fn identity(export: &Path) -> Result<Meta, CacheError> {
    let path = canonical(export)?;
    let md = fs::metadata(&path).map_err(|e| CacheError::io(export, &e))?;
    let nanos = |md: &fs::Metadata| {
        md.modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    };
    let (mut size, mut mtime_ns) = (md.len(), nanos(&md));
    // An export in WAL mode changes in its `-wal` file first: that counts as a change too.
    let mut wal = path.clone().into_os_string();
    wal.push("-wal");
    if let Ok(w) = fs::metadata(PathBuf::from(wal)) {
        size += w.len();
        mtime_ns = mtime_ns.max(nanos(&w));
    }
    Ok(Meta {
        path: path.to_string_lossy().into_owned(),
        size,
        mtime_ns,
        format: FORMAT,
        engine: i64::from(pii::ENGINE_VERSION),
        events: 0,
        ts_text: false,
        indexed: Vec::new(),
        rowids_in_time_order: false,
        built_at: String::new(),
        build_ms: 0,
        finish_ms: 0,
    })
}

pub(super) fn canonical(export: &Path) -> Result<PathBuf, CacheError> {
    fs::canonicalize(export).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::NotFound(export.to_path_buf()).into(),
        _ => CacheError::io(export, &e),
    })
}

/// Opens a cache file read-only and checks it; any failure means it is not to be trusted.
pub(super) fn trust(path: &Path, expected: &Meta) -> Result<Cache, Distrust> {
    if !schema::looks_whole(path) {
        return Err(Distrust::Corrupt("not a whole SQLite file".into()));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| Distrust::Corrupt(e.to_string()))?;
    conn.pragma_update(None, "query_only", true)
        .map_err(|e| Distrust::Corrupt(e.to_string()))?;
    let meta = schema::check(&conn, expected)?;
    Ok(Cache {
        conn,
        path: path.to_path_buf(),
        meta,
        throwaway: false,
    })
}

pub(super) fn distrusted(path: &Path, why: &Distrust) -> CacheError {
    let reason = match why {
        Distrust::Stale(r) | Distrust::Corrupt(r) => r.clone(),
    };
    CacheError::Io {
        path: path.to_path_buf(),
        reason: format!("the file just built cannot be trusted: {reason}"),
    }
}

pub(super) fn remove(path: &Path) -> Result<(), CacheError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CacheError::io(path, &e)),
    }
}

pub(super) fn nanos_now() -> u128 {
    std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// `.<name>.tmp-<pid>-<nanos>` beside the final file: never a name `open` looks at.
pub(super) fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        nanos_now()
    ))
}

/// Removes temporaries of this cache file that an interrupted build left behind. One that
/// changed in the last ten minutes may belong to a build still running in another telex.
pub(super) fn sweep_temporaries(dir: &Path, path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 600);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The cache directory, readable by this user only where the platform allows: it holds
/// copies of tenant, session and user ids.
pub(super) fn create_dir_private(dir: &Path) -> Result<(), CacheError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| CacheError::io(dir, &e))
}

/// Creates an empty file only this user can read, for SQLite to fill.
pub(super) fn create_private(path: &Path) -> Result<(), CacheError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| CacheError::io(path, &e))
}
