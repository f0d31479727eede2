//! The IT Glue web app, enough for "View in IT Glue": an organization list and pages.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::html::{self, escape};
use crate::itglue::organizations::{self, Organization};
use crate::state::AppState;

const STYLESHEET: &str = include_str!("../../assets/itglue.css");

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(organization_list))
        .route("/{org_id}", get(organization_page))
        .route(
            "/static/itglue.css",
            get(|| async { html::asset("text/css; charset=utf-8", STYLESHEET) }),
        )
        .fallback(|State(state): State<AppState>| async move { not_found(&state) })
        .with_state(state)
}

fn page(itglue_web: &str, title: &str, content: &str) -> String {
    format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | IT Glue</title>
<link rel="stylesheet" href="/static/itglue.css">
</head>
<body>
<header class="itg-topnav">
  <a class="itg-logo" href="{itglue_web}/">IT <span>Glue</span></a>
  <a class="itg-nav-link itg-nav-link--active" href="{itglue_web}/">Organizations</a>
  <a class="itg-nav-link" href="#">Global</a>
  <a class="itg-nav-link" href="#">Account</a>
</header>
<main class="itg-main">
{content}
</main>
</body>
</html>
"##,
        title = escape(title),
    )
}

async fn organization_page(State(state): State<AppState>, Path(org_id): Path<String>) -> Response {
    let Ok(id) = org_id.parse::<i64>() else {
        return not_found(&state);
    };
    match state
        .store
        .read(|connection| organizations::find(connection, id))
    {
        Ok(Some(organization)) => {
            let body = organization_body(&organization);
            Html(page(&state.urls.itglue_web, &organization.name, &body)).into_response()
        }
        Ok(None) => not_found(&state),
        Err(error) => {
            eprintln!("sandbox: IT Glue web error: {error}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Quick notes are shown as escaped text: the sandbox never renders stored HTML.
fn organization_body(organization: &Organization) -> String {
    let dash = || "&mdash;".to_owned();
    let text = |value: Option<&str>| value.filter(|v| !v.is_empty()).map_or_else(dash, escape);
    let psa = match organization.psa_integration.as_deref() {
        Some("enabled") => r#"<span class="itg-pill itg-pill--psa">Synced with PSA</span>"#,
        Some("orphaned") => r#"<span class="itg-pill">PSA link orphaned</span>"#,
        _ => "",
    };
    format!(
        r#"<div class="itg-org-header">
  <h1>{name}</h1>
  <span class="itg-pill">{kind}</span>
  <span class="itg-pill">{status}</span>
  {psa}
</div>
<section class="itg-panel">
  <h2>Quick Notes</h2>
  <div class="itg-panel-body"><pre class="itg-quick-notes">{notes}</pre></div>
</section>
<section class="itg-panel">
  <h2>Details</h2>
  <div class="itg-panel-body">
    <dl class="itg-details">
      <dt>Organization Type</dt><dd>{kind}</dd>
      <dt>Organization Status</dt><dd>{status}</dd>
      <dt>Short Name</dt><dd>{short_name}</dd>
      <dt>Description</dt><dd>{description}</dd>
      <dt>Alert</dt><dd>{alert}</dd>
    </dl>
  </div>
</section>"#,
        name = escape(&organization.name),
        kind = text(organization.type_name.as_deref()),
        status = text(organization.status_name.as_deref()),
        notes = text(organization.quick_notes.as_deref()),
        short_name = text(organization.short_name.as_deref()),
        description = text(organization.description.as_deref()),
        alert = text(organization.alert.as_deref()),
    )
}

async fn organization_list(State(state): State<AppState>) -> Response {
    match state.store.read(organizations::all_by_name) {
        Ok(all) => {
            let rows: String = all
                .iter()
                .map(|organization| {
                    format!(
                        r#"<tr><td><a href="{url}">{name}</a></td><td>{kind}</td><td>{status}</td></tr>"#,
                        url = organization.resource_url(&state.urls.itglue_web),
                        name = escape(&organization.name),
                        kind = escape(organization.type_name.as_deref().unwrap_or("")),
                        status = escape(organization.status_name.as_deref().unwrap_or("")),
                    )
                })
                .collect();
            let body = format!(
                r#"<section class="itg-panel"><h2>Organizations</h2>
<table class="itg-table"><thead><tr><th>Name</th><th>Type</th><th>Status</th></tr></thead><tbody>{rows}</tbody></table>
</section>"#
            );
            Html(page(&state.urls.itglue_web, "Organizations", &body)).into_response()
        }
        Err(error) => {
            eprintln!("sandbox: IT Glue web error: {error}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn not_found(state: &AppState) -> Response {
    let body = r#"<div class="itg-not-found"><h1>Not found</h1><p>The page you were looking for doesn't exist. You may have mistyped the address or the page may have moved.</p></div>"#;
    let html = page(&state.urls.itglue_web, "Not found", body);
    (StatusCode::NOT_FOUND, Html(html)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_notes_render_as_text() {
        let organization = Organization {
            id: 1,
            name: "A & B".to_owned(),
            alert: None,
            description: None,
            type_id: None,
            type_name: Some("Customer".to_owned()),
            status_id: None,
            status_name: None,
            primary: false,
            logo: None,
            quick_notes: Some("<script>window.__pwned = 1</script>".to_owned()),
            short_name: None,
            created_at: String::new(),
            updated_at: String::new(),
            parent_id: None,
            psa_integration: None,
            ancestor_ids: Vec::new(),
        };
        let html = organization_body(&organization);
        assert!(html.contains("&lt;script&gt;window.__pwned = 1&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("<h1>A &amp; B</h1>"));
    }
}
