//! Plain-text tables and CSV rows for batch output; every value is made visible first.

use std::io::{self, Write};

use crate::model::{EventSummary, ValueCount};
use crate::text::{thousands, utc_time, visible};

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
    let mut line = String::new();
    for (i, value) in values.enumerate() {
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
    out.write_all(line.as_bytes())
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

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}
