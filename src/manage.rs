//! The Manage Data page: what is synced per category, the pairs of a category with filters and actions (open in
//! IT Glue or BMS, disconnect, reconnect, sync now, delete an orphan after a confirmation), and the one-time push
//! of IT Glue data to BMS, shown as a dry run before a person confirms it.

use bms_itglue_core::messages::{Request, Response};
use bms_itglue_core::sync::manage::{CategoryView, LinkFilter, LinkPage, LinkRow, PushPlanView, category_label};
use bms_itglue_core::sync::{EntityKind, OrphanDeletion, Side};
use bms_itglue_core::widget::RecordSyncState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::controls::{Outcome, outcome_view, page_header, tab_button};
use crate::runtime;
use crate::sync_view::{self, SyncState, local_time};

pub fn mount() -> Result<(), JsValue> {
    leptos::mount::mount_to(crate::body()?, manage_page).forget();
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Data,
    Push,
}

/// The list the page shows: a category, a state filter and a search.
#[derive(Clone, Copy)]
struct ListState {
    kind: RwSignal<EntityKind>,
    filter: RwSignal<LinkFilter>,
    query: RwSignal<String>,
    page: RwSignal<LinkPage>,
    categories: RwSignal<Vec<CategoryView>>,
    outcome: RwSignal<Outcome>,
    /// Counts list requests, so that an answer that arrives after a newer request's is dropped.
    generation: RwSignal<u64>,
    /// Deleting an orphan asks first, in words that name the record; the worker checks the confirmation again.
    pending_deletion: RwSignal<Option<(OrphanDeletion, String)>>,
}

impl ListState {
    fn reload(self) {
        let request = Request::ListLinks {
            kind: self.kind.get_untracked(),
            filter: self.filter.get_untracked(),
            query: self.query.get_untracked(),
        };
        let generation = self.generation.get_untracked() + 1;
        self.generation.set(generation);
        spawn_local(async move {
            let counts = runtime::send(&Request::GetManageData).await;
            let listed = runtime::send(&request).await;
            if self.generation.get_untracked() != generation {
                return;
            }
            if let Response::ManageData { categories, .. } = counts {
                self.categories.set(categories);
            }
            match listed {
                Response::Links { page } => self.page.set(page),
                other => self.outcome.set(Outcome::of(other, "")),
            }
        });
    }

    /// Sends an action, says how it went and shows the list as it is now.
    fn act(self, request: Request, done: &'static str) {
        self.outcome.set(Outcome::pending("Working…"));
        spawn_local(async move {
            self.outcome.set(Outcome::of(runtime::send(&request).await, done));
            self.reload();
        });
    }
}

/// `#organization/101` (from a widget's "Manage") opens that category, searching for that BMS id.
fn focus_from_location() -> Option<(EntityKind, String)> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let (kind, id) = hash.strip_prefix('#')?.split_once('/')?;
    let kind = EntityKind::SYNC_ORDER.into_iter().find(|k| k.itglue_noun() == kind)?;
    let id = js_sys::decode_uri_component(id).ok()?.as_string()?;
    Some((kind, id))
}

fn manage_page() -> impl IntoView {
    let tab = RwSignal::new(Tab::Data);
    let sync = SyncState::load();
    let focus = focus_from_location();
    let list = ListState {
        kind: RwSignal::new(focus.as_ref().map_or(EntityKind::Organization, |f| f.0)),
        filter: RwSignal::new(LinkFilter::All),
        query: RwSignal::new(focus.map(|f| f.1).unwrap_or_default()),
        page: RwSignal::new(LinkPage::default()),
        categories: RwSignal::new(Vec::new()),
        outcome: RwSignal::new(Outcome::default()),
        generation: RwSignal::new(0),
        pending_deletion: RwSignal::new(None),
    };
    list.reload();
    view! {
        <main class="options manage">
            {page_header("Manage BMS ⇄ IT Glue data")}
            {sync_view::status_bar(sync)}
            <nav class="tabs" role="tablist">
                {tab_button(tab, "tab-data", "Synced data", Tab::Data)}
                {tab_button(tab, "tab-push", "One-time push", Tab::Push)}
            </nav>
            {move || match tab.get() {
                Tab::Data => data_tab(list).into_any(),
                Tab::Push => push_tab().into_any(),
            }}
        </main>
    }
}

fn data_tab(list: ListState) -> impl IntoView {
    let choose = move |kind: EntityKind| {
        list.kind.set(kind);
        list.query.set(String::new());
        list.reload();
    };
    view! {
        <table class="grid" id="categories">
            <thead><tr><th>"Category"</th><th>"Syncing"</th><th>"Synced"</th><th>"Orphaned"</th><th>"Disconnected"</th><th></th></tr></thead>
            <tbody>
                <For each=move || list.categories.get() key=|c| (c.kind, c.synced, c.orphaned, c.disconnected, c.syncing) let:c>
                    <tr data-kind=c.kind.itglue_noun() class:selected=move || list.kind.get() == c.kind>
                        <td>{c.label.clone()}</td>
                        <td class="syncing">{if c.syncing { "Enabled" } else { "Not synced" }}</td>
                        <td class="synced">{c.synced}</td>
                        <td class="orphaned">{c.orphaned}</td>
                        <td class="disconnected">{c.disconnected}</td>
                        <td><button type="button" class="view-list" on:click=move |_| choose(c.kind)>"View list"</button></td>
                    </tr>
                </For>
            </tbody>
        </table>
        <h2 id="list-title">{move || category_label(list.kind.get())}</h2>
        <div class="log-filters">
            <select id="link-filter" prop:value=move || filter_value(list.filter.get())
                on:change=move |ev| { list.filter.set(filter_from(&event_target_value(&ev))); list.reload(); }>
                <option value="all">"All records"</option>
                <option value="enabled">"Sync enabled"</option>
                <option value="orphaned">"Orphaned"</option>
                <option value="disconnected">"Disconnected"</option>
            </select>
            <input id="link-search" type="search" placeholder="Name or id" prop:value=move || list.query.get()
                on:input=move |ev| { list.query.set(event_target_value(&ev)); list.reload(); }/>
        </div>
        <p class="hint list-count">{move || list.page.with(|p| {
            if p.rows.len() < p.matched { format!("{} of {} records; search to narrow the list.", p.rows.len(), p.matched) }
            else { format!("{} records", p.matched) }
        })}</p>
        <p>{outcome_view("manage-result", "", list.outcome)}</p>
        {deletion_dialog(list)}
        <table class="grid" id="links">
            <thead><tr><th>"Name"</th><th>"BMS"</th><th>"IT Glue"</th><th>"Status"</th><th>"Last synced"</th><th>"Actions"</th></tr></thead>
            <tbody>
                {move || list.page.get().rows.into_iter().map(|row| link_row(row, list)).collect_view()}
            </tbody>
        </table>
    }
}

fn deletion_dialog(list: ListState) -> impl IntoView {
    let pending = list.pending_deletion;
    let confirm = move |_| {
        if let Some((confirmation, _)) = pending.get_untracked() {
            pending.set(None);
            list.act(Request::DeleteOrphan { confirmation }, "The orphaned record was deleted from IT Glue.");
        }
    };
    view! {
        <Show when=move || pending.with(Option::is_some)>
            <div class="confirm" id="confirm-delete" role="alertdialog">
                <p class="confirm-prompt">{move || pending.with(|p| p.as_ref().map(|(_, prompt)| prompt.clone()).unwrap_or_default())}</p>
                <div class="actions">
                    <button type="button" class="danger" id="confirm-delete-yes" on:click=confirm>"Delete from IT Glue"</button>
                    <button type="button" id="confirm-delete-no" on:click=move |_| pending.set(None)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

fn link_row(row: LinkRow, list: ListState) -> impl IntoView {
    let LinkRow { kind, bms_id, itg_id, name, sync } = row;
    let pending = list.pending_deletion;
    let state = sync.state;
    let label = match state {
        RecordSyncState::Enabled => "Sync enabled",
        RecordSyncState::Orphaned => "Orphaned",
        RecordSyncState::Disabled => "Disconnected",
    };
    let open = move |side: Side, id: String| list.act(Request::OpenRecord { side, kind, id }, "Opened in a new tab.");
    let (itg_open, bms_open, bms_toggle, bms_now) = (itg_id.clone(), bms_id.clone(), bms_id.clone(), bms_id.clone());
    let itg_delete = itg_id.clone();
    let ask_deletion = move |_| {
        let request = Request::ConfirmOrphanDeletion { kind, itg_id: itg_delete.clone() };
        spawn_local(async move {
            match runtime::send(&request).await {
                Response::OrphanDeletion { confirmation, prompt } => pending.set(Some((confirmation, prompt))),
                other => list.outcome.set(Outcome::of(other, "")),
            }
        });
    };
    view! {
        <tr data-kind=kind.itglue_noun() data-bms=bms_id.clone() data-itg=itg_id.clone() data-state=state.name()>
            <td class="name">{name}</td>
            <td>{format!("#{bms_id}")}</td>
            <td>{format!("#{itg_id}")}</td>
            <td class="state" title=sync.detail>{label}</td>
            <td>{local_time(sync.synced_at_ms)}</td>
            <td class="row-actions">
                <button type="button" class="open-itglue" on:click=move |_| open(Side::ItGlue, itg_open.clone())>"Open in IT Glue"</button>
                {(kind != EntityKind::Location).then(|| view! {
                    <button type="button" class="open-bms" on:click=move |_| open(Side::Bms, bms_open.clone())>"Open in BMS"</button>
                })}
                {match state {
                    RecordSyncState::Enabled => view! {
                        <button type="button" class="sync-now" on:click=move |_| list.act(
                            Request::SyncRecordNow { kind, bms_id: bms_now.clone() }, "Syncing this record now.")>"Sync now"</button>
                        <button type="button" class="toggle-sync" on:click=move |_| list.act(
                            Request::SetRecordSync { kind, bms_id: bms_toggle.clone(), enabled: false }, "Disconnected.")>"Disconnect"</button>
                    }.into_any(),
                    RecordSyncState::Disabled => view! {
                        <button type="button" class="toggle-sync" on:click=move |_| list.act(
                            Request::SetRecordSync { kind, bms_id: bms_toggle.clone(), enabled: true }, "Reconnected.")>"Reconnect"</button>
                    }.into_any(),
                    RecordSyncState::Orphaned => view! {
                        <button type="button" class="delete-orphan danger" on:click=ask_deletion>"Delete"</button>
                    }.into_any(),
                }}
            </td>
        </tr>
    }
}

fn filter_value(filter: LinkFilter) -> &'static str {
    match filter {
        LinkFilter::All => "all",
        LinkFilter::Enabled => "enabled",
        LinkFilter::Orphaned => "orphaned",
        LinkFilter::Disconnected => "disconnected",
    }
}

fn filter_from(value: &str) -> LinkFilter {
    match value {
        "enabled" => LinkFilter::Enabled,
        "orphaned" => LinkFilter::Orphaned,
        "disconnected" => LinkFilter::Disconnected,
        _ => LinkFilter::All,
    }
}

/// The one-time push: a dry run first, then an explicit confirmation of that exact plan.
fn push_tab() -> impl IntoView {
    let plan = RwSignal::new(None::<PushPlanView>);
    let outcome = RwSignal::new(Outcome::default());
    let understood = RwSignal::new(false);
    let review = move |_| {
        plan.set(None);
        understood.set(false);
        outcome.set(Outcome::pending("Reading IT Glue and BMS for the dry run…"));
        spawn_local(async move {
            match runtime::send(&Request::PlanOneTimePush).await {
                Response::PushPlan { view } => {
                    outcome.set(Outcome::default());
                    plan.set(Some(view));
                }
                other => outcome.set(Outcome::of(other, "")),
            }
        });
    };
    let confirm = move |_| {
        let Some(plan_id) = plan.with_untracked(|p| p.as_ref().map(|p| p.plan_id.clone())) else { return };
        spawn_local(async move {
            let done = "The push is running; its progress shows in the status above and in the sync log.";
            outcome.set(Outcome::of(runtime::send(&Request::ConfirmOneTimePush { plan_id }).await, done));
            plan.set(None);
        });
    };
    view! {
        <section class="tab-panel push">
            <p class="lead">"For a new BMS: create every eligible IT Glue organization, location, contact and configuration in BMS at once, under the current sync settings."</p>
            <ul class="hint">
                <li>"There is no matching: records that already exist in BMS are created again. The dry run lists the likely duplicates."</li>
                <li>"Parent-child relationships between organizations are not pushed; set them in BMS afterwards."</li>
                <li>"A push cannot be undone."</li>
            </ul>
            <button type="button" id="plan-push" class="primary" on:click=review>"Review the push (dry run)"</button>
            <p>{outcome_view("push-result", "", outcome)}</p>
            {move || plan.get().map(|p| push_plan(p, understood, confirm))}
        </section>
    }
}

fn push_plan(plan: PushPlanView, understood: RwSignal<bool>, confirm: impl Fn(leptos::ev::MouseEvent) + 'static) -> impl IntoView {
    let total: usize = plan.creates.values().sum();
    let counts = plan
        .creates
        .iter()
        .map(|(kind, n)| view! { <li data-kind=kind.itglue_noun()>{format!("{n} {}", plural_noun(*kind, *n))}</li> })
        .collect_view();
    let skipped = plan.skipped.len();
    let has_duplicates = plan.likely_duplicates > 0;
    view! {
        <div id="push-plan" data-creates=total data-duplicates=plan.likely_duplicates>
            <h2>{format!("The push would create {total} records in BMS")}</h2>
            <ul class="push-counts">{counts}</ul>
            <p class="push-duplicates" class:warning=has_duplicates>
                {format!("{} of them look like records that already exist (listed first).", plan.likely_duplicates)}
            </p>
            {(skipped > 0).then(|| view! {
                <details class="push-skipped">
                    <summary>{format!("{skipped} records would not be pushed")}</summary>
                    <ul>{plan.skipped.into_iter().map(|why| view! { <li>{why}</li> }).collect_view()}</ul>
                </details>
            })}
            <table class="grid" id="push-rows">
                <thead><tr><th>"Record"</th><th>"Kind"</th><th>"Looks like"</th></tr></thead>
                <tbody>
                    {plan.rows.into_iter().map(|row| view! {
                        <tr data-itg=row.itg_id class:duplicate=!row.likely_duplicates.is_empty()>
                            <td>{row.name}</td>
                            <td>{row.kind.itglue_noun()}</td>
                            <td>{row.likely_duplicates.join("; ")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <label class="check">
                <input id="push-understood" type="checkbox" prop:checked=move || understood.get()
                    on:change=move |ev| understood.set(event_target_checked(&ev))/>
                {format!("I understand that this creates {total} records in BMS, including any likely duplicates, and cannot be undone.")}
            </label>
            <button type="button" id="confirm-push" class="danger" disabled=move || !understood.get() on:click=confirm>"Push to BMS"</button>
        </div>
    }
}

fn plural_noun(kind: EntityKind, n: usize) -> String {
    let noun = kind.itglue_noun();
    if n == 1 { noun.to_owned() } else { format!("{noun}s") }
}
