//! Calls to the BMS v2 API with the stored API-employee credentials.

use bms_itglue_core::bms::{BmsError, auth, envelope};
use bms_itglue_core::settings::BmsSettings;
use bms_itglue_core::sync::status::SyncChoices;
use serde::Deserialize;

use crate::http;

async fn sign_in(settings: &BmsSettings) -> Result<auth::Token, BmsError> {
    let base = settings.server.api_base();
    let reply = http::post_form(&auth::authenticate_url(&base), &[("Accept", "application/json")], auth::authenticate_form(settings))
        .await
        .map_err(|e| BmsError::Network(e.0))?;
    auth::read_token(reply.status, &reply.body)
}

/// Signs in and reads the user's profile: proof that the credentials work end to end.
pub async fn who_am_i(settings: &BmsSettings) -> Result<String, BmsError> {
    let token = sign_in(settings).await?;
    let bearer = format!("Bearer {}", token.access_token);
    let reply = http::get(&auth::userinfo_url(&settings.server.api_base()), &[("Authorization", &bearer), ("Accept", "application/json")])
        .await
        .map_err(|e| BmsError::Network(e.0))?;
    let user = auth::read_userinfo(reply.status, &reply.body)?;
    Ok(format!(
        "Signed in to BMS as {} ({}).",
        user.full_name.unwrap_or_else(|| settings.username.clone()),
        user.business_name.unwrap_or_else(|| settings.company.clone())
    ))
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

async fn names(settings: &BmsSettings, bearer: &str, path: &str) -> Result<Vec<String>, BmsError> {
    let url = settings.server.api_base().join(path);
    let reply = http::get(&url, &[("Authorization", bearer), ("Accept", "application/json")]).await.map_err(|e| BmsError::Network(e.0))?;
    let items: Vec<Named> = envelope::read(reply.status, &reply.body)?;
    Ok(items.into_iter().map(|n| n.name).collect())
}

/// The account types and asset categories the Sync Settings tab offers.
pub async fn sync_choices(settings: &BmsSettings) -> Result<SyncChoices, BmsError> {
    let bearer = format!("Bearer {}", sign_in(settings).await?.access_token);
    Ok(SyncChoices {
        account_types: names(settings, &bearer, "/v2/system/accounttypes/lookup").await?,
        // BMS publishes no asset-category lookup; `/v2/system/lookup/{table}` is the generic one.
        asset_types: names(settings, &bearer, "/v2/system/lookup/AssetCategories").await?,
    })
}
