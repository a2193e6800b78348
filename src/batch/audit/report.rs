//! The Markdown report of `telex audit --format markdown`: the export, the policy used, the
//! violations summed up by rule, category and field with a few masked examples each, and what
//! the audit could not check.

use std::io::{self, Write};

use super::Reference;
use super::summary::{Group, Summary};
use crate::batch::BatchError;
use crate::model::Filter;
use crate::policy::Policy;
use crate::store::Store;
use crate::text::{human_size, thousands, utc_time, visible};

/// A group's examples as code spans.
fn examples(g: &Group) -> String {
    g.examples
        .iter()
        .map(|e| code(e))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report's sections, from the counts the audit gathered.
impl Summary {
    pub fn write(
        &self,
        export: &Export,
        policy: &Policy,
        policy_source: &str,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        writeln!(out, "# Privacy audit of {}\n", code(&export.name))?;
        export.write(self.events, out)?;
        write_policy(policy, policy_source, out)?;
        self.write_summary(policy, out)?;
        self.write_unchecked(export, out)
    }

    fn write_summary(&self, policy: &Policy, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "## Summary\n")?;
        if self.violations == 0 {
            writeln!(out, "No violations in {} events.\n", thousands(self.events))?;
        } else {
            writeln!(
                out,
                "**{} violations** in {} of {} events.\n",
                thousands(self.violations),
                thousands(self.events_with),
                thousands(self.events)
            )?;
        }
        if !self.by_rule.is_empty() {
            writeln!(out, "### By rule\n")?;
            writeln!(
                out,
                "| rule | violations | events | what breaks it | examples |"
            )?;
            writeln!(out, "|---|--:|--:|---|---|")?;
            // In the policy's order, so the report reads like the policy.
            for rule in policy.rules() {
                if let Some(g) = self.by_rule.get(&rule.id) {
                    md_row(
                        out,
                        &[
                            plain(&rule.id),
                            thousands(g.violations),
                            thousands(g.events),
                            plain(&rule.summary),
                            examples(g),
                        ],
                    )?;
                }
            }
            writeln!(out)?;
        }
        writeln!(out, "### By category\n")?;
        writeln!(
            out,
            "| category | events | with violations | violations | rules |"
        )?;
        writeln!(out, "|---|--:|--:|--:|---|")?;
        for (category, c) in &self.by_category {
            let rules: Vec<&str> = c.rules.iter().map(String::as_str).collect();
            md_row(
                out,
                &[
                    plain(category),
                    thousands(c.events),
                    thousands(c.with_violations),
                    thousands(c.violations),
                    plain(&rules.join(", ")),
                ],
            )?;
        }
        writeln!(out)?;
        if !self.by_field.is_empty() {
            writeln!(out, "### By field\n")?;
            writeln!(
                out,
                "| category | field | kind | rule | violations | events | examples |"
            )?;
            writeln!(out, "|---|---|---|---|--:|--:|---|")?;
            for ((category, field, kind, rule), g) in &self.by_field {
                md_row(
                    out,
                    &[
                        plain(category),
                        code(field),
                        plain(kind),
                        plain(rule),
                        thousands(g.violations),
                        thousands(g.events),
                        examples(g),
                    ],
                )?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn write_unchecked(&self, export: &Export, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "## Not checked\n")?;
        if let Some(filter) = &export.filter {
            writeln!(
                out,
                "- Only the events matching {} were audited ({} of {}).",
                code(filter),
                thousands(self.events),
                thousands(export.events)
            )?;
        }
        if self.not_json > 0 {
            writeln!(
                out,
                "- {} events have a payload that is not JSON: it was scanned as plain text \
                 (field `payload`), without the help of field names.",
                thousands(self.not_json)
            )?;
        }
        if let Some(bad) = &export.reference.bad_exported_at {
            writeln!(
                out,
                "- `exported_at` ({}) is not an RFC 3339 time; ages were measured from {}.",
                code(bad),
                export.reference.origin
            )?;
        }
        if export.reference.at.is_none() {
            writeln!(
                out,
                "- Retention: not checked, the export has no `exported_at` and no event time."
            )?;
        }
        if self.bad_ts > 0 {
            writeln!(
                out,
                "- {} records of categories with a retention window have a `ts` that is not an \
                 RFC 3339 time: their age was not checked.",
                thousands(self.bad_ts)
            )?;
        }
        writeln!(
            out,
            "- The audit judges the identifiers telex's detection engine finds (DESIGN §2); a \
             value it does not recognise as an identifier is not reported."
        )
    }
}

/// What the report says about the export.
pub(super) struct Export {
    name: String,
    size: Option<u64>,
    events: u64,
    span: Option<(String, String)>,
    info: Vec<(String, String)>,
    filter: Option<String>,
    reference: Reference,
}

impl Export {
    pub fn read(
        store: &Store,
        filter: &Filter,
        reference: Reference,
    ) -> Result<Export, BatchError> {
        Ok(Export {
            name: store.path().display().to_string(),
            size: std::fs::metadata(store.path()).ok().map(|m| m.len()),
            events: store.total()?,
            span: store.time_span(&Filter::default())?,
            info: store.export_info()?,
            filter: (!filter.is_empty()).then(|| filter.to_string()),
            reference,
        })
    }

    fn write(&self, audited: u64, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "## Export\n")?;
        writeln!(out, "| | |\n|---|---|")?;
        let mut rows: Vec<(String, String)> = vec![("file".into(), code(&self.name))];
        if let Some(size) = self.size {
            let bytes = usize::try_from(size).unwrap_or(usize::MAX);
            rows.push((
                "size".into(),
                format!("{} ({} bytes)", human_size(bytes), thousands(size)),
            ));
        }
        let events = match &self.filter {
            Some(f) => format!(
                "{} ({} audited, filter {})",
                thousands(self.events),
                thousands(audited),
                code(f)
            ),
            None => thousands(self.events),
        };
        rows.push(("events".into(), events));
        if let Some((first, last)) = &self.span {
            rows.push((
                "time span".into(),
                format!("{} – {} UTC", utc_time(first), utc_time(last)),
            ));
        }
        for (key, value) in &self.info {
            if ["exported_at", "source", "product"].contains(&key.as_str()) {
                rows.push((key.replace('_', " "), plain(value)));
            }
        }
        let age = match self.reference.at {
            Some(at) => format!(
                "{} ({})",
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                self.reference.origin
            ),
            None => self.reference.origin.clone(),
        };
        rows.push(("ages measured from".into(), age));
        for (k, v) in rows {
            md_row(out, &[k, v])?;
        }
        writeln!(out)
    }
}

fn write_policy(policy: &Policy, source: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Policy\n")?;
    writeln!(out, "{}.", plain(source))?;
    let keys = &policy.spec().key_columns;
    if !keys.is_empty() {
        let keys: Vec<String> = keys.iter().map(|k| code(k)).collect();
        writeln!(
            out,
            "The export's key columns {} are judged only against the kinds never allowed.",
            keys.join(", ")
        )?;
    }
    writeln!(out, "\n| rule | what breaks it | statement |")?;
    writeln!(out, "|---|---|---|")?;
    for rule in policy.rules() {
        let statement = format!("“{}”", plain(&rule.statement));
        md_row(out, &[plain(&rule.id), plain(&rule.summary), statement])?;
    }
    writeln!(out)
}

/// Text from the export or the policy as Markdown text: visible, with Markdown's specials
/// (masking stars included) escaped.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible(text).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value as a code span: shown literally (backslashes included), backticks made quotes so
/// the span cannot end early.
fn code(text: &str) -> String {
    format!("`{}`", visible(text).replace('`', "'"))
}

/// A table row of cells already made Markdown by `plain` or `code`; pipes escaped (GFM reads
/// `\|` as a pipe even inside a code span) so a value cannot add a column.
fn md_row(out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
    writeln!(out, "| {} |", cells.join(" | "))
}
