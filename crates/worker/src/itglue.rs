//! Calls to the IT Glue API with the stored key.

use bms_itglue_core::itglue::{ItGlueError, ItGlueRecord, Organization, api, organization, record};
use bms_itglue_core::sync::EntityKind;
use bms_itglue_sync_runner::itglue_client::plural as collection;
use bms_itglue_core::settings::ItGlueSettings;

use crate::http::{self, Reply};

async fn get(settings: &ItGlueSettings, url: &str) -> Result<String, ItGlueError> {
    let headers = [("x-api-key", settings.api_key.expose()), ("Accept", api::MEDIA_TYPE)];
    let Reply { status, body } = http::get(url, &headers).await.map_err(|e| ItGlueError::Network(e.0))?;
    if (200..300).contains(&status) { Ok(body) } else { Err(api::classify_failure(status, &body)) }
}

/// The IT Glue record linked to a BMS record: a link made by this extension's sync (`synced_id`) comes first;
/// otherwise IT Glue's own PSA link (the native integration).
async fn linked_id(
    settings: &ItGlueSettings,
    kind: EntityKind,
    bms_id: &str,
    synced_id: Option<&str>,
) -> Result<Option<String>, ItGlueError> {
    if let Some(id) = synced_id {
        return Ok(Some(id.to_owned()));
    }
    let body = get(settings, &api::linked_to_bms(&settings.region.api_base(), collection(kind), bms_id)).await?;
    let ids = record::parse_ids(&body).map_err(|e| ItGlueError::Malformed(e.to_string()))?;
    Ok(ids.into_iter().next())
}

/// The organization linked to a BMS account, read in full: the index truncates quick notes to 250 characters.
pub async fn organization_for_account(
    settings: &ItGlueSettings,
    account_id: &str,
    synced_id: Option<&str>,
) -> Result<Option<Organization>, ItGlueError> {
    let Some(id) = linked_id(settings, EntityKind::Organization, account_id, synced_id).await? else {
        return Ok(None);
    };
    let body = get(settings, &api::organization(&settings.region.api_base(), &id)).await?;
    organization::parse_one(&body).map(Some).map_err(|e| ItGlueError::Malformed(e.to_string()))
}

/// A contact or configuration linked to a BMS record.
pub async fn record_for_bms(
    settings: &ItGlueSettings,
    kind: EntityKind,
    bms_id: &str,
    synced_id: Option<&str>,
) -> Result<Option<ItGlueRecord>, ItGlueError> {
    match linked_id(settings, kind, bms_id, synced_id).await? {
        Some(id) => show(settings, kind, &id).await.map(Some),
        None => Ok(None),
    }
}

pub async fn show(settings: &ItGlueSettings, kind: EntityKind, id: &str) -> Result<ItGlueRecord, ItGlueError> {
    let body = get(settings, &api::show(&settings.region.api_base(), collection(kind), id)).await?;
    record::parse_one(kind, &body).map_err(|e| ItGlueError::Malformed(e.to_string()))
}

pub async fn organization_count(settings: &ItGlueSettings) -> Result<u64, ItGlueError> {
    let body = get(settings, &api::connection_probe(&settings.region.api_base())).await?;
    api::total_count(&body).ok_or_else(|| ItGlueError::Malformed("no meta.total-count in the organization list".into()))
}
