// Sync orchestrated by the service worker, as an admin drives it: choose what to sync in the options page,
// save (which queues a sync), start it now, watch the status, and see the result on a BMS account page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as h from './lib/harness.mjs';

/** IT Glue organizations with this exact name, read straight from the sandbox's API. */
async function organizationsNamed(sandbox, name) {
  const url = `${sandbox.itglue_api_ip}/organizations?filter[name]=${encodeURIComponent(name.replaceAll(',', '\\,'))}`;
  const response = await fetch(url, { headers: { 'x-api-key': sandbox.credentials.itglue_api_key } });
  assert.equal(response.status, 200, `GET ${url}`);
  return (await response.json()).data;
}

async function syncStatus(page) {
  return (await page.locator('#sync-status').innerText()).trim();
}

async function killWorker(page, extensionId) {
  const session = await page.context().newCDPSession(page);
  const { targetInfos } = await session.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`));
  assert.ok(worker, 'the extension has a running service worker to kill');
  await session.send('Target.closeTarget', { targetId: worker.targetId });
  await session.detach();
}

describe('sync orchestrated by the service worker', { timeout: 600_000 }, () => {
  const cleanup = new h.Cleanup();
  let sandbox;
  let browser;

  before(async () => {
    ({ sandbox, browser } = await h.startSandboxAndBrowser(cleanup));
  });

  after(() => cleanup.run());

  it('saving sync settings queues a sync an hour later; Start sync now runs it and the account page shows the result', async () => {
    assert.equal((await organizationsNamed(sandbox, 'Tailspin Toys')).length, 0, 'Tailspin Toys starts in BMS only');
    const options = await h.openOptions(browser.ctx, browser.extensionId);
    await h.chooseSyncSettings(options);
    assert.equal(await syncStatus(options), 'Queued');
    const alarm = await browser.worker.evaluate(() => chrome.alarms.get('sync-queued'));
    assert.ok(alarm, 'a queued-sync alarm exists');
    const inMinutes = (alarm.scheduledTime - Date.now()) / 60_000;
    assert.ok(inMinutes > 55 && inMinutes <= 60.5, `the queued sync runs an hour later (in ${inMinutes.toFixed(1)} min)`);

    assert.equal(await h.syncNow(options, { timeout: 180_000 }), 'OK', await options.locator('.sync-detail').innerText());
    await h.screenshot(options, 'sync-status-ok.png');

    assert.equal((await organizationsNamed(sandbox, 'Tailspin Toys')).length, 1, 'the BMS-only account now has one IT Glue organization');
    await options.locator('#tab-logs').click();
    await h.waitForText(options.locator('#sync-log'), 'sync finished');
    await options.close();

    const page = await h.openAccountPage(browser.ctx, sandbox, 105);
    const w = await h.expand(page);
    assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Tailspin Toys');
    const status = w.locator('.itg-sync');
    await h.waitForText(status, 'Sync enabled');
    assert.equal(await status.getAttribute('data-sync'), 'enabled');
    await w.locator('.itg-sync-toggle').click();
    await h.eventually(async () => (await w.locator('.itg-sync').getAttribute('data-sync')) === 'disabled', {
      message: 'the record to show "Sync disabled"',
    });
    assert.match(await w.locator('.itg-sync').innerText(), /disconnected from syncing/);
    await h.screenshot(page, 'widget-sync-disabled.png');
    await w.locator('.itg-sync-toggle').click();
    await h.eventually(async () => (await w.locator('.itg-sync').getAttribute('data-sync')) === 'enabled', {
      message: 'the record to show "Sync enabled" again',
    });
    await page.close();
  });

  it('a worker killed in the middle of a sync resumes and creates no duplicates', async () => {
    // A fresh sandbox and profile, so that the first sync has many creates; slow IT Glue creates down so that
    // the kill lands while the run is writing.
    const fresh = await h.startSandbox();
    cleanup.add(() => fresh.stop());
    const second = await h.launchBrowser();
    cleanup.add(() => second.close());
    await h.configureExtension(second.ctx, second.extensionId, fresh);
    const faults = await fetch(`${fresh.itglue_api_ip}/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ route: 'POST /', fault: { kind: 'latency', ms: 400 } }] }),
    });
    assert.ok(faults.ok, `installing the latency fault: HTTP ${faults.status}`);

    const options = await h.openOptions(second.ctx, second.extensionId);
    await h.chooseSyncSettings(options);
    await options.locator('#start-sync').click();
    await h.eventually(async () => (await options.locator('.sync-detail').innerText()).startsWith('Writing'), {
      timeout: 120_000,
      message: 'the sync to reach its writing phase',
    });
    await h.sleep(1_500);
    await killWorker(options, second.extensionId);

    await options.reload();
    await options.locator('#tab-sync').click();
    await h.eventually(async () => ['OK', 'Error'].includes(await syncStatus(options)), {
      timeout: 300_000,
      message: 'the resumed sync to finish',
    });
    assert.equal(await syncStatus(options), 'OK', await options.locator('.sync-detail').innerText());
    await options.locator('#tab-logs').click();
    await h.waitForText(options.locator('#sync-log'), 'resuming the interrupted');
    for (const name of ['Tailspin Toys', 'Happy Frog Dental', 'Northwind Traders, Inc.']) {
      assert.equal((await organizationsNamed(fresh, name)).length, 1, `exactly one IT Glue organization named ${name}`);
    }
    await options.close();
  });
});
