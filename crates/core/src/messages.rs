//! The one message protocol between the extension's pages and its service worker.
//!
//! Pages send a [`Request`]; the worker checks the sender ([`crate::sender`]) and answers with a [`Response`].
//! Both travel as JSON through `chrome.runtime.sendMessage`.

use serde::{Deserialize, Serialize};

use crate::settings::{PublicSettings, SettingsForm};
use crate::sync::manage::{CategoryView, LinkFilter, LinkPage, PushPlanView};
use crate::sync::status::{LogLine, SyncChoices, SyncStatus};
use crate::sync::{EntityKind, OrphanDeletion, Side, SyncSettings};
use crate::widget::WidgetState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Request {
    /// The widget on a BMS account, contact or hardware-asset page asks what IT Glue knows about the record.
    RecordWidget { kind: EntityKind, bms_id: String },
    /// "Enable sync" / "Disable sync" for one pair, from its widget or the Manage Data page.
    SetRecordSync { kind: EntityKind, bms_id: String, enabled: bool },
    /// "Sync now": syncs this BMS record only.
    SyncRecordNow { kind: EntityKind, bms_id: String },
    /// The widget's "Open settings" link.
    OpenOptions,
    /// The widget's "Manage": the Manage Data page, showing this record's pair.
    OpenManage { focus: Option<(EntityKind, String)> },
    /// Opens a synced record's page in IT Glue or BMS in a new tab.
    OpenRecord { side: Side, kind: EntityKind, id: String },
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
    /// The Manage Data page: counts per category.
    GetManageData,
    ListLinks { kind: EntityKind, filter: LinkFilter, query: String },
    /// Step one of deleting an orphan's IT Glue record: the confirmation to show.
    ConfirmOrphanDeletion { kind: EntityKind, itg_id: String },
    /// Step two, with the confirmation the person accepted.
    DeleteOrphan { confirmation: OrphanDeletion },
    /// The one-time push of IT Glue data to BMS, as a dry run.
    PlanOneTimePush,
    /// Carries out the push whose dry run had this id, if nothing changed since.
    ConfirmOneTimePush { plan_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Response {
    Widget { state: WidgetState },
    Settings { settings: PublicSettings },
    ConnectionTest { ok: bool, message: String },
    Sync { status: SyncStatus, settings: SyncSettings },
    SyncChoices { choices: SyncChoices },
    SyncLog { lines: Vec<LogLine> },
    ManageData { categories: Vec<CategoryView>, status: SyncStatus },
    Links { page: LinkPage },
    OrphanDeletion { confirmation: OrphanDeletion, prompt: String },
    PushPlan { view: PushPlanView },
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
        let r = Request::from_json(json!({"type": "record-widget", "kind": "contact", "bms_id": "101"}));
        assert_eq!(r, Some(Request::RecordWidget { kind: EntityKind::Contact, bms_id: "101".into() }));
        let r = Request::from_json(json!({"type": "open-manage", "focus": ["organization", "7"]}));
        assert_eq!(r, Some(Request::OpenManage { focus: Some((EntityKind::Organization, "7".into())) }));
        assert_eq!(Request::from_json(json!({"type": "get-settings"})), Some(Request::GetSettings));
    }

    #[test]
    fn unknown_or_malformed_messages_are_rejected() {
        assert_eq!(Request::from_json(json!({"type": "get-secrets"})), None);
        assert_eq!(Request::from_json(json!({"type": "record-widget", "kind": "contact"})), None);
        assert_eq!(Request::from_json(json!({"type": "record-widget", "kind": "ticket", "bms_id": "1"})), None);
        assert_eq!(Request::from_json(json!({"type": "record-widget", "kind": "contact", "bms_id": 101})), None);
        assert_eq!(Request::from_json(json!({"type": "list-links", "kind": "contact", "filter": "mine", "query": ""})), None);
        assert_eq!(Request::from_json(json!("get-settings")), None);
        assert_eq!(Request::from_json(json!({"type": "get-settings", "also": "this"})), None);
    }
}
