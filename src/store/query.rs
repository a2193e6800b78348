//! Turns a `Filter` into a WHERE clause with bound parameters.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::types::Value;

use super::Schema;
use crate::cache::codec::ts_millis;
use crate::model::{Cursor, Field, Filter, Term, Test, TimeBound};

/// A WHERE clause under construction: SQL fragments joined by AND, with their parameters.
pub(super) struct Sql {
    clauses: Vec<String>,
    pub params: Vec<Value>,
    ts: String,
    id: String,
    /// The `ts` expression holds milliseconds (the cache's key table), so cursors convert.
    ts_millis: bool,
}

impl Sql {
    /// An empty clause over other `(ts, id)` expressions: the cache's key table.
    pub fn keyed(ts: &str, id: &str, ts_millis: bool) -> Sql {
        Sql {
            clauses: Vec::new(),
            params: Vec::new(),
            ts: ts.to_string(),
            id: id.to_string(),
            ts_millis,
        }
    }

    pub fn new(schema: &Schema, filter: &Filter, now: DateTime<Utc>) -> Sql {
        let mut sql = Sql {
            clauses: Vec::new(),
            params: Vec::new(),
            ts: schema.ts_sql(),
            id: schema.id_sql(),
            ts_millis: false,
        };
        // Positive equality terms on one field are alternatives; everything else must hold.
        let mut alternatives: Vec<(Field, Vec<&String>)> = Vec::new();
        for term in &filter.terms {
            match term {
                Term {
                    negated: false,
                    test: Test::Equals(field, value),
                } => match alternatives.iter_mut().find(|(f, _)| f == field) {
                    Some((_, values)) => values.push(value),
                    None => alternatives.push((field.clone(), vec![value])),
                },
                _ => sql.term(schema, term, now),
            }
        }
        for (field, values) in alternatives {
            let column = column(schema, &field);
            let mut ors = Vec::new();
            let mut params = Vec::new();
            for value in values {
                let (op, param) = equality(value);
                ors.push(format!("{column} {op} ?"));
                params.push(param);
            }
            sql.push(format!("({})", ors.join(" OR ")), params);
        }
        sql
    }

    pub fn push(&mut self, clause: String, params: Vec<Value>) {
        self.clauses.push(clause);
        self.params.extend(params);
    }

    /// Restricts to rows on one side of `cursor` in `(ts, id)` order.
    pub fn after(&mut self, cursor: &Cursor, op: &str) {
        let clause = format!("({}, {}) {op} (?, ?)", self.ts, self.id);
        let ts = match self.ts_millis.then(|| ts_millis(&cursor.ts)).flatten() {
            Some(ms) => Value::Integer(ms),
            None => Value::Text(cursor.ts.clone()),
        };
        self.push(clause, vec![ts, Value::Integer(cursor.id)]);
    }

    pub fn where_clause(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn term(&mut self, schema: &Schema, term: &Term, now: DateTime<Utc>) {
        let (clause, param) = match &term.test {
            Test::Equals(field, value) => {
                let column = column(schema, field);
                let (op, param) = equality(value);
                // Negation keeps rows where the column is empty: they are not that value.
                let clause = format!("({column} IS NULL OR NOT {column} {op} ?)");
                self.push(clause, vec![param]);
                return;
            }
            // Answered from the attached cache: `privacy::add`.
            Test::Has(_)
            | Test::Kind(_)
            | Test::Class(_)
            | Test::InField(_)
            | Test::Violates(_) => return,
            Test::Since(bound) => (format!("{} >= ?", self.ts), stamp(bound.resolve(now))),
            Test::Until(bound) => match bound {
                // A date names a whole day: until:2026-09-30 includes the 30th.
                TimeBound::Date(_) => (
                    format!("{} < ?", self.ts),
                    stamp(bound.resolve(now) + Duration::days(1)),
                ),
                _ => (format!("{} <= ?", self.ts), stamp(bound.resolve(now))),
            },
            Test::Text(text) => {
                let payload = schema
                    .column_sql("payload")
                    .unwrap_or_else(|| "NULL".into());
                (
                    format!("coalesce({payload}, '') LIKE ? ESCAPE '\\'"),
                    Value::Text(format!("%{}%", escape_like(text))),
                )
            }
        };
        let clause = if term.negated {
            format!("NOT ({clause})")
        } else {
            clause
        };
        self.push(clause, vec![param]);
    }
}

fn column(schema: &Schema, field: &Field) -> String {
    field
        .column()
        .and_then(|c| schema.column_sql(c))
        .unwrap_or_else(|| "NULL".into())
}

/// `=` for a plain value; GLOB when it holds `*`, with GLOB's other specials made literal.
pub(super) fn equality(value: &str) -> (&'static str, Value) {
    if !value.contains('*') {
        return ("=", Value::Text(value.to_string()));
    }
    let mut pattern = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        match c {
            '?' => pattern.push_str("[?]"),
            '[' => pattern.push_str("[[]"),
            c => pattern.push(c),
        }
    }
    ("GLOB", Value::Text(pattern))
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The stored timestamp format, so text comparison orders like time.
pub(super) fn stamp(t: DateTime<Utc>) -> Value {
    Value::Text(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}
