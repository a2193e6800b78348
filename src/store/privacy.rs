//! The privacy terms (`has:`, `kind:`, `class:`, `field:`) as SQL against the attached cache
//! (`crate::cache`): bitmask tests on the event's kinds and classes, and a registered function
//! over its compact findings for `field:`. Positive terms on one key are alternatives, as for
//! every other key.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};

use super::StoreError;
use super::query::{Sql, equality};
use crate::cache::codec::{self, class_bit, kind_bit};
use crate::model::{Filter, Test};

/// The schema name the cache is attached under.
pub(super) const ALIAS: &str = "telex_cache";

/// Where a condition finds the event's cache row.
pub(super) enum Source<'a> {
    /// The query reads the export; the cache row is looked up by the export's id expression.
    Export(&'a str),
    /// The query reads the cache's `ev` table under this alias.
    Cache(&'a str),
}

impl Source<'_> {
    fn column(&self, column: &str) -> String {
        match self {
            Source::Export(id) => {
                format!("coalesce((SELECT {column} FROM {ALIAS}.ev WHERE ev.id = {id}), 0)")
            }
            Source::Cache(alias) => format!("{alias}.{column}"),
        }
    }

    fn findings(&self) -> String {
        match self {
            Source::Export(id) => format!("(SELECT findings FROM {ALIAS}.ev WHERE ev.id = {id})"),
            Source::Cache(alias) => format!("{alias}.findings"),
        }
    }
}

/// Registers `telex_has_field(findings, id_set)` on a connection that attaches a cache.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "telex_has_field",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match (ctx.get_raw(0), ctx.get_raw(1)) {
                (ValueRef::Blob(findings), ValueRef::Blob(set)) => {
                    codec::has_field_in(findings, set)
                }
                _ => false,
            })
        },
    )
}

/// Adds the filter's privacy terms to `sql`. `field:` patterns are resolved to field ids
/// first (one small query on the cache's field dictionary each).
pub(super) fn add(
    conn: &Connection,
    sql: &mut Sql,
    filter: &Filter,
    source: &Source<'_>,
) -> Result<(), StoreError> {
    let kinds = source.column("kinds");
    let classes = source.column("classes");
    let mut any = false;
    let (mut has, mut kind, mut class) = (0i64, 0i64, 0i64);
    let mut fields: Option<Vec<u32>> = None;
    for term in filter.terms.iter().filter(|t| t.test.is_privacy()) {
        if term.negated {
            let (clause, params) = match &term.test {
                Test::Has(None) => (format!("{kinds} = 0"), vec![]),
                Test::Has(Some(c)) | Test::Class(c) => (
                    format!("{classes} & ? = 0"),
                    vec![Value::Integer(class_bit(*c))],
                ),
                Test::Kind(k) => (
                    format!("{kinds} & ? = 0"),
                    vec![Value::Integer(kind_bit(*k))],
                ),
                Test::InField(pattern) => (
                    format!("NOT telex_has_field({}, ?)", source.findings()),
                    vec![Value::Blob(codec::id_set(field_ids(conn, pattern)?))],
                ),
                _ => continue,
            };
            sql.push(clause, params);
            continue;
        }
        match &term.test {
            Test::Has(None) => any = true,
            Test::Has(Some(c)) => has |= class_bit(*c),
            Test::Kind(k) => kind |= kind_bit(*k),
            Test::Class(c) => class |= class_bit(*c),
            Test::InField(pattern) => fields
                .get_or_insert_with(Vec::new)
                .extend(field_ids(conn, pattern)?),
            _ => {}
        }
    }
    if any {
        sql.push(format!("{kinds} != 0"), vec![]);
    } else if has != 0 {
        sql.push(format!("{classes} & ? != 0"), vec![Value::Integer(has)]);
    }
    if kind != 0 {
        sql.push(format!("{kinds} & ? != 0"), vec![Value::Integer(kind)]);
    }
    if class != 0 {
        sql.push(format!("{classes} & ? != 0"), vec![Value::Integer(class)]);
    }
    if let Some(ids) = fields {
        sql.push(
            format!("telex_has_field({}, ?)", source.findings()),
            vec![Value::Blob(codec::id_set(ids))],
        );
    }
    Ok(())
}

/// The ids of the fields named by `pattern` (`*` matches any run of characters).
fn field_ids(conn: &Connection, pattern: &str) -> Result<Vec<u32>, StoreError> {
    let (op, param) = equality(pattern);
    let mut stmt =
        conn.prepare_cached(&format!("SELECT id FROM {ALIAS}.fields WHERE name {op} ?1"))?;
    let rows = stmt.query_map([param], |r| r.get::<_, u32>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
