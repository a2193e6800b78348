//! `telex generate`: a deterministic synthetic export modelled on the practice statements, and
//! the truth file (TRUTH-CONTRACT.md) that says which identifiers and planted leaks it holds.

mod errors;
mod events;
mod record;
pub(crate) mod rng;
mod secrets;
mod vocab;
mod world;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::model::Kind;
use crate::store::{NativeRow, NativeWriter, StoreError};
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
    #[error(transparent)]
    Write(#[from] StoreError),
}

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

/// `EXPORTED_AT` in milliseconds since the epoch.
fn exported_at_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339(EXPORTED_AT).map_or(0, |t| t.timestamp_millis())
}

/// `ms` since the epoch as `2026-09-01T12:00:00.000Z`, the stored timestamp format.
fn stamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
    let mut truth = Truth {
        out: truth_path
            .map(|p| File::create(p).map(|f| BufWriter::with_capacity(1 << 20, f)))
            .transpose()
            .map_err(|e| io_error(truth_path.unwrap_or(db), e))?,
        path: truth_path.unwrap_or(db).to_path_buf(),
        planted: 0,
    };
    // The file is private until the final rename, so the writer may skip durability.
    let mut writer = NativeWriter::create(db)?;

    let exported_at = exported_at_ms();
    let end = exported_at - 60_000;
    let start = exported_at - WINDOW_DAYS * DAY_MS;
    let cutoff = exported_at - RETENTION_DAYS * DAY_MS;
    let (world, slots) = World::build(opts.seed, opts.events, start, end);
    let World {
        tenants,
        users,
        devices,
        mut sessions,
    } = world;
    let mut rng = Rng::new(opts.seed ^ 0x5EED_F00D_E7E5);
    let mut rec = Record::default();
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
        let ts = stamp(slot.ts);
        writer.insert(&NativeRow {
            id,
            ts: &ts,
            category: rec.category,
            name: rec.name,
            tenant_id: Some(&who.tenant.id),
            session_id: Some(who.session_id),
            user_id: Some(user_id),
            app_name: Some(device.platform.app_name),
            app_version: Some(who.app_version),
            payload: Some(&rec.payload),
        })?;

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
    if !opts.events.is_multiple_of(PROGRESS_EVERY) {
        progress(opts.events);
    }
    let (seed, events) = (opts.seed.to_string(), opts.events.to_string());
    writer.finish(&[
        ("exported_at", EXPORTED_AT),
        ("source", "telex generate"),
        ("product", PRODUCT),
        ("seed", seed.as_str()),
        ("events", events.as_str()),
    ])?;
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
        let at = exported_at_ms();
        assert_eq!(at, 1_790_812_800_000);
        assert_eq!(stamp(at), EXPORTED_AT);
        assert_eq!(stamp(at - 1), "2026-09-30T23:59:59.999Z");
        assert_eq!(stamp(1_709_210_096_007), "2024-02-29T12:34:56.007Z");
    }
}
