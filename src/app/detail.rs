//! The detail pane's document: every column, then the payload pretty-printed as tagged text,
//! built once when an event arrives and re-wrapped on resize. Every export value is passed
//! through `text::visible`, and huge values are cut with their size noted.
//! New sections (findings, marks) are further `section_*` functions feeding `build`.
//! Identifying values carry their class's tone and are masked in the text when asked.

mod findings;

use serde_json::Value;

use super::lens::{self, Breach, Inspected};
use crate::model::{Class, Event, EventId, Finding};
use crate::text;

/// The longest string value shown in full; longer ones are cut and labelled with their size.
const STRING_LIMIT: usize = 2_000;
/// The most payload text shown when it is not JSON.
const RAW_LIMIT: usize = 16_000;

/// What a piece of text is, so the theme can colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Heading,
    Label,
    Value,
    /// An absent value or an explanatory remark.
    Note,
    Key,
    Str,
    Number,
    Literal,
    Punct,
    Raw,
    /// An identifying value (or part of one) of this class.
    Ident(Class),
    /// A policy violation.
    Breach,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocLine {
    pub spans: Vec<(Tone, String)>,
}

impl DocLine {
    fn push(&mut self, tone: Tone, text: impl Into<String>) {
        self.spans.push((tone, text.into()));
    }

    fn of(tone: Tone, text: impl Into<String>) -> DocLine {
        let mut line = DocLine::default();
        line.push(tone, text);
        line
    }

    pub(crate) fn width(&self) -> usize {
        self.spans.iter().map(|(_, s)| s.chars().count()).sum()
    }
}

/// The selected event, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailDoc {
    pub id: EventId,
    pub event: Event,
    pub findings: Vec<Finding>,
    pub breaches: Vec<Breach>,
    /// Whether identifying values are masked in `lines`.
    pub masked: bool,
    /// Lines before wrapping.
    source: Vec<DocLine>,
    /// Lines wrapped to the pane's width.
    pub lines: Vec<DocLine>,
}

impl DetailDoc {
    pub fn build(inspected: Inspected, masked: bool, width: usize) -> DetailDoc {
        let Inspected {
            event,
            findings,
            breaches,
        } = inspected;
        let mut doc = DetailDoc {
            id: event.summary.id,
            source: compose(&event, &findings, &breaches, masked),
            event,
            findings,
            breaches,
            masked,
            lines: Vec::new(),
        };
        doc.rewrap(width);
        doc
    }

    /// Rebuilds the text with identifying values masked or shown; the event is kept, so no
    /// query is needed.
    pub fn set_masked(&mut self, masked: bool, width: usize) {
        if masked != self.masked {
            self.masked = masked;
            self.source = compose(&self.event, &self.findings, &self.breaches, masked);
            self.rewrap(width);
        }
    }

    /// Hard-wraps the lines to `width` characters (0: no wrapping).
    pub fn rewrap(&mut self, width: usize) {
        self.lines = if width == 0 {
            self.source.clone()
        } else {
            self.source.iter().flat_map(|l| wrap(l, width)).collect()
        };
    }
}

/// How values are shown: which findings highlight them, and whether they are masked.
struct Lens<'a> {
    findings: &'a [Finding],
    masked: bool,
}

fn compose(event: &Event, findings: &[Finding], breaches: &[Breach], masked: bool) -> Vec<DocLine> {
    let lens = Lens { findings, masked };
    // What breaks the policy comes first: it is what a reviewer opened the event for.
    let mut source = findings::breaches(breaches);
    source.extend(section_columns(event, &lens));
    source.push(DocLine::default());
    source.extend(section_payload(event.payload.as_deref(), &lens));
    source.push(DocLine::default());
    source.extend(findings::section(findings));
    source
}

/// Appends `value` (the string of `field`) to `line`: identifying pieces in their class's
/// tone, masked when the lens says so, the rest in `tone`; at most `STRING_LIMIT` characters,
/// then the original size in a note. JSON strings are `quoted`.
fn push_value(line: &mut DocLine, tone: Tone, value: &str, field: &str, lens: &Lens, quoted: bool) {
    if quoted {
        line.push(tone, "\"");
    }
    let mut left = STRING_LIMIT;
    let mut cut = false;
    for piece in lens::pieces(value, field, lens.findings, lens.masked) {
        let safe = text::visible(&piece.text);
        let head = match safe.char_indices().nth(left) {
            Some((end, _)) => {
                cut = true;
                &safe[..end]
            }
            None => &safe[..],
        };
        left -= head.chars().count();
        if !head.is_empty() {
            line.push(piece.ident.map_or(tone, |(c, _)| Tone::Ident(c)), head);
        }
        if cut {
            break;
        }
    }
    if quoted {
        line.push(tone, "\"");
    }
    if cut {
        let sep = if quoted { " " } else { "" };
        line.push(
            Tone::Note,
            format!("{sep}… ({})", text::human_size(value.len())),
        );
    }
}

fn wrap(line: &DocLine, width: usize) -> Vec<DocLine> {
    if line.width() <= width {
        return vec![line.clone()];
    }
    let mut out = vec![DocLine::default()];
    let mut used = 0;
    for (tone, text) in &line.spans {
        let mut piece = String::new();
        for c in text.chars() {
            if used == width {
                if let Some(last) = out.last_mut() {
                    last.push(*tone, std::mem::take(&mut piece));
                }
                out.push(DocLine::default());
                used = 0;
            }
            piece.push(c);
            used += 1;
        }
        if let Some(last) = out.last_mut() {
            last.push(*tone, piece);
        }
    }
    out
}

fn section_columns(event: &Event, lens: &Lens) -> Vec<DocLine> {
    let mut columns = vec![("id".to_string(), Some(event.summary.id.to_string()))];
    columns.extend(
        event
            .columns()
            .into_iter()
            .map(|(name, value)| (text::visible(name).into_owned(), value.map(str::to_string))),
    );
    let label_width = columns
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    columns
        .into_iter()
        .map(|(name, value)| {
            let mut line = DocLine::of(Tone::Label, format!("{name:<label_width$}  "));
            match value {
                None => line.push(Tone::Note, "—"),
                Some(value) if name == "ts" => {
                    line.push(Tone::Value, format!("{} UTC", text::utc_time(&value)));
                }
                Some(value) => push_value(&mut line, Tone::Value, &value, &name, lens, false),
            }
            line
        })
        .collect()
}

fn section_payload(payload: Option<&str>, lens: &Lens) -> Vec<DocLine> {
    let Some(payload) = payload else {
        return vec![
            DocLine::of(Tone::Heading, "payload"),
            DocLine::of(Tone::Note, "(none)"),
        ];
    };
    match serde_json::from_str::<Value>(payload) {
        Ok(value) => {
            let mut printer = Printer {
                lens,
                path: "payload".to_string(),
                out: vec![DocLine::of(Tone::Heading, "payload")],
            };
            printer.json(&value, 0, None, false);
            printer.out
        }
        Err(_) => {
            let mut lines = vec![DocLine::of(
                Tone::Heading,
                format!(
                    "payload (not JSON: raw text, {})",
                    text::human_size(payload.len())
                ),
            )];
            lines.extend(raw_lines(payload, lens));
            lines
        }
    }
}

/// A non-JSON payload as lines, identifiers highlighted (spans are on the whole text), cut
/// after `RAW_LIMIT` characters.
fn raw_lines(payload: &str, lens: &Lens) -> Vec<DocLine> {
    let mut lines = vec![DocLine::default()];
    let mut left = RAW_LIMIT;
    for piece in lens::pieces(payload, "payload", lens.findings, lens.masked) {
        let tone = piece.ident.map_or(Tone::Raw, |(c, _)| Tone::Ident(c));
        let end = piece.text.char_indices().nth(left).map(|(i, _)| i);
        let head = &piece.text[..end.unwrap_or(piece.text.len())];
        left -= head.chars().count();
        for (i, part) in head.split('\n').enumerate() {
            if i > 0 {
                lines.push(DocLine::default());
            }
            if let Some(line) = lines.last_mut().filter(|_| !part.is_empty()) {
                line.push(tone, text::visible(part).into_owned());
            }
        }
        if end.is_some() {
            lines.push(DocLine::of(
                Tone::Note,
                format!("… ({} in all)", text::human_size(payload.len())),
            ));
            break;
        }
    }
    lines
}

/// Pretty-prints JSON, tracking the RFC 6901 pointer of each value to find its findings.
struct Printer<'a> {
    lens: &'a Lens<'a>,
    /// `payload` followed by the pointer of the value being printed.
    path: String,
    out: Vec<DocLine>,
}

impl Printer<'_> {
    /// Prints `value` at `depth`, as `"key": value` when it is an object member.
    fn json(&mut self, value: &Value, depth: usize, key: Option<&str>, comma: bool) {
        let mut line = DocLine::of(Tone::Punct, "  ".repeat(depth));
        if let Some(key) = key {
            line.push(Tone::Key, format!("\"{}\"", text::visible(key)));
            line.push(Tone::Punct, ": ");
        }
        let close = |out: &mut Vec<DocLine>, bracket: &str| {
            let text = format!(
                "{}{bracket}{}",
                "  ".repeat(depth),
                if comma { "," } else { "" }
            );
            out.push(DocLine::of(Tone::Punct, text));
        };
        match value {
            Value::Object(map) if !map.is_empty() => {
                line.push(Tone::Punct, "{");
                self.out.push(line);
                let last = map.len() - 1;
                for (i, (k, v)) in map.iter().enumerate() {
                    let len = self.path.len();
                    self.path.push('/');
                    self.path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    self.json(v, depth + 1, Some(k), i < last);
                    self.path.truncate(len);
                }
                close(&mut self.out, "}");
                return;
            }
            Value::Array(items) if !items.is_empty() => {
                line.push(Tone::Punct, "[");
                self.out.push(line);
                let last = items.len() - 1;
                for (i, v) in items.iter().enumerate() {
                    let len = self.path.len();
                    self.path.push_str(&format!("/{i}"));
                    self.json(v, depth + 1, None, i < last);
                    self.path.truncate(len);
                }
                close(&mut self.out, "]");
                return;
            }
            Value::Object(_) => line.push(Tone::Punct, "{}"),
            Value::Array(_) => line.push(Tone::Punct, "[]"),
            Value::String(s) => push_value(&mut line, Tone::Str, s, &self.path, self.lens, true),
            // A number can be identifying too (a coordinate).
            Value::Number(n) => {
                let text = n.to_string();
                push_value(&mut line, Tone::Number, &text, &self.path, self.lens, false);
            }
            Value::Bool(b) => line.push(Tone::Literal, b.to_string()),
            Value::Null => line.push(Tone::Literal, "null"),
        }
        if comma {
            line.push(Tone::Punct, ",");
        }
        self.out.push(line);
    }
}

#[cfg(test)]
mod tests;
