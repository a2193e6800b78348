//! Writing the field inventory of `telex scan --summary` (counted by `crate::inventory`) as a
//! table, JSON lines, CSV or Markdown.

use std::io::Write;

use serde_json::{Value, json};

use super::super::{json as jsonl, table};
use crate::cli::ScanFormat;
use crate::inventory::{FieldStats, Inventory};
use crate::model::Class;
use crate::text::{thousands, visible};

impl Inventory {
    /// Writes the inventory in `format`, sorted by category then field.
    pub fn write(&self, format: ScanFormat, out: &mut dyn Write) -> std::io::Result<()> {
        let rows = self.rows();
        if format == ScanFormat::Jsonl {
            for (category, field, st) in rows {
                let kinds: serde_json::Map<String, Value> = st
                    .kinds
                    .iter()
                    .map(|(k, n)| (k.as_str().to_string(), json!(n)))
                    .collect();
                let line = json!({
                    "category": category,
                    "field": field,
                    "records": st.records,
                    "identified": st.identified,
                    "kinds": kinds,
                    "classes": classes(st),
                    "example": st.example,
                });
                jsonl::write_line(out, &line)?;
            }
            return Ok(());
        }
        let header = [
            "category",
            "field",
            "records",
            "identified",
            "kinds",
            "classes",
            "example",
        ];
        let cells = |category: &str, field: &str, st: &FieldStats| {
            let kinds: Vec<String> = st
                .kinds
                .iter()
                .map(|(k, n)| format!("{k} {}", thousands(*n)))
                .collect();
            [
                category.to_string(),
                field.to_string(),
                thousands(st.records),
                thousands(st.identified),
                kinds.join(", "),
                classes(st).join(", "),
                st.example.clone().unwrap_or_default(),
            ]
        };
        match format {
            ScanFormat::Csv => {
                table::csv_row(out, header.into_iter())?;
                for (c, f, st) in rows {
                    let mut row = cells(c, f, st);
                    // CSV is for machines: plain numbers, no thousands separators.
                    row[2] = st.records.to_string();
                    row[3] = st.identified.to_string();
                    table::csv_row(out, row.iter().map(String::as_str))?;
                }
            }
            ScanFormat::Markdown => {
                writeln!(out, "| {} |", header.join(" | "))?;
                writeln!(out, "|---|---|--:|--:|---|---|---|")?;
                for (c, f, st) in rows {
                    super::markdown_row(out, &cells(c, f, st))?;
                }
            }
            _ => {
                let all: Vec<[String; 7]> = rows.iter().map(|(c, f, st)| cells(c, f, st)).collect();
                let mut widths = header.map(str::len);
                for row in &all {
                    for (w, cell) in widths.iter_mut().zip(row) {
                        *w = (*w).max(visible(cell).chars().count()).min(48);
                    }
                }
                let line = |out: &mut dyn Write, row: &[String]| {
                    let mut text = String::new();
                    for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
                        let cell = table::fit(&visible(cell), w);
                        if i > 0 {
                            text.push_str("  ");
                        }
                        if i == 2 || i == 3 {
                            text.push_str(&format!("{cell:>w$}"));
                        } else {
                            text.push_str(&format!("{cell:<w$}"));
                        }
                    }
                    writeln!(out, "{}", text.trim_end())
                };
                line(out, &header.map(String::from))?;
                for row in &all {
                    line(out, row)?;
                }
            }
        }
        Ok(())
    }
}

fn classes(st: &FieldStats) -> Vec<&'static str> {
    st.classes().into_iter().map(Class::as_str).collect()
}
