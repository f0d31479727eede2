//! Durable worker state. Settings hold the secrets; `extension/worker.js` restricts `chrome.storage.local` to
//! trusted contexts before anything is stored, so content scripts cannot read it.

use bms_itglue_core::settings::Settings;

use crate::chrome;

const SETTINGS_KEY: &str = "settings";

/// The saved settings. Unreadable stored data counts as "not configured" rather than failing every request.
pub async fn load_settings() -> Settings {
    match chrome::stored_string(SETTINGS_KEY).await {
        Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_else(|e| {
            web_sys::console::error_1(&format!("bms-itglue: stored settings are unreadable ({e}); treating as unset").into());
            Settings::default()
        }),
        Ok(None) => Settings::default(),
        Err(e) => {
            web_sys::console::error_1(&format!("bms-itglue: cannot read settings: {e}").into());
            Settings::default()
        }
    }
}

pub async fn save_settings(settings: &Settings) -> Result<(), String> {
    let json = serde_json::to_string(settings).map_err(|e| e.to_string())?;
    chrome::store_string(SETTINGS_KEY, &json).await
}
