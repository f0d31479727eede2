// The service worker's loader. MV3 rules: listeners are registered synchronously at top level, and a worker
// has no top-level await, so each event waits on the wasm init promise instead.
import init, { handle_alarm, handle_message, on_start } from './wasm/worker.js';

// Secrets live in chrome.storage.local: keep that area out of reach of content scripts.
chrome.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });

// Sync state (journal, links, cursors, logs) is larger than chrome.storage allows: it lives in this origin's
// IndexedDB, one object store of JSON strings by key. The Rust side reaches it through bmsItglueState.
const database = new Promise((resolve, reject) => {
  const open = indexedDB.open('bms-itglue', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('state');
  open.onsuccess = () => resolve(open.result);
  open.onerror = () => reject(open.error);
});
const transact = (mode, work) =>
  database.then(
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction('state', mode);
        const request = work(tx.objectStore('state'));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      }),
  );
globalThis.bmsItglueState = {
  get: (key) => transact('readonly', (store) => store.get(key)),
  put: (key, value) => transact('readwrite', (store) => store.put(value, key)),
};

const ready = init({ module_or_path: new URL('./wasm/worker_bg.wasm', import.meta.url) });
ready.then(() => on_start()).catch((error) => console.error('bms-itglue start:', error));

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  ready
    .then(() => handle_message(message, sender))
    .then(sendResponse, (error) => {
      console.error('bms-itglue worker:', error);
      sendResponse({ type: 'failed', message: 'The extension hit an internal error; see its service worker log.' });
    });
  return true; // the answer is asynchronous
});

chrome.alarms.onAlarm.addListener((alarm) => {
  ready.then(() => handle_alarm(alarm.name)).catch((error) => console.error('bms-itglue alarm:', error));
});
