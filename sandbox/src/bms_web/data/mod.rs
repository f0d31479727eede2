//! What the BMS pages show, read from the store: the JSON of the React pages'
//! `/_sandbox/page-data/*` routes and the model of the legacy pages. Read with plain SQL on
//! the tables, so the pages do not depend on the API handlers' types.

pub mod assets;
pub mod crm;
pub mod native;
pub mod tickets;

use serde::Serialize;

/// How many rows a list page shows: enough to look real, bounded at every scale.
pub const LIST_LIMIT: i64 = 200;

/// A related record, shown as a link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: i64,
    pub name: String,
}

/// A list page: the first rows and the total.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listing<T: Serialize> {
    pub total: i64,
    pub rows: Vec<T>,
}

/// Joins address parts into display lines, skipping empty ones.
pub fn address_lines(parts: [Option<String>; 6]) -> Vec<String> {
    let [address1, address2, city, state, zip, country] = parts;
    let street = [address1, address2]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let locality = [city, state, zip]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    [Some(street), Some(locality), country]
        .into_iter()
        .flatten()
        .filter(|line| !line.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lines_skip_empty_parts() {
        let some = |text: &str| Some(text.to_owned());
        assert_eq!(
            address_lines([
                some("1 Main St"),
                some(""),
                some("Austin"),
                some("TX"),
                some("78701"),
                None
            ]),
            ["1 Main St", "Austin TX 78701"]
        );
        assert!(address_lines([None, None, None, None, None, None]).is_empty());
    }
}
