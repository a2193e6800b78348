//! Queries driven by the attached cache's key table (DESIGN §1.3, "indexes the export
//! lacks"). When every term of a filter is on a key column (category, tenant, session, user,
//! name), on time or on findings, and the export has no index to drive it, pages, counts and
//! facets run on the cache's narrow, indexed `ev` table; pages then fetch their full rows from
//! the export by id.

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::privacy::{self, ALIAS, Source};
use super::query::{Sql, equality, stamp};
use super::{Schema, StoreError};
use crate::cache::Meta;
use crate::cache::codec::ts_millis;
use crate::model::{Field, Filter, Term, Test, TimeBound};

/// The alias of the cache's `ev` table in driven queries.
pub(super) const EV: &str = "c";

/// A cache attached to the store, with what its `meta` says about its key table.
#[derive(Debug, Clone)]
pub(super) struct Attached {
    pub path: PathBuf,
    /// Timestamps are kept as text, not milliseconds.
    pub ts_text: bool,
    /// Export columns whose key index the cache has (the export lacks one).
    pub indexed: Vec<String>,
}

impl Attached {
    /// The cache at `path`, as its `meta` describes it.
    pub fn new(path: PathBuf, meta: Meta) -> Attached {
        Attached {
            path,
            ts_text: meta.ts_text,
            indexed: meta.indexed,
        }
    }

    fn has_index(&self, column: &str) -> bool {
        self.indexed.iter().any(|c| c == column)
    }
}

/// What the query is for: a page must walk an index in `(ts, id)` order; a count or a facet
/// reads every matching row anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    Page,
    Count,
}

/// The cache's column for a filter field, with the export column it copies.
pub(super) fn key_column(field: &Field) -> Option<(&'static str, &'static str)> {
    match field {
        Field::Category => Some(("category", "category")),
        Field::Tenant => Some(("tenant", "tenant_id")),
        Field::Session => Some(("session", "session_id")),
        Field::User => Some(("user", "user_id")),
        Field::Name => Some(("name", "name")),
        _ => None,
    }
}

/// The WHERE clause over the cache's key table when the cache can answer `filter` and that
/// is the faster way; `None` to query the export as usual.
pub(super) fn plan(
    conn: &Connection,
    schema: &Schema,
    cache: &Attached,
    filter: &Filter,
    now: DateTime<Utc>,
    purpose: Purpose,
) -> Result<Option<Sql>, StoreError> {
    // `violates:` judges the export's own category and time (`Store::add_violates`).
    if filter
        .terms
        .iter()
        .any(|t| matches!(t.test, Test::Violates(_)))
    {
        return Ok(None);
    }
    let mut keys = Vec::new();
    for term in &filter.terms {
        match &term.test {
            Test::Equals(field, _) => match key_column(field) {
                Some((_, export)) => keys.push((term.negated, export)),
                None => return Ok(None),
            },
            Test::Since(_) | Test::Until(_) => {}
            t if t.is_privacy() => {}
            _ => return Ok(None),
        }
    }
    let positive = || keys.iter().filter(|(neg, _)| !neg).map(|(_, c)| *c);
    let drive = match purpose {
        // Rows are fetched back from the export by id: only where that is a key lookup.
        Purpose::Page if !schema.id_is_key => false,
        // The cache's `ev` is in `(ts, id)` order: it can always drive, and does unless the
        // export has an index for a key the filter narrows to and the cache does not.
        Purpose::Page => {
            if positive().any(|c| cache.has_index(c)) || filter.needs_cache() {
                true
            } else if positive().any(|c| schema.is_indexed(c)) {
                false
            } else {
                !schema.is_indexed("ts")
            }
        }
        // Reading the cache's narrow rows beats a scan of the export's wide ones, and beats
        // one cache lookup per export row for privacy terms.
        Purpose::Count => {
            filter.needs_cache()
                || keys.iter().any(|(_, c)| !schema.is_indexed(c))
                || (keys.is_empty() && !schema.is_indexed("ts"))
        }
    };
    if !drive {
        return Ok(None);
    }
    let mut sql = Sql::keyed(&format!("{EV}.ts"), &format!("{EV}.id"), !cache.ts_text);
    let mut alternatives: Vec<(&Field, Vec<&String>)> = Vec::new();
    for term in &filter.terms {
        match term {
            Term {
                negated: false,
                test: Test::Equals(field, value),
            } => match alternatives.iter_mut().find(|(f, _)| *f == field) {
                Some((_, values)) => values.push(value),
                None => alternatives.push((field, vec![value])),
            },
            Term {
                negated: true,
                test: Test::Equals(field, value),
            } => {
                let Some((column, _)) = key_column(field) else {
                    return Ok(None);
                };
                let (op, param) = equality(value);
                sql.push(
                    format!(
                        "({EV}.{column} IS NULL OR {EV}.{column} NOT IN \
                         (SELECT id FROM {ALIAS}.vals WHERE v {op} ?))"
                    ),
                    vec![param],
                );
            }
            Term {
                negated,
                test: Test::Since(bound),
            } => {
                let Some(param) = ts_param(stamp(bound.resolve(now)), cache) else {
                    return Ok(None);
                };
                sql.push(negate(format!("{EV}.ts >= ?"), *negated), vec![param]);
            }
            Term {
                negated,
                test: Test::Until(bound),
            } => {
                let (op, at) = match bound {
                    TimeBound::Date(_) => ("<", bound.resolve(now) + Duration::days(1)),
                    _ => ("<=", bound.resolve(now)),
                };
                let Some(param) = ts_param(stamp(at), cache) else {
                    return Ok(None);
                };
                sql.push(negate(format!("{EV}.ts {op} ?"), *negated), vec![param]);
            }
            _ => {}
        }
    }
    for (field, values) in alternatives {
        let Some((column, _)) = key_column(field) else {
            return Ok(None);
        };
        let mut ors = Vec::new();
        let mut params = Vec::new();
        for value in values {
            let (op, param) = equality(value);
            // `=` on one dictionary id lets SQLite seek the key index; a glob lists ids.
            ors.push(if op == "=" {
                format!("{EV}.{column} = (SELECT id FROM {ALIAS}.vals WHERE v = ?)")
            } else {
                format!("{EV}.{column} IN (SELECT id FROM {ALIAS}.vals WHERE v {op} ?)")
            });
            params.push(param);
        }
        sql.push(format!("({})", ors.join(" OR ")), params);
    }
    privacy::add(conn, &mut sql, filter, &Source::Cache(EV))?;
    Ok(Some(sql))
}

fn negate(clause: String, negated: bool) -> String {
    if negated {
        format!("NOT ({clause})")
    } else {
        clause
    }
}

/// A time bound as the cache stores time; `None` when it has no millisecond form (a year past
/// 9999), and the export answers instead.
fn ts_param(stamp: Value, cache: &Attached) -> Option<Value> {
    if cache.ts_text {
        return Some(stamp);
    }
    match stamp {
        Value::Text(t) => ts_millis(&t).map(Value::Integer),
        _ => None,
    }
}
