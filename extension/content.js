// Mounts the IT Glue widget on BMS pages. The widget's code is WebAssembly; where the page's CSP forbids
// WebAssembly (Chromium applies it even to content scripts), the widget runs in an extension-page iframe,
// which has the extension's own CSP. Either way it lives in a shadow root, out of reach of the page's CSS.
(() => {
  if (window.top !== window || document.getElementById('bms-itglue-root')) return;

  // :host rules are !important: in a shadow tree's own styles, !important beats the page's !important.
  const HOST_CSS = `
    :host { all: initial !important; display: block !important; position: fixed !important; top: 30vh !important;
      right: 0 !important; z-index: 2147483646 !important; visibility: visible !important; opacity: 1 !important;
      width: auto !important; height: auto !important; transform: none !important; clip-path: none !important;
      pointer-events: auto !important; }
    :host([data-mode="frame"]) { width: 40px !important; height: 120px !important; }
    :host([data-mode="frame"][data-expanded]) { width: 420px !important; height: 70vh !important; }
    .itg-frame { all: initial !important; display: block !important; width: 100% !important; height: 100% !important;
      border: 0 !important; background: transparent !important; color-scheme: normal !important; }
    @media (max-width: 1023px) { :host { display: none !important; } }
  `;

  const host = document.createElement('div');
  host.id = 'bms-itglue-root';
  const shadow = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(HOST_CSS);
  shadow.adoptedStyleSheets = [sheet];

  const wasmAllowed = () => {
    try {
      new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
      return true;
    } catch {
      return false;
    }
  };

  const mountDirect = async () => {
    host.dataset.mode = 'direct';
    document.body.append(host);
    const ui = await import(chrome.runtime.getURL('wasm/ui.js'));
    await ui.default({ module_or_path: chrome.runtime.getURL('wasm/ui_bg.wasm') });
    ui.mount_widget(shadow, location.href);
  };

  const mountFrame = () => {
    host.dataset.mode = 'frame';
    const frame = document.createElement('iframe');
    frame.className = 'itg-frame';
    frame.title = 'IT Glue';
    frame.src = `${chrome.runtime.getURL('frame.html')}#${encodeURIComponent(location.href)}`;
    shadow.append(frame);
    const extensionOrigin = new URL(chrome.runtime.getURL('')).origin;
    window.addEventListener('message', (event) => {
      if (event.origin !== extensionOrigin || event.source !== frame.contentWindow) return;
      if (event.data?.type === 'bms-itglue-size') host.toggleAttribute('data-expanded', event.data.expanded === true);
      if (event.data?.type === 'bms-itglue-unmount') host.remove();
    });
    document.body.append(host);
  };

  if (wasmAllowed()) {
    mountDirect().catch((error) => {
      host.remove();
      console.debug('bms-itglue: no widget on this page:', error);
    });
  } else {
    mountFrame();
  }
})();
