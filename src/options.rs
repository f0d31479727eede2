//! The options page: connection settings for both services, each with a "Test connection" button.

use bms_itglue_core::messages::{Request, Response};
use bms_itglue_core::settings::{BmsServer, ItGlueRegion, PublicSettings, SettingsForm};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::controls::{Outcome, failure, outcome_view, page_header, tab_button};
use crate::runtime;
use crate::sync_view::{self, SyncState};

/// The form's fields. Secret fields start empty: the page never receives saved secrets.
#[derive(Clone, Copy)]
struct Fields {
    bms_server: RwSignal<String>,
    bms_custom_url: RwSignal<String>,
    bms_custom_web_url: RwSignal<String>,
    bms_username: RwSignal<String>,
    bms_password: RwSignal<String>,
    bms_company: RwSignal<String>,
    bms_password_saved: RwSignal<bool>,
    itg_region: RwSignal<String>,
    itg_custom_url: RwSignal<String>,
    itg_api_key: RwSignal<String>,
    itg_api_key_saved: RwSignal<bool>,
}

impl Fields {
    fn new() -> Self {
        Fields {
            bms_server: RwSignal::new("bms.kaseya.com".into()),
            bms_custom_url: RwSignal::new(String::new()),
            bms_custom_web_url: RwSignal::new(String::new()),
            bms_username: RwSignal::new(String::new()),
            bms_password: RwSignal::new(String::new()),
            bms_company: RwSignal::new(String::new()),
            bms_password_saved: RwSignal::new(false),
            itg_region: RwSignal::new("us".into()),
            itg_custom_url: RwSignal::new(String::new()),
            itg_api_key: RwSignal::new(String::new()),
            itg_api_key_saved: RwSignal::new(false),
        }
    }

    fn form(&self) -> SettingsForm {
        SettingsForm {
            bms_server: self.bms_server.get_untracked(),
            bms_custom_url: self.bms_custom_url.get_untracked(),
            bms_custom_web_url: self.bms_custom_web_url.get_untracked(),
            bms_username: self.bms_username.get_untracked(),
            bms_password: self.bms_password.get_untracked(),
            bms_company: self.bms_company.get_untracked(),
            itg_region: self.itg_region.get_untracked(),
            itg_custom_url: self.itg_custom_url.get_untracked(),
            itg_api_key: self.itg_api_key.get_untracked(),
        }
    }

    fn show(&self, saved: PublicSettings) {
        self.bms_server.set(saved.bms_server);
        self.bms_custom_url.set(saved.bms_custom_url);
        self.bms_custom_web_url.set(saved.bms_custom_web_url);
        self.bms_username.set(saved.bms_username);
        self.bms_company.set(saved.bms_company);
        self.bms_password.set(String::new());
        self.bms_password_saved.set(saved.bms_password_saved);
        self.itg_region.set(saved.itg_region);
        self.itg_custom_url.set(saved.itg_custom_url);
        self.itg_api_key.set(String::new());
        self.itg_api_key_saved.set(saved.itg_api_key_saved);
    }
}

pub fn mount() -> Result<(), JsValue> {
    leptos::mount::mount_to(crate::body()?, options_page).forget();
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Connection,
    SyncSettings,
    TwoWay,
    Logs,
}

fn options_page() -> impl IntoView {
    let tab = RwSignal::new(Tab::Connection);
    let sync = SyncState::load();
    view! {
        <main class="options">
            {page_header("BMS ⇄ IT Glue settings")}
            <nav class="tabs" role="tablist">
                {tab_button(tab, "tab-connection", "Connection", Tab::Connection)}
                {tab_button(tab, "tab-sync", "Sync Settings", Tab::SyncSettings)}
                {tab_button(tab, "tab-two-way", "Two-Way Sync Settings", Tab::TwoWay)}
                {tab_button(tab, "tab-logs", "Sync Logs", Tab::Logs)}
            </nav>
            {move || match tab.get() {
                Tab::Connection => connection_tab().into_any(),
                Tab::SyncSettings => view! { {sync_view::status_bar(sync)} {sync_view::settings_tab(sync)} }.into_any(),
                Tab::TwoWay => view! { {sync_view::status_bar(sync)} {sync_view::two_way_tab(sync)} }.into_any(),
                Tab::Logs => view! { {sync_view::status_bar(sync)} {sync_view::log_tab()} }.into_any(),
            }}
        </main>
    }
}

fn connection_tab() -> impl IntoView {
    let fields = Fields::new();
    let save_status = RwSignal::new(Outcome::default());
    let bms_test = RwSignal::new(Outcome::default());
    let itg_test = RwSignal::new(Outcome::default());
    spawn_local(async move {
        if let Response::Settings { settings } = runtime::send(&Request::GetSettings).await {
            fields.show(settings);
        }
    });
    let save = move |_| {
        save_status.set(Outcome::pending("Saving…"));
        spawn_local(async move {
            let outcome = match runtime::send(&Request::SaveSettings { form: fields.form() }).await {
                Response::Settings { settings } => {
                    fields.show(settings);
                    Outcome::success("Settings saved.")
                }
                other => failure(other),
            };
            save_status.set(outcome);
        });
    };
    let test = move |request: fn(SettingsForm) -> Request, target: RwSignal<Outcome>| {
        target.set(Outcome::pending("Testing…"));
        spawn_local(async move {
            let outcome = match runtime::send(&request(fields.form())).await {
                Response::ConnectionTest { ok, message } => Outcome { ok: Some(ok), message },
                other => failure(other),
            };
            target.set(outcome);
        });
    };
    view! {
        <section class="tab-panel">
            <p class="lead">"Credentials are kept by the extension's background worker. BMS and IT Glue pages never see them."</p>
            <fieldset>
                <legend>"Kaseya BMS"</legend>
                <label for="bms-server">"Server"</label>
                <select id="bms-server" prop:value=move || fields.bms_server.get()
                    on:change=move |ev| fields.bms_server.set(event_target_value(&ev))>
                    {BmsServer::CHOICES.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    <option value="custom">"Custom URL"</option>
                </select>
                <Show when=move || fields.bms_server.get() == "custom">
                    <label for="bms-custom-url">"API URL"</label>
                    <input id="bms-custom-url" type="url" placeholder="https://api.bms.example.com"
                        prop:value=move || fields.bms_custom_url.get()
                        on:input=move |ev| fields.bms_custom_url.set(event_target_value(&ev))/>
                    <label for="bms-custom-web-url">"Web address (optional)"</label>
                    <input id="bms-custom-web-url" type="url" placeholder="The API URL without its api. prefix"
                        prop:value=move || fields.bms_custom_web_url.get()
                        on:input=move |ev| fields.bms_custom_web_url.set(event_target_value(&ev))/>
                </Show>
                {text_input("bms-username", "API user name", "text", fields.bms_username, None)}
                {text_input("bms-password", "Password", "password", fields.bms_password, Some(fields.bms_password_saved))}
                {text_input("bms-company", "Company", "text", fields.bms_company, None)}
                <p class="hint">"Use a dedicated API Employee user (Admin › HR › Employees). The company is shown in BMS under My Settings."</p>
                <div class="actions">
                    <button id="test-bms" type="button" on:click=move |_| test(|form| Request::TestBms { form }, bms_test)>"Test connection"</button>
                    {outcome_view("bms-test-result", "", bms_test)}
                </div>
            </fieldset>
            <fieldset>
                <legend>"IT Glue"</legend>
                <label for="itg-region">"Region"</label>
                <select id="itg-region" prop:value=move || fields.itg_region.get()
                    on:change=move |ev| fields.itg_region.set(event_target_value(&ev))>
                    {ItGlueRegion::CHOICES.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    <option value="custom">"Custom URL"</option>
                </select>
                <Show when=move || fields.itg_region.get() == "custom">
                    <label for="itg-custom-url">"API URL"</label>
                    <input id="itg-custom-url" type="url" placeholder="https://api.itglue.example.com"
                        prop:value=move || fields.itg_custom_url.get()
                        on:input=move |ev| fields.itg_custom_url.set(event_target_value(&ev))/>
                </Show>
                {text_input("itg-api-key", "API key", "password", fields.itg_api_key, Some(fields.itg_api_key_saved))}
                <p class="hint">"An IT Glue Administrator creates keys under Account › Settings › API Keys. Keys work only in their own region."</p>
                <div class="actions">
                    <button id="test-itg" type="button" on:click=move |_| test(|form| Request::TestItGlue { form }, itg_test)>"Test connection"</button>
                    {outcome_view("itg-test-result", "", itg_test)}
                </div>
            </fieldset>
            <div class="actions save">
                <button id="save" type="button" class="primary" on:click=save>"Save"</button>
                {outcome_view("save-status", "", save_status)}
            </div>
        </section>
    }
}

fn text_input(id: &'static str, label: &'static str, kind: &'static str, value: RwSignal<String>, saved: Option<RwSignal<bool>>) -> impl IntoView {
    let placeholder = move || match saved {
        Some(saved) if saved.get() => "Saved. Leave empty to keep it.",
        _ => "",
    };
    view! {
        <label for=id>{label}</label>
        <input id=id type=kind autocomplete="off" placeholder=placeholder prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}
