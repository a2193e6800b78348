//! The detail pane's document: every column, then the payload pretty-printed as tagged text,
//! built once when an event arrives and re-wrapped on resize. Every export value is passed
//! through `text::visible`, and huge values are cut with their size noted.
//! New sections (findings, marks) are further `section_*` functions feeding `build`.

use serde_json::Value;

use crate::model::{Event, EventId};
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

    fn width(&self) -> usize {
        self.spans.iter().map(|(_, s)| s.chars().count()).sum()
    }
}

/// The selected event, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailDoc {
    pub id: EventId,
    /// Lines before wrapping.
    source: Vec<DocLine>,
    /// Lines wrapped to the pane's width.
    pub lines: Vec<DocLine>,
}

impl DetailDoc {
    pub fn build(event: Event, width: usize) -> DetailDoc {
        let mut source = section_columns(&event);
        source.push(DocLine::default());
        source.extend(section_payload(event.payload.as_deref()));
        let mut doc = DetailDoc {
            id: event.summary.id,
            source,
            lines: Vec::new(),
        };
        doc.rewrap(width);
        doc
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

/// `text` made visible and cut to `limit` characters, with the original size when cut.
fn shown(text: &str, limit: usize) -> (String, Option<String>) {
    let safe = text::visible(text);
    match safe.char_indices().nth(limit) {
        Some((cut, _)) => (
            safe[..cut].to_string(),
            Some(format!("… ({})", text::human_size(text.len()))),
        ),
        None => (safe.into_owned(), None),
    }
}

fn section_columns(event: &Event) -> Vec<DocLine> {
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
                Some(value) => {
                    let (head, cut) = shown(&value, STRING_LIMIT);
                    line.push(Tone::Value, head);
                    if let Some(cut) = cut {
                        line.push(Tone::Note, cut);
                    }
                }
            }
            line
        })
        .collect()
}

fn section_payload(payload: Option<&str>) -> Vec<DocLine> {
    let Some(payload) = payload else {
        return vec![
            DocLine::of(Tone::Heading, "payload"),
            DocLine::of(Tone::Note, "(none)"),
        ];
    };
    match serde_json::from_str::<Value>(payload) {
        Ok(value) => {
            let mut lines = vec![DocLine::of(Tone::Heading, "payload")];
            json_lines(&value, 0, None, false, &mut lines);
            lines
        }
        Err(_) => {
            let mut lines = vec![DocLine::of(
                Tone::Heading,
                format!(
                    "payload (not JSON: raw text, {})",
                    text::human_size(payload.len())
                ),
            )];
            let (head, cut) = cut_raw(payload);
            lines.extend(
                head.split('\n')
                    .map(|l| DocLine::of(Tone::Raw, text::visible(l).into_owned())),
            );
            if let Some(cut) = cut {
                lines.push(DocLine::of(Tone::Note, cut));
            }
            lines
        }
    }
}

fn cut_raw(payload: &str) -> (&str, Option<String>) {
    match payload.char_indices().nth(RAW_LIMIT) {
        Some((cut, _)) => (
            &payload[..cut],
            Some(format!("… ({} in all)", text::human_size(payload.len()))),
        ),
        None => (payload, None),
    }
}

/// Pretty-prints `value` at `depth`, as `"key": value` when it is an object member.
fn json_lines(value: &Value, depth: usize, key: Option<&str>, comma: bool, out: &mut Vec<DocLine>) {
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
            out.push(line);
            let last = map.len() - 1;
            for (i, (k, v)) in map.iter().enumerate() {
                json_lines(v, depth + 1, Some(k), i < last, out);
            }
            close(out, "}");
            return;
        }
        Value::Array(items) if !items.is_empty() => {
            line.push(Tone::Punct, "[");
            out.push(line);
            let last = items.len() - 1;
            for (i, v) in items.iter().enumerate() {
                json_lines(v, depth + 1, None, i < last, out);
            }
            close(out, "]");
            return;
        }
        Value::Object(_) => line.push(Tone::Punct, "{}"),
        Value::Array(_) => line.push(Tone::Punct, "[]"),
        Value::String(s) => {
            let (head, cut) = shown(s, STRING_LIMIT);
            line.push(Tone::Str, format!("\"{head}\""));
            if let Some(cut) = cut {
                line.push(Tone::Note, format!(" {cut}"));
            }
        }
        Value::Number(n) => line.push(Tone::Number, n.to_string()),
        Value::Bool(b) => line.push(Tone::Literal, b.to_string()),
        Value::Null => line.push(Tone::Literal, "null"),
    }
    if comma {
        line.push(Tone::Punct, ",");
    }
    out.push(line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventSummary;

    fn event(payload: &str) -> Event {
        Event {
            summary: EventSummary {
                id: 1,
                ts: "2026-09-01T08:00:00.000Z".into(),
                category: "usage".into(),
                name: "n".into(),
                tenant_id: None,
                session_id: None,
                user_id: None,
            },
            app_name: None,
            app_version: None,
            payload: Some(payload.into()),
            extra: vec![],
        }
    }

    fn plain(doc: &DetailDoc) -> Vec<String> {
        doc.lines
            .iter()
            .map(|l| l.spans.iter().map(|(_, s)| s.as_str()).collect())
            .collect()
    }

    #[test]
    fn json_is_pretty_printed_with_tones_and_escapes() {
        let doc = DetailDoc::build(event(r#"{"a":{"b":[1,true,null]},"s":"x\u001b[2J"}"#), 0);
        let text = plain(&doc);
        let payload = &text[text.iter().position(|l| l == "payload").unwrap() + 1..];
        assert_eq!(
            payload,
            [
                "{",
                "  \"a\": {",
                "    \"b\": [",
                "      1,",
                "      true,",
                "      null",
                "    ]",
                "  },",
                "  \"s\": \"x\\x1b[2J\"",
                "}"
            ]
        );
        let tones: Vec<Tone> = doc
            .lines
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.0))
            .collect();
        for tone in [Tone::Key, Tone::Number, Tone::Literal, Tone::Str] {
            assert!(tones.contains(&tone), "{tone:?}");
        }
    }

    #[test]
    fn huge_strings_are_cut_with_their_size_and_lines_wrap() {
        let big = "y".repeat(3 * 1024 * 1024);
        let doc = DetailDoc::build(event(&format!(r#"{{"big":"{big}"}}"#)), 50);
        let text = plain(&doc).join("");
        assert!(text.contains("… (3.0 MB)"), "{}", &text[text.len() - 80..]);
        assert!(doc.lines.iter().all(|l| l.width() <= 50));
        assert!(doc.lines.len() < 100);
    }

    #[test]
    fn non_json_payload_is_raw_text() {
        let doc = DetailDoc::build(event("line one\nline\u{202e} two"), 0);
        let text = plain(&doc);
        assert!(text.iter().any(|l| l.starts_with("payload (not JSON")));
        assert!(text.contains(&"line\\u{202e} two".to_string()));
    }
}
