//! Counting what matches: facet values for the pickers and the four tables of `telex stats`,
//! as GROUP BY queries on the export, or on the cache's key table when it drives.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::query::Sql;
use super::{Stats, Store, StoreError, keyed, privacy, text_of};
use crate::model::{Facet, Field, Filter, ValueCount};

/// A GROUP BY: the value shown, the expression grouped on, and the rows read.
struct Grouping {
    value: String,
    group: String,
    from: String,
}

/// Export key columns and the cache's columns holding their dictionary ids.
pub(super) const NATIVE_KEYS: [(&str, &str); 5] = [
    ("category", "category"),
    ("name", "name"),
    ("tenant_id", "tenant"),
    ("session_id", "session"),
    ("user_id", "user"),
];

impl Store {
    /// The values of `facet` among the events matching `filter` (its own terms on that facet
    /// set aside), with counts, most frequent first. `needle` narrows to values containing it,
    /// case-insensitively.
    pub fn facet_values(
        &self,
        facet: Facet,
        filter: &Filter,
        needle: &str,
        limit: usize,
    ) -> Result<Vec<ValueCount>, StoreError> {
        if !self.schema.has(facet.column()) {
            return Ok(Vec::new());
        }
        let filter = filter.without(&Field::from(facet));
        let (mut sql, cached) = self.counting(&filter)?;
        if cached {
            return self.facet_from_cache(facet, sql, needle, limit);
        }
        let by = self.grouping(facet.column());
        sql.push(format!("{} IS NOT NULL", by.group), Vec::new());
        if !needle.is_empty() {
            sql.push(
                format!("instr(lower({}), lower(?)) > 0", by.value),
                vec![Value::Text(needle.to_string())],
            );
        }
        self.group_by(&by, sql, Some(limit), "count(*) DESC, 1 ASC")
    }

    /// `facet_values` on the cache's key table: counted by dictionary id first, and only the
    /// groups' ids looked up for their text.
    fn facet_from_cache(
        &self,
        facet: Facet,
        mut sql: Sql,
        needle: &str,
        limit: usize,
    ) -> Result<Vec<ValueCount>, StoreError> {
        let Some((_, key)) = NATIVE_KEYS.iter().find(|(c, _)| *c == facet.column()) else {
            return Ok(Vec::new());
        };
        let (ev, cache) = (keyed::EV, privacy::ALIAS);
        sql.push(format!("{ev}.{key} IS NOT NULL"), Vec::new());
        if !needle.is_empty() {
            sql.push(
                format!(
                    "{ev}.{key} IN (SELECT id FROM {cache}.vals WHERE instr(lower(v), lower(?)) > 0)"
                ),
                vec![Value::Text(needle.to_string())],
            );
        }
        let text = format!(
            "SELECT v.v, k.n FROM (SELECT {ev}.{key} AS g, count(*) AS n FROM {cache}.ev AS {ev} \
             {} GROUP BY {ev}.{key}) AS k JOIN {cache}.vals AS v ON v.id = k.g \
             ORDER BY k.n DESC, v.v ASC LIMIT ?",
            sql.where_clause()
        );
        let mut params = sql.params;
        params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        let mut stmt = self.conn.prepare_cached(&text)?;
        let rows = stmt.query_map(params_from_iter(params), |r| {
            Ok(ValueCount {
                value: text_of(r.get_ref(0)?).unwrap_or_default(),
                count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Counts by category, tenant, event name and day (`YYYY-MM-DD` of the stored `ts`).
    /// Four GROUP BY queries; the matching count is their sum rather than a fifth scan.
    pub fn stats(&self, filter: &Filter) -> Result<Stats, StoreError> {
        let (sql, cached) = self.counting(filter)?;
        let mut stats = if cached {
            self.tally_from_cache(sql)?
        } else {
            let by = |column: &str, order: &str| {
                self.group_by(&self.grouping(column), self.sql(filter)?, None, order)
            };
            let by_category = by("category", "count(*) DESC, 1 ASC")?;
            Stats {
                matching: by_category.iter().map(|v| v.count).sum(),
                by_category,
                by_tenant: by("tenant_id", "count(*) DESC, 1 ASC")?,
                by_name: by("name", "count(*) DESC, 1 ASC")?,
                by_day: by("day", "1 ASC")?,
                ..Stats::default()
            }
        };
        stats.total = if filter.is_empty() {
            stats.matching
        } else {
            self.total()?
        };
        Ok(stats)
    }

    /// The WHERE clause for counting `filter`, and whether it is over the cache's key table.
    fn counting(&self, filter: &Filter) -> Result<(Sql, bool), StoreError> {
        Ok(match self.cache_plan(filter, keyed::Purpose::Count)? {
            Some(sql) => (sql, true),
            None => (self.sql(filter)?, false),
        })
    }

    /// How to group the export's rows by one of its columns (or `day`, the date of `ts`).
    fn grouping(&self, column: &str) -> Grouping {
        let value = if column == "day" {
            format!("substr({}, 1, 10)", self.schema.ts_sql())
        } else {
            self.schema
                .column_sql(column)
                .unwrap_or_else(|| "NULL".into())
        };
        Grouping {
            group: value.clone(),
            value,
            from: self.schema.table_sql(),
        }
    }

    fn group_by(
        &self,
        by: &Grouping,
        sql: Sql,
        limit: Option<usize>,
        order: &str,
    ) -> Result<Vec<ValueCount>, StoreError> {
        let mut text = format!(
            "SELECT {}, count(*) FROM {} {} GROUP BY {} ORDER BY {order}",
            by.value,
            by.from,
            sql.where_clause(),
            by.group
        );
        let mut params = sql.params;
        if let Some(limit) = limit {
            text.push_str(" LIMIT ?");
            params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let mut stmt = self.conn.prepare_cached(&text)?;
        let rows = stmt.query_map(params_from_iter(params), |r| {
            Ok(ValueCount {
                value: text_of(r.get_ref(0)?).unwrap_or_default(),
                count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
