//! `telex stats` on the cache's key table: one pass over the matching rows, counted in hash
//! maps by dictionary id (SQLite would sort every row once per GROUP BY), then only the
//! groups' ids looked up for their text.

use std::collections::HashMap;

use rusqlite::params_from_iter;
use rusqlite::types::{Value, ValueRef};

use super::query::Sql;
use super::{Stats, Store, StoreError, keyed, privacy, text_of};
use crate::model::ValueCount;

impl Store {
    pub(super) fn tally_from_cache(&self, sql: Sql) -> Result<Stats, StoreError> {
        let ts_text = self.cache.as_ref().is_some_and(|c| c.ts_text);
        let ev = keyed::EV;
        let text = format!(
            "SELECT {ev}.category, {ev}.tenant, {ev}.name, {ev}.ts FROM {}.ev AS {ev} {}",
            privacy::ALIAS,
            sql.where_clause()
        );
        let mut category: HashMap<Option<i64>, u64> = HashMap::new();
        let mut tenant: HashMap<Option<i64>, u64> = HashMap::new();
        let mut name: HashMap<Option<i64>, u64> = HashMap::new();
        let mut day_ms: HashMap<i64, u64> = HashMap::new();
        let mut day_text: HashMap<String, u64> = HashMap::new();
        let mut matching = 0u64;
        {
            let mut stmt = self.conn.prepare_cached(&text)?;
            let mut rows = stmt.query(params_from_iter(sql.params))?;
            while let Some(row) = rows.next()? {
                matching += 1;
                *category.entry(row.get(0)?).or_default() += 1;
                *tenant.entry(row.get(1)?).or_default() += 1;
                *name.entry(row.get(2)?).or_default() += 1;
                match row.get_ref(3)? {
                    ValueRef::Integer(ms) if !ts_text => {
                        *day_ms.entry(ms.div_euclid(86_400_000)).or_default() += 1;
                    }
                    other => {
                        let ts = text_of(other).unwrap_or_default();
                        let day: String = ts.chars().take(10).collect();
                        *day_text.entry(day).or_default() += 1;
                    }
                }
            }
        }
        let mut by_day = Vec::with_capacity(day_ms.len() + day_text.len());
        for (day, count) in day_ms {
            let value = chrono::DateTime::from_timestamp(day * 86_400, 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            by_day.push(ValueCount { value, count });
        }
        by_day.extend(
            day_text
                .into_iter()
                .map(|(value, count)| ValueCount { value, count }),
        );
        by_day.sort_by(|a, b| a.value.cmp(&b.value));
        Ok(Stats {
            total: 0,
            matching,
            by_category: self.ranked(category)?,
            by_tenant: self.ranked(tenant)?,
            by_name: self.ranked(name)?,
            by_day,
        })
    }

    /// Counts by dictionary id → values with counts, most frequent first, then by value (an
    /// absent value first, as SQLite orders NULL).
    fn ranked(&self, counts: HashMap<Option<i64>, u64>) -> Result<Vec<ValueCount>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT v FROM {}.vals WHERE id = ?1",
            privacy::ALIAS
        ))?;
        let mut out: Vec<(Option<String>, u64)> = Vec::with_capacity(counts.len());
        for (id, count) in counts {
            let value = match id {
                None => None,
                Some(id) => Some(
                    stmt.query_row([Value::Integer(id)], |r| Ok(text_of(r.get_ref(0)?)))?
                        .unwrap_or_default(),
                ),
            };
            out.push((value, count));
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(out
            .into_iter()
            .map(|(value, count)| ValueCount {
                value: value.unwrap_or_default(),
                count,
            })
            .collect())
    }
}
