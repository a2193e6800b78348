//! Writing a sample: the temporary file beside the output (removed unless moved into place) and
//! the three writers, jsonl and csv as `telex list` writes them, db in the native schema.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{ExportError, Format};
use crate::batch::{event_json, json, table};
use crate::model::Event;
use crate::store::{self, NativeRow, NativeWriter};

/// A file of our own beside the output; removed on drop unless `persist` moved it into place.
pub struct TempFile {
    path: PathBuf,
    kept: bool,
}

impl TempFile {
    /// Creates `.NAME.telex-PID-N.tmp` in OUT's directory (same file system, so the final move
    /// is a rename), never reusing a file that exists.
    pub fn beside(out: &Path) -> Result<TempFile, ExportError> {
        let name = out
            .file_name()
            .ok_or_else(|| ExportError::Usage(format!("{}: not a file name", out.display())))?
            .to_string_lossy()
            .into_owned();
        let mut n = 0u32;
        loop {
            let tmp = format!(".{name}.telex-{}-{n}.tmp", std::process::id());
            let path = out.with_file_name(tmp);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Ok(TempFile { path, kept: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(ExportError::write(out, e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the file to `out`. Without `force` it never replaces a file that appeared there
    /// meanwhile: a hard link fails if the name is taken, where a rename would overwrite.
    pub fn persist(mut self, out: &Path, force: bool) -> Result<(), ExportError> {
        let moved = if force {
            fs::rename(&self.path, out)
        } else {
            match fs::hard_link(&self.path, out) {
                Ok(()) => fs::remove_file(&self.path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(ExportError::Exists(out.to_path_buf()));
                }
                // File systems without hard links: check, then rename.
                Err(_) if out.exists() => return Err(ExportError::Exists(out.to_path_buf())),
                Err(_) => fs::rename(&self.path, out),
            }
        };
        moved.map_err(|e| ExportError::write(out, e))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            // Best effort: the error that brought us here is the one worth reporting.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The writer of one format.
pub enum Sink {
    Jsonl(BufWriter<File>, PathBuf),
    Csv(BufWriter<File>, PathBuf),
    Db(Box<NativeWriter>, PathBuf),
}

impl Sink {
    pub fn create(format: Format, path: &Path, extra: &[String]) -> Result<Sink, ExportError> {
        let open = || {
            File::create(path)
                .map(|f| BufWriter::with_capacity(1 << 16, f))
                .map_err(|e| ExportError::write(path, e))
        };
        let path_buf = path.to_path_buf();
        Ok(match format {
            Format::Jsonl => Sink::Jsonl(open()?, path_buf),
            Format::Csv => {
                let mut out = open()?;
                let mut header: Vec<&str> = vec!["id"];
                header.extend(store::NATIVE);
                header.extend(extra.iter().map(String::as_str));
                table::csv_row(&mut out, header.into_iter())
                    .map_err(|e| ExportError::write(path, e))?;
                Sink::Csv(out, path_buf)
            }
            Format::Db => Sink::Db(
                Box::new(NativeWriter::with_extra_columns(path, extra)?),
                path_buf,
            ),
        })
    }

    pub fn write(&mut self, event: &Event) -> Result<(), ExportError> {
        match self {
            Sink::Jsonl(out, path) => {
                json::write_line(out, &event_json(event)).map_err(|e| ExportError::write(path, e))
            }
            Sink::Csv(out, path) => csv_event(out, event).map_err(|e| ExportError::write(path, e)),
            Sink::Db(writer, _) => {
                let s = &event.summary;
                let row = NativeRow {
                    id: s.id,
                    ts: &s.ts,
                    category: &s.category,
                    name: &s.name,
                    tenant_id: s.tenant_id.as_deref(),
                    session_id: s.session_id.as_deref(),
                    user_id: s.user_id.as_deref(),
                    app_name: event.app_name.as_deref(),
                    app_version: event.app_version.as_deref(),
                    payload: event.payload.as_deref(),
                };
                let extra: Vec<Option<&str>> =
                    event.extra.iter().map(|(_, v)| v.as_deref()).collect();
                Ok(writer.insert_with_extra(&row, &extra)?)
            }
        }
    }

    /// Flushes and syncs the file; a db also gets its indexes and `info` in `export_info`.
    pub fn finish(self, info: &[(String, String)]) -> Result<(), ExportError> {
        let path = match self {
            Sink::Jsonl(out, path) | Sink::Csv(out, path) => {
                let file = out
                    .into_inner()
                    .map_err(|e| ExportError::write(&path, e.into_error()))?;
                file.sync_all().map_err(|e| ExportError::write(&path, e))?;
                return Ok(());
            }
            Sink::Db(writer, path) => {
                let pairs: Vec<(&str, &str)> =
                    info.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                writer.finish(&pairs)?;
                path
            }
        };
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| ExportError::write(&path, e))
    }
}

/// One CSV record in `telex list --format csv`'s columns. A JSON payload is written compact
/// with terminal-unsafe characters escaped the JSON way, so the cell stays valid JSON.
fn csv_event(out: &mut dyn Write, event: &Event) -> io::Result<()> {
    let cols = event.columns();
    let id = event.summary.id.to_string();
    let payload = event
        .payload
        .as_deref()
        .map(|p| match serde_json::from_str::<Value>(p) {
            Ok(v) if v.is_object() || v.is_array() => json::to_safe_string(&v),
            _ => Ok(p.to_string()),
        });
    let payload = payload.transpose()?;
    let values = std::iter::once(Some(id.as_str()))
        .chain(cols[..8].iter().map(|(_, v)| *v))
        .chain(std::iter::once(payload.as_deref()))
        .chain(cols[8..].iter().map(|(_, v)| *v));
    table::csv_row(out, values.map(|v| v.unwrap_or("")))
}
