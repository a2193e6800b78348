//! The time span of the matching events: the oldest and newest `ts`, as stored. Retention
//! checks measure age back from the newest when the export has no `exported_at`.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::{Store, StoreError, text_of};
use crate::model::Filter;

impl Store {
    /// The smallest and largest `ts` among the events matching `filter` (text order, which is
    /// time order for the stored RFC 3339 format); `None` when none match. Only values that
    /// start with a digit count, so a stray `last tuesday` (which sorts after every date) is
    /// not taken for the newest; the range keeps the `ts` index usable.
    pub fn time_span(&self, filter: &Filter) -> Result<Option<(String, String)>, StoreError> {
        let mut sql = self.sql(filter)?;
        let ts = self.schema.ts_sql();
        sql.push(
            format!("{ts} >= ? AND {ts} < ?"),
            vec![Value::Text("0".into()), Value::Text(":".into())],
        );
        let text = format!(
            "SELECT min({ts}), max({ts}) FROM {} {}",
            self.schema.table_sql(),
            sql.where_clause()
        );
        let mut stmt = self.conn.prepare_cached(&text)?;
        let span = stmt.query_row(params_from_iter(sql.params), |r| {
            Ok((text_of(r.get_ref(0)?), text_of(r.get_ref(1)?)))
        })?;
        Ok(match span {
            (Some(first), Some(last)) => Some((first, last)),
            _ => None,
        })
    }
}
