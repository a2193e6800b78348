//! Building a cache file: one scan of every event (`scanner::scan_parts_stored`), rows made by the
//! scan workers (`collect`), given the cache's string ids on the caller's thread (`merge`) and
//! written on a thread of their own; `ev_id` kept up during the load while ids rise, the other
//! indexes made once after it, then `meta` last. The file is private until it is renamed into
//! place.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Instant;

use rusqlite::{Connection, params};

use super::CacheError;
use super::codec::Packed;
use super::collect::{Chunk, Dict, Encode, Row};
use super::merge::{Batch, Merger};
use super::schema::{DICT_INDEXES, ID_INDEX, KEY_INDEXES, Meta, TABLES};
use crate::inventory::Inventory;
use crate::model::Filter;
use crate::scanner::{self, ScanError, ScanOptions};
use crate::store::Store;

/// Chunks on their way to the writer thread, at most (a scan chunk is 2048 rows).
const QUEUE: usize = 8;

/// How a build runs.
#[derive(Default)]
pub struct BuildOptions {
    /// Scan threads; 0 = one per core.
    pub threads: usize,
    /// Called now and then with (events done, events in the export). While the indexes are
    /// made at the end, done equals the total.
    pub progress: Option<Box<dyn FnMut(u64, u64) + Send>>,
    /// Set it to stop the build; it then ends with `CacheError::Cancelled`.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl BuildOptions {
    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    fn report(&mut self, done: u64, total: u64) {
        if let Some(p) = self.progress.as_mut() {
            p(done, total);
        }
    }
}

/// Why the scan's visitor stopped it.
enum Stop {
    Cancelled,
    /// A timestamp that is not canonical: build again keeping timestamps as text.
    TextTimestamps,
    /// The writer thread is gone (its error is in its result).
    Writer,
}

/// Writes the cache for `store` into `target` (a new private file) and returns its `meta`.
/// `identity` is the export as it was before reading began.
pub(super) fn build_file(
    store: &Store,
    identity: &Meta,
    target: &Path,
    opts: &mut BuildOptions,
) -> Result<Meta, CacheError> {
    let started = Instant::now();
    let total = store.total()?;
    opts.report(0, total);
    let mut ts_text = false;
    let schema = store.schema();
    let indexed: Vec<String> = KEY_INDEXES
        .iter()
        .map(|(column, _)| column.to_string())
        .filter(|c| schema.has(c) && !schema.is_indexed(c))
        .collect();
    loop {
        match attempt(store, target, ts_text, total, &indexed, opts)? {
            Some((conn, events, finish)) => {
                let mut meta = identity.clone();
                meta.events = events;
                meta.ts_text = ts_text;
                meta.indexed = indexed.clone();
                // One more pass over the ids and times, just read: it spares every later
                // session's free-text pages a sort of the whole export.
                meta.rowids_in_time_order =
                    !schema.is_indexed("ts") && store.rowids_in_time_order()?;
                if opts.cancelled() {
                    return Err(CacheError::Cancelled);
                }
                meta.build_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                meta.finish_ms = u64::try_from(finish.as_millis()).unwrap_or(u64::MAX);
                meta.built_at =
                    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
                meta.write(&conn).map_err(|e| CacheError::sql(target, e))?;
                conn.execute_batch("COMMIT")
                    .map_err(|e| CacheError::sql(target, e))?;
                conn.close().map_err(|(_, e)| CacheError::sql(target, e))?;
                return Ok(meta);
            }
            None if !ts_text => {
                ts_text = true;
                std::fs::remove_file(target).map_err(|e| CacheError::io(target, &e))?;
                super::create_private(target)?;
            }
            None => return Err(CacheError::Cancelled),
        }
    }
}

/// One pass. `Ok(None)` when a non-canonical timestamp means the pass must be redone with
/// text timestamps. On success the connection is inside the open transaction.
fn attempt(
    store: &Store,
    target: &Path,
    ts_text: bool,
    total: u64,
    indexed: &[String],
    opts: &mut BuildOptions,
) -> Result<Option<(Connection, u64, std::time::Duration)>, CacheError> {
    let fail = |e| CacheError::sql(target, e);
    let conn = Connection::open(target).map_err(fail)?;
    // A private file nobody reads until it is renamed: durability buys nothing here.
    conn.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;
         PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA threads=2; BEGIN;",
    )
    .map_err(fail)?;
    conn.execute_batch(TABLES).map_err(fail)?;

    let (tx, rx) = sync_channel::<Batch>(QUEUE);
    let writer = std::thread::spawn(move || write_rows(conn, rx));

    let scan_opts = ScanOptions {
        threads: opts.threads,
        progress: None,
    };
    let mut merger = Merger::default();
    let mut done = 0u64;
    let mut visit = |chunk: Chunk| -> Result<(), Stop> {
        if chunk.not_canonical {
            return Err(Stop::TextTimestamps);
        }
        if opts.cancelled() {
            return Err(Stop::Cancelled);
        }
        done += chunk.rows.len() as u64;
        tx.send(merger.add(chunk)).map_err(|_| Stop::Writer)?;
        opts.report(done, total);
        Ok(())
    };
    let work = Encode { ts_text };
    // Time order is not needed here (the indexes are made after the load), and without a `ts`
    // index it would mean one sorted read on one thread.
    let scanned =
        scanner::scan_parts_stored(store, &Filter::default(), scan_opts, &work, &mut visit);
    drop(tx);
    let written = writer
        .join()
        .map_err(|_| CacheError::io(target, &std::io::Error::other("the writer panicked")))?;
    let writer_stopped = match scanned {
        Err(ScanError::Store(e)) => return Err(e.into()),
        Err(ScanError::Visit(Stop::Cancelled)) => return Err(CacheError::Cancelled),
        Err(ScanError::Visit(Stop::TextTimestamps)) => return Ok(None),
        Err(ScanError::Visit(Stop::Writer)) => true,
        Ok(()) => false,
    };
    let (conn, id_index) = written.map_err(fail)?;
    if opts.cancelled() {
        return Err(CacheError::Cancelled);
    }
    if writer_stopped {
        return Err(CacheError::io(
            target,
            &std::io::Error::other("the writer stopped"),
        ));
    }
    opts.report(done, total);
    let finishing = Instant::now();
    let inventory = merger.inventory();
    let keys: Vec<&str> = KEY_INDEXES
        .iter()
        .filter(|(column, _)| indexed.iter().any(|c| c == column))
        .map(|(_, sql)| *sql)
        .collect();
    let dicts = (&merger.vals, &merger.fields);
    finish(&conn, dicts, &inventory, id_index, &keys).map_err(fail)?;
    Ok(Some((conn, done, finishing.elapsed())))
}

/// The writer thread: inserts every batch, then hands the connection back, with whether it
/// holds `ev_id` already. That index is kept up while ids rise; the first id that does not
/// drops it, to be made once after the load.
fn write_rows(conn: Connection, rx: Receiver<Batch>) -> rusqlite::Result<(Connection, bool)> {
    conn.execute_batch(ID_INDEX)?;
    let mut id_index = true;
    let mut last_id = i64::MIN;
    {
        let insert = |rows: usize| {
            let one = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
            format!(
                "INSERT INTO ev(id, ts, category, name, tenant, session, user, kinds, classes, \
                 findings) VALUES {}",
                vec![one; rows].join(", ")
            )
        };
        // Many rows per statement: a statement's own cost is then paid once per chunk.
        let mut many = conn.prepare(&insert(CHUNK))?;
        let mut one = conn.prepare(&insert(1))?;
        let mut blob = Vec::new();
        for batch in rx {
            if id_index {
                let rising = batch.rows.iter().all(|r| {
                    let up = r.id > last_id;
                    last_id = r.id;
                    up
                });
                if !rising {
                    conn.execute_batch("DROP INDEX ev_id")?;
                    id_index = false;
                }
            }
            let mut chunks = batch.rows.chunks_exact(CHUNK);
            for chunk in &mut chunks {
                bind_rows(&mut many, chunk, &batch, &mut blob)?;
                many.raw_execute()?;
            }
            for row in chunks.remainder() {
                bind_rows(&mut one, std::slice::from_ref(row), &batch, &mut blob)?;
                one.raw_execute()?;
            }
        }
    }
    Ok((conn, id_index))
}

/// Rows per multi-row INSERT (10 parameters each, far below SQLite's limit).
const CHUNK: usize = 64;

/// Binds `rows` of `batch` with the cache's ids, their findings encoded into `blob` (SQLite
/// copies a bound blob, so one buffer serves every row).
fn bind_rows(
    stmt: &mut rusqlite::Statement<'_>,
    rows: &[Row],
    batch: &Batch,
    blob: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    // Every id of a chunk's rows is one of its dictionaries': `Merger::add` mapped them all.
    let val = |id: u32| batch.vals[id as usize];
    // Bound by concrete type, not `&dyn ToSql`: ten million binds, each then inlined.
    let mut i = 0;
    for r in rows {
        blob.clear();
        for p in &batch.packed[r.findings.clone()] {
            let field = batch.fields[p.field as usize];
            Packed { field, ..*p }.encode(blob);
        }
        stmt.raw_bind_parameter(i + 1, r.id)?;
        stmt.raw_bind_parameter(i + 2, &r.ts)?;
        stmt.raw_bind_parameter(i + 3, val(r.category))?;
        stmt.raw_bind_parameter(i + 4, val(r.name))?;
        stmt.raw_bind_parameter(i + 5, r.tenant.map(val))?;
        stmt.raw_bind_parameter(i + 6, r.session.map(val))?;
        stmt.raw_bind_parameter(i + 7, r.user.map(val))?;
        stmt.raw_bind_parameter(i + 8, r.kinds)?;
        stmt.raw_bind_parameter(i + 9, r.classes)?;
        stmt.raw_bind_parameter(i + 10, (!blob.is_empty()).then_some(blob.as_slice()))?;
        i += 10;
    }
    Ok(())
}

/// The dictionaries, the inventory and the indexes, after every row is in: `ev_id` unless
/// the load kept it up (`id_index`), and the key indexes the export lacks (`keys`).
fn finish(
    conn: &Connection,
    (vals, fields): (&Dict, &Dict),
    inventory: &Inventory,
    id_index: bool,
    keys: &[&str],
) -> rusqlite::Result<()> {
    for (table, dict) in [
        ("INSERT INTO vals(id, v) VALUES (?1, ?2)", vals),
        ("INSERT INTO fields(id, name) VALUES (?1, ?2)", fields),
    ] {
        let mut stmt = conn.prepare(table)?;
        for (id, v) in dict.list.iter().enumerate() {
            stmt.execute(params![id as i64, v])?;
        }
    }
    {
        let mut stmt = conn.prepare(
            "INSERT INTO inventory(category, field, records, identified, kinds, example) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (category, field, st) in inventory.rows() {
            let kinds: serde_json::Map<String, serde_json::Value> = st
                .kinds
                .iter()
                .map(|(k, n)| (k.as_str().to_string(), serde_json::json!(n)))
                .collect();
            stmt.execute(params![
                category,
                field,
                st.records as i64,
                st.identified as i64,
                serde_json::Value::Object(kinds).to_string(),
                st.example,
            ])?;
        }
    }
    conn.execute_batch(DICT_INDEXES)?;
    // The indexes of `ev` sort numbers only (dictionary ids, event ids, timestamps): their
    // sorter may spill to the system's temporary directory, where it runs a third faster than
    // in memory. (The dictionaries' strings above never leave memory.)
    // A small page cache makes the sorter write its sorted runs early, and it sorts runs on
    // both cores (`PRAGMA threads`) only when there are several: a cache that holds the whole
    // sort keeps it on one (1M events, four key indexes: 2.9 s with 64 MB, 1.7 s with 2 MB).
    conn.execute_batch("PRAGMA temp_store=FILE; PRAGMA cache_size=-2048")?;
    if !id_index {
        conn.execute_batch(ID_INDEX)?;
    }
    for sql in keys {
        conn.execute_batch(sql)?;
    }
    if !keys.is_empty() {
        // With several indexes to choose from, SQLite needs to know that a category holds a
        // quarter of the events and a session a few dozen, or it walks an index and looks up
        // every row where a scan of the narrow table is faster.
        conn.execute_batch("ANALYZE")?;
    }
    Ok(())
}
