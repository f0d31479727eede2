//! Small pieces shared by the service desk, finance and integration routes: paging, LIKE
//! patterns, security scope, and reads of optional tables.

use rusqlite::{Connection, OptionalExtension};

use super::super::envelope::ApiError;
use super::super::json_input::Fields;
use super::super::params::QueryParams;
use crate::clock::Timestamp;

/// The real default page size is a tenant setting; 50 matches the account list here.
const DEFAULT_PAGE_SIZE: i64 = 50;

/// `PageSize`/`PageNumber`; a page number of 0 reads as the first page.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    size: i64,
    number: i64,
}

impl Page {
    pub fn from_query(params: &QueryParams) -> Result<Self, ApiError> {
        Ok(Self::new(
            params.integer("PageSize")?,
            params.integer("PageNumber")?,
        ))
    }

    pub fn from_fields(fields: &Fields) -> Result<Self, ApiError> {
        Ok(Self::new(
            fields.int("PageSize")?,
            fields.int("PageNumber")?,
        ))
    }

    fn new(size: Option<i64>, number: Option<i64>) -> Self {
        Self {
            size: size.filter(|size| *size > 0).unwrap_or(DEFAULT_PAGE_SIZE),
            number: number.unwrap_or(1).max(1),
        }
    }

    pub fn limit(self) -> i64 {
        self.size
    }

    pub fn offset(self) -> i64 {
        (self.number - 1).saturating_mul(self.size)
    }
}

/// Makes `%`, `_` and `\` literal inside a `LIKE … ESCAPE '\'` pattern.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', r"\\")
        .replace('%', r"\%")
        .replace('_', r"\_")
}

/// The current instant in the BMS wire format, which is also how these tables store it.
pub fn now() -> String {
    Timestamp::now().to_bms()
}

/// Tables of other domains may be absent in an older store; reads of them then find nothing.
pub fn table_exists(connection: &Connection, table: &str) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [table],
        |row| row.get(0),
    )
}

/// SQL true when the user may see `account_column`'s account: the core security scope
/// lists the user's accounts, and a row without an account grants all of them.
/// Binds the user id once.
pub fn in_scope_sql(account_column: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM bms_security_scope sc
                 WHERE sc.user_id = ? AND (sc.account_id IS NULL OR sc.account_id =
                 {account_column}))"
    )
}

/// The display name of a BMS user.
pub fn user_name(connection: &Connection, user_id: i64) -> rusqlite::Result<Option<String>> {
    connection
        .query_row(
            "SELECT first_name || ' ' || last_name FROM bms_users WHERE id = ?1",
            [user_id],
            |row| row.get(0),
        )
        .optional()
}

/// A path id: the real API answers an unparsable id like an unknown one.
pub fn parse_id(text: &str, not_found: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::failure(404, not_found))
}

/// BMS date-times have no fraction and no offset; IT Glue rows store `…T…Z` with millis.
pub fn bms_datetime(itglue: &str) -> String {
    itglue.chars().take(19).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_defaults_and_zero() -> Result<(), ApiError> {
        let page = Page::from_query(&QueryParams::parse(Some("PageNumber=0")))?;
        assert_eq!((page.limit(), page.offset()), (50, 0));
        let page = Page::from_query(&QueryParams::parse(Some("pagesize=10&pagenumber=3")))?;
        assert_eq!((page.limit(), page.offset()), (10, 20));
        Ok(())
    }

    #[test]
    fn like_wildcards_stay_literal() {
        assert_eq!(escape_like("100%_off\\"), r"100\%\_off\\");
    }

    #[test]
    fn itglue_times_read_as_bms_times() {
        assert_eq!(
            bms_datetime("2024-03-04T15:22:10.000Z"),
            "2024-03-04T15:22:10"
        );
    }
}
