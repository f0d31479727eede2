// The widget on BMS account pages, as a technician sees it with a configured extension.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as h from './lib/harness.mjs';

describe('widget on a BMS account page', { timeout: 300_000 }, () => {
  const cleanup = new h.Cleanup();
  let sandbox;
  let browser;

  before(async () => {
    ({ sandbox, browser } = await h.startSandboxAndBrowser(cleanup));
  });

  after(() => cleanup.run());

  async function withAccountPage(id, fn) {
    const page = await h.openAccountPage(browser.ctx, sandbox, id);
    try {
      return await fn(page);
    } finally {
      await page.close().catch(() => {});
    }
  }

  it('shows the linked organization of account 101 with sanitized quick notes', async () => {
    await withAccountPage(101, async (page) => {
      await h.waitForText(page.locator('body'), 'Happy Frog Dental');
      assert.equal(await h.waitForHost(page), 'direct', 'under the default (relaxed) CSP the widget runs wasm in the content script');
      assert.equal(await h.hostLocator(page).getAttribute('data-mode'), 'direct');

      const w = await h.widget(page);
      const tab = w.locator('button.itg-tab');
      await tab.waitFor({ state: 'visible' });
      assert.match(await tab.innerText(), /IT Glue/);
      assert.equal(await w.locator('.itg-panel').count(), 0, 'the panel is collapsed until the tab is clicked');
      const box = await tab.boundingBox();
      const vp = page.viewportSize();
      assert.ok(box && box.width > 4 && box.height > 4, `tab has a size: ${JSON.stringify(box)}`);
      assert.ok(box.x + box.width >= vp.width - 48 && box.x + box.width / 2 > vp.width / 2,
        `tab sits at the right page edge: ${JSON.stringify(box)} in ${JSON.stringify(vp)}`);

      await h.expand(page); // clicks the tab

      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Happy Frog Dental');
      assert.match(await w.locator('.itg-org-type').innerText(), /Customer/);
      assert.match(await w.locator('.itg-org-status').innerText(), /Active/);

      const notes = w.locator('.itg-quick-notes');
      assert.match(await notes.innerText(), /After-hours alarm code/);
      const bold = notes.locator('b');
      assert.equal(await bold.count(), 1, 'the <b> of the quick notes is rendered as an element, not as text');
      assert.equal((await bold.innerText()).trim(), 'Front Door');
      const weight = await bold.evaluate((el) => getComputedStyle(el).fontWeight);
      assert.ok(Number(weight) >= 600, `<b> renders bold (font-weight ${weight})`);
      assert.doesNotMatch(await notes.innerText(), /<b>|<p>/, 'markup is not shown as literal text');

      assert.equal(await notes.locator('script').count(), 0, 'no <script> inside the quick notes');
      assert.equal(await notes.locator('[onerror]').count(), 0, 'no onerror attribute inside the quick notes');
      const notesHtml = await notes.innerHTML();
      assert.doesNotMatch(notesHtml, /<script|onerror|javascript:/i);
      for (const href of await notes.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
        assert.doesNotMatch(href, /^\s*(javascript|data|vbscript):/i, `quick-notes link has a safe href: ${href}`);
      }
      await h.sleep(500); // give a broken <img onerror> time to fire, if it had survived
      assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined', 'hostile quick-notes markup did not run');

      const link = w.locator('a.itg-view-link');
      assert.match(await link.innerText(), /View in IT Glue/);
      assert.equal(await link.getAttribute('href'), `${sandbox.itglue_web}/2001`);
      assert.equal(await link.getAttribute('target'), '_blank');
      await h.screenshot(page, 'widget-expanded.png');
      const shown = await h.visibleFraction(link);
      assert.ok(shown.fraction >= 0.99, `"View in IT Glue" is fully visible without scrolling (clipped by ${shown.clippedBy})`);

      await tab.click();
      await h.eventually(async () => (await w.locator('.itg-panel').count()) === 0, {
        message: 'the panel to close after clicking the tab again',
      });
      assert.ok(await tab.isVisible(), 'the collapsed tab stays visible');
    });
  });

  it('shows account 102, linked to an organization with an 18-digit id', async () => {
    await withAccountPage(102, async (page) => {
      const w = await h.expand(page);
      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Northwind Traders, Inc.');
      const href = await w.locator('a.itg-view-link').getAttribute('href');
      assert.ok(href.endsWith('/574989297464115201'), `view link keeps all 18 digits of the id: ${href}`);
      assert.equal(href, `${sandbox.itglue_web}/574989297464115201`);
    });
  });

  it('says account 105 is not linked to IT Glue', async () => {
    await withAccountPage(105, async (page) => {
      await h.waitForText(page.locator('body'), 'Tailspin Toys');
      const w = await h.expand(page);
      const text = await h.expectState(page, 'not-linked');
      assert.ok(text.length > 0, 'the not-linked state explains itself');
      assert.equal(await w.locator('.itg-org-name').count(), 0);
      assert.equal(await w.locator('a.itg-view-link').count(), 0);
    });
  });

  it('follows the single-page app to another record without a page load', async () => {
    await withAccountPage(101, async (page) => {
      let w = await h.expand(page);
      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Happy Frog Dental');
      const loads = [];
      page.on('load', () => loads.push(page.url()));

      await page.evaluate(() => history.pushState({}, '', '/react/crm/accounts/102'));
      await h.eventually(async () => {
        const w2 = await h.widget(page);
        return (await w2.locator('.itg-panel').count()) === 0 && (await w2.locator('button.itg-tab').count()) === 1;
      }, { message: 'the widget to be mounted again, collapsed, for the new record' });
      w = await h.expand(page);
      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Northwind Traders, Inc.');

      await page.evaluate(() => history.pushState({}, '', '/react/crm/accounts'));
      await h.eventually(async () => (await h.hostLocator(page).count()) === 0, {
        message: 'the widget to leave a page that is not a record',
      });

      await page.goBack();
      await h.eventually(async () => (await h.hostLocator(page).count()) === 1, { message: 'the widget to come back' });
      w = await h.expand(page);
      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Northwind Traders, Inc.');
      assert.deepEqual(loads, [], 'no page load happened');
    });
  });

  it('opens the organization in IT Glue in a new tab', async () => {
    await withAccountPage(101, async (page) => {
      const w = await h.expand(page);
      const expected = `${sandbox.itglue_web}/2001`;
      const [tab] = await Promise.all([browser.ctx.waitForEvent('page'), w.locator('a.itg-view-link').click()]);
      try {
        await tab.waitForURL(expected);
        assert.equal(tab.url(), expected);
        assert.notEqual(tab, page, 'a new tab, the BMS page stays open');
        assert.equal(page.url(), h.accountUrl(sandbox, 101));
        assert.equal(await tab.evaluate(() => window.opener), null, 'the IT Glue tab cannot reach back into BMS');
      } finally {
        await tab.close().catch(() => {});
      }
    });
  });
});
