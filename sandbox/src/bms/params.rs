//! Query parameters of the BMS API: names match without regard to case (`Filter.IsActive`,
//! `filter.isActive`, …), and unreadable values are reported the way model binding does.

use std::collections::HashMap;

use super::envelope::ApiError;
use crate::clock::{Timestamp, parse_filter_datetime};

#[derive(Debug, Default)]
pub struct QueryParams(HashMap<String, String>);

impl QueryParams {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(key, value)| (key.to_ascii_lowercase(), value.trim().to_owned()))
                .filter(|(_, value)| !value.is_empty())
                .collect(),
        )
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// A comma-separated list of ids (`Filter.CategoryIds=1,2`).
    pub fn integer_list(&self, name: &str) -> Result<Option<Vec<i64>>, ApiError> {
        self.text(name)
            .map(|value| super::json_input::csv_ints(value).ok_or_else(|| invalid(value, name)))
            .transpose()
    }

    pub fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.text(name)
            .map(|value| value.parse().map_err(|_| invalid(value, name)))
            .transpose()
    }

    /// `true`/`false` in any case, or the integer booleans some BMS filters use.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.text(name)
            .map(|value| match value.to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(invalid(value, name)),
            })
            .transpose()
    }

    pub fn datetime(&self, name: &str) -> Result<Option<Timestamp>, ApiError> {
        self.text(name)
            .map(|value| parse_filter_datetime(value).ok_or_else(|| invalid(value, name)))
            .transpose()
    }
}

fn invalid(value: &str, name: &str) -> ApiError {
    ApiError::failure(400, format!("The value '{value}' is not valid for {name}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive() -> Result<(), ApiError> {
        let params = QueryParams::parse(Some(
            "filter.isActive=TRUE&PAGESIZE=2&Filter.AccountName=frog",
        ));
        assert_eq!(params.boolean("Filter.IsActive")?, Some(true));
        assert_eq!(params.integer("PageSize")?, Some(2));
        assert_eq!(params.text("filter.accountname"), Some("frog"));
        assert_eq!(params.integer("PageNumber")?, None);
        Ok(())
    }

    #[test]
    fn unreadable_values_are_failures() {
        let params = QueryParams::parse(Some(
            "PageSize=lots&Filter.IsActive=maybe&Filter.ModifiedOnFrom=soon",
        ));
        assert!(params.integer("PageSize").is_err());
        assert!(params.boolean("Filter.IsActive").is_err());
        assert!(params.datetime("Filter.ModifiedOnFrom").is_err());
    }
}
