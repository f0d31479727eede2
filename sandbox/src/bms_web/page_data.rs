//! `/_sandbox/page-data/*`: the JSON the React pages render from, same-origin, fetched after
//! the shell has loaded (the real app calls its API; the sandbox keeps page and API apart).
//! Also the attachment downloads the ticket page links to.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::json;

use super::data::native::{self, Subjects};
use super::data::{assets, crm, tickets};
use super::session::{self, UserInfo};
use super::{Web, query_value};
use crate::store::StoreError;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/_sandbox/page-data/accounts", get(account_list))
        .route("/_sandbox/page-data/accounts/{id}", get(account))
        .route("/_sandbox/page-data/contacts/{id}", get(contact))
        .route(
            "/_sandbox/page-data/hardwareassets/{id}",
            get(hardware_asset),
        )
        .route("/_sandbox/page-data/tickets", get(ticket_list))
        .route("/_sandbox/page-data/tickets/{id}", get(ticket))
        .route("/_sandbox/attachments/{id}", get(attachment))
}

/// Loads page data as the technician; `None` from `load` is a 404.
fn respond<T: Serialize>(
    web: &Web,
    load: impl FnOnce(&Connection, &UserInfo) -> rusqlite::Result<Option<T>>,
) -> Response {
    let loaded = web
        .app
        .store
        .read(|connection| match session::technician(connection)? {
            Some(user) => load(connection, &user),
            None => Ok(None),
        });
    match loaded {
        Ok(Some(data)) => Json(data).into_response(),
        Ok(None) => not_found(),
        Err(error) => store_error(&error),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": "Record not found"})),
    )
        .into_response()
}

fn store_error(error: &StoreError) -> Response {
    eprintln!("sandbox: BMS page data error: {error}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"error": "An unexpected error occurred."})),
    )
        .into_response()
}

fn id_of(text: &str) -> Option<i64> {
    text.parse().ok()
}

async fn account_list(State(web): State<Web>) -> Response {
    respond(&web, |connection, user| {
        crm::account_list(connection, user.tenant_id).map(Some)
    })
}

async fn account(State(web): State<Web>, Path(id): Path<String>) -> Response {
    let Some(id) = id_of(&id) else {
        return not_found();
    };
    respond(&web, |connection, user| {
        crm::account_page(connection, user.tenant_id, id)
    })
}

async fn contact(State(web): State<Web>, Path(id): Path<String>) -> Response {
    let Some(id) = id_of(&id) else {
        return not_found();
    };
    respond(&web, |connection, user| {
        crm::contact_page(connection, user.tenant_id, id)
    })
}

async fn hardware_asset(State(web): State<Web>, Path(id): Path<String>) -> Response {
    let Some(id) = id_of(&id) else {
        return not_found();
    };
    respond(&web, |connection, user| {
        assets::page(connection, user.tenant_id, id)
    })
}

/// `?assignee=me`: only the technician's tickets.
async fn ticket_list(State(web): State<Web>, RawQuery(query): RawQuery) -> Response {
    let mine = query_value(query.as_deref(), "assignee").as_deref() == Some("me");
    respond(&web, |connection, user| {
        let assignee = mine.then_some(user.user_id);
        tickets::list(connection, user.tenant_id, assignee).map(Some)
    })
}

/// The ticket, plus the native IT Glue integration's data while that switch is on.
#[derive(Serialize)]
struct TicketData {
    #[serde(flatten)]
    page: tickets::TicketPage,
    native: Option<native::NativeView>,
}

async fn ticket(State(web): State<Web>, Path(id): Path<String>) -> Response {
    let Some(id) = id_of(&id) else {
        return not_found();
    };
    let itglue_web = web.app.urls.itglue_web.clone();
    let with_native = web.native.enabled();
    respond(&web, |connection, user| {
        let Some(page) = tickets::page(connection, user.tenant_id, id)? else {
            return Ok(None);
        };
        let native = if with_native {
            let subjects = Subjects {
                account_id: page.row.account.id,
                contact_id: page.contact.as_ref().map(|contact| contact.id),
                hardware_asset_id: page.hardware_asset.as_ref().map(|asset| asset.id),
            };
            Some(native::view(
                connection,
                &itglue_web,
                user.user_id,
                user.tenant_id,
                &subjects,
            )?)
        } else {
            None
        };
        Ok(Some(TicketData { page, native }))
    })
}

async fn attachment(State(web): State<Web>, Path(id): Path<String>) -> Response {
    let Some(id) = id_of(&id) else {
        return not_found();
    };
    let loaded = web
        .app
        .store
        .read(|connection| match session::technician(connection)? {
            Some(user) => tickets::attachment_file(connection, user.tenant_id, id),
            None => Ok(None),
        });
    match loaded {
        Ok(Some((name, file_type, content))) => {
            let media_type = media_type(&file_type);
            let disposition = format!(
                "attachment; filename=\"{}\"",
                name.replace(['"', '\\'], "_")
            );
            let mut response = content.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Ok(None) => not_found(),
        Err(error) => store_error(&error),
    }
}

/// BMS stores a file type such as `.pdf` or `pdf`; unknown ones download as bytes.
fn media_type(file_type: &str) -> &'static str {
    match file_type
        .trim_start_matches('.')
        .to_ascii_lowercase()
        .as_str()
    {
        "txt" | "log" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
