//! The toolbar popup: sync status with "Start sync now", and the way to the settings and the Manage Data page.

use bms_itglue_core::messages::Request;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::runtime;
use crate::sync_view::{self, SyncState};

pub fn mount() -> Result<(), JsValue> {
    leptos::mount::mount_to(crate::body()?, || {
        let sync = SyncState::load();
        view! {
            <main class="popup">
                <h1>"BMS ⇄ IT Glue"</h1>
                {sync_view::status_bar(sync)}
                <p>"Open a BMS account, contact or hardware asset to see its IT Glue record in the widget at the right edge of the page."</p>
                <div class="actions">
                    <button id="open-settings" class="primary" on:click=|_| spawn_local(async {
                        runtime::send(&Request::OpenOptions).await;
                    })>"Settings"</button>
                    <button id="open-manage" on:click=|_| spawn_local(async {
                        runtime::send(&Request::OpenManage { focus: None }).await;
                    })>"Manage data"</button>
                </div>
            </main>
        }
    })
    .forget();
    Ok(())
}
