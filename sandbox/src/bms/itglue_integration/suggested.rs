//! Suggested IT Glue documents and passwords for a ticket:
//! `GET /v2/integrations/itglue/{subjectId}/suggestedresources/{subjectType}?resourceType=`
//! and `…/count`.
//!
//! The real suggestions come from the ticket settings configured in IT Glue, which the
//! sandbox does not model. Its rule: for subject type `ticket`, the documents and
//! passwords of the organization synced with the ticket's account whose name shares a
//! whole word (three letters or more, not a stop word, any case) with the ticket title.
//! Archived and restricted records are never suggested. `resourceType` 0 = documents,
//! 1 = passwords; without it both are returned.

use std::collections::HashSet;

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, Row};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::params::QueryParams;
use super::super::security::AuthUser;
use super::super::servicedesk::support::bms_datetime;
use super::super::servicedesk::tickets::{ensure_visible, store, ticket_id};
use super::mapping;
use crate::state::AppState;

const DOCUMENTS: i64 = 0;
const PASSWORDS: i64 = 1;
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "with", "from", "not", "new", "can", "our", "all", "off", "out", "are",
    "was", "has", "into", "this", "that", "please", "need", "needs",
];

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    resource_id: i64,
    resource_type: &'static str,
    resource_url: String,
    name: String,
    organization_name: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    vault_id: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionCount {
    suggested_passwords: usize,
    suggested_documents: usize,
}

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|word| word.chars().count() >= 3 && !STOP_WORDS.contains(&word.as_str()))
        .collect()
}

/// Every suggestion for the subject, documents first.
fn suggestions(
    connection: &Connection,
    user: AuthUser,
    web: &str,
    subject: i64,
    subject_type: &str,
) -> Result<Vec<Suggestion>, ApiError> {
    if !subject_type.eq_ignore_ascii_case("ticket") {
        return Ok(Vec::new());
    }
    ensure_visible(connection, user, subject)?;
    let Some(ticket) = store::load(connection, user.tenant_id, subject)? else {
        return Ok(Vec::new());
    };
    let Some(organization) = mapping::organization_of_account(connection, ticket.account_id)?
    else {
        return Ok(Vec::new());
    };
    let title = words(&ticket.title);
    let mut found = candidates(
        connection,
        "SELECT d.id, d.name, o.name, d.created_at, d.updated_at, NULL
         FROM itglue_documents d JOIN itglue_organizations o ON o.id = d.organization_id
         WHERE d.organization_id = ?1 AND d.archived = 0 AND d.restricted = 0 ORDER BY d.name,
         d.id",
        organization,
        |row| suggestion(row, "Document", &format!("{web}/{organization}/docs")),
    )?;
    found.extend(candidates(
        connection,
        "SELECT p.id, p.name, o.name, p.created_at, p.updated_at, p.vault_id
         FROM itglue_passwords p JOIN itglue_organizations o ON o.id = p.organization_id
         WHERE p.organization_id = ?1 AND p.archived = 0 AND p.restricted = 0 ORDER BY p.name,
         p.id",
        organization,
        |row| suggestion(row, "Password", &format!("{web}/{organization}/passwords")),
    )?);
    found.retain(|item| !words(&item.name).is_disjoint(&title));
    Ok(found)
}

fn candidates(
    connection: &Connection,
    sql: &str,
    organization: i64,
    map: impl Fn(&Row<'_>) -> rusqlite::Result<Suggestion>,
) -> rusqlite::Result<Vec<Suggestion>> {
    let mut statement = connection.prepare(sql)?;
    statement.query_map([organization], map)?.collect()
}

fn suggestion(
    row: &Row<'_>,
    resource_type: &'static str,
    base: &str,
) -> rusqlite::Result<Suggestion> {
    let id: i64 = row.get(0)?;
    let created: Option<String> = row.get(3)?;
    let updated: Option<String> = row.get(4)?;
    Ok(Suggestion {
        resource_id: id,
        resource_type,
        resource_url: format!("{base}/{id}"),
        name: row.get(1)?,
        organization_name: row.get(2)?,
        created_at: created.as_deref().map(bms_datetime),
        updated_at: updated.as_deref().map(bms_datetime),
        vault_id: row.get(5)?,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((subject, subject_type)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<Suggestion>>>, ApiError> {
    let subject = ticket_id(&subject)?;
    let wanted = QueryParams::parse(uri.query()).integer("resourceType")?;
    let web = state.urls.itglue_web.clone();
    let mut found = state
        .store
        .try_write(|connection| suggestions(connection, user, &web, subject, &subject_type))?;
    found.retain(|item| match wanted {
        Some(DOCUMENTS) => item.resource_type == "Document",
        Some(PASSWORDS) => item.resource_type == "Password",
        _ => true,
    });
    Ok(envelope::success(found))
}

pub async fn count(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((subject, subject_type)): Path<(String, String)>,
) -> Result<Json<Envelope<SuggestionCount>>, ApiError> {
    let subject = ticket_id(&subject)?;
    let web = state.urls.itglue_web.clone();
    let found = state
        .store
        .try_write(|connection| suggestions(connection, user, &web, subject, &subject_type))?;
    let passwords = found
        .iter()
        .filter(|item| item.resource_type == "Password")
        .count();
    Ok(envelope::success(SuggestionCount {
        suggested_passwords: passwords,
        suggested_documents: found.len() - passwords,
    }))
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn whole_words_only() {
        let title = words("Printer offline in room 3 - please help");
        assert!(title.contains("printer"));
        assert!(!title.contains("please"));
        assert!(words("Printers guide").is_disjoint(&title));
        assert!(!words("Office printer setup").is_disjoint(&title));
    }
}
