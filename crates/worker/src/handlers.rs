//! One function per request: load what it needs, call the services, answer with a view model.

use bms_itglue_core::bms::page::record_path;
use bms_itglue_core::messages::{Request, Response};
use bms_itglue_core::settings::{Settings, SettingsForm};
use bms_itglue_core::sync::{EntityKind, Side};
use bms_itglue_core::widget::{OrganizationCard, RecordCard, RecordSync, WidgetState, web_url};

use crate::{bms, chrome, itglue, storage, sync};

pub async fn handle(request: Request) -> Response {
    match request {
        Request::RecordWidget { kind, bms_id } => Response::Widget { state: record_widget(kind, &bms_id).await },
        Request::OpenOptions => done_or_failed(chrome::open_options_page().await),
        Request::OpenManage { focus } => open_manage(focus).await,
        Request::OpenRecord { side, kind, id } => done_or_failed(open_record(side, kind, &id).await),
        Request::GetSettings => Response::Settings { settings: storage::load_settings().await.public() },
        Request::SaveSettings { form } => save_settings(&form).await,
        Request::TestBms { form } => test_bms(&form).await,
        Request::TestItGlue { form } => test_itglue(&form).await,
        Request::SetRecordSync { kind, bms_id, enabled } => sync::set_record_sync(kind, &bms_id, enabled).await,
        Request::SyncRecordNow { kind, bms_id } => sync::sync_record_now(kind, bms_id),
        Request::GetSync => sync::overview().await,
        Request::GetSyncChoices => sync::choices().await,
        Request::SaveSyncSettings { settings } => sync::save_settings(settings).await,
        Request::StartSyncNow => sync::start_now(),
        Request::GetSyncLog => sync::log().await,
        Request::GetManageData => sync::manage_data().await,
        Request::ListLinks { kind, filter, query } => sync::list_links(kind, filter, &query).await,
        Request::ConfirmOrphanDeletion { kind, itg_id } => sync::confirm_orphan_deletion(kind, &itg_id).await,
        Request::DeleteOrphan { confirmation } => sync::delete_orphan(confirmation).await,
        Request::PlanOneTimePush => sync::plan_one_time_push().await,
        Request::ConfirmOneTimePush { plan_id } => sync::confirm_one_time_push(plan_id).await,
    }
}

/// `Done`, or the failure in words for the technician.
pub fn done_or_failed<E: std::fmt::Display>(result: Result<(), E>) -> Response {
    match result {
        Ok(()) => Response::Done,
        Err(e) => Response::Failed { message: e.to_string() },
    }
}

/// The Manage Data page, showing one pair when the widget asked for it.
async fn open_manage(focus: Option<(EntityKind, String)>) -> Response {
    let fragment = focus.map(|(kind, id)| format!("#{kind}/{}", js_sys::encode_uri_component(&id))).unwrap_or_default();
    done_or_failed(chrome::open_tab(&format!("{}{fragment}", chrome::extension_url("manage.html"))).await)
}

/// Opens a synced record's page: in IT Glue the address the API gives for it, in BMS the record's page.
async fn open_record(side: Side, kind: EntityKind, id: &str) -> Result<(), String> {
    let settings = storage::load_settings().await;
    let url = match side {
        Side::ItGlue => {
            let itglue = settings.itglue.ok_or("Set up the IT Glue connection first.")?;
            let record = itglue::show(&itglue, kind, id).await.map_err(|e| e.to_string())?;
            web_url(record.resource_url.as_deref()).ok_or("IT Glue gave no web address for this record.")?
        }
        Side::Bms => {
            let bms = settings.bms.ok_or("Set up the BMS connection first.")?;
            let path = record_path(kind, id).ok_or("BMS shows locations on their account's page, not on a page of their own.")?;
            bms.web_base().join(&path)
        }
    };
    chrome::open_tab(&url).await
}

async fn record_widget(kind: EntityKind, bms_id: &str) -> WidgetState {
    match kind {
        EntityKind::Organization => account_widget(bms_id).await,
        EntityKind::Contact | EntityKind::Configuration => linked_record_widget(kind, bms_id).await,
        EntityKind::Location => WidgetState::Error { detail: "Locations have no page of their own in BMS.".into() },
    }
}

async fn linked_record_widget(kind: EntityKind, bms_id: &str) -> WidgetState {
    let Some(itglue) = storage::load_settings().await.itglue else {
        return WidgetState::NotConfigured;
    };
    let link = sync::record_link(kind, bms_id).await;
    let synced_id = link.as_ref().map(|l| l.itg.as_str().to_owned());
    match itglue::record_for_bms(&itglue, kind, bms_id, synced_id.as_deref()).await {
        Ok(Some(record)) => {
            WidgetState::Record { card: RecordCard::new(kind, &record), sync: link.as_ref().map(RecordSync::from_link) }
        }
        Ok(None) => WidgetState::NotLinked,
        Err(e) => WidgetState::from_itglue_error(e),
    }
}

async fn account_widget(account_id: &str) -> WidgetState {
    let Some(itglue) = storage::load_settings().await.itglue else {
        return WidgetState::NotConfigured;
    };
    let link = sync::record_link(EntityKind::Organization, account_id).await;
    // A disconnected or orphaned pair still names the organization; only its sync status differs.
    let synced_id = link.as_ref().map(|l| l.itg.as_str().to_owned());
    match itglue::organization_for_account(&itglue, account_id, synced_id.as_deref()).await {
        Ok(Some(org)) => {
            WidgetState::Organization { card: OrganizationCard::from(&org), sync: link.as_ref().map(RecordSync::from_link) }
        }
        Ok(None) => WidgetState::NotLinked,
        Err(e) => WidgetState::from_itglue_error(e),
    }
}

async fn save_settings(form: &SettingsForm) -> Response {
    let saved = storage::load_settings().await;
    let settings = match Settings::from_form(form, &saved) {
        Ok(settings) => settings,
        Err(e) => return Response::Failed { message: e.to_string() },
    };
    match storage::save_settings(&settings).await {
        Ok(()) => Response::Settings { settings: settings.public() },
        Err(e) => Response::Failed { message: format!("cannot save settings: {e}") },
    }
}

/// Tests the values in the form, with saved secrets standing in for empty secret fields.
async fn candidate(form: &SettingsForm) -> Result<Settings, Response> {
    Settings::from_form(form, &storage::load_settings().await).map_err(|e| Response::Failed { message: e.to_string() })
}

async fn test_bms(form: &SettingsForm) -> Response {
    let settings = match candidate(form).await {
        Ok(settings) => settings,
        Err(response) => return response,
    };
    let Some(bms) = settings.bms else {
        return Response::ConnectionTest { ok: false, message: "Enter the BMS API user name, password and company.".into() };
    };
    match bms::who_am_i(&bms).await {
        Ok(message) => Response::ConnectionTest { ok: true, message },
        Err(e) => Response::ConnectionTest { ok: false, message: e.to_string() },
    }
}

async fn test_itglue(form: &SettingsForm) -> Response {
    let settings = match candidate(form).await {
        Ok(settings) => settings,
        Err(response) => return response,
    };
    let Some(itglue) = settings.itglue else {
        return Response::ConnectionTest { ok: false, message: "Enter an IT Glue API key.".into() };
    };
    match itglue::organization_count(&itglue).await {
        Ok(count) => Response::ConnectionTest { ok: true, message: format!("Connected to IT Glue: {count} organizations visible to this key.") },
        Err(e) => Response::ConnectionTest { ok: false, message: e.to_string() },
    }
}
