//! Plain-text tables and CSV rows for batch output; every value is made visible first.

use std::io::{self, Write};

use crate::model::{EventSummary, ValueCount};
use crate::text::{printable_ascii_without, thousands, utc_time, visible};

/// The columns of `telex list`'s table.
const LIST: [Column; 7] = [
    Column::Right(8),
    Column::Left(23),
    Column::Left(8),
    Column::Left(22),
    Column::Left(36),
    Column::Left(36),
    Column::Left(36),
];

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
    list_line(out, names)
}

pub fn list_row(out: &mut dyn Write, e: &EventSummary) -> io::Result<()> {
    let (id, ts) = (e.id.to_string(), utc_time(&e.ts));
    list_line(
        out,
        [
            &id,
            &ts,
            &e.category,
            &e.name,
            e.tenant_id.as_deref().unwrap_or("—"),
            e.session_id.as_deref().unwrap_or("—"),
            e.user_id.as_deref().unwrap_or("—"),
        ],
    )
}

fn list_line(out: &mut dyn Write, cells: [&str; 7]) -> io::Result<()> {
    let mut line = Vec::new();
    table_line_into(
        &mut line,
        &std::array::from_fn::<_, 7, _>(|i| (cells[i], LIST[i])),
    );
    out.write_all(&line)
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
    let value = visible(value);
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
    if let Column::Right(_) = column {
        out.resize(out.len() + pad, b' ');
        out.extend_from_slice(text.as_bytes());
    } else {
        out.extend_from_slice(text.as_bytes());
        out.resize(out.len() + pad, b' ');
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
