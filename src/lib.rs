//! The extension's UI module: the IT Glue widget injected into BMS pages, its strict-CSP iframe, the options
//! page, the Manage Data page and the toolbar popup. Each entry point below is called by a few lines of JS in
//! `extension/`.

mod controls;
mod manage;
mod options;
mod popup;
mod runtime;
mod sync_view;
mod widget;

use wasm_bindgen::prelude::*;

/// Mounts the widget into the shadow root that `content.js` made on a BMS page.
#[wasm_bindgen]
pub fn mount_widget(shadow: web_sys::ShadowRoot, page_url: String) -> Result<widget::WidgetHandle, JsValue> {
    widget::mount_in_shadow(&shadow, &page_url)
}

/// Mounts the widget inside `frame.html`, the fallback for pages whose CSP forbids WebAssembly.
#[wasm_bindgen]
pub fn mount_frame(page_url: String) -> Result<(), JsValue> {
    widget::mount_in_frame(&page_url)
}

#[wasm_bindgen]
pub fn mount_options() -> Result<(), JsValue> {
    options::mount()
}

#[wasm_bindgen]
pub fn mount_manage() -> Result<(), JsValue> {
    manage::mount()
}

#[wasm_bindgen]
pub fn mount_popup() -> Result<(), JsValue> {
    popup::mount()
}

fn body() -> Result<web_sys::HtmlElement, JsValue> {
    web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()).ok_or_else(|| JsValue::from_str("no document body"))
}
