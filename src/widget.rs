//! The IT Glue widget: a tab at the right edge of a BMS record page that expands into a panel.

use bms_itglue_core::bms::page::route;
use bms_itglue_core::messages::{Request, Response};
use bms_itglue_core::sync::EntityKind;
use bms_itglue_core::widget::{Fact, OrganizationCard, RecordCard, RecordSync, RecordSyncState, WidgetState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

use crate::runtime;

/// The widget's own styles; `frame.html` links the same file.
const WIDGET_CSS: &str = include_str!("../extension/widget.css");

/// A mounted widget; `content.js` unmounts it when the single-page app moves to another record.
#[wasm_bindgen]
pub struct WidgetHandle {
    _mounted: Box<dyn std::any::Any>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Tears the widget's views and reactive graph down (dropping the mount handle does it).
    pub fn unmount(self) {}
}

/// The BMS record a page shows: an account, contact or hardware asset.
#[derive(Clone)]
struct PageRecord {
    kind: EntityKind,
    id: String,
}

fn page_record(page_url: &str) -> Result<PageRecord, JsValue> {
    let route = route(page_url).ok_or_else(|| JsValue::from_str("not a BMS record page"))?;
    let (kind, id) = route.record();
    Ok(PageRecord { kind, id: id.to_owned() })
}

pub fn mount_in_shadow(shadow: &web_sys::ShadowRoot, page_url: &str) -> Result<WidgetHandle, JsValue> {
    let record = page_record(page_url)?;
    adopt_styles(shadow)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let container: web_sys::HtmlElement = document.create_element("div")?.unchecked_into();
    shadow.append_child(&container)?;
    let mounted = leptos::mount::mount_to(container, move || widget(record, |_| {}));
    Ok(WidgetHandle { _mounted: Box::new(mounted) })
}

pub fn mount_in_frame(page_url: &str) -> Result<(), JsValue> {
    let record = page_record(page_url)?;
    let parent_origin = url_origin(page_url);
    leptos::mount::mount_to(crate::body()?, move || widget(record, move |expanded| tell_parent(&parent_origin, expanded)))
        .forget();
    Ok(())
}

/// The frame cannot resize itself: it asks `content.js`, which only accepts messages from our origin.
fn tell_parent(parent_origin: &str, expanded: bool) {
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"bms-itglue-size".into());
    let _ = js_sys::Reflect::set(&message, &"expanded".into(), &expanded.into());
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        let _ = parent.post_message(&message, parent_origin);
    }
}

fn url_origin(url: &str) -> String {
    web_sys::Url::new(url).map(|u| u.origin()).unwrap_or_else(|_| "null".into())
}

fn adopt_styles(shadow: &web_sys::ShadowRoot) -> Result<(), JsValue> {
    // A constructed stylesheet is not subject to the page's CSP style-src, unlike a <style> element.
    let sheet = web_sys::CssStyleSheet::new()?;
    sheet.replace_sync(WIDGET_CSS)?;
    let sheets = shadow.adopted_style_sheets();
    sheets.push(&sheet);
    shadow.set_adopted_style_sheets(&sheets);
    Ok(())
}

fn widget(record: PageRecord, on_toggle: impl Fn(bool) + Send + Sync + 'static) -> impl IntoView {
    let (state, set_state) = signal(None::<WidgetState>);
    let (expanded, set_expanded) = signal(false);
    let reload = Callback::new({
        let record = record.clone();
        move |()| {
            let request = Request::RecordWidget { kind: record.kind, bms_id: record.id.clone() };
            spawn_local(async move {
                set_state.set(Some(widget_state(runtime::send(&request).await)));
            });
        }
    });
    reload.run(());
    let toggle = Callback::new(move |()| {
        let next = !expanded.get_untracked();
        set_expanded.set(next);
        on_toggle(next);
    });
    let tab_state = move || state.with(|s| s.as_ref().map_or("loading", WidgetState::name));
    view! {
        <div class="itg-widget" class:expanded=move || expanded.get()>
            <button class="itg-tab" data-state=tab_state title="IT Glue" aria-expanded=move || expanded.get().to_string()
                on:click=move |_| toggle.run(())>
                <span class="itg-tab-label">"IT Glue"</span>
            </button>
            <Show when=move || expanded.get()>
                <section class="itg-panel" aria-label="IT Glue">
                    <header class="itg-panel-header">
                        <span class="itg-brand">"IT Glue"</span>
                        <button class="itg-close" title="Close" on:click=move |_| toggle.run(())>"×"</button>
                    </header>
                    {let record = record.clone(); move || panel_body(state.get(), record.clone(), reload)}
                </section>
            </Show>
        </div>
    }
}

fn widget_state(answer: Response) -> WidgetState {
    match answer {
        Response::Widget { state } => state,
        Response::Failed { message } => WidgetState::Error { detail: message },
        _ => WidgetState::Error { detail: "The extension refused the request.".into() },
    }
}

fn panel_body(state: Option<WidgetState>, record: PageRecord, reload: Callback<()>) -> AnyView {
    match state {
        None => view! { <p class="itg-state" data-state="loading">"Loading IT Glue data…"</p> }.into_any(),
        Some(WidgetState::Organization { card, sync }) => view! {
            {organization(card)}
            {sync.map(|sync| sync_status(sync, record, reload))}
        }
        .into_any(),
        Some(WidgetState::Record { card, sync }) => view! {
            {record_card(card)}
            {sync.map(|sync| sync_status(sync, record, reload))}
        }
        .into_any(),
        Some(other) => state_message(other, record.kind).into_any(),
    }
}

fn not_linked_text(kind: EntityKind) -> String {
    let (bms, itglue) = match kind {
        EntityKind::Contact => ("contact", "contact"),
        EntityKind::Configuration => ("hardware asset", "configuration"),
        EntityKind::Organization | EntityKind::Location => ("account", "organization"),
    };
    format!("This BMS {bms} is not linked to an IT Glue {itglue}. Linked {bms}s appear here after the next sync.")
}

fn state_message(state: WidgetState, kind: EntityKind) -> impl IntoView {
    let name = state.name();
    let (text, offer_settings) = match state {
        WidgetState::NotConfigured => ("IT Glue is not set up yet. Add your IT Glue API key in the extension's settings.".to_owned(), true),
        WidgetState::NotLinked => (not_linked_text(kind), false),
        WidgetState::Unauthorized { service, detail } => {
            (format!("{} rejected the credentials. Check them in the settings. ({detail})", service.label()), true)
        }
        WidgetState::Unreachable { service, detail } => (format!("Cannot reach {}. ({detail})", service.label()), false),
        WidgetState::Error { detail } => (detail, false),
        WidgetState::Organization { .. } | WidgetState::Record { .. } => (String::new(), false),
    };
    view! {
        <div class="itg-state" data-state=name>
            <p>{text}</p>
            {offer_settings.then(|| view! {
                <button class="itg-open-options" on:click=|_| spawn_local(async {
                    runtime::send(&Request::OpenOptions).await;
                })>"Open settings"</button>
            })}
        </div>
    }
}

fn organization(card: OrganizationCard) -> impl IntoView {
    let OrganizationCard { name, type_name, status_name, short_name, quick_notes, url } = card;
    let dash = || "—".to_owned();
    let notes_empty = quick_notes.is_empty();
    let notes = quick_notes.as_str().to_owned();
    view! {
        <div class="itg-org">
            <h2 class="itg-org-name">{name}</h2>
            <dl class="itg-facts">
                <dt>"Type"</dt><dd class="itg-org-type">{type_name.unwrap_or_else(dash)}</dd>
                <dt>"Status"</dt><dd class="itg-org-status">{status_name.unwrap_or_else(dash)}</dd>
                <dt>"Short name"</dt><dd class="itg-org-short-name">{short_name.unwrap_or_else(dash)}</dd>
            </dl>
            <h3 class="itg-section-title">"Quick notes"</h3>
            {if notes_empty {
                view! { <p class="itg-empty">"No quick notes."</p> }.into_any()
            } else {
                // Sanitized by the worker (bms_itglue_core::sanitize) before it left the worker.
                view! { <div class="itg-quick-notes" inner_html=notes></div> }.into_any()
            }}
            {url.map(|href| view! {
                <a class="itg-view-link" href=href target="_blank" rel="noopener noreferrer">"View in IT Glue"</a>
            })}
        </div>
    }
}

/// An IT Glue contact or configuration.
fn record_card(card: RecordCard) -> impl IntoView {
    let RecordCard { noun, title, facts, notes, url } = card;
    let notes = (!notes.is_empty()).then(|| notes.as_str().to_owned());
    view! {
        <div class="itg-record" data-kind=noun>
            <h2 class="itg-record-title">{title}</h2>
            <dl class="itg-facts">
                {facts.into_iter().map(|Fact { key, label, value }| view! {
                    <dt>{label}</dt><dd class=format!("itg-fact-{key}")>{value}</dd>
                }).collect_view()}
            </dl>
            {notes.map(|notes| view! {
                <h3 class="itg-section-title">"Notes"</h3>
                // Sanitized by the worker (bms_itglue_core::sanitize) before it left the worker.
                <div class="itg-quick-notes itg-record-notes" inner_html=notes></div>
            })}
            {url.map(|href| view! {
                <a class="itg-view-link" href=href target="_blank" rel="noopener noreferrer">"View in IT Glue"</a>
            })}
        </div>
    }
}

/// The record's sync status, with "Manage", "Sync now" and "Enable sync"/"Disable sync", as IT Glue shows it for
/// BMS records.
fn sync_status(sync: RecordSync, record: PageRecord, reload: Callback<()>) -> impl IntoView {
    let name = sync.state.name();
    let label = match sync.state {
        RecordSyncState::Enabled => "Sync enabled",
        RecordSyncState::Orphaned => "Sync orphaned",
        RecordSyncState::Disabled => "Sync disabled",
    };
    let enable = sync.state == RecordSyncState::Disabled;
    let when = js_sys::Date::new(&(sync.synced_at_ms as f64).into()).to_locale_string("default", &js_sys::Object::new());
    let PageRecord { kind, id } = record;
    let send = move |request: Request, then_reload: bool| {
        spawn_local(async move {
            runtime::send(&request).await;
            if then_reload {
                reload.run(());
            }
        });
    };
    let toggle_id = id.clone();
    let toggle = move |_| send(Request::SetRecordSync { kind, bms_id: toggle_id.clone(), enabled: enable }, true);
    let now_id = id.clone();
    let sync_now = move |_| send(Request::SyncRecordNow { kind, bms_id: now_id.clone() }, false);
    let manage = move |_| send(Request::OpenManage { focus: Some((kind, id.clone())) }, false);
    view! {
        <div class="itg-sync" data-sync=name>
            <h3 class="itg-section-title">"BMS sync"</h3>
            <p><span class="itg-sync-state">{label}</span>" · last synced "{String::from(when)}</p>
            <p class="itg-sync-detail">{sync.detail}</p>
            <div class="itg-sync-actions">
                <button class="itg-sync-manage" on:click=manage>"Manage"</button>
                <button class="itg-sync-now" on:click=sync_now disabled=!matches!(sync.state, RecordSyncState::Enabled)>"Sync now"</button>
                <button class="itg-sync-toggle" on:click=toggle>{if enable { "Enable sync" } else { "Disable sync" }}</button>
            </div>
        </div>
    }
}
