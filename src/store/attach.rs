//! Attaching the privacy cache (`crate::cache`) to a store's connection: read-only, with the
//! SQL function its `field:` terms use, and choosing when its key table drives a query.

use std::path::Path;

use super::query::Sql;
use super::{Store, StoreError, keyed, privacy, violates};
use crate::cache::Meta;
use crate::model::Filter;

impl Store {
    /// Attaches a cache file (`crate::cache::Cache::path`) read-only, so that filters with
    /// privacy terms can be answered. Replaces any cache attached before.
    pub fn attach_cache(&mut self, path: &Path) -> Result<(), StoreError> {
        self.detach_cache()?;
        // An absolute path, so the store's URI-enabled connection never reads it as a URI.
        let path = std::path::absolute(path).map_err(|e| StoreError::CacheUnusable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let unusable = |e: rusqlite::Error| StoreError::CacheUnusable {
            path: path.clone(),
            reason: e.to_string(),
        };
        // The connection was opened read-only, and an attached file inherits that.
        self.conn
            .execute(
                &format!("ATTACH DATABASE ?1 AS {}", privacy::ALIAS),
                [path.to_string_lossy()],
            )
            .map_err(unusable)?;
        privacy::register(&self.conn).map_err(unusable)?;
        violates::register(&self.conn, &self.judging).map_err(unusable)?;
        // The cache was checked before it was attached: its meta is whole.
        let meta = Meta::read_in(&self.conn, privacy::ALIAS).map_err(|reason| {
            StoreError::CacheUnusable {
                path: path.clone(),
                reason,
            }
        })?;
        if meta.rowids_in_time_order {
            // What the cache cannot answer still reads the export: along its rowids, unsorted.
            self.use_rowid_order();
        }
        self.cache = Some(keyed::Attached::new(path, meta));
        Ok(())
    }

    /// A second connection to the same export, with the same cache attached, the same policy
    /// and "now" pinned to this store's, so relative time terms resolve alike on every
    /// connection: what a worker thread needs (a connection serves one thread).
    pub fn reopen(&self) -> Result<Store, StoreError> {
        let mut store = Store::open(&self.path)?;
        store.now = Some(self.now());
        store.judging = self.judging.clone();
        store.rowid_order = self.rowid_order;
        if let Some(cache) = &self.cache {
            store.attach_cache(&cache.path)?;
        }
        Ok(store)
    }

    /// Detaches the cache, if one is attached.
    pub fn detach_cache(&mut self) -> Result<(), StoreError> {
        if self.cache.take().is_some() {
            self.conn
                .execute(&format!("DETACH DATABASE {}", privacy::ALIAS), [])?;
        }
        Ok(())
    }

    /// The field inventory kept in the attached cache (`telex scan --summary`'s table).
    pub fn inventory(&self) -> Result<crate::inventory::Inventory, StoreError> {
        if self.cache.is_none() {
            return Err(StoreError::NeedsCache {
                term: "the inventory".into(),
            });
        }
        Ok(crate::cache::read_inventory(&self.conn, privacy::ALIAS)?)
    }

    /// The attached cache file, if any (a second connection attaches the same one).
    pub fn cache_path(&self) -> Option<&Path> {
        self.cache.as_ref().map(|c| c.path.as_path())
    }

    /// Whether the events of `filter` are found through the attached cache's key table rather
    /// than by testing every row of the export: its privacy terms are answered there, so an
    /// ordered read finds the few events of `has:secret` without touching the others.
    pub fn reads_through_cache(&self, filter: &Filter) -> Result<bool, StoreError> {
        Ok(filter.needs_cache() && self.cache_plan(filter, keyed::Purpose::Page)?.is_some())
    }

    /// The WHERE clause over the cache's key table, when the attached cache should answer.
    pub(super) fn cache_plan(
        &self,
        filter: &Filter,
        purpose: keyed::Purpose,
    ) -> Result<Option<Sql>, StoreError> {
        match &self.cache {
            Some(cache) => {
                keyed::plan(&self.conn, &self.schema, cache, filter, self.now(), purpose)
            }
            None => Ok(None),
        }
    }
}
