//! The few `chrome.*` calls the worker makes, and conversions at the JS boundary.

use js_sys::{Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = id, thread_local_v2)]
    static RUNTIME_ID: String;

    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = openOptionsPage, catch)]
    fn open_options_page_js() -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = create, catch)]
    fn tabs_create(properties: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getURL)]
    fn runtime_get_url(path: &str) -> String;

    #[wasm_bindgen(js_namespace = ["chrome", "alarms"], js_name = create)]
    fn alarms_create(name: &str, info: &JsValue);

    #[wasm_bindgen(js_namespace = ["chrome", "alarms"], js_name = clear)]
    fn alarms_clear(name: &str);

    #[wasm_bindgen(js_namespace = ["chrome", "notifications"], js_name = create)]
    fn notifications_create(options: &JsValue);

    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = get, catch)]
    fn storage_get(keys: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = set, catch)]
    fn storage_set(items: &JsValue) -> Result<Promise, JsValue>;
}

pub fn extension_id() -> String {
    RUNTIME_ID.with(Clone::clone)
}

pub async fn open_options_page() -> Result<(), String> {
    let promise = open_options_page_js().map_err(describe)?;
    JsFuture::from(promise).await.map(drop).map_err(describe)
}

/// Opens a new tab; `chrome.tabs.create` needs no permission.
pub async fn open_tab(url: &str) -> Result<(), String> {
    let properties = js_sys::Object::new();
    Reflect::set(&properties, &"url".into(), &url.into()).map_err(describe)?;
    let promise = tabs_create(&properties).map_err(describe)?;
    JsFuture::from(promise).await.map(drop).map_err(describe)
}

/// The URL of one of the extension's own pages.
pub fn extension_url(path: &str) -> String {
    runtime_get_url(path)
}

/// Schedules (or reschedules) an alarm; Chrome runs alarms at least 30 s apart.
pub fn create_alarm(name: &str, delay_minutes: Option<f64>, period_minutes: Option<f64>) {
    let info = js_sys::Object::new();
    if let Some(delay) = delay_minutes {
        let _ = Reflect::set(&info, &"delayInMinutes".into(), &delay.into());
    }
    if let Some(period) = period_minutes {
        let _ = Reflect::set(&info, &"periodInMinutes".into(), &period.into());
    }
    alarms_create(name, &info);
}

pub fn clear_alarm(name: &str) {
    alarms_clear(name);
}

pub fn notify(title: &str, message: &str) {
    let options = js_sys::Object::new();
    for (key, value) in [("type", "basic"), ("iconUrl", "icons/icon-128.png"), ("title", title), ("message", message)] {
        let _ = Reflect::set(&options, &key.into(), &value.into());
    }
    notifications_create(&options);
}

/// Reads one string value from `chrome.storage.local`.
pub async fn stored_string(key: &str) -> Result<Option<String>, String> {
    let promise = storage_get(&JsValue::from_str(key)).map_err(describe)?;
    let items = JsFuture::from(promise).await.map_err(describe)?;
    Ok(Reflect::get(&items, &JsValue::from_str(key)).ok().and_then(|v| v.as_string()))
}

pub async fn store_string(key: &str, value: &str) -> Result<(), String> {
    let items = js_sys::Object::new();
    Reflect::set(&items, &JsValue::from_str(key), &JsValue::from_str(value)).map_err(describe)?;
    let promise = storage_set(&items).map_err(describe)?;
    JsFuture::from(promise).await.map(drop).map_err(describe)
}

/// A string at a property path of a JS object, if every step exists.
pub fn string_at(object: &JsValue, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(object.clone(), |value, key| Reflect::get(&value, &JsValue::from_str(key)).ok().filter(|v| v.is_object() || v.is_string()))
        .and_then(|v| v.as_string())
}

/// Serializes for extension messaging, which is JSON: maps must become plain objects.
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

pub fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
