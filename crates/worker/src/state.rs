//! The sync runner's durable state in the worker: IndexedDB, through the small accessor `worker.js` defines.
//! IndexedDB holds far more than `chrome.storage` and is as unreachable for content scripts.

use bms_itglue_sync_runner::{StateStore, StoreError};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::chrome::describe;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = bmsItglueState, js_name = get, catch)]
    fn idb_get(key: &str) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(js_namespace = bmsItglueState, js_name = put, catch)]
    fn idb_put(key: &str, value: &str) -> Result<js_sys::Promise, JsValue>;
}

pub struct IndexedDbState;

impl StateStore for IndexedDbState {
    async fn load(&self, key: &str) -> Result<Option<String>, StoreError> {
        let promise = idb_get(key).map_err(|e| StoreError(describe(e)))?;
        let value = JsFuture::from(promise).await.map_err(|e| StoreError(describe(e)))?;
        Ok(value.as_string())
    }

    async fn save(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let promise = idb_put(key, value).map_err(|e| StoreError(describe(e)))?;
        JsFuture::from(promise).await.map(drop).map_err(|e| StoreError(describe(e)))
    }
}
