//! JSON:API envelopes as IT Glue serves them: string ids, kebab-case attributes, `meta` for paging.

use serde::Deserialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Deserialize)]
pub struct Resource<A> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub attributes: A,
}

#[derive(Debug, Deserialize)]
pub struct Single<A> {
    pub data: Resource<A>,
}

#[derive(Debug, Deserialize)]
pub struct List<A> {
    pub data: Vec<Resource<A>>,
    #[serde(default)]
    pub meta: Option<Meta>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub struct Meta {
    pub current_page: Option<u32>,
    pub next_page: Option<u32>,
    pub total_pages: Option<u32>,
    pub total_count: Option<u64>,
}

/// One entry of a JSON:API `errors` array. IT Glue sends `status` as a number, the spec says a string: take both.
#[derive(Debug, Deserialize)]
pub struct ErrorObject {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDocument {
    pub errors: Vec<ErrorObject>,
}

impl ErrorDocument {
    /// "title: detail" of the first error, the way IT Glue's own tools print it.
    pub fn summary(&self) -> Option<String> {
        let first = self.errors.first()?;
        match (&first.title, &first.detail) {
            (Some(t), Some(d)) if t != d => Some(format!("{t}: {d}")),
            (Some(t), _) => Some(t.clone()),
            (None, Some(d)) => Some(d.clone()),
            (None, None) => None,
        }
    }
}

pub fn parse<T: DeserializeOwned>(body: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(body)
}
