//! A small WHERE-clause builder shared by the list endpoints of both APIs, so filters are
//! always bound parameters and never spliced into SQL text.

use rusqlite::Connection;
use rusqlite::types::Value;

#[derive(Debug, Default)]
pub struct Conditions {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Conditions {
    pub fn new() -> Self {
        Self::default()
    }

    /// `column IN (values…)`; an empty list matches nothing, like an OR over no terms.
    pub fn any_of<V: Into<Value> + Clone>(&mut self, column: &str, values: &[V]) {
        self.push(
            &format!("{column} IN ({})", placeholders(values.len())),
            values,
        );
    }

    /// A clause with `?` placeholders for `params`, in order.
    pub fn push<V: Into<Value> + Clone>(&mut self, clause: &str, params: &[V]) {
        self.clauses.push(format!("({clause})"));
        self.params.extend(params.iter().cloned().map(Into::into));
    }

    /// ` WHERE …`, or nothing when there are no conditions.
    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub fn params(&self) -> &[Value] {
        &self.params
    }
}

/// `SELECT COUNT(*)` over `from` (tables and joins) under the conditions.
pub fn count(
    connection: &Connection,
    from: &str,
    conditions: &Conditions,
) -> rusqlite::Result<u64> {
    let sql = format!("SELECT COUNT(*) FROM {from}{}", conditions.where_sql());
    let count: i64 = connection.query_row(
        &sql,
        rusqlite::params_from_iter(conditions.params()),
        |row| row.get(0),
    )?;
    // COUNT(*) is never negative.
    Ok(u64::try_from(count).unwrap_or_default())
}

/// `?, ?, ?` — or `NULL` for an empty list, which SQLite accepts and which matches nothing.
pub fn placeholders(count: usize) -> String {
    if count == 0 {
        "NULL".to_owned()
    } else {
        vec!["?"; count].join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_clauses_and_keeps_parameter_order() {
        let mut conditions = Conditions::new();
        conditions.any_of("o.id", &["1".to_owned(), "2".to_owned()]);
        conditions.push("o.name = ?", &["x".to_owned()]);
        assert_eq!(
            conditions.where_sql(),
            " WHERE (o.id IN (?, ?)) AND (o.name = ?)"
        );
        assert_eq!(conditions.params().len(), 3);
        assert_eq!(conditions.params()[2], Value::Text("x".to_owned()));
    }

    #[test]
    fn no_conditions_means_no_where() {
        assert_eq!(Conditions::new().where_sql(), "");
        assert_eq!(placeholders(0), "NULL");
    }
}
