//! Who sent a message, and what they may ask for. Unknown senders and unlisted pairs are rejected.
//!
//! The facts come from Chrome's `MessageSender`, which the browser stamps and a page cannot forge. A content
//! script runs in a page's tab with the page's URL; an extension page has our own origin.

use crate::messages::Request;
use crate::site::{Site, site_of};

/// The browser-stamped facts about a sender, as the worker receives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderFacts {
    /// The sending extension's id; must be ours.
    pub id: Option<String>,
    /// The URL of the sending document (page or frame).
    pub url: Option<String>,
    /// The URL of the tab the sender lives in, when it lives in a tab.
    pub tab_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionPage {
    Options,
    Popup,
    /// The widget's iframe, used where the page's CSP forbids WebAssembly in content scripts.
    WidgetFrame,
    /// The Manage Data page: synced pairs, orphans, the one-time push.
    Manage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    ContentScript { site: Site },
    Extension { page: ExtensionPage, tab_site: Option<Site> },
}

/// Why a message was refused. Kept for the worker's log; the sender only learns "rejected".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("sender is another extension or unknown")]
    ForeignSender,
    #[error("sender page is not one the extension serves")]
    UnknownPage,
    #[error("this sender may not make this request")]
    NotAllowed,
}

pub fn classify(facts: &SenderFacts, extension_id: &str) -> Result<Sender, Rejection> {
    if facts.id.as_deref() != Some(extension_id) {
        return Err(Rejection::ForeignSender);
    }
    let url = facts.url.as_deref().ok_or(Rejection::UnknownPage)?;
    let origin = format!("chrome-extension://{extension_id}/");
    if let Some(path) = url.strip_prefix(&origin) {
        let page = match path.split(['?', '#']).next().unwrap_or_default() {
            "options.html" => ExtensionPage::Options,
            "popup.html" => ExtensionPage::Popup,
            "frame.html" => ExtensionPage::WidgetFrame,
            "manage.html" => ExtensionPage::Manage,
            _ => return Err(Rejection::UnknownPage),
        };
        return Ok(Sender::Extension { page, tab_site: facts.tab_url.as_deref().and_then(site_of) });
    }
    site_of(url).map(|site| Sender::ContentScript { site }).ok_or(Rejection::UnknownPage)
}

/// The allow-list of (sender, request) pairs.
pub fn authorize(sender: Sender, request: &Request) -> Result<(), Rejection> {
    use ExtensionPage::*;
    let on_bms = matches!(
        sender,
        Sender::ContentScript { site: Site::Bms } | Sender::Extension { page: WidgetFrame, tab_site: Some(Site::Bms) }
    );
    let settings_page = matches!(sender, Sender::Extension { page: Options, .. });
    let manage_page = matches!(sender, Sender::Extension { page: Manage, .. });
    let popup = matches!(sender, Sender::Extension { page: Popup, .. });
    let allowed = match request {
        Request::RecordWidget { .. } => on_bms,
        Request::SetRecordSync { .. } | Request::SyncRecordNow { .. } => on_bms || manage_page,
        Request::OpenOptions => on_bms || popup || manage_page,
        Request::OpenManage { .. } => on_bms || popup || settings_page,
        Request::GetManageData
        | Request::ListLinks { .. }
        | Request::OpenRecord { .. }
        | Request::ConfirmOrphanDeletion { .. }
        | Request::DeleteOrphan { .. }
        | Request::PlanOneTimePush
        | Request::ConfirmOneTimePush { .. } => manage_page,
        Request::GetSettings
        | Request::SaveSettings { .. }
        | Request::TestBms { .. }
        | Request::TestItGlue { .. }
        | Request::GetSyncChoices
        | Request::SaveSyncSettings { .. }
        | Request::GetSyncLog => settings_page,
        Request::GetSync | Request::StartSyncNow => settings_page || popup || manage_page,
    };
    if allowed { Ok(()) } else { Err(Rejection::NotAllowed) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SettingsForm;
    use crate::sync::EntityKind;

    const ID: &str = "abcdefghijklmnopabcdefghijklmnop";

    fn facts(url: &str, tab: Option<&str>) -> SenderFacts {
        SenderFacts { id: Some(ID.into()), url: Some(url.into()), tab_url: tab.map(Into::into) }
    }

    fn verdict(f: SenderFacts, r: Request) -> Result<(), Rejection> {
        authorize(classify(&f, ID)?, &r)
    }

    fn widget_request() -> Request {
        Request::RecordWidget { kind: EntityKind::Organization, bms_id: "1".into() }
    }

    #[test]
    fn only_the_manage_page_manages_data_and_pushes() {
        let manage = facts(&format!("chrome-extension://{ID}/manage.html#organization/1"), None);
        for request in [Request::GetManageData, Request::PlanOneTimePush, Request::ConfirmOneTimePush { plan_id: "x".into() }] {
            assert_eq!(verdict(manage.clone(), request), Ok(()));
        }
        assert_eq!(verdict(manage.clone(), Request::SetRecordSync { kind: EntityKind::Contact, bms_id: "1".into(), enabled: false }), Ok(()));
        assert_eq!(verdict(manage, Request::GetSettings), Err(Rejection::NotAllowed));
        let options = facts(&format!("chrome-extension://{ID}/options.html"), None);
        assert_eq!(verdict(options, Request::PlanOneTimePush), Err(Rejection::NotAllowed));
    }

    #[test]
    fn content_scripts_on_bms_get_widget_data_but_never_settings() {
        let page = facts("https://bms.kaseya.com/react/crm/accounts/1", Some("https://bms.kaseya.com/react/crm/accounts/1"));
        assert_eq!(verdict(page.clone(), widget_request()), Ok(()));
        assert_eq!(verdict(page.clone(), Request::OpenManage { focus: Some((EntityKind::Contact, "3".into())) }), Ok(()));
        assert_eq!(verdict(page.clone(), Request::GetManageData), Err(Rejection::NotAllowed));
        assert_eq!(verdict(page.clone(), Request::PlanOneTimePush), Err(Rejection::NotAllowed));
        assert_eq!(verdict(page.clone(), Request::GetSettings), Err(Rejection::NotAllowed));
        assert_eq!(verdict(page.clone(), Request::TestItGlue { form: SettingsForm::default() }), Err(Rejection::NotAllowed));
        assert_eq!(verdict(page, Request::StartSyncNow), Err(Rejection::NotAllowed));
    }

    #[test]
    fn the_widget_frame_counts_only_inside_a_bms_tab() {
        let frame = format!("chrome-extension://{ID}/frame.html?x=1");
        let r = widget_request;
        assert_eq!(verdict(facts(&frame, Some("http://bms.localhost:9/react/crm/accounts/1")), r()), Ok(()));
        assert_eq!(verdict(facts(&frame, Some("https://example.com/")), r()), Err(Rejection::NotAllowed));
        assert_eq!(verdict(facts(&frame, None), r()), Err(Rejection::NotAllowed));
    }

    #[test]
    fn only_the_options_page_touches_settings() {
        let options = facts(&format!("chrome-extension://{ID}/options.html"), Some("x"));
        assert_eq!(verdict(options, Request::GetSettings), Ok(()));
        let popup = facts(&format!("chrome-extension://{ID}/popup.html"), None);
        assert_eq!(verdict(popup.clone(), Request::GetSettings), Err(Rejection::NotAllowed));
        assert_eq!(verdict(popup.clone(), Request::OpenOptions), Ok(()));
        assert_eq!(verdict(popup.clone(), Request::StartSyncNow), Ok(()));
        assert_eq!(verdict(popup, Request::GetSyncLog), Err(Rejection::NotAllowed));
    }

    #[test]
    fn foreign_and_unknown_senders_are_rejected() {
        let other = SenderFacts { id: Some("other".into()), ..facts("https://bms.kaseya.com/", None) };
        assert_eq!(classify(&other, ID), Err(Rejection::ForeignSender));
        assert_eq!(classify(&facts("https://example.com/", None), ID), Err(Rejection::UnknownPage));
        assert_eq!(classify(&facts(&format!("chrome-extension://{ID}/other.html"), None), ID), Err(Rejection::UnknownPage));
        assert_eq!(classify(&SenderFacts { url: None, ..facts("", None) }, ID), Err(Rejection::UnknownPage));
    }
}
