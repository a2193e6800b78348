//! The sidecar cache database (DESIGN §1.3): what telex keeps about an export so that it never
//! writes to the export itself. Per event its key columns (with the indexes an export may
//! lack) and a compact form of its findings; per category and field the inventory of
//! `telex scan --summary`. One file per export in the user's cache directory, named by a
//! stable hash of the export's path, trusted only while it describes the export as it is now;
//! anything else is rebuilt, never read.

mod build;
mod builder;
pub mod codec;
mod collect;
mod files;
mod merge;
mod schema;

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

pub use build::BuildOptions;
pub use builder::Builder;
pub use codec::StoredFinding;
use files::{
    canonical, create_dir_private, create_private, distrusted, identity, nanos_now, remove,
    sweep_temporaries, temporary_beside, trust,
};
pub use schema::{Distrust, FORMAT, Meta};

use crate::inventory::{FieldStats, Inventory};
use crate::model::{EventId, Kind};
use crate::store::{Store, StoreError};

/// The environment variable that moves the cache directory (tests point it at a temp dir).
pub const DIR_ENV: &str = "TELEX_CACHE_DIR";

/// Why there is no cache to use.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("privacy cache {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    #[error("no cache directory for this user: set {DIR_ENV} to one")]
    NoDir,
    #[error("the privacy cache build was cancelled")]
    Cancelled,
}

impl CacheError {
    fn io(path: &Path, e: &std::io::Error) -> CacheError {
        CacheError::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }

    fn sql(path: &Path, e: rusqlite::Error) -> CacheError {
        CacheError::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }
}

/// An open, trusted cache file (read-only). A throwaway one (`--no-cache`) is deleted on drop.
pub struct Cache {
    conn: Connection,
    path: PathBuf,
    meta: Meta,
    throwaway: bool,
}

/// What `CacheDir::open` found at the export's cache location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Missing,
    /// A file that was there and has been removed, with the reason.
    Removed(Distrust),
}

/// A directory of caches: the user's (`CacheDir::user`), or any other (tests use temp dirs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDir(PathBuf);

impl CacheDir {
    /// `$TELEX_CACHE_DIR`, else the platform's user cache directory (`~/.cache/telex` on
    /// Linux).
    pub fn user() -> Result<CacheDir, CacheError> {
        if let Some(dir) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(CacheDir(PathBuf::from(dir)));
        }
        directories::ProjectDirs::from("", "", "telex")
            .map(|p| CacheDir(p.cache_dir().to_path_buf()))
            .ok_or(CacheError::NoDir)
    }

    pub fn at(dir: impl Into<PathBuf>) -> CacheDir {
        CacheDir(dir.into())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Where the cache of `export` lives: `<dir>/<export stem>-<FNV-1a of its canonical
    /// path>.db`, so each export has its own file whatever the working directory.
    pub fn location(&self, export: &Path) -> Result<PathBuf, CacheError> {
        let canonical = canonical(export)?;
        let stem: String = canonical
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let hash = codec::fnv1a(canonical.as_os_str().as_encoded_bytes());
        Ok(self.0.join(format!("{stem}-{hash:016x}.db")))
    }

    /// The export's cache if there is a trusted one. A stale or damaged file is removed (and
    /// said so in `Found`); it is never read for answers.
    pub fn open(&self, export: &Path) -> Result<Result<Cache, Found>, CacheError> {
        let path = self.location(export)?;
        if !path.exists() {
            return Ok(Err(Found::Missing));
        }
        let expected = identity(export)?;
        match trust(&path, &expected) {
            Ok(cache) => Ok(Ok(cache)),
            Err(why) => {
                remove(&path)?;
                Ok(Err(Found::Removed(why)))
            }
        }
    }

    /// The trusted cache of the store's export, built first when there is none (or only a
    /// stale or damaged one).
    pub fn open_or_build(&self, store: &Store, opts: BuildOptions) -> Result<Cache, CacheError> {
        match self.open(store.path())? {
            Ok(cache) => Ok(cache),
            Err(_) => self.build(store, opts),
        }
    }

    /// Builds the cache of the store's export into its location, replacing any file there.
    /// The build writes a private temporary file beside it and renames it into place at the
    /// end, so an interrupted build never leaves a file that could be trusted.
    pub fn build(&self, store: &Store, mut opts: BuildOptions) -> Result<Cache, CacheError> {
        let path = self.location(store.path())?;
        create_dir_private(&self.0)?;
        sweep_temporaries(&self.0, &path);
        let tmp = temporary_beside(&path);
        let identity = identity(store.path())?;
        let built = create_private(&tmp)
            .and_then(|()| build::build_file(store, &identity, &tmp, &mut opts))
            .and_then(|_| fs::rename(&tmp, &path).map_err(|e| CacheError::io(&path, &e)));
        if let Err(e) = built {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        trust(&path, &identity).map_err(|why| distrusted(&path, &why))
    }
}

impl Cache {
    /// Builds a cache for this run only (`--no-cache`): a temporary file outside the cache
    /// directory, deleted when the `Cache` is dropped.
    pub fn build_throwaway(store: &Store, mut opts: BuildOptions) -> Result<Cache, CacheError> {
        let name = format!("telex-throwaway-{}-{}.db", std::process::id(), nanos_now());
        let tmp = std::env::temp_dir().join(name);
        let identity = identity(store.path())?;
        let built = create_private(&tmp)
            .and_then(|()| build::build_file(store, &identity, &tmp, &mut opts));
        if let Err(e) = built {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        match trust(&tmp, &identity) {
            Ok(mut cache) => {
                cache.throwaway = true;
                Ok(cache)
            }
            Err(why) => {
                let _ = fs::remove_file(&tmp);
                Err(distrusted(&tmp, &why))
            }
        }
    }

    /// The cache file, for `Store::attach_cache`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The field inventory of the whole export, as `telex scan --summary` counts it, with
    /// examples always masked.
    pub fn inventory(&self) -> Result<Inventory, CacheError> {
        read_inventory(&self.conn, "main").map_err(|e| CacheError::sql(&self.path, e))
    }

    /// The stored findings of one event (evidence left out: rescan the event for it), or
    /// `None` when the cache has no such event.
    pub fn findings(&self, id: EventId) -> Result<Option<Vec<StoredFinding>>, CacheError> {
        let fail = |e| CacheError::sql(&self.path, e);
        let blob: Option<Option<Vec<u8>>> = self
            .conn
            .query_row("SELECT findings FROM ev WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(fail)?;
        let Some(blob) = blob else { return Ok(None) };
        let decoded =
            codec::decode(blob.as_deref().unwrap_or_default()).ok_or_else(|| CacheError::Io {
                path: self.path.clone(),
                reason: format!("damaged findings for event {id}"),
            })?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM fields WHERE id = ?1")
            .map_err(fail)?;
        let mut out = Vec::with_capacity(decoded.len());
        for e in decoded {
            let field: String = stmt.query_row([e.field], |r| r.get(0)).map_err(fail)?;
            out.push(StoredFinding {
                field,
                kind: e.kind,
                confidence: e.confidence,
                span: e.span,
            });
        }
        Ok(Some(out))
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        if self.throwaway {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The inventory table of a cache database attached to `conn` as `schema` (`main` for the
/// cache's own connection, the store's alias for an export connection).
pub(crate) fn read_inventory(conn: &Connection, schema: &str) -> rusqlite::Result<Inventory> {
    let mut stmt = conn.prepare(&format!(
        "SELECT category, field, records, identified, kinds, example FROM {schema}.inventory \
         ORDER BY category, field"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut inventory = Inventory::default();
    for row in rows {
        let (category, field, records, identified, kinds, example) = row?;
        let kinds: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&kinds).unwrap_or_default();
        let stats = FieldStats {
            records: u64::try_from(records).unwrap_or(0),
            identified: u64::try_from(identified).unwrap_or(0),
            kinds: kinds
                .iter()
                .filter_map(|(k, n)| Some((Kind::parse(k)?, n.as_u64()?)))
                .collect(),
            example,
        };
        inventory.insert(&category, &field, stats);
    }
    Ok(inventory)
}
