// BMS pages whose CSP blocks WebAssembly: the widget falls back to an extension iframe inside its shadow root.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as h from './lib/harness.mjs';

const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** Compiles the 8-byte wasm header in the page's own world; returns 'compiled' or 'rejected: <name>'. */
const compileInPage = (page) =>
  page.evaluate(
    (bytes) =>
      WebAssembly.compile(new Uint8Array(bytes)).then(
        () => 'compiled',
        (err) => `rejected: ${err && err.name}`,
      ),
    WASM_HEADER,
  );

describe('widget under a strict page CSP', { timeout: 300_000 }, () => {
  const cleanup = new h.Cleanup();
  let sandbox;
  let browser;

  before(async () => {
    ({ sandbox, browser } = await h.startSandboxAndBrowser(cleanup, { sandbox: { csp: 'strict' } }));
  });

  after(() => cleanup.run());

  it('the BMS page really blocks WebAssembly', async () => {
    const page = await h.openAccountPage(browser.ctx, sandbox, 101, { waitForWidget: false });
    try {
      const result = await compileInPage(page);
      assert.match(result, /^rejected/, `WebAssembly.compile in the strict-CSP page must be blocked, got ${result}`);
    } finally {
      await page.close();
    }
  });

  it('mounts the widget as an extension iframe and shows the organization of account 101', async () => {
    const page = await h.openAccountPage(browser.ctx, sandbox, 101);
    try {
      assert.equal(await h.waitForHost(page), 'frame', 'strict CSP makes the widget fall back to the iframe');
      const iframe = page.locator('#bms-itglue-root iframe.itg-frame');
      await iframe.waitFor({ state: 'visible' });
      assert.equal(await page.locator('iframe.itg-frame').count(), 1);
      const src = await iframe.evaluate((el) => el.src);
      assert.ok(src.startsWith('chrome-extension://'), `the iframe is an extension page: ${src}`);
      assert.equal(
        await page.evaluate(() => document.querySelector('body > #bms-itglue-root')?.shadowRoot?.querySelector('iframe.itg-frame') != null),
        true,
        'the iframe lives in the open shadow root of the host appended to <body>',
      );

      const w = await h.widget(page);
      const tab = w.locator('button.itg-tab');
      await tab.waitFor({ state: 'visible' });
      assert.match(await tab.innerText(), /IT Glue/);
      const collapsed = await iframe.boundingBox();

      await h.expand(page);
      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Happy Frog Dental');
      assert.match(await w.locator('.itg-org-type').innerText(), /Customer/);
      assert.match(await w.locator('.itg-org-status').innerText(), /Active/);
      const notes = w.locator('.itg-quick-notes');
      assert.match(await notes.innerText(), /After-hours alarm code/);
      assert.equal(await notes.locator('b').count(), 1);
      assert.equal(await notes.locator('script, [onerror]').count(), 0);
      const link = w.locator('a.itg-view-link');
      assert.equal(await link.getAttribute('href'), `${sandbox.itglue_web}/2001`);
      assert.equal(await link.getAttribute('target'), '_blank');

      await h.sleep(500); // a surviving <img onerror> would have fired by now
      assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined');
      const frame = await h.widgetFrame(page);
      assert.equal(await frame.evaluate(() => typeof window.__pwned), 'undefined');

      const contains = (outer, inner) =>
        inner.x >= outer.x - 1 &&
        inner.y >= outer.y - 1 &&
        inner.x + inner.width <= outer.x + outer.width + 1 &&
        inner.y + inner.height <= outer.y + outer.height + 1;
      let last = {};
      await h.eventually(
        async () => {
          const frameBox = await iframe.boundingBox();
          const panelBox = await w.locator('.itg-panel').boundingBox();
          const linkBox = await link.boundingBox();
          last = { collapsed, iframe: frameBox, panel: panelBox, link: linkBox };
          return (
            frameBox.width * frameBox.height > collapsed.width * collapsed.height &&
            contains(frameBox, panelBox) &&
            contains(frameBox, linkBox)
          );
        },
        {
          message: 'the iframe to grow to the size of the expanded panel (nothing clipped)',
          describe: () => `last measured boxes: ${JSON.stringify(last)}`,
        },
      );
      await h.screenshot(page, 'widget-expanded-strict-csp.png');
      let clipped = {};
      await h.eventually(
        async () => {
          clipped = await h.visibleFraction(link);
          return clipped.fraction >= 0.99;
        },
        {
          message: '"View in IT Glue" to be fully visible in the expanded frame without scrolling',
          describe: async () =>
            `visible fraction ${clipped.fraction?.toFixed(2)}, clipped by ${clipped.clippedBy}; ` +
            `panel max-height in the frame: ${await w.locator('.itg-panel').evaluate((el) => getComputedStyle(el).maxHeight)}, ` +
            `boxes: ${JSON.stringify(last)}`,
        },
      );
    } finally {
      await page.close();
    }
  });

  it('follows a CSP change at run time (relaxed: direct, strict again: frame)', async () => {
    const page = await h.openAccountPage(browser.ctx, sandbox, 101);
    try {
      assert.equal(await h.waitForHost(page), 'frame');
      await sandbox.setCsp('relaxed');
      try {
        await page.reload();
        assert.equal(await compileInPage(page), 'compiled', 'the relaxed CSP allows WebAssembly');
        assert.equal(await h.waitForHost(page), 'direct');
        const w = await h.expand(page);
        assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Happy Frog Dental');
      } finally {
        await sandbox.setCsp('strict');
      }
      await page.reload();
      assert.match(await compileInPage(page), /^rejected/);
      assert.equal(await h.waitForHost(page), 'frame');
      const w = await h.expand(page);
      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Happy Frog Dental');
    } finally {
      await page.close();
    }
  });
});
