import init, { mount_manage } from './wasm/ui.js';

await init({ module_or_path: new URL('./wasm/ui_bg.wasm', import.meta.url) });
mount_manage();
