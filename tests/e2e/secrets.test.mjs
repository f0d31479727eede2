// The BMS page must never see the IT Glue API key or the BMS password: not in its DOM, not in the widget's
// shadow root or frame, not in its storage, not in its own requests, and it cannot reach chrome.storage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as h from './lib/harness.mjs';

describe('secrets stay out of the BMS page', { timeout: 300_000 }, () => {
  const cleanup = new h.Cleanup();
  let sandbox;
  let browser;
  let secrets;

  before(async () => {
    h.requirePrerequisites();
    sandbox = await h.startSandbox();
    cleanup.add(() => sandbox.stop());
    secrets = {
      'IT Glue API key': sandbox.credentials.itglue_api_key,
      'BMS password': sandbox.credentials.bms_password,
    };
    browser = await h.launchBrowser();
    cleanup.add(() => browser.close());
    await h.configureExtension(browser.ctx, browser.extensionId, sandbox);
  });

  after(() => cleanup.run());

  /** Opens account 101 while recording what the page itself sends and logs. */
  async function openWatched() {
    const page = await browser.ctx.newPage();
    const seen = [];
    page.on('request', (req) => {
      let frameUrl = '';
      try {
        frameUrl = req.frame().url();
      } catch {
        // requests without a frame (workers) are not the page's
      }
      if (frameUrl.startsWith('chrome-extension://')) return; // the extension's own frame, not readable by the page
      seen.push(`[request from ${frameUrl}] ${req.method()} ${req.url()} ${JSON.stringify(req.headers())} ${req.postData() || ''}`);
    });
    page.on('console', (msg) => seen.push(`[console ${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => seen.push(`[pageerror] ${err.message}`));
    await page.goto(h.accountUrl(sandbox, 101));
    return { page, seen };
  }

  async function assertPageClean(page, seen) {
    const text = await h.allPageText(page);
    assert.match(text, /Happy Frog Dental/, 'the collected text includes the widget content');
    h.assertNoSecrets(text, secrets, 'the page DOM, shadow roots or frames');
    const storage = await page.evaluate(() =>
      JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, name: window.name }),
    );
    h.assertNoSecrets(storage, secrets, "the page's storage, cookies or window.name");
    h.assertNoSecrets(seen.join('\n'), secrets, "the page's own requests or console");
    assert.equal(
      await page.evaluate(() => typeof chrome === 'undefined' || !chrome.storage),
      true,
      'chrome.storage is not reachable from the page',
    );
    assert.equal(await page.evaluate(() => typeof browser === 'undefined' || !browser.storage), true);
  }

  it('direct mode: widget expanded, no secret in the page', async () => {
    const { page, seen } = await openWatched();
    try {
      assert.equal(await h.waitForHost(page), 'direct');
      const w = await h.expand(page);
      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Happy Frog Dental');
      await assertPageClean(page, seen);
    } finally {
      await page.close();
    }
  });

  it('frame mode (strict CSP): widget expanded, no secret in the page or the frame', async () => {
    await sandbox.setCsp('strict');
    try {
      const { page, seen } = await openWatched();
      try {
        assert.equal(await h.waitForHost(page), 'frame');
        const w = await h.expand(page);
        assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Happy Frog Dental');
        const frame = await h.widgetFrame(page);
        assert.ok(frame.url().startsWith('chrome-extension://'), `widget frame: ${frame.url()}`);
        const text = await h.allPageText(page);
        assert.ok(text.includes(`[frame ${frame.url()}]\n`), "the frame's DOM is part of the collected text");
        await assertPageClean(page, seen);
      } finally {
        await page.close();
      }
    } finally {
      await sandbox.setCsp('relaxed');
    }
  });
});
