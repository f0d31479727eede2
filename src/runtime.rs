//! Messages to the service worker, typed at both ends by `bms_itglue_core::messages`.

use bms_itglue_core::messages::{Request, Response};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = sendMessage, catch)]
    fn send_message(message: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// Sends a request and waits for the worker's answer. A worker that cannot be reached (extension reloaded,
/// context invalidated) yields `Failed`, so callers deal with one type of outcome.
pub async fn send(request: &Request) -> Response {
    match try_send(request).await {
        Ok(response) => response,
        Err(message) => Response::Failed { message },
    }
}

async fn try_send(request: &Request) -> Result<Response, String> {
    let message = request.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| e.to_string())?;
    let promise = send_message(&message).map_err(describe)?;
    let reply = JsFuture::from(promise).await.map_err(describe)?;
    serde_wasm_bindgen::from_value(reply).map_err(|e| format!("unexpected answer from the extension: {e}"))
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the extension did not answer".into())
}
