// The service worker's loader. MV3 rules: listeners are registered synchronously at top level, and a worker
// has no top-level await, so each event waits on the wasm init promise instead.
import init, { handle_message } from './wasm/worker.js';

// Secrets live in chrome.storage.local: keep that area out of reach of content scripts.
chrome.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });

const ready = init({ module_or_path: new URL('./wasm/worker_bg.wasm', import.meta.url) });

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  ready
    .then(() => handle_message(message, sender))
    .then(sendResponse, (error) => {
      console.error('bms-itglue worker:', error);
      sendResponse({ type: 'failed', message: 'The extension hit an internal error; see its service worker log.' });
    });
  return true; // the answer is asynchronous
});
