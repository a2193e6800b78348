//! Reading a written jsonl or csv sample back into events for the check: jsonl lines parsed
//! as JSON, csv records per RFC 4180 with the header naming the columns.

use std::io::BufRead;

use serde_json::Value;

use super::Format;
use crate::model::{Event, EventSummary};

/// Why reading back stopped.
pub enum Failed {
    Cancelled,
    Read(String),
}

/// Events parsed back from jsonl lines or csv records.
pub struct Records<R> {
    reader: R,
    format: Format,
    header: Vec<String>,
    line: String,
}

impl<R: BufRead> Records<R> {
    pub fn new(reader: R, format: Format) -> Result<Records<R>, Failed> {
        let mut r = Records {
            reader,
            format,
            header: Vec::new(),
            line: String::new(),
        };
        if format == Format::Csv {
            r.header = r.csv_record()?.unwrap_or_default();
        }
        Ok(r)
    }

    pub fn next_event(&mut self) -> Result<Option<Parsed>, Failed> {
        match self.format {
            Format::Csv => {
                let Some(cells) = self.csv_record()? else {
                    return Ok(None);
                };
                let mut obj = serde_json::Map::new();
                for (name, cell) in self.header.iter().zip(cells) {
                    obj.insert(name.clone(), Value::String(cell));
                }
                event_from(obj).map(Some)
            }
            _ => loop {
                self.line.clear();
                let n = self
                    .reader
                    .read_line(&mut self.line)
                    .map_err(|e| Failed::Read(e.to_string()))?;
                if n == 0 {
                    return Ok(None);
                }
                if self.line.trim().is_empty() {
                    continue;
                }
                return match serde_json::from_str::<Value>(&self.line) {
                    Ok(Value::Object(obj)) => event_from(obj).map(Some),
                    _ => Err(Failed::Read("a line is not a JSON object".into())),
                };
            },
        }
    }

    /// One RFC 4180 record; quoted cells may hold commas, doubled quotes and line breaks.
    fn csv_record(&mut self) -> Result<Option<Vec<String>>, Failed> {
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut started = false;
        loop {
            self.line.clear();
            let n = self
                .reader
                .read_line(&mut self.line)
                .map_err(|e| Failed::Read(e.to_string()))?;
            if n == 0 {
                if quoted {
                    return Err(Failed::Read("a quoted csv cell never ends".into()));
                }
                if !started {
                    return Ok(None);
                }
                cells.push(cell);
                return Ok(Some(cells));
            }
            started = true;
            let mut chars = self.line.chars().peekable();
            while let Some(c) = chars.next() {
                match (quoted, c) {
                    (true, '"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    (true, '"') => quoted = false,
                    (true, c) => cell.push(c),
                    (false, '"') => quoted = true,
                    (false, ',') => cells.push(std::mem::take(&mut cell)),
                    (false, '\r' | '\n') => {}
                    (false, c) => cell.push(c),
                }
            }
            if !quoted {
                cells.push(cell);
                return Ok(Some(cells));
            }
        }
    }
}

/// An event read back, with its payload already parsed (when it is JSON) for the check.
pub struct Parsed {
    pub event: Event,
    pub payload: Option<Value>,
}

/// An event from a jsonl object or a csv record (as strings): the columns by name, the
/// payload as text (JSON written back compact), every other key an extra column.
fn event_from(mut obj: serde_json::Map<String, Value>) -> Result<Parsed, Failed> {
    let parsed = match obj.shift_remove("payload") {
        Some(Value::String(s)) => match serde_json::from_str::<Value>(&s) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => Some(v),
            _ => {
                obj.insert("payload".into(), Value::String(s));
                None
            }
        },
        Some(v @ (Value::Object(_) | Value::Array(_))) => Some(v),
        Some(other) => {
            obj.insert("payload".into(), other);
            None
        }
        None => None,
    };
    let mut text = |key: &str| -> Option<String> {
        match obj.shift_remove(key)? {
            Value::Null => None,
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }
    };
    let id = text("id")
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| Failed::Read("an event has no numeric id".into()))?;
    let summary = EventSummary {
        id,
        ts: text("ts").unwrap_or_default(),
        category: text("category").unwrap_or_default(),
        name: text("name").unwrap_or_default(),
        tenant_id: text("tenant_id"),
        session_id: text("session_id"),
        user_id: text("user_id"),
    };
    let app_name = text("app_name");
    let app_version = text("app_version");
    let payload = match &parsed {
        Some(v) => Some(v.to_string()),
        None => text("payload"),
    };
    let extra = obj
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Null => None,
                Value::String(s) => Some(s),
                other => Some(other.to_string()),
            };
            (k, v)
        })
        .collect();
    Ok(Parsed {
        event: Event {
            summary,
            app_name,
            app_version,
            payload,
            extra,
        },
        payload: parsed,
    })
}
