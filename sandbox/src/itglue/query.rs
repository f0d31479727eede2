//! Query-string parsing for the JSON:API routes: `filter[…]`, `page[…]`, `sort`, `include`.
//! Filters are read from the query string only, as the real API does.

use super::paging::PageRequest;

#[derive(Debug, Default)]
pub struct QueryParams {
    /// Every decoded pair, in order, so links can repeat the caller's parameters.
    pairs: Vec<(String, String)>,
    pub filters: Filters,
    pub page: PageRequest,
    pub sort: Option<String>,
    pub include: Vec<String>,
}

impl QueryParams {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        let last = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let page = PageRequest::from_params(last("page[number]"), last("page[size]"));
        let sort = last("sort")
            .map(str::to_owned)
            .filter(|s| !s.trim().is_empty());
        let include = last("include")
            .map(|list| {
                list.split(',')
                    .map(|name| name.trim().to_owned())
                    .filter(|name| !name.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let filters = Filters(
            pairs
                .iter()
                .filter_map(|(key, value)| Some((filter_path(key)?, split_or_list(value))))
                .collect(),
        );
        Self {
            pairs,
            filters,
            page,
            sort,
            include,
        }
    }

    /// The caller's parameters other than paging, for building page links.
    pub fn non_page_pairs(&self) -> impl Iterator<Item = &(String, String)> + Clone {
        self.pairs
            .iter()
            .filter(|(key, _)| !key.starts_with("page["))
    }

    /// A plain query parameter (`show_password`, `version_id`); the last one wins.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether `include` names the relationship, in its snake or kebab spelling.
    pub fn includes(&self, snake_name: &str) -> bool {
        self.include
            .iter()
            .any(|name| name.replace('-', "_") == snake_name)
    }
}

/// Filter values by key path (`filter[exclude][id]` → `exclude.id`), each an OR list.
#[derive(Debug, Default)]
pub struct Filters(Vec<(String, Vec<String>)>);

impl Filters {
    /// The values of a filter; when repeated, the last one wins.
    pub fn get(&self, path: &str) -> Option<&[String]> {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == path)
            .map(|(_, values)| values.as_slice())
    }
}

fn filter_path(key: &str) -> Option<String> {
    let mut rest = key.strip_prefix("filter")?;
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let (segment, after) = rest.strip_prefix('[')?.split_once(']')?;
        segments.push(segment);
        rest = after;
    }
    (!segments.is_empty()).then(|| segments.join("."))
}

/// Splits a filter value on commas (an OR list); `\,` stands for a literal comma.
pub fn split_or_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                current.push(',');
                chars.next();
            }
            ',' => items.push(std::mem::take(&mut current)),
            other => current.push(other),
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

/// A `sort` value that names a field outside the route's allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSortField(pub String);

/// Builds `ORDER BY` from `sort` (`name`, `-name`, comma-separated) and an allow-list of
/// `(field, column)`; `tie_breaker` keeps pages stable and is the default order.
pub fn order_by(
    sort: Option<&str>,
    allowed: &[(&str, &str)],
    tie_breaker: &str,
) -> Result<String, UnknownSortField> {
    let mut terms = Vec::new();
    for field in sort
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        let (name, direction) = match field.strip_prefix('-') {
            Some(name) => (name, "DESC"),
            None => (field, "ASC"),
        };
        let column = allowed
            .iter()
            .find(|(allowed_name, _)| *allowed_name == name)
            .map(|(_, column)| *column)
            .ok_or_else(|| UnknownSortField(name.to_owned()))?;
        terms.push(format!("{column} {direction}"));
    }
    terms.push(format!("{tie_breaker} ASC"));
    Ok(format!(" ORDER BY {}", terms.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_separates_and_backslash_escapes() {
        assert_eq!(split_or_list("Foo, Bar"), ["Foo", "Bar"]);
        assert_eq!(
            split_or_list(r"Northwind Traders\, Inc."),
            ["Northwind Traders, Inc."]
        );
        assert_eq!(
            split_or_list(r"Kub\, Reynolds and Gibson,Acme"),
            ["Kub, Reynolds and Gibson", "Acme"]
        );
        assert_eq!(split_or_list(r"a\b"), [r"a\b"]);
        assert_eq!(split_or_list(" , "), Vec::<String>::new());
    }

    #[test]
    fn filter_keys_become_paths() {
        assert_eq!(filter_path("filter[name]").as_deref(), Some("name"));
        assert_eq!(
            filter_path("filter[exclude][id]").as_deref(),
            Some("exclude.id")
        );
        assert_eq!(filter_path("filter"), None);
        assert_eq!(filter_path("filter[name"), None);
        assert_eq!(filter_path("page[size]"), None);
    }

    #[test]
    fn parses_a_full_query_string() {
        let query = QueryParams::parse(Some(
            "filter%5Bname%5D=Northwind%20Traders%5C%2C%20Inc.&page[size]=2&sort=-name&include=adapters_resources",
        ));
        assert_eq!(
            query.filters.get("name"),
            Some(&["Northwind Traders, Inc.".to_owned()][..])
        );
        assert_eq!(query.page.size, 2);
        assert_eq!(query.sort.as_deref(), Some("-name"));
        assert!(query.includes("adapters_resources"));
        assert_eq!(query.non_page_pairs().count(), 3);
    }

    #[test]
    fn order_by_validates_fields_and_appends_the_tie_breaker() {
        let allowed = [("name", "o.name"), ("id", "o.id")];
        assert_eq!(
            order_by(None, &allowed, "o.id"),
            Ok(" ORDER BY o.id ASC".to_owned())
        );
        assert_eq!(
            order_by(Some("-name,id"), &allowed, "o.id"),
            Ok(" ORDER BY o.name DESC, o.id ASC, o.id ASC".to_owned())
        );
        assert_eq!(
            order_by(Some("colour"), &allowed, "o.id"),
            Err(UnknownSortField("colour".to_owned()))
        );
    }
}
