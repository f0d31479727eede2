//! The one message protocol between the extension's pages and its service worker.
//!
//! Pages send a [`Request`]; the worker checks the sender ([`crate::sender`]) and answers with a [`Response`].
//! Both travel as JSON through `chrome.runtime.sendMessage`.

use serde::{Deserialize, Serialize};

use crate::settings::{PublicSettings, SettingsForm};
use crate::sync::SyncSettings;
use crate::sync::status::{LogLine, SyncChoices, SyncStatus};
use crate::widget::WidgetState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Request {
    /// The widget on a BMS account page asks what IT Glue knows about the account.
    AccountWidget { account_id: String },
    /// The widget's "Enable sync" / "Disable sync" for the account's pair.
    SetAccountSync { account_id: String, enabled: bool },
    /// The widget's "Sync now": syncs this account only.
    SyncAccountNow { account_id: String },
    /// The widget's "Open settings" link.
    OpenOptions,
    GetSettings,
    SaveSettings { form: SettingsForm },
    TestBms { form: SettingsForm },
    TestItGlue { form: SettingsForm },
    /// The popup and the options page ask for the sync status and settings.
    GetSync,
    /// Reads the account types and asset categories BMS offers, for the Sync Settings tab.
    GetSyncChoices,
    /// Saving queues a sync an hour later, as the native integration does.
    SaveSyncSettings { settings: SyncSettings },
    StartSyncNow,
    GetSyncLog,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Response {
    AccountWidget { state: WidgetState },
    Settings { settings: PublicSettings },
    ConnectionTest { ok: bool, message: String },
    Sync { status: SyncStatus, settings: SyncSettings },
    SyncChoices { choices: SyncChoices },
    SyncLog { lines: Vec<LogLine> },
    Done,
    /// The request could not be carried out; `message` says why in words for the technician.
    Failed { message: String },
    /// The sender may not make this request, or the message did not parse. Deliberately terse.
    Rejected,
}

impl Request {
    /// Parses an incoming message; anything that is not exactly a known request is rejected, including a known
    /// request with extra fields (serde would silently drop them on the field-less variants).
    pub fn from_json(value: serde_json::Value) -> Option<Request> {
        let request: Request = serde_json::from_value(value.clone()).ok()?;
        (serde_json::to_value(&request).ok()? == value).then_some(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_requests_parse() {
        let r = Request::from_json(json!({"type": "account-widget", "account_id": "101"}));
        assert_eq!(r, Some(Request::AccountWidget { account_id: "101".into() }));
        assert_eq!(Request::from_json(json!({"type": "get-settings"})), Some(Request::GetSettings));
    }

    #[test]
    fn unknown_or_malformed_messages_are_rejected() {
        assert_eq!(Request::from_json(json!({"type": "get-secrets"})), None);
        assert_eq!(Request::from_json(json!({"type": "account-widget"})), None);
        assert_eq!(Request::from_json(json!({"type": "account-widget", "account_id": 101})), None);
        assert_eq!(Request::from_json(json!("get-settings")), None);
        assert_eq!(Request::from_json(json!({"type": "get-settings", "also": "this"})), None);
    }
}
