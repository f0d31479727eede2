// Mounts the IT Glue widget on BMS pages, and mounts it again when the single-page app moves to another record
// without a page load. The widget's code is WebAssembly; where the page's CSP forbids WebAssembly (Chromium
// applies it even to content scripts), the widget runs in an extension-page iframe, which has the extension's
// own CSP. Either way it lives in a shadow root, out of reach of the page's CSS.
(() => {
  if (window.top !== window || window.__bmsItglueContent) return;
  window.__bmsItglueContent = true;

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
  const extensionOrigin = new URL(chrome.runtime.getURL('')).origin;

  const wasmAllowed = (() => {
    try {
      new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
      return true;
    } catch {
      return false;
    }
  })();

  let ui = null; // the wasm module, loaded once
  const loadUi = () => {
    ui ??= import(chrome.runtime.getURL('wasm/ui.js')).then(async (module) => {
      await module.default({ module_or_path: chrome.runtime.getURL('wasm/ui_bg.wasm') });
      return module;
    });
    return ui;
  };

  const newHost = (mode) => {
    const host = document.createElement('div');
    host.id = 'bms-itglue-root';
    host.dataset.mode = mode;
    const shadow = host.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(HOST_CSS);
    shadow.adoptedStyleSheets = [sheet];
    return { host, shadow };
  };

  // Each mount returns a function that removes what it mounted.
  const mountDirect = async (pageUrl) => {
    const { host, shadow } = newHost('direct');
    document.body.append(host);
    try {
      const handle = (await loadUi()).mount_widget(shadow, pageUrl);
      return () => {
        handle.unmount();
        host.remove();
      };
    } catch (error) {
      host.remove();
      console.debug('bms-itglue: no widget on this page:', error);
      return () => {};
    }
  };

  const mountFrame = (pageUrl) => {
    const { host, shadow } = newHost('frame');
    const frame = document.createElement('iframe');
    frame.className = 'itg-frame';
    frame.title = 'IT Glue';
    frame.src = `${chrome.runtime.getURL('frame.html')}#${encodeURIComponent(pageUrl)}`;
    shadow.append(frame);
    const onMessage = (event) => {
      if (event.origin !== extensionOrigin || event.source !== frame.contentWindow) return;
      if (event.data?.type === 'bms-itglue-size') host.toggleAttribute('data-expanded', event.data.expanded === true);
      if (event.data?.type === 'bms-itglue-unmount') host.remove();
    };
    window.addEventListener('message', onMessage);
    document.body.append(host);
    return () => {
      window.removeEventListener('message', onMessage);
      host.remove();
    };
  };

  let mountedUrl = null;
  let unmount = () => {};
  let pending = Promise.resolve();
  const sync = () => {
    pending = pending.then(async () => {
      if (location.href === mountedUrl) return;
      mountedUrl = location.href;
      unmount();
      unmount = wasmAllowed ? await mountDirect(mountedUrl) : mountFrame(mountedUrl);
    });
  };

  sync();
  // The page's history.pushState runs in the page's world, invisible to this script's wrappers; the Navigation
  // API's events reach every world, and a slow poll covers browsers without it.
  window.navigation?.addEventListener('currententrychange', sync);
  window.addEventListener('popstate', sync);
  setInterval(sync, 1000);
})();
