//! One function per request: load what it needs, call the services, answer with a view model.

use bms_itglue_core::messages::{Request, Response};
use bms_itglue_core::settings::{Settings, SettingsForm};
use bms_itglue_core::widget::{OrganizationCard, RecordSync, WidgetState};

use crate::{bms, chrome, itglue, storage, sync};

pub async fn handle(request: Request) -> Response {
    match request {
        Request::AccountWidget { account_id } => Response::AccountWidget { state: account_widget(&account_id).await },
        Request::OpenOptions => match chrome::open_options_page().await {
            Ok(()) => Response::Done,
            Err(message) => Response::Failed { message },
        },
        Request::GetSettings => Response::Settings { settings: storage::load_settings().await.public() },
        Request::SaveSettings { form } => save_settings(&form).await,
        Request::TestBms { form } => test_bms(&form).await,
        Request::TestItGlue { form } => test_itglue(&form).await,
        Request::SetAccountSync { account_id, enabled } => sync::set_account_sync(&account_id, enabled).await,
        Request::SyncAccountNow { account_id } => sync::sync_account_now(account_id),
        Request::GetSync => sync::overview().await,
        Request::GetSyncChoices => sync::choices().await,
        Request::SaveSyncSettings { settings } => sync::save_settings(settings).await,
        Request::StartSyncNow => sync::start_now(),
        Request::GetSyncLog => sync::log().await,
    }
}

async fn account_widget(account_id: &str) -> WidgetState {
    let Some(itglue) = storage::load_settings().await.itglue else {
        return WidgetState::NotConfigured;
    };
    let link = sync::account_link(account_id).await;
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
