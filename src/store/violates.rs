//! `violates:` and `violates:RULE` as SQL: a registered function judges each event's cached
//! findings (and its age) against the policy the store was given, the same `Policy::violations`
//! that `telex audit` and the explorer's marker use, so all three always agree.

use std::sync::Arc;

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};

use super::privacy::ALIAS;
use super::{Store, StoreError};
use crate::cache::codec;
use crate::model::{Event, EventSummary, Finding};
use crate::policy::{AuditContext, Policy};

/// The policy `violates:` judges by, and the moment retention is measured from.
#[derive(Debug, Clone, Default)]
pub struct Judging {
    pub policy: Arc<Policy>,
    pub ctx: AuditContext,
}

impl Store {
    /// Judges `violates:` terms by `policy` (the default policy until this is called).
    pub fn set_policy(&mut self, judging: Judging) -> Result<(), StoreError> {
        self.judging = judging;
        if self.cache.is_some() {
            register(&self.conn, &self.judging)?;
        }
        Ok(())
    }
}

impl Store {
    /// Adds the filter's `violates:` terms: the category, time and cached findings of each
    /// export row, judged. Positive terms are alternatives (`violates:a violates:b`).
    pub(super) fn add_violates(&self, sql: &mut super::query::Sql, filter: &crate::model::Filter) {
        let category = self
            .schema
            .column_sql("category")
            .unwrap_or_else(|| "NULL".into());
        let id = format!("{}.{}", self.schema.table_sql(), self.schema.id_sql());
        let call = format!(
            "telex_violates({category}, {}, (SELECT findings FROM {ALIAS}.ev WHERE ev.id = {id}), ?)",
            self.schema.ts_sql()
        );
        let mut alternatives = Vec::new();
        for term in &filter.terms {
            let crate::model::Test::Violates(rule) = &term.test else {
                continue;
            };
            let param = rule.clone().map_or(Value::Null, Value::Text);
            if term.negated {
                sql.push(format!("NOT {call}"), vec![param]);
            } else {
                alternatives.push(param);
            }
        }
        if !alternatives.is_empty() {
            let ors = vec![call; alternatives.len()].join(" OR ");
            sql.push(format!("({ors})"), alternatives);
        }
    }
}

/// Registers `telex_violates(category, ts, findings, rule)` on a connection with the cache
/// attached: true when the event breaks `rule` (any rule when NULL). The cache's field names
/// are read once here: findings name their field by id.
pub(super) fn register(conn: &Connection, judging: &Judging) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(&format!("SELECT id, name FROM {ALIAS}.fields"))?;
    let mut names: Vec<String> = Vec::new();
    for row in stmt.query_map([], |r| Ok((r.get::<_, usize>(0)?, r.get::<_, String>(1)?)))? {
        let (id, name) = row?;
        if names.len() <= id {
            names.resize(id + 1, String::new());
        }
        names[id] = name;
    }
    let judging = judging.clone();
    conn.create_scalar_function(
        "telex_violates",
        4,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            let text = |i: usize| match ctx.get_raw(i) {
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                _ => String::new(),
            };
            let findings = match ctx.get_raw(2) {
                ValueRef::Blob(b) => codec::decode(b).unwrap_or_default(),
                _ => Vec::new(),
            };
            let findings: Vec<Finding> = findings
                .into_iter()
                .map(|f| Finding {
                    field: names.get(f.field as usize).cloned().unwrap_or_default(),
                    kind: f.kind,
                    confidence: f.confidence,
                    span: f.span,
                    evidence: Vec::new(),
                })
                .collect();
            let event = Event {
                summary: EventSummary {
                    category: text(0),
                    ts: text(1),
                    ..EventSummary::default()
                },
                ..Event::default()
            };
            let rule = match ctx.get_raw(3) {
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                _ => None,
            };
            let violations = judging.policy.violations(&event, &findings, &judging.ctx);
            Ok(match rule {
                None => !violations.is_empty(),
                Some(rule) => violations.iter().any(|v| v.rule.id == rule),
            })
        },
    )
}
