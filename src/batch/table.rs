//! Plain-text tables and CSV rows for batch output; every value is made visible first.

use std::io::{self, Write};

use crate::model::{EventSummary, ValueCount};
use crate::text::{printable_ascii_without, thousands, utc_time, visible};

const LIST_WIDTHS: [usize; 7] = [8, 23, 8, 22, 36, 36, 36];

pub fn list_header(out: &mut dyn Write) -> io::Result<()> {
    let names = [
        "id",
        "time (UTC)",
        "category",
        "name",
        "tenant",
        "session",
        "user",
    ];
    write_cells(out, names.iter().map(|s| s.to_string()))
}

pub fn list_row(out: &mut dyn Write, e: &EventSummary) -> io::Result<()> {
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map_or_else(|| "—".to_string(), |s| visible(s).into_owned())
    };
    write_cells(
        out,
        [
            e.id.to_string(),
            utc_time(&e.ts).into_owned(),
            visible(&e.category).into_owned(),
            visible(&e.name).into_owned(),
            opt(&e.tenant_id),
            opt(&e.session_id),
            opt(&e.user_id),
        ]
        .into_iter(),
    )
}

fn write_cells(out: &mut dyn Write, cells: impl Iterator<Item = String>) -> io::Result<()> {
    let mut line = String::new();
    for (i, (cell, width)) in cells.zip(LIST_WIDTHS).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        let cell = fit(&cell, width);
        if i == 0 {
            line.push_str(&format!("{cell:>width$}"));
        } else {
            line.push_str(&format!("{cell:<width$}"));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// `text` cut to `width` characters, with `…` marking the cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// One section of `telex stats`: the top values of one column with counts and shares.
pub fn counts(
    out: &mut dyn Write,
    title: &str,
    values: &[ValueCount],
    top: usize,
    total: u64,
) -> io::Result<()> {
    let shown = if top == 0 {
        values.len()
    } else {
        top.min(values.len())
    };
    let width = values[..shown]
        .iter()
        .map(|v| visible(&v.value).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(title.len(), 48);
    writeln!(out, "{title:<width$}  {:>11}  {:>6}", "events", "share")?;
    for v in &values[..shown] {
        let name = if v.value.is_empty() {
            "(none)".to_string()
        } else {
            visible(&v.value).into_owned()
        };
        let share = if total == 0 {
            0.0
        } else {
            v.count as f64 * 100.0 / total as f64
        };
        writeln!(
            out,
            "{:<width$}  {:>11}  {share:>5.1}%",
            fit(&name, width),
            thousands(v.count)
        )?;
    }
    if shown < values.len() {
        let rest: u64 = values[shown..].iter().map(|v| v.count).sum();
        let more = values.len() - shown;
        let s = |n: u64| if n == 1 { "" } else { "s" };
        writeln!(
            out,
            "… {more} more value{} ({} event{})",
            s(more as u64),
            thousands(rest),
            s(rest)
        )?;
    }
    Ok(())
}

/// One CSV record (RFC 4180 quoting), values made visible so no control character is written.
pub fn csv_row<'a>(out: &mut dyn Write, values: impl Iterator<Item = &'a str>) -> io::Result<()> {
    let mut line = Vec::new();
    csv_row_into(&mut line, values);
    out.write_all(&line)
}

/// `csv_row` appended to a buffer: for output of millions of rows (`telex scan`), where a
/// line's allocations and a write per line would be most of the work.
pub fn csv_row_into<'a>(out: &mut Vec<u8>, values: impl Iterator<Item = &'a str>) {
    for (i, value) in values.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_csv_cell(out, value);
    }
    out.extend_from_slice(b"\r\n");
}

/// One CSV value, made visible and quoted where it must be.
pub fn push_csv_cell(out: &mut Vec<u8>, value: &str) {
    // Nearly every value: printable ASCII, nothing to make visible or quote.
    if printable_ascii_without(value.as_bytes(), b',', b'"') {
        out.extend_from_slice(value.as_bytes());
        return;
    }
    let value = if plain(value) {
        std::borrow::Cow::Borrowed(value)
    } else {
        visible(value)
    };
    if value.contains([',', '"']) {
        out.push(b'"');
        for (i, part) in value.split('"').enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\"\"");
            }
            out.extend_from_slice(part.as_bytes());
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value.as_bytes());
    }
}

/// Where a cell of a table line goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Cut to this many characters and padded on the right.
    Left(usize),
    /// Cut to this many characters and padded on the left (numbers).
    Right(usize),
    /// As long as it is (the last column).
    Free,
}

/// One line of a plain-text table appended to a buffer: every cell made visible, cut to its
/// column with `…` and padded, two spaces between cells, no trailing whitespace.
pub fn table_line_into(out: &mut Vec<u8>, cells: &[(&str, Column)]) {
    let start = out.len();
    for (i, &(cell, column)) in cells.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"  ");
        }
        push_cell(out, cell, column);
    }
    trim_end_from(out, start);
    out.push(b'\n');
}

/// One cell of a table line (`table_line_into`), without the spaces between cells.
pub fn push_cell(out: &mut Vec<u8>, cell: &str, column: Column) {
    let width = match column {
        Column::Free if plain(cell) => {
            out.extend_from_slice(cell.as_bytes());
            return;
        }
        Column::Free => {
            out.extend_from_slice(visible(cell).as_bytes());
            return;
        }
        Column::Left(w) | Column::Right(w) => w,
    };
    // Printable ASCII: a character per byte, nothing to make visible.
    let (text, chars) = if plain(cell) {
        if cell.len() <= width {
            (std::borrow::Cow::Borrowed(cell), cell.len())
        } else {
            let mut cut = String::with_capacity(width + 2);
            cut.push_str(&cell[..width.saturating_sub(1)]);
            cut.push('…');
            (std::borrow::Cow::Owned(cut), width.max(1))
        }
    } else {
        let cut = fit(&visible(cell), width);
        let chars = cut.chars().count();
        (std::borrow::Cow::Owned(cut), chars)
    };
    let pad = width.saturating_sub(chars);
    if column == Column::Left(width) {
        out.extend_from_slice(text.as_bytes());
        out.resize(out.len() + pad, b' ');
    } else {
        out.resize(out.len() + pad, b' ');
        out.extend_from_slice(text.as_bytes());
    }
}

/// Printable ASCII only: what `visible` leaves as it is, one byte per character.
fn plain(text: &str) -> bool {
    printable_ascii_without(text.as_bytes(), 0x7f, 0x7f)
}

/// Drops the whitespace `str::trim_end` would from the text written since `start`.
pub fn trim_end_from(out: &mut Vec<u8>, start: usize) {
    while let Some(&last) = out.last().filter(|_| out.len() > start) {
        if last >= 0x80 {
            // A wider character ends the line: let `str` decide.
            if let Ok(text) = std::str::from_utf8(&out[start..]) {
                let keep = text.trim_end().len();
                out.truncate(start + keep);
            }
            return;
        }
        if !char::from(last).is_whitespace() {
            return;
        }
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_escapes() {
        let mut out = Vec::new();
        csv_row(
            &mut out,
            ["a", "b,c", "say \"hi\"", "x\ny\u{1b}"].into_iter(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,\"b,c\",\"say \"\"hi\"\"\",x\\ny\\x1b\r\n"
        );
    }

    /// Cells as many values of the exports look, and as the odd ones do.
    const CELLS: [&str; 16] = [
        "",
        "usage",
        "exactly8",
        "ninechars",
        "6D79C287-73C9-391B-4E69-ED09D8D02E19",
        "payload/DeviceID",
        "field name device,id",
        "say \"hi\", then go",
        "Zoë Ångström",
        "東京都の住所と電話番号",
        "x\ny\u{1b}[31m",
        "\u{202e}gnp.exe",
        "trailing   ",
        "wide space\u{3000}",
        "\u{7f}del",
        "cut here…",
    ];

    /// `table_line_into` as it was first written, cell by cell through `visible`, `fit` and
    /// `format!`: the reference the fast path must match byte for byte.
    fn reference_table_line(cells: &[(&str, Column)]) -> String {
        let mut line = String::new();
        for (i, &(cell, column)) in cells.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let cell = visible(cell);
            match column {
                Column::Right(w) => line.push_str(&format!("{:>w$}", fit(&cell, w))),
                Column::Left(w) => line.push_str(&format!("{:<w$}", fit(&cell, w))),
                Column::Free => line.push_str(&cell),
            }
        }
        format!("{}\n", line.trim_end())
    }

    fn reference_csv_row(values: &[&str]) -> String {
        let mut line = String::new();
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let value = visible(value);
            if value.contains([',', '"']) {
                line.push('"');
                line.push_str(&value.replace('"', "\"\""));
                line.push('"');
            } else {
                line.push_str(&value);
            }
        }
        line.push_str("\r\n");
        line
    }

    #[test]
    fn table_lines_and_csv_rows_match_the_reference_for_every_pair_of_cells() {
        let columns = [
            Column::Right(8),
            Column::Left(8),
            Column::Left(1),
            Column::Left(0),
            Column::Free,
        ];
        for a in CELLS {
            for b in CELLS {
                for ca in columns {
                    for cb in columns {
                        let cells = [(a, ca), (b, cb)];
                        let mut out = vec![b'>'];
                        table_line_into(&mut out, &cells);
                        let line = String::from_utf8(out[1..].to_vec()).unwrap();
                        assert_eq!(line, reference_table_line(&cells), "{cells:?}");
                    }
                }
                let mut out = Vec::new();
                csv_row_into(&mut out, [a, b, a].into_iter());
                let row = String::from_utf8(out).unwrap();
                assert_eq!(row, reference_csv_row(&[a, b, a]), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}
