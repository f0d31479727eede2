//! The service worker: the only part of the extension that holds secrets and talks to BMS and IT Glue.
//!
//! `extension/worker.js` registers the chrome listeners synchronously and forwards each message here.
//! This crate is the imperative shell; decisions are made in `bms-itglue-core`.

mod bms;
mod chrome;
mod clock;
mod handlers;
mod http;
mod itglue;
mod state;
mod storage;
mod sync;
mod transport;

use bms_itglue_core::messages::{Request, Response};
use bms_itglue_core::sender::{self, SenderFacts};
use wasm_bindgen::prelude::*;

/// Answers one `chrome.runtime.onMessage` event. Anything unexpected is answered with `Rejected`.
#[wasm_bindgen]
pub async fn handle_message(message: JsValue, sender: JsValue) -> JsValue {
    let response = match authorized_request(message, &sender) {
        Ok(request) => handlers::handle(request).await,
        Err(reason) => {
            web_sys::console::warn_1(&format!("bms-itglue: rejected a message: {reason}").into());
            Response::Rejected
        }
    };
    chrome::to_js(&response)
}

/// Runs when the worker starts: a sync cut short by the worker's death resumes.
#[wasm_bindgen]
pub async fn on_start() {
    sync::resume_if_interrupted().await;
}

/// Answers one `chrome.alarms.onAlarm` event: scheduled, nightly and watchdog sync runs.
#[wasm_bindgen]
pub async fn handle_alarm(name: String) {
    sync::on_alarm(&name).await;
}

fn authorized_request(message: JsValue, sender: &JsValue) -> Result<Request, String> {
    let value: serde_json::Value = serde_wasm_bindgen::from_value(message).map_err(|e| format!("unreadable: {e}"))?;
    let request = Request::from_json(value).ok_or("not a known request")?;
    let facts = SenderFacts {
        id: chrome::string_at(sender, &["id"]),
        url: chrome::string_at(sender, &["url"]),
        tab_url: chrome::string_at(sender, &["tab", "url"]),
    };
    let who = sender::classify(&facts, &chrome::extension_id()).map_err(|e| e.to_string())?;
    sender::authorize(who, &request).map_err(|e| e.to_string())?;
    Ok(request)
}
