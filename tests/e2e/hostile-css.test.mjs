// The BMS page's own stylesheets must not hide or restyle the widget.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as h from './lib/harness.mjs';

const HOSTILE_EVERYTHING =
  '* { display: none !important; color: red !important; font-size: 2px !important; } ' +
  'div, button, section, a { visibility: hidden !important; }';
// Make the page itself visible again, so only elements the page does not own stay targeted by the rule above.
const RESTORE_PAGE = 'html, body { display: block !important; }';
const HOSTILE_HOST = '#bms-itglue-root { display: none !important; opacity: 0 !important; }';

/** The host's computed style as the page sees it. */
const hostStyle = (page) =>
  h.hostLocator(page).evaluate((el) => {
    const cs = getComputedStyle(el);
    return { display: cs.display, visibility: cs.visibility, opacity: cs.opacity };
  });

/** Asserts that the element is really shown: visible to Playwright, inside the viewport and on top at its center. */
async function assertShown(page, locator, what) {
  assert.ok(await locator.isVisible(), `${what} is visible`);
  const box = await locator.boundingBox();
  const vp = page.viewportSize();
  assert.ok(box && box.width >= 4 && box.height >= 4, `${what} has a size: ${JSON.stringify(box)}`);
  assert.ok(box.x < vp.width && box.y < vp.height && box.x + box.width > 0 && box.y + box.height > 0,
    `${what} is inside the viewport: ${JSON.stringify(box)}`);
  const hit = await page.evaluate(
    ({ x, y }) => {
      const el = document.elementFromPoint(x, y);
      return el ? el.id || el.tagName : null;
    },
    { x: box.x + box.width / 2, y: box.y + box.height / 2 },
  );
  assert.equal(hit, 'bms-itglue-root', `${what} is on top at its center (hit: ${hit})`);
  const opacity = await locator.evaluate((el) => {
    let o = 1;
    for (let n = el; n; n = n.parentElement || n.getRootNode().host) o *= Number(getComputedStyle(n).opacity);
    return o;
  });
  assert.ok(opacity > 0.5, `${what} is not transparent (effective opacity ${opacity})`);
}

async function assertHostShown(page) {
  const style = await hostStyle(page);
  assert.notEqual(style.display, 'none', `host display: ${JSON.stringify(style)}`);
  assert.equal(style.visibility, 'visible', `host visibility: ${JSON.stringify(style)}`);
  assert.equal(Number(style.opacity), 1, `host opacity: ${JSON.stringify(style)}`);
}

async function assertWidgetSurvives(page) {
  assert.equal(await h.waitForHost(page), 'direct');
  await assertHostShown(page);
  const w = await h.widget(page);
  const tab = w.locator('button.itg-tab');
  await assertShown(page, tab, 'the collapsed tab');
  await h.expand(page);
  const panel = w.locator('.itg-panel');
  await assertShown(page, panel, 'the expanded panel');
  const name = w.locator('.itg-org-name');
  assert.equal((await name.innerText()).trim(), 'Happy Frog Dental');
  assert.ok(await name.isVisible(), 'the organization name is visible');
  const style = await name.evaluate((el) => {
    const cs = getComputedStyle(el);
    return { color: cs.color, fontSize: cs.fontSize, visibility: cs.visibility };
  });
  assert.notEqual(style.color, 'rgb(255, 0, 0)', `org name color leaked from the page: ${JSON.stringify(style)}`);
  assert.ok(parseFloat(style.fontSize) >= 9, `org name font-size leaked from the page: ${JSON.stringify(style)}`);
  assert.equal(style.visibility, 'visible');
  await assertShown(page, w.locator('a.itg-view-link'), 'the View in IT Glue link');
  await assertHostShown(page);
}

describe('widget against hostile page CSS', { timeout: 300_000 }, () => {
  const cleanup = new h.Cleanup();
  let sandbox;
  let browser;

  before(async () => {
    ({ sandbox, browser } = await h.startSandboxAndBrowser(cleanup));
  });

  after(() => cleanup.run());

  it('stays visible and unstyled when the page hides and restyles every element', async () => {
    const page = await h.openAccountPage(browser.ctx, sandbox, 101);
    try {
      await page.addStyleTag({ content: HOSTILE_EVERYTHING });
      await page.addStyleTag({ content: RESTORE_PAGE });
      // The hostile sheet really applies to the page's own elements.
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).display), 'block');
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), 'rgb(255, 0, 0)');
      await assertWidgetSurvives(page);
      await h.screenshot(page, 'widget-hostile-css.png');
    } finally {
      await page.close();
    }
  });

  it('stays visible when the page targets the host element itself', async () => {
    const page = await h.openAccountPage(browser.ctx, sandbox, 101);
    try {
      await page.addStyleTag({ content: HOSTILE_HOST });
      await assertWidgetSurvives(page);
      await h.screenshot(page, 'widget-hostile-host-css.png');
    } finally {
      await page.close();
    }
  });

  it('stays visible when hostile CSS is in place before the widget mounts', async () => {
    const page = await browser.ctx.newPage();
    try {
      await page.addInitScript(
        ({ css }) => {
          const add = () => {
            const style = document.createElement('style');
            style.textContent = css;
            (document.head || document.documentElement).appendChild(style);
          };
          if (document.documentElement) add();
          else document.addEventListener('readystatechange', add, { once: true });
        },
        { css: `${HOSTILE_EVERYTHING} ${RESTORE_PAGE} ${HOSTILE_HOST}` },
      );
      await page.goto(h.accountUrl(sandbox, 101));
      await assertWidgetSurvives(page);
    } finally {
      await page.close();
    }
  });
});
