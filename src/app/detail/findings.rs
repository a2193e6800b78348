//! The detail's "findings" section: every identifier the scanner found in the event, with
//! its field, kind, class, confidence and evidence. Findings never hold the value itself, so
//! this section needs no masking.

use super::{DocLine, Tone};
use crate::app::lens::Breach;
use crate::model::Finding;
use crate::text;

pub(super) fn section(findings: &[Finding]) -> Vec<DocLine> {
    if findings.is_empty() {
        return vec![
            DocLine::of(Tone::Heading, "findings"),
            DocLine::of(Tone::Note, "(no identifying values found)"),
        ];
    }
    let mut lines = vec![DocLine::of(
        Tone::Heading,
        format!("findings ({})", findings.len()),
    )];
    let fields: Vec<String> = findings
        .iter()
        .map(|f| text::visible(&f.field).into_owned())
        .collect();
    let width = fields.iter().map(|f| f.chars().count()).max().unwrap_or(0);
    for (finding, field) in findings.iter().zip(fields) {
        let mut line = DocLine::of(Tone::Label, format!("{field:<width$}  "));
        line.push(Tone::Ident(finding.class()), finding.kind.to_string());
        line.push(
            Tone::Value,
            format!("  {}  {}", finding.class(), finding.confidence),
        );
        lines.push(line);
        if !finding.evidence.is_empty() {
            let evidence = text::visible(&finding.evidence.join("; ")).into_owned();
            lines.push(DocLine::of(Tone::Note, format!("  {evidence}")));
        }
    }
    lines
}

/// The "breaks the policy" section: each violation with its rule, what the rule says and the
/// practice statement behind it. Empty when the event breaks nothing.
pub(super) fn breaches(breaches: &[Breach]) -> Vec<DocLine> {
    if breaches.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![DocLine::of(
        Tone::Breach,
        format!("breaks the policy ({})", breaches.len()),
    )];
    for breach in breaches {
        let what = match breach.kind {
            Some(kind) => format!("  {}  {kind}", text::visible(&breach.field)),
            None => format!("  {}", text::visible(&breach.field)),
        };
        let mut line = DocLine::of(Tone::Breach, format!("! {}", breach.rule));
        line.push(Tone::Label, what);
        lines.push(line);
        lines.push(DocLine::of(
            Tone::Value,
            format!("  {}", text::visible(&breach.summary)),
        ));
        if !breach.statement.is_empty() {
            lines.push(DocLine::of(
                Tone::Note,
                format!("  “{}”", text::visible(&breach.statement)),
            ));
        }
    }
    lines.push(DocLine::default());
    lines
}
