//! Form bodies of the security endpoints: `application/x-www-form-urlencoded` as real
//! clients send, or `multipart/form-data` as the spec declares. Field names are
//! case-insensitive, like ASP.NET model binding.

use std::collections::HashMap;

use axum::body::to_bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

use super::envelope::ApiError;

/// Bodies of the security endpoints are a handful of short fields.
const MAX_BODY: usize = 64 * 1024;

#[derive(Debug, Default)]
pub struct FormFields(HashMap<String, String>);

impl FormFields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    fn insert(&mut self, name: &str, value: String) {
        self.0.insert(name.to_ascii_lowercase(), value);
    }
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-www-form-urlencoded" => read_urlencoded(request).await,
            "multipart/form-data" => read_multipart(request, state).await,
            // A bodiless POST binds to empty fields; validation then reports what is missing.
            "" => Ok(Self::default()),
            _ => Err(ApiError::UnsupportedMediaType(content_type)),
        }
    }
}

async fn read_urlencoded(request: Request) -> Result<FormFields, ApiError> {
    let body = to_bytes(request.into_body(), MAX_BODY)
        .await
        .map_err(|error| ApiError::BadBody(error.to_string()))?;
    let mut fields = FormFields::default();
    for (name, value) in form_urlencoded::parse(&body) {
        fields.insert(&name, value.into_owned());
    }
    Ok(fields)
}

async fn read_multipart<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<FormFields, ApiError> {
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| ApiError::BadBody(rejection.body_text()))?;
    let mut fields = FormFields::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| ApiError::BadBody(error.body_text()))?
    {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let value = field
            .text()
            .await
            .map_err(|error| ApiError::BadBody(error.body_text()))?;
        fields.insert(&name, value);
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::FormFields;

    #[test]
    fn lookups_ignore_case() {
        let mut fields = FormFields::default();
        fields.insert("UserName", "itglue.api".to_owned());
        assert_eq!(fields.get("username"), Some("itglue.api"));
        assert_eq!(fields.get("USERNAME"), Some("itglue.api"));
        assert_eq!(fields.get("password"), None);
    }
}
