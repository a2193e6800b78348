//! The declared data-collection practice as rules (DESIGN §3) and the violations of one event:
//! which classes and kinds each category may carry, whether its `user_id` must be pseudonymous,
//! how long its records may be kept, and which kinds are never allowed. Pure: no I/O.
//! `policy/default.rs` holds the default built from the practice statements, `policy/file.rs`
//! the TOML form (`--policy FILE`, `telex policy`).

mod default;
mod file;
mod rules;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::model::{Class, Event, Finding, Kind};
pub use file::PolicyError;
use rules::compile;

/// The name of the entry for every category the policy does not name (`[category."*"]`).
/// Its rule ids start with `undeclared-`.
pub const OTHER: &str = "*";

/// What one category may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Classes whose every kind is allowed.
    pub allow_classes: BTreeSet<Class>,
    /// Kinds allowed beyond those classes (error records: `ip_address`, `sip_uri`, `username`).
    pub allow_kinds: BTreeSet<Kind>,
    /// The `user_id` column must hold a pseudonymous id (hashed), never a login or an email.
    pub user_id_pseudonymous: bool,
    /// Records older than this many days (before the reference time) are a violation.
    pub retention_days: Option<u32>,
    /// The sentences the rules quote; `None` lets telex describe the setting in its own words.
    pub statement: Option<String>,
    pub user_id_statement: Option<String>,
    pub retention_statement: Option<String>,
}

impl Category {
    fn allows(&self, kind: Kind) -> bool {
        self.allow_classes.contains(&kind.class()) || self.allow_kinds.contains(&kind)
    }
}

/// Kinds that are a violation in any record, whatever the category allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Never {
    pub kinds: BTreeSet<Kind>,
    pub statement: Option<String>,
}

/// A policy as written: what `to_toml` prints and `from_toml` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub never: Never,
    /// Columns that key every record of the export (DESIGN §1.1: `tenant_id`, `session_id`).
    /// Their findings are part of the export's structure, not of what was collected, and are
    /// judged only against `never`.
    pub key_columns: Vec<String>,
    /// Named categories (compared without regard to ASCII case), in the order written.
    pub categories: Vec<(String, Category)>,
    /// Every category not named above.
    pub other: Category,
}

/// What a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// A kind of the `never` list, in any record.
    Never,
    /// A finding of this class that the category does not allow.
    Class(Class),
    /// A `user_id` column that is not pseudonymous.
    UserId,
    /// A record older than the category's retention window.
    Retention,
}

/// One rule of the policy: a stable kebab-case id, what it checks, and the practice statement
/// it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `census-identifies-user`, `secret-anywhere`, `error-retention`…
    pub id: String,
    pub check: Check,
    /// The category it applies to (`*` for undeclared ones); `None` for the `never` rules.
    pub category: Option<String>,
    /// What breaks it, for people: "user identifiers in census records".
    pub summary: String,
    /// The sentence of the practice statement it comes from (or telex's own words where none
    /// speaks).
    pub statement: String,
}

/// When the audit runs: retention is measured back from `reference` (the export's
/// `exported_at`, else its newest event). `None`: retention is not checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditContext {
    pub reference: Option<DateTime<Utc>>,
}

/// What a violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'f> {
    Finding(&'f Finding),
    /// The whole record is too old: `age_days` whole days before the reference time.
    Retention {
        age_days: i64,
        limit_days: u32,
    },
}

/// A finding, a `user_id` or a record's age that the policy does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Violation<'p, 'f> {
    pub rule: &'p Rule,
    pub subject: Subject<'f>,
}

impl Violation<'_, '_> {
    /// The field it is about: the finding's field, or `ts` for retention.
    pub fn field(&self) -> &str {
        match self.subject {
            Subject::Finding(f) => &f.field,
            Subject::Retention { .. } => "ts",
        }
    }

    pub fn kind(&self) -> Option<Kind> {
        match self.subject {
            Subject::Finding(f) => Some(f.kind),
            Subject::Retention { .. } => None,
        }
    }
}

type RuleIndex = u16;

/// The rules of one category, looked up per kind.
#[derive(Debug, Clone)]
struct Table {
    /// Lower-case name; `*` for the undeclared entry.
    name: String,
    /// Per kind (in `Kind::ALL` order): the rule a finding of that kind breaks, if any.
    verdict: [Option<RuleIndex>; Kind::ALL.len()],
    user_id: Option<RuleIndex>,
    retention: Option<(RuleIndex, u32)>,
}

/// A policy: its spec and the rules compiled from it.
#[derive(Debug, Clone)]
pub struct Policy {
    spec: Spec,
    rules: Vec<Rule>,
    /// One per named category, in spec order, then the undeclared entry.
    tables: Vec<Table>,
    /// Per kind: the `never` rule it breaks, if any.
    never: [Option<RuleIndex>; Kind::ALL.len()],
}

impl PartialEq for Policy {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Eq for Policy {}

impl Default for Policy {
    /// The default policy of DESIGN §3, each rule quoting the practice statement it states.
    fn default() -> Self {
        // The built-in spec has distinct category names, so compiling it cannot fail.
        compile(default::spec()).unwrap_or_else(|_| Policy::unchecked())
    }
}

impl Policy {
    /// Compiles a spec into rules. Fails when two categories would give the same rule ids
    /// (`a b` and `a-b`), naming them.
    pub fn new(spec: Spec) -> Result<Policy, String> {
        compile(spec)
    }

    /// A policy with no `never` kinds and no named categories: every category is held to the
    /// undeclared entry's defaults, and `tenant_id`, `session_id` are key columns. What
    /// `extends = "none"` starts from.
    pub fn empty() -> Policy {
        let spec = Spec {
            never: Never {
                kinds: BTreeSet::new(),
                statement: None,
            },
            key_columns: default::key_columns(),
            categories: Vec::new(),
            other: default::undeclared(),
        };
        // One category has no name to collide with.
        compile(spec).unwrap_or_else(|_| Policy::unchecked())
    }

    /// A policy that allows everything, spec and rules alike: only a fallback for the built-in
    /// specs, which cannot fail to compile.
    fn unchecked() -> Policy {
        let spec = Spec {
            never: Never {
                kinds: BTreeSet::new(),
                statement: None,
            },
            key_columns: Vec::new(),
            categories: Vec::new(),
            other: Category {
                allow_classes: Class::ALL.into_iter().collect(),
                user_id_pseudonymous: false,
                ..default::undeclared()
            },
        };
        Policy {
            spec,
            rules: Vec::new(),
            tables: vec![Table {
                name: OTHER.to_string(),
                verdict: [None; Kind::ALL.len()],
                user_id: None,
                retention: None,
            }],
            never: [None; Kind::ALL.len()],
        }
    }

    /// Reads a TOML policy (`extends = "default"` or absent: `base` changed by what the file
    /// names; `extends = "none"`: only what the file says). Errors name the line.
    pub fn from_toml(text: &str, base: &Policy) -> Result<Policy, PolicyError> {
        file::parse(text, base)
    }

    /// The whole policy as TOML (`extends = "none"`), with the rule ids as comments.
    pub fn to_toml(&self) -> String {
        file::write(self)
    }

    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Every rule, in a stable order: `never` rules, then each named category's, then the
    /// undeclared entry's.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The entry that applies to `category`: its own, or the undeclared one.
    pub fn category(&self, category: &str) -> &Category {
        self.spec
            .categories
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(category))
            .map_or(&self.spec.other, |(_, c)| c)
    }

    fn table(&self, category: &str) -> &Table {
        let named = &self.tables[..self.tables.len() - 1];
        named
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(category))
            .unwrap_or(&self.tables[self.tables.len() - 1])
    }

    /// The rule a finding of `kind` in a payload field (or any column that is neither a key
    /// column nor `user_id`) of a `category` record breaks, if any.
    pub fn violates(&self, category: &str, kind: Kind) -> Option<&str> {
        let i = self.never[kind as usize].or(self.table(category).verdict[kind as usize])?;
        Some(&self.rules[usize::from(i)].id)
    }

    /// The rule a finding of `kind` in `field` of a `category` record breaks, if any: `never`
    /// kinds anywhere; nothing else on key columns; a non-pseudonymous `user_id` where it must
    /// be pseudonymous; else what the category allows.
    pub fn judge(&self, category: &str, field: &str, kind: Kind) -> Option<&Rule> {
        self.judge_in(self.table(category), field, kind)
    }

    fn judge_in(&self, table: &Table, field: &str, kind: Kind) -> Option<&Rule> {
        let index = if let Some(i) = self.never[kind as usize] {
            Some(i)
        } else if self.spec.key_columns.iter().any(|c| c == field) {
            None
        } else if field == "user_id"
            && kind.class() != Class::Pseudonymous
            && table.user_id.is_some()
        {
            table.user_id
        } else {
            table.verdict[kind as usize]
        };
        index.map(|i| &self.rules[usize::from(i)])
    }

    /// Whether records of `category` have a retention window, and how many days.
    pub fn retention_days(&self, category: &str) -> Option<u32> {
        self.table(category).retention.map(|(_, days)| days)
    }

    /// Every violation in one event, given its findings: the record's age first (field `ts`),
    /// then the findings the policy does not allow, in the findings' order.
    pub fn violations<'p, 'f>(
        &'p self,
        event: &Event,
        findings: &'f [Finding],
        ctx: &AuditContext,
    ) -> Vec<Violation<'p, 'f>> {
        let table = self.table(&event.summary.category);
        let mut out = Vec::new();
        if let (Some((rule, limit_days)), Some(reference)) = (table.retention, ctx.reference)
            && let Some(age_days) = too_old(&event.summary.ts, reference, limit_days)
        {
            out.push(Violation {
                rule: &self.rules[usize::from(rule)],
                subject: Subject::Retention {
                    age_days,
                    limit_days,
                },
            });
        }
        for f in findings {
            if let Some(rule) = self.judge_in(table, &f.field, f.kind) {
                out.push(Violation {
                    rule,
                    subject: Subject::Finding(f),
                });
            }
        }
        out
    }
}

/// The whole days between `ts` and `reference` when `ts` is more than `limit_days` before it;
/// `None` when it is recent enough or not an RFC 3339 time (the caller reports those as
/// unchecked).
pub fn too_old(ts: &str, reference: DateTime<Utc>, limit_days: u32) -> Option<i64> {
    let t = DateTime::parse_from_rfc3339(ts).ok()?.with_timezone(&Utc);
    let limit = chrono::Duration::days(i64::from(limit_days));
    (t < reference - limit).then(|| (reference - t).num_days())
}

/// Whether a policy file builds on the base policy (`extends = "default"` or no `extends`)
/// rather than replacing it. Text that is not TOML counts as extending (`from_toml` rejects it).
pub fn extends_default(text: &str) -> bool {
    let table: Option<toml::Table> = toml::from_str(text).ok();
    table
        .as_ref()
        .and_then(|t| t.get("extends"))
        .and_then(|v| v.as_str())
        != Some("none")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_old_counts_whole_days() {
        let at = DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            too_old("2026-07-03T00:00:00.000Z", at, 90),
            None,
            "exactly 90 days"
        );
        assert_eq!(too_old("2026-07-02T23:59:59.999Z", at, 90), Some(90));
        assert_eq!(too_old("2026-06-01T00:00:00+02:00", at, 90), Some(122));
        assert_eq!(too_old("yesterday", at, 90), None);
    }
}
