//! JSON:API paging: `page[number]` from 1, `page[size]` default 50 and at most 1000.

use serde::Serialize;
use serde_json::{Map, Value};

pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// The documented maximum; larger requests are clamped (what the real API does is unknown).
pub const MAX_PAGE_SIZE: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: u64,
    pub size: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            number: 1,
            size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// Lenient like the real API: unreadable or zero values fall back to the defaults.
    pub fn from_params(number: Option<&str>, size: Option<&str>) -> Self {
        let positive = |text: Option<&str>| {
            text.and_then(|t| t.trim().parse::<u64>().ok())
                .filter(|n| *n > 0)
        };
        Self {
            number: positive(number).unwrap_or(1),
            size: positive(size).map_or(DEFAULT_PAGE_SIZE, |s| s.min(MAX_PAGE_SIZE)),
        }
    }

    pub fn offset(self) -> u64 {
        (self.number - 1).saturating_mul(self.size)
    }

    /// LIMIT and OFFSET as SQLite integers.
    pub fn limit_offset(self) -> (i64, i64) {
        let to_sql = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        (to_sql(self.size), to_sql(self.offset()))
    }
}

/// Where a page sits in the whole result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    pub request: PageRequest,
    pub total_count: u64,
}

impl PageInfo {
    pub fn new(request: PageRequest, total_count: u64) -> Self {
        Self {
            request,
            total_count,
        }
    }

    pub fn total_pages(self) -> u64 {
        self.total_count.div_ceil(self.request.size)
    }

    pub fn next_page(self) -> Option<u64> {
        (self.request.number < self.total_pages()).then_some(self.request.number + 1)
    }

    pub fn prev_page(self) -> Option<u64> {
        (self.request.number > 1).then_some(self.request.number - 1)
    }

    pub fn meta(self) -> Meta {
        Meta {
            current_page: self.request.number,
            next_page: self.next_page(),
            prev_page: self.prev_page(),
            total_pages: self.total_pages(),
            total_count: self.total_count,
            filters: Map::new(),
        }
    }

    /// `links` with absolute URLs under `base` (origin plus path), keeping `params`.
    pub fn links<'a>(
        self,
        base: &str,
        params: impl Iterator<Item = &'a (String, String)> + Clone,
    ) -> Links {
        let link = |number: u64| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.extend_pairs(params.clone());
            query.append_pair("page[number]", &number.to_string());
            query.append_pair("page[size]", &self.request.size.to_string());
            format!("{base}?{}", query.finish())
        };
        Links {
            this: link(self.request.number),
            first: link(1),
            prev: self.prev_page().map(link),
            next: self.next_page().map(link),
            last: link(self.total_pages().max(1)),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Meta {
    current_page: u64,
    next_page: Option<u64>,
    prev_page: Option<u64>,
    total_pages: u64,
    total_count: u64,
    /// Always `{}` in observed responses.
    filters: Map<String, Value>,
}

#[derive(Debug, Serialize)]
pub struct Links {
    #[serde(rename = "self")]
    this: String,
    first: String,
    prev: Option<String>,
    next: Option<String>,
    last: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_clamping() {
        assert_eq!(
            PageRequest::from_params(None, None),
            PageRequest {
                number: 1,
                size: 50
            }
        );
        assert_eq!(
            PageRequest::from_params(Some("0"), Some("0")),
            PageRequest {
                number: 1,
                size: 50
            }
        );
        assert_eq!(
            PageRequest::from_params(Some("x"), Some("-3")),
            PageRequest {
                number: 1,
                size: 50
            }
        );
        assert_eq!(
            PageRequest::from_params(Some("3"), Some("5000")).size,
            MAX_PAGE_SIZE
        );
        assert_eq!(PageRequest::from_params(Some("3"), Some("20")).offset(), 40);
    }

    #[test]
    fn page_math_at_the_ends_and_in_the_middle() {
        let middle = PageInfo::new(PageRequest { number: 2, size: 2 }, 5);
        assert_eq!(middle.total_pages(), 3);
        assert_eq!((middle.prev_page(), middle.next_page()), (Some(1), Some(3)));
        let last = PageInfo::new(PageRequest { number: 3, size: 2 }, 5);
        assert_eq!(last.next_page(), None);
        let first = PageInfo::new(PageRequest { number: 1, size: 2 }, 5);
        assert_eq!(first.prev_page(), None);
    }

    #[test]
    fn empty_result_meta() -> serde_json::Result<()> {
        let empty = PageInfo::new(PageRequest::default(), 0);
        assert_eq!(
            serde_json::to_string(&empty.meta())?,
            r#"{"current-page":1,"next-page":null,"prev-page":null,"total-pages":0,"total-count":0,"filters":{}}"#
        );
        Ok(())
    }

    #[test]
    fn links_keep_other_parameters_and_encode_brackets() -> serde_json::Result<()> {
        let params = [("filter[name]".to_owned(), "A, B".to_owned())];
        let info = PageInfo::new(PageRequest { number: 1, size: 1 }, 2);
        let links = serde_json::to_value(info.links("http://h/organizations", params.iter()))?;
        assert_eq!(
            links["next"],
            "http://h/organizations?filter%5Bname%5D=A%2C+B&page%5Bnumber%5D=2&page%5Bsize%5D=1"
        );
        assert_eq!(links["prev"], Value::Null);
        assert_eq!(links["last"], links["next"]);
        assert!(
            links["self"]
                .as_str()
                .is_some_and(|s| s.contains("page%5Bnumber%5D=1"))
        );
        Ok(())
    }
}
