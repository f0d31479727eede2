//! The toolbar popup: sync status with "Start sync now", and the way to the settings.

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
                <p>"Open a BMS account to see its IT Glue organization in the widget at the right edge of the page."</p>
                <button id="open-settings" class="primary" on:click=|_| spawn_local(async {
                    runtime::send(&Request::OpenOptions).await;
                })>"Settings"</button>
            </main>
        }
    })
    .forget();
    Ok(())
}
