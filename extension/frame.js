// The widget inside an iframe, for BMS pages whose CSP forbids WebAssembly. The BMS page URL arrives in the hash.
import init, { mount_frame } from './wasm/ui.js';

const pageUrl = decodeURIComponent(location.hash.slice(1));
await init({ module_or_path: new URL('./wasm/ui_bg.wasm', import.meta.url) });
try {
  mount_frame(pageUrl);
} catch (error) {
  console.debug('bms-itglue: no widget on this page:', error);
  window.parent.postMessage({ type: 'bms-itglue-unmount' }, new URL(pageUrl).origin);
}
