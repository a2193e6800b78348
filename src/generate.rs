//! `telex generate`: a deterministic synthetic export modelled on the practice statements, and
//! the truth file (TRUTH-CONTRACT.md) that says which identifiers and planted leaks it holds.

mod errors;
mod events;
mod record;
mod rng;
mod secrets;
mod vocab;
mod world;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use crate::model::Kind;
use events::{UNHASHED_USER_ID, Who};
use record::Record;
use rng::Rng;
use world::{DAY_MS, WINDOW_DAYS, World};

/// The fixed export time: no wall clock, so a seed always gives the same rows.
pub const EXPORTED_AT: &str = "2026-10-01T00:00:00.000Z";
pub const PRODUCT: &str = "TeamsPro";
/// Error records older than this are planted retention leaks.
pub const RETENTION_DAYS: i64 = 90;
const PROGRESS_EVERY: u64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    pub events: u64,
    pub seed: u64,
    /// Where to write the truth file (JSON lines), if anywhere.
    pub truth: Option<PathBuf>,
    /// Replace an existing export (and truth file).
    pub force: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateReport {
    pub events: u64,
    /// Truth lines that name a planted leak, retention lines included.
    pub planted: u64,
    pub path: PathBuf,
}

#[derive(thiserror::Error, Debug)]
pub enum GenerateError {
    #[error("{} already exists (pass --force to overwrite it)", .0.display())]
    Exists(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: SQLite: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

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

// Built after the bulk insert: one sorted pass each is far cheaper than updating them per row.
const INDEXES: &str = "
CREATE INDEX events_category_ts ON events(category, ts);
CREATE INDEX events_tenant_ts ON events(tenant_id, ts);
CREATE INDEX events_session_ts ON events(session_id, ts);
CREATE INDEX events_user_ts ON events(user_id, ts);
CREATE INDEX events_ts ON events(ts);
";

const INSERT: &str = "INSERT INTO events(id, ts, category, name, tenant_id, session_id, user_id, \
                      app_name, app_version, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// Writes a synthetic export of `opts.events` events to `out`, calling `progress` with the
/// number of events written every 10,000 events and once at the end.
///
/// The export is built in a temporary file beside `out` and renamed into place at the end, so
/// an interrupted run never leaves a partial export behind.
pub fn generate(
    out: &Path,
    opts: &GenerateOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<GenerateReport, GenerateError> {
    let targets: Vec<&Path> = std::iter::once(out).chain(opts.truth.as_deref()).collect();
    for &target in &targets {
        if !opts.force && target.exists() {
            return Err(GenerateError::Exists(target.to_path_buf()));
        }
    }
    let temps = targets
        .iter()
        .map(|t| temp_beside(t))
        .collect::<Result<Vec<_>, _>>()?;
    for tmp in &temps {
        remove_if_present(tmp)?;
    }
    let built = build(
        &temps[0],
        temps.get(1).map(PathBuf::as_path),
        opts,
        progress,
    )
    .and_then(|planted| {
        for (tmp, target) in temps.iter().zip(&targets).rev() {
            fs::rename(tmp, target).map_err(|e| io_error(target, e))?;
        }
        Ok(planted)
    });
    match built {
        Ok(planted) => Ok(GenerateReport {
            events: opts.events,
            planted,
            path: out.to_path_buf(),
        }),
        Err(e) => {
            for tmp in &temps {
                // Best effort: the original error is the one worth reporting.
                let _ = fs::remove_file(tmp);
            }
            Err(e)
        }
    }
}

fn io_error(path: &Path, source: io::Error) -> GenerateError {
    GenerateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn temp_beside(path: &Path) -> Result<PathBuf, GenerateError> {
    let name = path.file_name().ok_or_else(|| {
        io_error(
            path,
            io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
        )
    })?;
    let tmp = format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id());
    Ok(path.with_file_name(tmp))
}

fn remove_if_present(path: &Path) -> Result<(), GenerateError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_error(path, e)),
        _ => Ok(()),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

const EXPORTED_AT_MS: i64 = days_from_civil(2026, 10, 1) * DAY_MS;

/// `ms` since the epoch as `2026-09-01T12:00:00.000Z`.
fn push_ts(out: &mut String, ms: i64) {
    use std::fmt::Write as _;
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let r = ms.rem_euclid(DAY_MS);
    let (h, min, s, milli) = (r / 3_600_000, r / 60_000 % 60, r / 1000 % 60, r % 1000);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z"
    );
}

/// Category weights (usage, census, support, error) per mille. Error logs are rotated after
/// the retention window, so older errors are rare: those few are the planted retention leaks.
const RECENT: [u32; 4] = [462, 228, 110, 200];
const OLD: [u32; 4] = [585, 290, 119, 6];

struct Truth {
    out: Option<BufWriter<File>>,
    path: PathBuf,
    planted: u64,
}

impl Truth {
    fn line(
        &mut self,
        id: i64,
        field: &str,
        kind: Option<Kind>,
        leak: Option<&str>,
    ) -> Result<(), GenerateError> {
        if leak.is_some() {
            self.planted += 1;
        }
        let Some(w) = self.out.as_mut() else {
            return Ok(());
        };
        let kind = kind.map_or_else(|| "null".to_string(), |k| format!("\"{}\"", k.as_str()));
        let leak = leak.map_or_else(|| "null".to_string(), |l| format!("\"{l}\""));
        writeln!(
            w,
            r#"{{"id":{id},"field":"{field}","kind":{kind},"leak":{leak}}}"#
        )
        .map_err(|e| io_error(&self.path, e))
    }
}

fn build(
    db: &Path,
    truth_path: Option<&Path>,
    opts: &GenerateOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, GenerateError> {
    let sql = |source| GenerateError::Sqlite {
        path: db.to_path_buf(),
        source,
    };
    let mut truth = Truth {
        out: truth_path
            .map(|p| File::create(p).map(|f| BufWriter::with_capacity(1 << 20, f)))
            .transpose()
            .map_err(|e| io_error(truth_path.unwrap_or(db), e))?,
        path: truth_path.unwrap_or(db).to_path_buf(),
        planted: 0,
    };
    let mut conn = Connection::open(db).map_err(sql)?;
    // The file is private until the final rename, so durability during the build buys nothing.
    conn.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-32768;",
    )
    .map_err(sql)?;
    let tx = conn.transaction().map_err(sql)?;
    tx.execute_batch(SCHEMA).map_err(sql)?;

    let end = EXPORTED_AT_MS - 60_000;
    let start = EXPORTED_AT_MS - WINDOW_DAYS * DAY_MS;
    let cutoff = EXPORTED_AT_MS - RETENTION_DAYS * DAY_MS;
    let (world, slots) = World::build(opts.seed, opts.events, start, end);
    let World {
        tenants,
        users,
        devices,
        mut sessions,
    } = world;
    let mut rng = Rng::new(opts.seed ^ 0x5EED_F00D_E7E5);
    let mut rec = Record::default();
    let mut ts = String::with_capacity(24);
    {
        let mut stmt = tx.prepare_cached(INSERT).map_err(sql)?;
        for (i, slot) in slots.iter().enumerate() {
            let id = i as i64 + 1;
            let world::Session {
                id: session_id,
                user,
                device,
                app_version,
                request,
            } = &mut sessions[slot.session as usize];
            let user = &users[*user];
            let device = &devices[*device];
            let who = Who {
                tenant_index: user.tenant,
                tenant: &tenants[user.tenant],
                tenants: &tenants,
                user,
                device,
                session_id,
                app_version,
            };
            let old = slot.ts < cutoff;
            let category = if slot.seq == 0 {
                1
            } else {
                rng.weighted(if old { &OLD } else { &RECENT })
            };
            let unhashed = category <= 1 && rng.chance(5);
            match category {
                0 => events::usage(&mut rng, &mut rec, &who, request),
                1 => events::census(&mut rng, &mut rec, &who, slot.seq == 0, unhashed),
                2 => events::support(&mut rng, &mut rec, &who),
                _ => errors::error(&mut rng, &mut rec, &who, slot.ts),
            }
            let (user_id, user_kind, user_leak) = match category {
                3 => (&user.login, Kind::Username, None),
                _ if unhashed => (&user.email, Kind::Email, Some(UNHASHED_USER_ID)),
                _ => (&user.hashed, Kind::HashedId, None),
            };
            ts.clear();
            push_ts(&mut ts, slot.ts);
            stmt.execute(params![
                id,
                ts,
                rec.category,
                rec.name,
                who.tenant.id,
                who.session_id,
                user_id,
                device.platform.app_name,
                who.app_version,
                rec.payload,
            ])
            .map_err(sql)?;

            truth.line(id, "tenant_id", Some(Kind::TenantId), None)?;
            truth.line(id, "session_id", Some(Kind::SessionId), None)?;
            truth.line(id, "user_id", Some(user_kind), user_leak)?;
            for label in &rec.labels {
                truth.line(id, label.field, Some(label.kind), label.leak)?;
            }
            if category == 3 && old {
                truth.line(id, "ts", None, Some("retention"))?;
            }
            let written = id as u64;
            if written.is_multiple_of(PROGRESS_EVERY) {
                progress(written);
            }
        }
    }
    if !opts.events.is_multiple_of(PROGRESS_EVERY) {
        progress(opts.events);
    }
    tx.execute_batch(INDEXES).map_err(sql)?;
    {
        let mut info = tx
            .prepare("INSERT INTO export_info(key, value) VALUES (?1, ?2)")
            .map_err(sql)?;
        let (seed, events) = (opts.seed.to_string(), opts.events.to_string());
        for (key, value) in [
            ("exported_at", EXPORTED_AT),
            ("source", "telex generate"),
            ("product", PRODUCT),
            ("seed", seed.as_str()),
            ("events", events.as_str()),
        ] {
            info.execute(params![key, value]).map_err(sql)?;
        }
    }
    tx.commit().map_err(sql)?;
    conn.close().map_err(|(_, e)| sql(e))?;
    if let Some(w) = truth.out.take() {
        w.into_inner()
            .map_err(|e| io_error(&truth.path, e.into_error()))?
            .sync_all()
            .map_err(|e| io_error(&truth.path, e))?;
    }
    Ok(truth.planted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        let mut s = String::new();
        push_ts(&mut s, EXPORTED_AT_MS);
        assert_eq!(s, EXPORTED_AT);
        s.clear();
        push_ts(&mut s, EXPORTED_AT_MS - 1);
        assert_eq!(s, "2026-09-30T23:59:59.999Z");
        s.clear();
        push_ts(&mut s, days_from_civil(2024, 2, 29) * DAY_MS + 45_296_007);
        assert_eq!(s, "2024-02-29T12:34:56.007Z");
    }
}
