// Shared end-to-end harness: starts the sandbox (local emulator of Kaseya BMS and IT Glue), launches Chromium
// with the unpacked extension, and drives the options page and the widget like a technician would.
//
// Environment (all optional):
//   EXTENSION_DIR  unpacked extension (default <repo>/dist/dev)
//   SANDBOX_BIN    sandbox binary (default <repo>/target/debug/sandbox)
//   CHROMIUM       Chromium binary (default /usr/bin/chromium)
//   TEST_OUTPUT    where screenshots go (default <repo>/test-output)

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Repository root: two levels up from tests/e2e. */
export const REPO = path.resolve(HERE, '..', '..', '..');

export const EXTENSION_DIR = path.resolve(process.env.EXTENSION_DIR || path.join(REPO, 'dist', 'dev'));
export const SANDBOX_BIN = path.resolve(process.env.SANDBOX_BIN || path.join(REPO, 'target', 'debug', 'sandbox'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const TEST_OUTPUT = path.resolve(process.env.TEST_OUTPUT || path.join(REPO, 'test-output'));

/** Default timeout for waiting on things the extension renders (wasm has to load first). */
export const UI_TIMEOUT = Number(process.env.E2E_UI_TIMEOUT_MS || 20_000);

const WIDGET_HOST = '#bms-itglue-root';
const FRAME_SELECTOR = `${WIDGET_HOST} iframe.itg-frame`;

// ---------------------------------------------------------------------------------------------------------------
// Prerequisites: missing pieces make the test FAIL with instructions, never skip.

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function requireChromium() {
  if (!isExecutable(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install the distribution package ` +
        '(`apt-get install -y chromium`) or set CHROMIUM to a Chromium binary. Do not download a browser.',
    );
  }
}

export function requireExtension() {
  const manifest = path.join(EXTENSION_DIR, 'manifest.json');
  if (!fs.existsSync(manifest)) {
    throw new Error(
      `Extension build not found: ${manifest} does not exist. Build the unpacked development extension with ` +
        '`cargo xtask dist` (or set EXTENSION_DIR to an unpacked build that contains manifest.json).',
    );
  }
}

export function requireSandbox() {
  if (!isExecutable(SANDBOX_BIN)) {
    throw new Error(
      `Sandbox binary not found at ${SANDBOX_BIN}. Build it with \`cargo build -p sandbox\` ` +
        '(or set SANDBOX_BIN to the sandbox binary).',
    );
  }
}

/** Checks everything an end-to-end test needs; throws a clear error for the first missing piece. */
export function requirePrerequisites({ extension = true, sandbox = true, browser = true } = {}) {
  if (browser) requireChromium();
  if (extension) requireExtension();
  if (sandbox) requireSandbox();
}

// ---------------------------------------------------------------------------------------------------------------
// Temporary directories and cleanup.

/** A fresh per-run temporary directory; remove it with `removeDir`. */
export function makeRunDir(prefix = 'bms-itglue-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir) {
  if (!dir) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
  } catch (err) {
    console.error(`warning: could not remove ${dir}: ${err.message}`);
  }
}

/**
 * Collects cleanup callbacks and runs them in reverse order, continuing past failures.
 * Usage: `const cleanup = new Cleanup(); cleanup.add(() => x.close()); ... await cleanup.run();`
 */
export class Cleanup {
  #fns = [];
  add(fn) {
    this.#fns.push(fn);
    return fn;
  }
  async run() {
    const errors = [];
    while (this.#fns.length) {
      const fn = this.#fns.pop();
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    for (const err of errors) console.error(`cleanup error: ${err?.stack || err}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sandbox.

const SANDBOX_KEYS = ['itglue_api', 'bms_api', 'bms_web', 'itglue_web', 'itglue_api_ip', 'bms_api_ip', 'bms_web_ip',
  'itglue_web_ip'];

/**
 * Starts the sandbox and waits for its one-line JSON ready message.
 * @param {object} opts
 * @param {string} [opts.db] database path (default: a fresh file in opts.dir or a new temp dir)
 * @param {string} [opts.dir] directory for the fresh database
 * @param {boolean} [opts.reset=true] pass --reset
 * @param {'off'|'relaxed'|'strict'} [opts.csp]
 * @param {401|403} [opts.itglueAuthError]
 * @param {string[]} [opts.args] extra arguments
 * @param {number} [opts.timeoutMs=30000]
 * @param {boolean} [opts.inheritStderr=false] show the sandbox log (otherwise kept for error messages)
 * @returns {Promise<object>} the ready JSON plus `process`, `db`, `log()`, `stop()`, `setCsp(mode)`
 */
export async function startSandbox(opts = {}) {
  requireSandbox();
  const {
    reset = true,
    csp,
    itglueAuthError,
    args: extra = [],
    timeoutMs = 30_000,
    inheritStderr = !!process.env.E2E_SANDBOX_LOG,
  } = opts;
  let ownDir = null;
  let db = opts.db;
  if (!db) {
    const dir = opts.dir || (ownDir = makeRunDir('bms-itglue-sandbox-'));
    db = path.join(dir, `sandbox-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.db`);
  }
  fs.mkdirSync(path.dirname(db), { recursive: true });
  const args = ['--db', db];
  if (reset) args.push('--reset');
  if (csp) args.push('--csp', String(csp));
  if (itglueAuthError) args.push('--itglue-auth-error', String(itglueAuthError));
  args.push(...extra);

  const child = spawn(SANDBOX_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (inheritStderr) process.stderr.write(chunk);
    stderr += chunk;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let hasExited = false;
  exited.then(() => (hasExited = true));

  const describeFailure = (why) =>
    `sandbox (${SANDBOX_BIN} ${args.join(' ')}) ${why}` + (stderr.trim() ? `\n--- sandbox stderr ---\n${stderr.trim().slice(-4000)}` : '');

  const ready = new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(describeFailure(`did not print its ready line within ${timeoutMs} ms`)));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(describeFailure(`could not be started: ${err.message}`)));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(describeFailure(`exited before it was ready (code ${code}, signal ${signal})`)));
    });
    child.stdout.setEncoding('utf8');
    const onData = (chunk) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      child.stdout.off('data', onData);
      child.stdout.on('data', () => {}); // keep draining anything else
      clearTimeout(timer);
      const line = buf.slice(0, nl).trim();
      try {
        const parsed = JSON.parse(line);
        const missing = SANDBOX_KEYS.filter((k) => typeof parsed[k] !== 'string');
        if (missing.length || !parsed.credentials) {
          throw new Error(`missing keys: ${[...missing, ...(parsed.credentials ? [] : ['credentials'])].join(', ')}`);
        }
        resolve(parsed);
      } catch (err) {
        child.kill('SIGKILL');
        reject(new Error(describeFailure(`printed an unexpected ready line (${err.message}): ${line}`)));
      }
    };
    child.stdout.on('data', onData);
  });
  let info;
  try {
    info = await ready;
  } catch (err) {
    if (!hasExited) {
      child.kill('SIGKILL');
      await exited;
    }
    if (ownDir) removeDir(ownDir);
    throw err;
  }

  // If this process dies without calling stop(), do not leave the sandbox running.
  const killOnExit = () => {
    if (!hasExited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped = null;
  const stop = () => {
    if (stopped) return stopped;
    process.off('exit', killOnExit);
    stopped = (async () => {
      if (!hasExited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      if (ownDir) removeDir(ownDir);
    })();
    return stopped;
  };

  return {
    ...info,
    db,
    process: child,
    log: () => stderr,
    stop,
    /** Changes the BMS web page CSP at run time ('off' | 'relaxed' | 'strict'). */
    async setCsp(mode) {
      const res = await fetch(`${info.bms_web_ip}/_sandbox/csp`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode }),
      });
      if (res.status !== 204) {
        throw new Error(`PUT /_sandbox/csp ${mode} answered HTTP ${res.status}: ${await res.text()}`);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Browser.

/** Chromium's extension id for an unpacked folder: from the manifest "key" if present, else from the path. */
export function expectedExtensionId(dir = EXTENSION_DIR) {
  let material;
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    if (typeof manifest.key === 'string') material = Buffer.from(manifest.key, 'base64');
  } catch {
    // fall through to the path-derived id
  }
  if (!material) material = Buffer.from(fs.realpathSync(dir), 'utf8');
  const hex = createHash('sha256').update(material).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode('a'.charCodeAt(0) + parseInt(c, 16))).join('');
}

/**
 * Launches Chromium with the extension in a fresh profile.
 * @param {object} [opts]
 * @param {boolean} [opts.headless=true]
 * @param {string} [opts.extensionDir=EXTENSION_DIR]
 * @param {string[]} [opts.args] extra Chromium flags
 * @param {object} [opts.viewport] default 1280x800 (headless) / null (headed)
 * @param {object} [opts.launchOptions] extra Playwright launch options (e.g. handleSIGINT: false)
 * @returns {Promise<{ctx, extensionId, worker, runDir, close: () => Promise<void>}>}
 */
export async function launchBrowser(opts = {}) {
  requireChromium();
  const extensionDir = path.resolve(opts.extensionDir || EXTENSION_DIR);
  if (!fs.existsSync(path.join(extensionDir, 'manifest.json'))) requireExtension();
  const headless = opts.headless ?? true;
  const runDir = makeRunDir('bms-itglue-browser-');
  const userDataDir = path.join(runDir, 'profile');
  const tmpDir = path.join(runDir, 'tmp');
  fs.mkdirSync(userDataDir);
  fs.mkdirSync(tmpDir);

  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless,
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        ...(opts.args || []),
      ],
      env: { ...process.env, TMPDIR: tmpDir },
      viewport: opts.viewport !== undefined ? opts.viewport : headless ? { width: 1280, height: 800 } : null,
      timeout: 60_000,
      ...(opts.launchOptions || {}),
    });
  } catch (err) {
    removeDir(runDir);
    throw new Error(`could not launch Chromium (${CHROMIUM}) with the extension from ${extensionDir}: ${err.message}`);
  }
  ctx.setDefaultTimeout(UI_TIMEOUT);

  const close = async () => {
    try {
      await ctx.close();
    } catch {
      // already closed
    }
    removeDir(runDir);
  };

  try {
    const wantedId = expectedExtensionId(extensionDir);
    const isExtensionWorker = (w) => w.url().startsWith('chrome-extension://');
    const pick = () => {
      const workers = ctx.serviceWorkers().filter(isExtensionWorker);
      return workers.find((w) => new URL(w.url()).host === wantedId) || workers[0];
    };
    let worker = pick();
    if (!worker) {
      worker = await ctx
        .waitForEvent('serviceworker', { predicate: isExtensionWorker, timeout: 20_000 })
        .catch(() => pick());
    }
    if (!worker) {
      throw new Error(
        `the extension from ${extensionDir} did not start a service worker within 20 s ` +
          '(is manifest.json valid and does it declare background.service_worker?)',
      );
    }
    const extensionId = new URL(worker.url()).host;
    return { ctx, extensionId, worker, runDir, headless, close };
  } catch (err) {
    await close();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Polling helpers (playwright-core has no `expect`).

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a truthy value (returned) or the timeout passes (throws, with `describe()` output).
 */
export async function eventually(fn, { timeout = UI_TIMEOUT, interval = 100, message = 'condition', describe } = {}) {
  const deadline = Date.now() + timeout;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      lastErr = undefined;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      let extra = '';
      if (describe) {
        try {
          extra = `\n${await describe()}`;
        } catch (err) {
          extra = `\n(could not describe state: ${err.message})`;
        }
      }
      throw new Error(
        `timed out after ${timeout} ms waiting for ${message}` + (lastErr ? ` (last error: ${lastErr.message})` : '') + extra,
      );
    }
    await sleep(interval);
  }
}

/** Waits until the locator's visible text contains `expected` (string or RegExp); returns the text. */
export async function waitForText(locator, expected, { timeout = UI_TIMEOUT } = {}) {
  let last = '';
  const ok = (t) => (expected instanceof RegExp ? expected.test(t) : t.includes(expected));
  try {
    return await eventually(
      async () => {
        last = (await locator.first().innerText({ timeout: 1_000 })).trim();
        return ok(last) ? last : null;
      },
      { timeout, message: `text ${expected}` },
    );
  } catch {
    throw new Error(`expected text ${expected} in ${locator}, last seen: ${JSON.stringify(last)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Options page.

/** The Manage Data page, opened as the popup's "Manage data" does. */
export async function openManage(ctx, extensionId, hash = '') {
  const page = await ctx.newPage();
  await page.goto(`chrome-extension://${extensionId}/manage.html${hash}`);
  await page.locator('#categories').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return page;
}

/**
 * On the Sync Settings tab of an open options page: syncs Customer, Vendor and Prospect accounts that are Active
 * with their contacts, and with `assets` every asset type BMS offers; then saves.
 */
export async function chooseSyncSettings(page, { assets = false } = {}) {
  await page.locator('#tab-sync').click();
  const types = page.locator('#account-types input[type=checkbox]');
  await eventually(async () => (await types.count()) > 0, { message: 'account types read from BMS' });
  for (const type of ['Customer', 'Vendor', 'Prospect']) {
    await page.locator(`#account-types input[value="${type}"]`).check();
  }
  await page.locator('#account-statuses input[value="Active"]').check();
  if (assets) {
    const assetTypes = page.locator('#asset-types input[type=checkbox]');
    for (let i = 0; i < (await assetTypes.count()); i += 1) await assetTypes.nth(i).check();
  }
  await page.locator('#sync-contacts').check();
  await page.locator('button.save-sync').click();
  await eventually(async () => (await page.locator('.save-sync-status').getAttribute('data-result')) === 'ok', {
    message: 'the sync settings to be saved',
  });
}

/** Clicks "Start sync now" on a page with the status bar and waits for that run to end; returns its status label. */
export async function syncNow(page, { timeout = 300_000 } = {}) {
  const clicked = Date.now();
  await page.locator('#start-sync').click();
  return runEnded(page, clicked, { timeout, message: 'the sync to finish' });
}

/**
 * Waits until the status bar shows the outcome of a run started at or after `sinceMs` (a run already going when
 * the technician asked for one does not count); returns its status label.
 */
export async function runEnded(page, sinceMs, { timeout = 300_000, message = 'the run to finish' } = {}) {
  const bar = page.locator('.sync-status');
  let label;
  await eventually(
    async () => {
      const started = Number((await bar.getAttribute('data-run-started')) ?? -1);
      label = (await page.locator('#sync-status').innerText()).trim();
      return started >= sinceMs;
    },
    { timeout, message, describe: async () => `status: ${label}, ${await page.locator('.sync-detail').innerText()}` },
  );
  return label;
}

/** A call to the sandbox's BMS API as the API user; answers the parsed JSON body. */
export async function bmsApi(sandbox, method, path, body) {
  const { bms_username: user, bms_password: password, bms_company: company } = sandbox.credentials;
  const auth = await fetch(`${sandbox.bms_api_ip}/v2/security/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ GrantType: 'password', UserName: user, Password: password, Tenant: company }),
  });
  const token = (await auth.json())?.result?.accessToken;
  if (!token) throw new Error(`BMS sign-in failed: HTTP ${auth.status}`);
  const response = await fetch(`${sandbox.bms_api_ip}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

/** A call to the sandbox's IT Glue API with the API key; answers {status, json}. */
export async function itglueApi(sandbox, method, path, body) {
  const response = await fetch(`${sandbox.itglue_api_ip}${path}`, {
    method,
    headers: {
      'x-api-key': sandbox.credentials.itglue_api_key,
      ...(body ? { 'content-type': 'application/vnd.api+json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

export function optionsUrl(extensionId) {
  return `chrome-extension://${extensionId}/options.html`;
}

/** Opens the options page and waits until the Leptos app rendered the form. */
export async function openOptions(ctx, extensionId) {
  const page = await ctx.newPage();
  await page.goto(optionsUrl(extensionId));
  await page.locator('#bms-server').waitFor({ state: 'visible' });
  await page.locator('#itg-api-key').waitFor({ state: 'visible' });
  await settleForm(page);
  return page;
}

/**
 * Saved settings are read from extension storage after the form first renders; typing before they arrive could be
 * overwritten. Waits until the form's values stayed unchanged for a moment (at most a few seconds).
 */
async function settleForm(page, { stableMs = 400, maxMs = 4_000 } = {}) {
  const snapshot = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea')]
        .map((el) => `${el.id}=${el.value}|${el.getAttribute('placeholder') || ''}|${el.offsetParent !== null}`)
        .join('\n'),
    );
  const start = Date.now();
  let last = await snapshot();
  let since = Date.now();
  while (Date.now() - start < maxMs) {
    await sleep(100);
    const now = await snapshot();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= stableMs) {
      return;
    }
  }
}

/** The form values a technician would type for this sandbox, with overrides. */
export function formValues(sandbox, overrides = {}) {
  const c = sandbox?.credentials || {};
  return {
    bmsServer: 'custom',
    bmsUrl: sandbox?.bms_api,
    bmsWebUrl: sandbox?.bms_web,
    bmsUsername: c.bms_username,
    bmsPassword: c.bms_password,
    bmsCompany: c.bms_company,
    itgRegion: 'custom',
    itgUrl: sandbox?.itglue_api,
    itgApiKey: c.itglue_api_key,
    ...overrides,
  };
}

/** Fills the options form like a user (select, then type). Fields whose value is undefined are left alone. */
export async function fillOptions(page, values) {
  const v = values;
  if (v.bmsServer !== undefined) {
    await page.locator('#bms-server').selectOption(v.bmsServer);
    if (v.bmsServer === 'custom') await page.locator('#bms-custom-url').waitFor({ state: 'visible' });
  }
  if (v.bmsUrl !== undefined && v.bmsServer === 'custom') await page.locator('#bms-custom-url').fill(v.bmsUrl);
  if (v.bmsWebUrl !== undefined && v.bmsServer === 'custom') await page.locator('#bms-custom-web-url').fill(v.bmsWebUrl);
  if (v.bmsUsername !== undefined) await page.locator('#bms-username').fill(v.bmsUsername);
  if (v.bmsPassword !== undefined) await page.locator('#bms-password').fill(v.bmsPassword);
  if (v.bmsCompany !== undefined) await page.locator('#bms-company').fill(v.bmsCompany);
  if (v.itgRegion !== undefined) {
    await page.locator('#itg-region').selectOption(v.itgRegion);
    if (v.itgRegion === 'custom') await page.locator('#itg-custom-url').waitFor({ state: 'visible' });
  }
  if (v.itgUrl !== undefined && v.itgRegion === 'custom') await page.locator('#itg-custom-url').fill(v.itgUrl);
  if (v.itgApiKey !== undefined) await page.locator('#itg-api-key').fill(v.itgApiKey);
}

/**
 * Clicks Save and waits for a result; returns {result: 'ok'|'error', text}.
 * The status element may already carry a result from an earlier save, so the click is followed by waiting for
 * a change (or a settled value after a short grace period).
 */
export async function clickSave(page) {
  const status = page.locator('#save-status');
  const before = await status
    .evaluate((el) => `${el.getAttribute('data-result')}|${el.textContent}`, undefined, { timeout: 1_000 })
    .catch(() => null);
  await page.locator('#save').click();
  const start = Date.now();
  return eventually(
    async () => {
      const now = await status.evaluate((el) => ({ result: el.getAttribute('data-result'), text: el.textContent.trim() }), undefined, {
        timeout: 1_000,
      });
      if (now.result !== 'ok' && now.result !== 'error') return null;
      const changed = `${now.result}|${now.text}` !== before;
      return changed || Date.now() - start > 1_500 ? now : null;
    },
    { message: '#save-status[data-result] after clicking Save' },
  );
}

/**
 * Clicks a "Test connection" button and waits for its result element; returns {result, text}.
 * Like `clickSave`, waits for the result to change (or to settle, when it was already shown before the click).
 */
export async function clickTest(page, side /* 'bms' | 'itg' */) {
  const result = page.locator(`#${side}-test-result`);
  const read = () =>
    result.evaluate((el) => ({ result: el.getAttribute('data-result'), text: el.textContent.trim() }), undefined, {
      timeout: 1_000,
    });
  const before = await read().then((r) => `${r.result}|${r.text}`, () => null);
  await page.locator(`#test-${side}`).click();
  const start = Date.now();
  return eventually(
    async () => {
      const r = await read();
      if (r.result !== 'ok' && r.result !== 'error') return null;
      return `${r.result}|${r.text}` !== before || Date.now() - start > 3_000 ? r : null;
    },
    { timeout: 30_000, message: `#${side}-test-result[data-result] after clicking Test connection` },
  );
}

/**
 * What most suites start with: the sandbox and a browser with the extension, stopped by `cleanup`; unless
 * `configure` is false, the extension is connected to that sandbox.
 */
export async function startSandboxAndBrowser(cleanup, { sandbox: sandboxOpts = {}, configure = true } = {}) {
  requirePrerequisites();
  const sandbox = await startSandbox(sandboxOpts);
  cleanup.add(() => sandbox.stop());
  const browser = await launchBrowser();
  cleanup.add(() => browser.close());
  if (configure) await configureExtension(browser.ctx, browser.extensionId, sandbox);
  return { sandbox, browser };
}

/**
 * Opens the options page, fills it for the sandbox (custom BMS server = sandbox.bms_api, custom IT Glue region =
 * sandbox.itglue_api, sandbox credentials; `overrides` replace any of these), clicks Save and waits for
 * data-result="ok". Closes the page unless `keepOpen` is set (then returns it).
 */
export async function configureExtension(ctx, extensionId, sandbox, overrides = {}, { keepOpen = false } = {}) {
  const page = await openOptions(ctx, extensionId);
  try {
    await fillOptions(page, formValues(sandbox, overrides));
    const saved = await clickSave(page);
    if (saved.result !== 'ok') throw new Error(`saving the options failed: ${saved.text}`);
  } catch (err) {
    await page.close().catch(() => {});
    throw err;
  }
  if (keepOpen) return page;
  await page.close();
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// BMS account page and widget.

export function accountUrl(sandbox, id) {
  return `${sandbox.bms_web}/react/crm/accounts/${id}`;
}

/** Opens a BMS page (`path` such as `/react/crm/contacts/7`) in a new tab and waits for the widget host. */
export async function openBmsPage(ctx, sandbox, path, { waitForWidget = true } = {}) {
  const page = await ctx.newPage();
  await page.goto(`${sandbox.bms_web}${path}`);
  if (waitForWidget) await waitForHost(page);
  return page;
}

/** Opens the BMS account page in a new tab and waits for the widget host to appear. */
export async function openAccountPage(ctx, sandbox, id, { waitForWidget = true } = {}) {
  const page = await ctx.newPage();
  await page.goto(accountUrl(sandbox, id));
  if (waitForWidget) await waitForHost(page);
  return page;
}

/** Waits for the widget host and its mode; returns 'direct' or 'frame'. */
export async function waitForHost(page, { timeout = UI_TIMEOUT } = {}) {
  return eventually(
    () =>
      page.evaluate((sel) => {
        const host = document.querySelector(sel);
        const mode = host && host.getAttribute('data-mode');
        return mode === 'direct' || mode === 'frame' ? mode : null;
      }, WIDGET_HOST),
    {
      timeout,
      message: `${WIDGET_HOST}[data-mode="direct"|"frame"] on ${page.url()}`,
      describe: () =>
        page.evaluate((sel) => {
          const host = document.querySelector(sel);
          return host ? `host present: ${host.outerHTML.slice(0, 300)}` : 'no widget host in the page (content script not injected?)';
        }, WIDGET_HOST),
    },
  );
}

export const hostLocator = (page) => page.locator(WIDGET_HOST);

/** The widget's frame in frame mode (the extension page inside the shadow root). */
export async function widgetFrame(page) {
  const handle = await page.locator(FRAME_SELECTOR).elementHandle();
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('iframe.itg-frame has no content frame');
  return frame;
}

/**
 * A locator for `.itg-widget` that works in both modes: in the shadow root (direct) or inside the extension
 * iframe (frame). Waits for the host to decide its mode first.
 */
export async function widget(page) {
  const mode = await waitForHost(page);
  if (mode === 'frame') {
    await page.locator(FRAME_SELECTOR).waitFor({ state: 'attached' });
    return page.frameLocator(FRAME_SELECTOR).locator('.itg-widget');
  }
  return page.locator(`${WIDGET_HOST} .itg-widget`);
}

/** Human-readable description of the widget, for failure messages. */
export async function describeWidget(page) {
  try {
    const w = await widget(page);
    const html = await w.first().evaluate((el) => el.outerHTML, undefined, { timeout: 2_000 });
    return `widget HTML: ${html.slice(0, 2_000)}`;
  } catch (err) {
    return `widget not readable: ${err.message}`;
  }
}

/**
 * Clicks the collapsed tab (unless the panel is already open) and waits for the panel to finish loading: either
 * the organization (.itg-org-name) or a non-loading .itg-state. Returns the widget locator.
 */
export async function expand(page, { timeout = UI_TIMEOUT } = {}) {
  const w = await widget(page);
  const tab = w.locator('button.itg-tab');
  await tab.waitFor({ state: 'visible', timeout });
  if ((await w.locator('.itg-panel').count()) === 0) await tab.click();
  await w.locator('.itg-panel').waitFor({ state: 'visible', timeout });
  await eventually(
    async () =>
      (await w.locator('.itg-panel .itg-org-name, .itg-panel .itg-record-title, .itg-panel .itg-state:not([data-state="loading"])').count()) > 0,
    { timeout, message: 'the widget panel to finish loading', describe: () => describeWidget(page) },
  );
  return w;
}

/** Waits for `.itg-state[data-state=<state>]` in the panel; returns its text. */
export async function expectState(page, state, { timeout = UI_TIMEOUT } = {}) {
  const w = await widget(page);
  const loc = w.locator(`.itg-panel .itg-state[data-state="${state}"]`);
  await eventually(async () => (await loc.count()) > 0 && loc.first().isVisible(), {
    timeout,
    message: `.itg-state[data-state="${state}"]`,
    describe: () => describeWidget(page),
  });
  return (await loc.first().innerText()).trim();
}

/**
 * How much of the element is really on screen inside its own document, from 0 to 1, by hit-testing a grid of points
 * over its box (through open shadow roots): points clipped by a scrolling ancestor, covered by something else or
 * outside the viewport count as hidden. In frame mode the viewport is the iframe's, so combine with a check that
 * the iframe itself contains the element. Returns {fraction, clippedBy}: what was hit at the first hidden point.
 */
export async function visibleFraction(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return { fraction: 0, clippedBy: 'element has no size' };
    const deepHit = (x, y) => {
      let hit = document.elementFromPoint(x, y);
      while (hit && hit.shadowRoot) {
        const inner = hit.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === hit) break;
        hit = inner;
      }
      return hit;
    };
    const describe = (n) =>
      n ? `${n.tagName.toLowerCase()}${n.id ? `#${n.id}` : ''}${typeof n.className === 'string' && n.className.trim() ? `.${n.className.trim().split(/\s+/).join('.')}` : ''}` : 'nothing';
    const cols = 7;
    const rows = 5;
    let shown = 0;
    let clippedBy = null;
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < rows; j++) {
        const x = r.left + ((i + 0.5) / cols) * r.width;
        const y = r.top + ((j + 0.5) / rows) * r.height;
        const inViewport = x >= 0 && y >= 0 && x < innerWidth && y < innerHeight;
        const hit = inViewport ? deepHit(x, y) : null;
        if (hit && (hit === el || el.contains(hit))) shown++;
        else if (!clippedBy) {
          clippedBy = inViewport
            ? `${describe(hit)} at (${Math.round(x)}, ${Math.round(y)})`
            : `the edge of the viewport ${innerWidth}x${innerHeight} at (${Math.round(x)}, ${Math.round(y)})`;
        }
      }
    }
    return { fraction: shown / (cols * rows), clippedBy };
  });
}

/** Saves a screenshot of the page (or of `opts.locator`) as TEST_OUTPUT/<name>; returns the file path. */
export async function screenshot(page, name, { dir = TEST_OUTPUT, locator, fullPage = false } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name.endsWith('.png') ? name : `${name}.png`);
  if (locator) await locator.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage });
  return file;
}

/**
 * Everything a page shows or holds in its DOM, for secret-leak checks: for every frame of the page (the extension
 * iframe included), `document.documentElement.outerHTML`, the innerHTML of every open shadow root (recursively)
 * and the current value of every input, textarea and select (values typed into a field are not in the markup).
 */
export async function allPageText(page) {
  const collect = () => {
    const parts = [document.documentElement.outerHTML];
    const visit = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) {
          parts.push(`[value ${el.id || el.name || el.tagName}] ${el.value}`);
        }
        if (el.shadowRoot) {
          parts.push(`[shadow root of ${el.tagName}#${el.id}] ${el.shadowRoot.innerHTML}`);
          visit(el.shadowRoot);
        }
      }
    };
    visit(document);
    return parts.join('\n');
  };
  const out = [];
  for (const frame of page.frames()) {
    try {
      out.push(`[frame ${frame.url()}]\n${await frame.evaluate(collect)}`);
    } catch (err) {
      if (frame === page.mainFrame() || frame.url().startsWith('chrome-extension://')) {
        throw new Error(`could not read the DOM of frame ${frame.url()}: ${err.message}`);
      }
      out.push(`[frame ${frame.url()}] (not readable: ${err.message})`);
    }
  }
  return out.join('\n');
}

/** Asserts none of `secrets` occurs in `text`; the error names the secret by label, never by value. */
export function assertNoSecrets(text, secrets, where) {
  for (const [label, value] of Object.entries(secrets)) {
    if (!value) throw new Error(`no value for secret ${label}: the sandbox did not provide it`);
    if (text.includes(value)) {
      const at = text.indexOf(value);
      const context = text.slice(Math.max(0, at - 120), at).replace(/\s+/g, ' ');
      throw new Error(`${label} leaked into ${where} (after: …${context})`);
    }
  }
}
