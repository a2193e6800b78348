//! The lines of `--format table` (the default) and `--format csv`, for millions of findings:
//! an event's own cells (id, time, category) are laid out once per event and each finding's
//! (`Middles`) once per distinct finding, so writing a line is mostly copying. Byte for byte
//! what `rows::row` writes cell by cell (tested below).

use std::borrow::Cow;
use std::cell::RefCell;

use super::middles::{Layout, Middles, Piece};
use super::rows::{TABLE, evidence_text, push_int, span_text};
use crate::batch::table::{push_cell, push_csv_cell, trim_end_from};
use crate::model::Finding;
use crate::text::{rfc3339_utc_cow, utc_time};

/// How a text format lays out the parts of a line around the finding's own cells.
pub(super) trait TextFormat: Layout {
    /// The id, time and category cells, and what separates them from the finding's.
    fn event_cells(id: &str, ts: &str, category: &str, out: &mut Vec<u8>);
    fn value_cell(value: &str, out: &mut Vec<u8>);
    /// Ends the line that began at `start`.
    fn end(out: &mut Vec<u8>, start: usize);
    /// An event's stored time as the format prints it.
    fn time(ts: &str) -> Cow<'_, str>;
    /// `f` with this thread's lines in the format: their caches live as long as the worker.
    fn with_lines<R>(f: impl FnOnce(&mut TextLines<Self>) -> R) -> R
    where
        Self: Sized;
}

/// `--format table`: the columns of `rows::TABLE` (id, time and category; the finding's five;
/// the value; the evidence).
#[derive(Default)]
pub(super) struct Table;

/// `--format csv`.
#[derive(Default)]
pub(super) struct Csv;

impl Layout for Table {
    fn cells(f: &Finding, out: &mut Vec<u8>) -> Piece {
        let span = span_text(f);
        let cells = [
            f.field.as_str(),
            f.kind.as_str(),
            f.class().as_str(),
            f.confidence.as_str(),
            span.as_str(),
        ];
        for (cell, column) in cells.into_iter().zip(&TABLE[3..8]) {
            push_cell(out, cell, *column);
            out.extend_from_slice(b"  ");
        }
        let before = out.len();
        out.extend_from_slice(b"  ");
        push_cell(out, &evidence_text(f), TABLE[9]);
        Piece {
            wide: false,
            after: out.len() - before,
        }
    }
}

impl TextFormat for Table {
    fn event_cells(id: &str, ts: &str, category: &str, out: &mut Vec<u8>) {
        for (cell, column) in [id, ts, category].into_iter().zip(&TABLE[..3]) {
            push_cell(out, cell, *column);
            out.extend_from_slice(b"  ");
        }
    }

    fn value_cell(value: &str, out: &mut Vec<u8>) {
        push_cell(out, value, TABLE[8]);
    }

    fn end(out: &mut Vec<u8>, start: usize) {
        trim_end_from(out, start);
        out.push(b'\n');
    }

    fn time(ts: &str) -> Cow<'_, str> {
        utc_time(ts)
    }

    fn with_lines<R>(f: impl FnOnce(&mut TextLines<Self>) -> R) -> R {
        thread_local! {
            static LINES: RefCell<TextLines<Table>> = RefCell::default();
        }
        super::with_worker_local(&LINES, f)
    }
}

impl Layout for Csv {
    fn cells(f: &Finding, out: &mut Vec<u8>) -> Piece {
        let span = span_text(f);
        for cell in [
            f.field.as_str(),
            f.kind.as_str(),
            f.class().as_str(),
            f.confidence.as_str(),
            span.as_str(),
        ] {
            push_csv_cell(out, cell);
            out.push(b',');
        }
        let before = out.len();
        out.push(b',');
        push_csv_cell(out, &evidence_text(f));
        Piece {
            wide: false,
            after: out.len() - before,
        }
    }
}

impl TextFormat for Csv {
    fn event_cells(id: &str, ts: &str, category: &str, out: &mut Vec<u8>) {
        for cell in [id, ts, category] {
            push_csv_cell(out, cell);
            out.push(b',');
        }
    }

    fn value_cell(value: &str, out: &mut Vec<u8>) {
        push_csv_cell(out, value);
    }

    fn end(out: &mut Vec<u8>, _start: usize) {
        out.extend_from_slice(b"\r\n");
    }

    fn time(ts: &str) -> Cow<'_, str> {
        rfc3339_utc_cow(ts)
    }

    fn with_lines<R>(f: impl FnOnce(&mut TextLines<Self>) -> R) -> R {
        thread_local! {
            static LINES: RefCell<TextLines<Csv>> = RefCell::default();
        }
        super::with_worker_local(&LINES, f)
    }
}

/// One worker's lines in format `F`.
pub(super) struct TextLines<F> {
    /// The event's cells, laid out.
    prefix: Vec<u8>,
    middles: Middles<F>,
    /// The shown value of the next line (`value`).
    value: String,
    /// The event's id, in decimal.
    id: Vec<u8>,
}

impl<F> Default for TextLines<F> {
    fn default() -> Self {
        TextLines {
            prefix: Vec::new(),
            middles: Middles::default(),
            value: String::new(),
            id: Vec::new(),
        }
    }
}

impl<F: TextFormat> TextLines<F> {
    /// Starts the lines of an event; `ts` as the format prints it.
    pub fn start(&mut self, id: i64, category: &str, ts: &str) {
        self.id.clear();
        push_int(&mut self.id, id);
        self.prefix.clear();
        // Digits: always UTF-8.
        let id = std::str::from_utf8(&self.id).unwrap_or_default();
        F::event_cells(id, ts, category, &mut self.prefix);
        self.middles.start(category);
    }

    /// The next line's value (masked or revealed by the caller), emptied.
    pub fn value(&mut self) -> &mut String {
        self.value.clear();
        &mut self.value
    }

    /// The line of finding `f` with the value last set through `value`, appended to `out`.
    pub fn line(&mut self, f: &Finding, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.prefix);
        let value = &self.value;
        self.middles
            .render_around(f, out, |out| F::value_cell(value, out));
        F::end(out, start);
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::batch::scan::rows::fixtures::{event, picker};
    use crate::batch::scan::rows::row;
    use crate::cli::ScanFormat;
    use crate::model::{Confidence, Kind};
    use crate::text::{rfc3339_utc, utc_time};

    /// Lines of pseudo-random events, findings and values, each checked against `rows::row`
    /// (cell by cell, as the table and CSV were first written), so every cache both hits
    /// and misses across events.
    fn check<F: TextFormat>(format: ScanFormat) {
        let fields = [
            "session_id",
            "payload/DeviceID",
            "payload/a,\"b\"",
            "payload/é\u{202e}",
            "payload/x\u{1b}[31m",
            "payload/a_field_name_longer_than_its_thirty_six_character_column",
        ];
        let kinds = [Kind::SessionId, Kind::Email, Kind::PersonName];
        let evidence: [Vec<Cow<'static, str>>; 4] = [
            vec!["pattern: GUID".into()],
            vec!["pattern".into(), "field name device,id".into()],
            vec![Cow::Owned("built \u{9b} phrase  ".into())],
            vec![],
        ];
        let values = [
            "6D79***2E19",
            "alice@contoso.com",
            "Zoë \u{202e}Ångström\u{1b}",
            "a value far longer than the thirty-two characters of its column",
            "say \"hi\", then go",
            "",
            "trailing\u{3000}",
        ];
        let events = [
            event(1, "usage", "2026-06-03T02:42:36.717Z"),
            event(-42, "caté\u{2066}gory", "2026-09-01T14:00:00+02:00"),
            event(i64::MAX, "a_long_category", "yesterday\u{1b}"),
            event(i64::MIN, "a,\"b\"", "2026-02-30T02:42:36.717Z"),
        ];
        let mut all = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            for (j, kind) in kinds.iter().enumerate() {
                all.push(Finding {
                    field: (*field).into(),
                    kind: *kind,
                    confidence: [Confidence::Low, Confidence::Medium, Confidence::High][j],
                    span: (j == 1).then_some(2..5),
                    evidence: evidence[(i + j) % evidence.len()].clone(),
                });
            }
        }
        let mut pick = picker(11);
        let mut lines = TextLines::<F>::default();
        for _ in 0..500 {
            let e = &events[pick(events.len())];
            let s = &e.summary;
            let ts = match format {
                ScanFormat::Table => utc_time(&s.ts).into_owned(),
                _ => rfc3339_utc(&s.ts),
            };
            lines.start(s.id, &s.category, &ts);
            for _ in 0..pick(5) {
                let f = &all[pick(all.len())];
                let value = values[pick(values.len())];
                lines.value().push_str(value);
                let mut got = vec![b'>'];
                lines.line(f, &mut got);
                let mut want = vec![b'>'];
                row(format, e, &ts, f, value, &mut want).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want),
                    "{f:?} {value:?}"
                );
            }
        }
    }

    #[test]
    fn table_lines_are_the_cell_by_cell_rows() {
        check::<Table>(ScanFormat::Table);
    }

    #[test]
    fn csv_lines_are_the_cell_by_cell_rows() {
        check::<Csv>(ScanFormat::Csv);
    }
}
