//! The headless commands `list`, `show` and `stats`, with `scan`, `audit` and `export` in their
//! own modules: read through `store`, write to any `impl Write`. Identifying values are masked
//! unless the caller asks to reveal them, and every value that could act on a terminal is
//! escaped.

pub mod audit;
pub mod export;
pub(crate) mod json;
pub mod privacy;
pub mod scan;
pub(crate) mod table;

use std::io::Write;

use serde_json::{Map, Value, json};

use crate::cli::{ListFormat, ShowFormat, StatsFormat};
use crate::model::{Event, EventId, Filter, Kind, ValueCount};
use crate::redact::{self, Mask};
use crate::store::{self, Stats, Store, StoreError};
use crate::text::{rfc3339_utc, thousands, utc_time, visible};
use crate::{filter, pii};

/// Why a batch command could not do its job. Printed as one line; exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("bad filter {0}")]
    Filter(#[from] filter::FilterError),
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
    #[error("{path}: no event with id {id}")]
    NoSuchEvent { path: String, id: EventId },
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
    #[error(transparent)]
    Export(#[from] export::ExportError),
    #[error("unknown kind `{given}` for --fail-on; valid kinds: {valid}")]
    UnknownKind { given: String, valid: String },
}

/// Parses filter text against the export's own columns.
pub fn parse_filter(store: &Store, text: &str) -> Result<Filter, BatchError> {
    Ok(filter::parse(text, &store.schema().extra)?)
}

/// The event as it may be printed: identifying values masked unless `reveal`.
fn presentable(event: Event, reveal: bool) -> Event {
    if reveal {
        return event;
    }
    let findings = pii::scan_event(&event);
    redact::apply(&event, &findings, &mut Mask)
}

/// `telex list`: the matching events in `(ts, id)` order, streamed.
pub fn list(
    store: &Store,
    filter: &Filter,
    format: ListFormat,
    limit: Option<u64>,
    reveal: bool,
    out: &mut dyn Write,
) -> Result<u64, BatchError> {
    let extra = store.schema().extra.clone();
    match format {
        ListFormat::Table => table::list_header(out)?,
        ListFormat::Csv => {
            let mut header: Vec<&str> = vec!["id"];
            header.extend(store::NATIVE);
            header.extend(extra.iter().map(String::as_str));
            table::csv_row(out, header.iter().copied())?;
        }
        ListFormat::Jsonl => {}
    }
    let mut failure = None;
    let written = store.for_each_event(filter, limit, |event| {
        let event = presentable(event, reveal);
        let result = match format {
            ListFormat::Table => table::list_row(out, &event.summary),
            ListFormat::Jsonl => json::write_line(out, &event_json(&event)),
            ListFormat::Csv => {
                let cols = event.columns();
                let id = event.summary.id.to_string();
                let payload = event.payload.as_deref();
                let values = std::iter::once(Some(id.as_str()))
                    .chain(cols[..8].iter().map(|(_, v)| *v))
                    .chain(std::iter::once(payload))
                    .chain(cols[8..].iter().map(|(_, v)| *v));
                table::csv_row(out, values.map(|v| v.unwrap_or("")))
            }
        };
        match result {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(written),
    }
}

/// One event as a JSON object: every column, the payload as JSON when it parses, else as text.
pub fn event_json(event: &Event) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), json!(event.summary.id));
    for (name, value) in event.columns() {
        let value = match (name, value) {
            ("ts", Some(ts)) => json!(rfc3339_utc(ts)),
            (_, v) => json!(v),
        };
        obj.insert(name.to_string(), value);
    }
    let payload = event.payload.as_deref().map_or(Value::Null, |p| {
        serde_json::from_str(p).unwrap_or_else(|_| Value::String(p.to_string()))
    });
    obj.insert("payload".into(), payload);
    Value::Object(obj)
}

/// `telex show`: one event with every column and its payload.
pub fn show(
    store: &Store,
    id: EventId,
    format: ShowFormat,
    reveal: bool,
    out: &mut dyn Write,
) -> Result<(), BatchError> {
    let event = store.event(id)?.ok_or_else(|| BatchError::NoSuchEvent {
        path: store.path().display().to_string(),
        id,
    })?;
    let event = presentable(event, reveal);
    match format {
        ShowFormat::Json => json::write_line(out, &event_json(&event))?,
        ShowFormat::Text => {
            writeln!(out, "{:<12} {}", "id", event.summary.id)?;
            for (name, value) in event.columns() {
                let shown = match (name, value) {
                    ("ts", Some(ts)) => format!("{} UTC", utc_time(ts)),
                    (_, Some(v)) => visible(v).into_owned(),
                    (_, None) => "—".to_string(),
                };
                writeln!(out, "{:<12} {shown}", visible(name))?;
            }
            writeln!(out, "payload")?;
            match event.payload.as_deref() {
                None => writeln!(out, "  (none)")?,
                Some(p) => match serde_json::from_str::<Value>(p) {
                    Ok(v) => {
                        let pretty = serde_json::to_string_pretty(&v).unwrap_or_default();
                        for line in pretty.lines() {
                            writeln!(out, "  {}", visible(line))?;
                        }
                    }
                    Err(_) => writeln!(out, "  (not JSON) {}", visible(p))?,
                },
            }
        }
    }
    Ok(())
}

/// `telex stats`: counts by category, tenant, event name and day.
pub fn stats(
    store: &Store,
    filter: &Filter,
    format: StatsFormat,
    top: usize,
    reveal: bool,
    out: &mut dyn Write,
) -> Result<(), BatchError> {
    let mut stats = store.stats(filter)?;
    if !reveal {
        for v in &mut stats.by_tenant {
            if !v.value.is_empty() {
                v.value = pii::mask(Kind::TenantId, &v.value);
            }
        }
    }
    match format {
        StatsFormat::Json => json::write_line(out, &stats_json(&stats, filter))?,
        StatsFormat::Table => stats_table(&stats, filter, top, out)?,
    }
    Ok(())
}

fn stats_json(stats: &Stats, filter: &Filter) -> Value {
    let list = |values: &[ValueCount]| {
        values
            .iter()
            .map(|v| json!({ "value": v.value, "count": v.count }))
            .collect::<Vec<_>>()
    };
    json!({
        "filter": filter.to_string(),
        "total": stats.total,
        "matching": stats.matching,
        "by_category": list(&stats.by_category),
        "by_tenant": list(&stats.by_tenant),
        "by_name": list(&stats.by_name),
        "by_day": list(&stats.by_day),
    })
}

fn stats_table(
    stats: &Stats,
    filter: &Filter,
    top: usize,
    out: &mut dyn Write,
) -> Result<(), BatchError> {
    let scope = if filter.is_empty() {
        String::new()
    } else {
        format!(" matching {}", visible(&filter.to_string()))
    };
    writeln!(
        out,
        "{} of {} events{scope}",
        thousands(stats.matching),
        thousands(stats.total)
    )?;
    // Days are a time line: all of them, in order; the others are rankings cut at `top`.
    for (title, values, top) in [
        ("category", &stats.by_category, top),
        ("tenant", &stats.by_tenant, top),
        ("name", &stats.by_name, top),
        ("day", &stats.by_day, 0),
    ] {
        writeln!(out)?;
        table::counts(out, title, values, top, stats.matching)?;
    }
    Ok(())
}
