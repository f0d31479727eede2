//! Time in the service worker, for the sync runner.

use bms_itglue_sync_runner::Clock;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;
}

pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    async fn sleep(&self, ms: u64) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms as f64);
        });
        // A timer promise never rejects.
        let _ = JsFuture::from(promise).await;
    }

    fn jitter(&self) -> f64 {
        js_sys::Math::random()
    }
}
