//! The sync tabs of the options page (Sync Settings, Two-Way Sync Settings, Sync Logs) and the status line the
//! popup shares.

use bms_itglue_core::messages::{Request, Response};
use bms_itglue_core::sync::settings::{ConflictPolicy, DirectoryContactTypes, TwoWay};
use bms_itglue_core::sync::status::{LogLevel, LogLine, SyncChoices, SyncStatus};
use bms_itglue_core::sync::{SyncSettings, normalize::Timestamp};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::controls::{Outcome, failure, outcome_view};
use crate::runtime;

/// Status and settings as the worker last reported them.
#[derive(Clone, Copy)]
pub struct SyncState {
    pub status: RwSignal<SyncStatus>,
    pub settings: RwSignal<SyncSettings>,
}

impl SyncState {
    pub fn load() -> Self {
        let state = SyncState { status: RwSignal::new(SyncStatus::Never), settings: RwSignal::new(SyncSettings::default()) };
        state.refresh();
        state
    }

    pub fn refresh(self) {
        spawn_local(async move {
            if let Response::Sync { status, settings } = runtime::send(&Request::GetSync).await {
                self.status.set(status);
                self.settings.set(settings);
            }
        });
    }
}

/// The status line with progress and "Start sync now"; it polls while a sync runs.
pub fn status_bar(state: SyncState) -> impl IntoView {
    let start = move |_| {
        spawn_local(async move {
            runtime::send(&Request::StartSyncNow).await;
            state.refresh();
        });
    };
    let poll = leptos::prelude::set_interval_with_handle(move || state.refresh(), std::time::Duration::from_millis(1_000));
    on_cleanup(move || {
        if let Ok(handle) = poll {
            handle.clear();
        }
    });
    view! {
        <div
            class="sync-status"
            data-state=move || state.status.with(status_name)
            data-run-started=move || state.status.with(SyncStatus::run_started_at_ms)
        >
            <span class="sync-label" id="sync-status">{move || state.status.with(|s| s.label())}</span>
            <span class="sync-detail">{move || state.status.with(detail)}</span>
            <button id="start-sync" type="button" on:click=start>"Start sync now"</button>
        </div>
    }
}

fn status_name(status: &SyncStatus) -> &'static str {
    match status {
        SyncStatus::Never => "never",
        SyncStatus::Queued { .. } => "queued",
        SyncStatus::Syncing { .. } => "syncing",
        SyncStatus::Ok { .. } => "ok",
        SyncStatus::Error { .. } => "error",
    }
}

fn detail(status: &SyncStatus) -> String {
    match status {
        SyncStatus::Never => "Save the sync settings to queue the first sync.".into(),
        SyncStatus::Queued { at_ms } => format!("Runs at {}.", local_time(*at_ms)),
        SyncStatus::Syncing { progress } => match &progress.entity {
            Some(entity) => format!("{}: {} {} of {}", progress.phase, entity, progress.done, progress.total),
            None => progress.phase.clone(),
        },
        SyncStatus::Ok { finished_at_ms, summary, .. } => format!("Finished {}. {summary}", local_time(*finished_at_ms)),
        SyncStatus::Error { message, .. } => message.clone(),
    }
}

pub(crate) fn local_time(ms: u64) -> String {
    String::from(js_sys::Date::new(&(ms as f64).into()).to_locale_string("default", &js_sys::Object::new()))
}

/// The Sync Settings tab: which BMS records sync.
pub fn settings_tab(state: SyncState) -> impl IntoView {
    let choices = RwSignal::new(SyncChoices::default());
    let error = RwSignal::new(String::new());
    spawn_local(async move {
        match runtime::send(&Request::GetSyncChoices).await {
            Response::SyncChoices { choices: c } => choices.set(c),
            Response::Failed { message } => error.set(message),
            _ => {}
        }
    });
    let list = |field: fn(&mut SyncSettings) -> &mut Vec<String>| {
        move |value: String, on: bool| {
            state.settings.update(|s| {
                let list = field(s);
                list.retain(|v| *v != value);
                if on {
                    list.push(value);
                }
            })
        }
    };
    view! {
        <p class="lead">"Records of the selected types and statuses sync between BMS and IT Glue. Saving queues a sync one hour later; use Start sync now to run it at once."</p>
        <p class="outcome" data-result="error">{move || error.get()}</p>
        <div class="columns">
            {checklist("Account Types", "account-types", Signal::derive(move || choices.with(|c| c.account_types.clone())),
                Signal::derive(move || state.settings.with(|s| s.account_types.clone())), list(|s| &mut s.account_types))}
            {checklist("Account Statuses", "account-statuses", Signal::derive(|| vec!["Active".into(), "Inactive".into()]),
                Signal::derive(move || state.settings.with(|s| s.account_statuses.clone())), list(|s| &mut s.account_statuses))}
            {checklist("Asset Types", "asset-types", Signal::derive(move || choices.with(|c| c.asset_types.clone())),
                Signal::derive(move || state.settings.with(|s| s.asset_types.clone())), list(|s| &mut s.asset_types))}
            {checklist("Asset Statuses", "asset-statuses", Signal::derive(|| vec!["Active".into(), "Inactive".into()]),
                Signal::derive(move || state.settings.with(|s| s.asset_statuses.clone())), list(|s| &mut s.asset_statuses))}
        </div>
        {toggle("sync-contacts", "Enable Contacts sync", Signal::derive(move || state.settings.with(|s| s.contacts)),
            move |on| state.settings.update(|s| s.contacts = on))}
        {toggle("sync-tickets", "Enable Ticket Integration", Signal::derive(move || state.settings.with(|s| s.tickets)),
            move |on| state.settings.update(|s| s.tickets = on))}
        {save_button(state)}
    }
}

/// The Two-Way Sync Settings tab.
pub fn two_way_tab(state: SyncState) -> impl IntoView {
    let two_way_on = Signal::derive(move || state.settings.with(SyncSettings::two_way_enabled));
    let set_two_way = move |on: bool| {
        state.settings.update(|s| {
            s.two_way = if on { TwoWay::On { since: Timestamp::from_unix_millis(js_sys::Date::now() as i64) } } else { TwoWay::Off };
        })
    };
    view! {
        <p class="lead">"With two-way sync, edits in IT Glue flow to BMS too. IT Glue records that existed before you turn it on are pushed only after each is edited and saved, so that bulk data never floods BMS by accident."</p>
        {toggle("two-way", "Enable two-way sync", two_way_on, set_two_way)}
        {toggle("ms-contacts", "Enable automatic pushing of Microsoft contacts",
            Signal::derive(move || state.settings.with(|s| s.microsoft_contacts_auto_push)),
            move |on| state.settings.update(|s| s.microsoft_contacts_auto_push = on))}
        <Show when=move || state.settings.with(|s| s.contacts)>
            <h3>"Contacts from Active Directory"</h3>
            <p class="hint">"The BMS email and phone types given to contacts that Active Directory creates in IT Glue. Leave empty to not push them."</p>
            {directory_input("ad-email-type", "BMS Email Type", state, |d| &mut d.email_type)}
            {directory_input("ad-phone-type", "BMS Phone Type", state, |d| &mut d.phone_type)}
        </Show>
        <h3>"When both sides changed the same field"</h3>
        <label for="conflict-policy">"Winner"</label>
        <select id="conflict-policy"
            prop:value=move || policy_value(state.settings.with(|s| s.conflict_policy.organization))
            on:change=move |ev| {
                let policy = policy_from(&event_target_value(&ev));
                state.settings.update(|s| {
                    s.conflict_policy.organization = policy;
                    s.conflict_policy.location = policy;
                    s.conflict_policy.contact = policy;
                    s.conflict_policy.configuration = policy;
                });
            }>
            <option value="bms-wins">"BMS wins (as the PSA does in the native integration)"</option>
            <option value="itglue-wins">"IT Glue wins"</option>
            <option value="newest-wins">"The newest change wins"</option>
        </select>
        <p class="hint">"The losing value is kept in the sync log."</p>
        {save_button(state)}
    }
}

fn policy_value(policy: ConflictPolicy) -> &'static str {
    match policy {
        ConflictPolicy::BmsWins => "bms-wins",
        ConflictPolicy::ItGlueWins => "itglue-wins",
        ConflictPolicy::NewestWins => "newest-wins",
    }
}

fn policy_from(value: &str) -> ConflictPolicy {
    match value {
        "itglue-wins" => ConflictPolicy::ItGlueWins,
        "newest-wins" => ConflictPolicy::NewestWins,
        _ => ConflictPolicy::BmsWins,
    }
}

fn directory_input(id: &'static str, label: &'static str, state: SyncState, field: fn(&mut DirectoryContactTypes) -> &mut String) -> impl IntoView {
    let value = move || {
        state.settings.with(|s| s.directory_contact_types.clone().map(|mut d| field(&mut d).clone()).unwrap_or_default())
    };
    let set = move |text: String| {
        state.settings.update(|s| {
            let mut types = s.directory_contact_types.clone().unwrap_or(DirectoryContactTypes { email_type: String::new(), phone_type: String::new() });
            *field(&mut types) = text.trim().to_owned();
            s.directory_contact_types = (!types.email_type.is_empty() || !types.phone_type.is_empty()).then_some(types);
        })
    };
    view! {
        <label for=id>{label}</label>
        <input id=id type="text" placeholder="None" prop:value=value on:change=move |ev| set(event_target_value(&ev))/>
    }
}

fn save_button(state: SyncState) -> impl IntoView {
    let outcome = RwSignal::new(Outcome::default());
    let save = move |_| {
        let settings = state.settings.get_untracked();
        spawn_local(async move {
            let result = match runtime::send(&Request::SaveSyncSettings { settings }).await {
                Response::Sync { status, settings } => {
                    state.status.set(status);
                    state.settings.set(settings);
                    Outcome::success("Saved. A sync is queued to run in one hour.")
                }
                other => failure(other),
            };
            outcome.set(result);
        });
    };
    view! {
        <div class="actions save">
            <button type="button" class="primary save-sync" on:click=save>"Save"</button>
            {outcome_view("save-sync-status", "save-sync-status", outcome)}
        </div>
    }
}

fn checklist(
    title: &'static str,
    id: &'static str,
    options: Signal<Vec<String>>,
    selected: Signal<Vec<String>>,
    set: impl Fn(String, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="checklist" id=id>
            <legend>{title}</legend>
            <For each=move || options.get() key=|name| name.clone() let:name>
                {
                    let checked_name = name.clone();
                    let toggled_name = name.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" value=name.clone()
                                prop:checked=move || selected.with(|s| s.contains(&checked_name))
                                on:change=move |ev| set(toggled_name.clone(), event_target_checked(&ev))/>
                            {name}
                        </label>
                    }
                }
            </For>
        </fieldset>
    }
}

fn toggle(id: &'static str, label: &'static str, on: Signal<bool>, set: impl Fn(bool) + 'static) -> impl IntoView {
    view! {
        <label class="check">
            <input id=id type="checkbox" prop:checked=move || on.get() on:change=move |ev| set(event_target_checked(&ev))/>
            {label}
        </label>
    }
}

/// The Sync Logs tab: newest first, filterable by level and text.
pub fn log_tab() -> impl IntoView {
    let lines = RwSignal::new(Vec::<LogLine>::new());
    let level = RwSignal::new(String::from("all"));
    let text = RwSignal::new(String::new());
    let reload = move || {
        spawn_local(async move {
            if let Response::SyncLog { lines: l } = runtime::send(&Request::GetSyncLog).await {
                lines.set(l);
            }
        })
    };
    reload();
    let shown = move || {
        let (level, text) = (level.get(), text.get().to_lowercase());
        lines.with(|all| {
            all.iter()
                .rev()
                .filter(|l| level == "all" || level_name(l.level) == level)
                .filter(|l| text.is_empty() || l.message.to_lowercase().contains(&text))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="log-filters">
            <select id="log-level" on:change=move |ev| level.set(event_target_value(&ev))>
                <option value="all">"All levels"</option>
                <option value="info">"Info"</option>
                <option value="warning">"Warnings"</option>
                <option value="error">"Errors"</option>
            </select>
            <input id="log-filter" type="search" placeholder="Filter" on:input=move |ev| text.set(event_target_value(&ev))/>
            <button type="button" on:click=move |_| reload()>"Refresh"</button>
        </div>
        <table class="sync-log" id="sync-log">
            <thead><tr><th>"When"</th><th>"Level"</th><th>"Record"</th><th>"Message"</th></tr></thead>
            <tbody>
                {move || shown().into_iter().map(|line| view! {
                    <tr data-level=level_name(line.level)>
                        <td>{local_time(line.at_ms)}</td>
                        <td>{level_name(line.level)}</td>
                        <td>{line.entity.unwrap_or_default()}</td>
                        <td>{line.message}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Info => "info",
        LogLevel::Warning => "warning",
        LogLevel::Error => "error",
    }
}
