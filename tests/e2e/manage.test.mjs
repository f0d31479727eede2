// Managing synced data as an admin does: the sync status on BMS contact and asset pages, the Manage Data page
// (counts, lists, open in IT Glue or BMS, disconnect and reconnect, delete an orphan after confirming), and the
// one-time push of IT Glue data to BMS, reviewed as a dry run and confirmed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as h from './lib/harness.mjs';

/** The Manage Data row of one category: {synced, orphaned, disconnected, syncing}. */
async function category(page, kind) {
  const row = page.locator(`#categories tr[data-kind="${kind}"]`);
  await row.waitFor({ state: 'visible' });
  const number = async (cls) => Number((await row.locator(`.${cls}`).innerText()).trim());
  return {
    synced: await number('synced'),
    orphaned: await number('orphaned'),
    disconnected: await number('disconnected'),
    syncing: (await row.locator('.syncing').innerText()).trim(),
  };
}

/** Shows one category's list with a state filter and a search, and waits until its rows are that list's. */
async function showList(page, kind, { filter = 'all', search = '' } = {}) {
  await page.locator(`#categories tr[data-kind="${kind}"] .view-list`).click();
  await page.locator('#link-filter').selectOption(filter);
  await page.locator('#link-search').fill(search);
  const state = { all: '', enabled: '[data-state="enabled"]', orphaned: '[data-state="orphaned"]', disconnected: '[data-state="disabled"]' }[filter];
  const rows = page.locator(`#links tbody tr[data-kind="${kind}"]${state}`, search ? { hasText: search } : {});
  await h.eventually(
    async () => (await rows.count()) > 0 && (await rows.count()) === (await page.locator('#links tbody tr').count()),
    { message: `${kind} rows (${filter}, "${search}")` },
  );
  return rows;
}

/** The page a click opens in a new tab, once it has loaded. */
async function opened(ctx, click) {
  const [page] = await Promise.all([ctx.waitForEvent('page'), click()]);
  await page.waitForLoadState('domcontentloaded');
  return page;
}

describe('Manage Data, record sync status and the one-time push', { timeout: 900_000 }, () => {
  const cleanup = new h.Cleanup();
  let sandbox;
  let browser;
  let manage;

  before(async () => {
    ({ sandbox, browser } = await h.startSandboxAndBrowser(cleanup));
    const options = await h.openOptions(browser.ctx, browser.extensionId);
    await h.chooseSyncSettings(options, { assets: true });
    assert.equal(await h.syncNow(options), 'OK', await options.locator('.sync-detail').innerText());
    await options.close();
    manage = await h.openManage(browser.ctx, browser.extensionId);
  });

  after(() => cleanup.run());

  /**
   * The BMS page of the first synced record of a kind, with its widget expanded after checking that it shows
   * that record's IT Glue counterpart and "Sync enabled".
   */
  async function widgetOfFirstSynced(kind, bmsPath) {
    const row = (await showList(manage, kind, { filter: 'enabled' })).first();
    const [id, name] = [await row.getAttribute('data-bms'), (await row.locator('.name').innerText()).trim()];
    const page = await h.openBmsPage(browser.ctx, sandbox, `${bmsPath}/${id}`);
    const w = await h.expand(page);
    assert.equal((await w.locator(`.itg-record[data-kind="${kind}"] .itg-record-title`).innerText()).trim(), name);
    await h.waitForText(w.locator('.itg-sync'), 'Sync enabled');
    return { id, name, page, w };
  }

  it('counts what is synced per category', async () => {
    const organizations = await category(manage, 'organization');
    assert.ok(organizations.synced >= 3, `organizations synced: ${JSON.stringify(organizations)}`);
    assert.equal(organizations.syncing, 'Enabled');
    assert.ok((await category(manage, 'contact')).synced > 0, 'contacts are synced');
    assert.ok((await category(manage, 'configuration')).synced > 0, 'configurations are synced');
    await h.screenshot(manage, 'manage-data.png');
  });

  it('opens a pair in IT Glue and in BMS', async () => {
    const row = (await showList(manage, 'organization', { search: 'Happy Frog' })).first();
    assert.equal(await row.getAttribute('data-bms'), '101');
    const itglue = await opened(browser.ctx, () => row.locator('.open-itglue').click());
    assert.ok(itglue.url().startsWith(sandbox.itglue_web), `IT Glue page: ${itglue.url()}`);
    await h.waitForText(itglue.locator('body'), 'Happy Frog Dental');
    await itglue.close();
    const bms = await opened(browser.ctx, () => row.locator('.open-bms').click());
    assert.equal(bms.url(), `${sandbox.bms_web}/react/crm/accounts/101`);
    await bms.close();
  });

  it('a BMS contact page shows its IT Glue contact and sync status; Disable sync and Manage lead to the list', async () => {
    const { id: contactId, page, w } = await widgetOfFirstSynced('contact', '/react/crm/contacts');
    await h.screenshot(page, 'widget-contact.png');
    await w.locator('.itg-sync-toggle').click();
    await h.eventually(async () => (await w.locator('.itg-sync').getAttribute('data-sync')) === 'disabled', {
      message: 'the contact to show "Sync disabled"',
    });

    const focused = await opened(browser.ctx, () => w.locator('.itg-sync-manage').click());
    assert.ok(focused.url().endsWith(`manage.html#contact/${contactId}`), focused.url());
    const listed = focused.locator(`#links tr[data-bms="${contactId}"]`);
    await h.eventually(async () => (await listed.getAttribute('data-state')) === 'disabled', {
      message: 'the Manage Data page to list the contact as disconnected',
    });
    assert.equal((await category(focused, 'contact')).disconnected, 1);
    await listed.locator('.toggle-sync').click();
    await h.eventually(async () => (await listed.getAttribute('data-state')) === 'enabled', { message: 'the contact reconnected' });
    await focused.close();
    await page.reload();
    const again = await h.expand(page);
    await h.waitForText(again.locator('.itg-sync'), 'Sync enabled');
    await page.close();
  });

  it('a BMS hardware asset page shows its IT Glue configuration; Sync now syncs that record', async () => {
    const { id: assetId, name, page, w } = await widgetOfFirstSynced('configuration', '/react/servicedesk/hardwareassets');

    // An edit in BMS reaches IT Glue when the technician presses Sync now on the asset. BMS replaces an asset
    // whole on PUT, so the edit sends the asset back with only its name changed.
    const renamed = `${name} (renamed)`;
    const { result: asset } = await h.bmsApi(sandbox, 'GET', `/v2/servicedesk/hardwareasset/${assetId}`);
    const put = await h.bmsApi(sandbox, 'PUT', `/v2/servicedesk/hardwareasset/${assetId}`, {
      Name: renamed,
      AccountId: asset.accountId,
      AccountLocationId: asset.accountLocationId,
      CategoryId: asset.categoryId,
      SerialNumber: asset.serialNumber,
      StateId: asset.stateId,
    });
    assert.notEqual(put?.success, false, `renaming the asset in BMS: ${JSON.stringify(put)}`);
    await w.locator('.itg-sync-now').click();
    await h.eventually(
      async () => {
        await page.reload();
        const panel = await h.expand(page);
        return (await panel.locator('.itg-record-title').innerText()).trim() === renamed;
      },
      { timeout: 120_000, interval: 2_000, message: 'the IT Glue configuration to carry the new BMS name' },
    );
    await page.close();
  });

  it('an account moved out of the sync settings is orphaned, even when asked during another run, and its organization is deleted only after confirming', async () => {
    const orgsBefore = await category(manage, 'organization');
    const patched = await h.bmsApi(sandbox, 'PATCH', '/v2/crm/accounts/105', [{ op: 'replace', path: '/isActive', value: false }]);
    assert.notEqual(patched?.success, false, `making account 105 inactive: ${JSON.stringify(patched)}`);
    // "Start sync now" pressed while another record's sync runs is not dropped: it runs when that one ends.
    const busy = (await showList(manage, 'organization', { search: 'Happy Frog' })).first();
    await busy.locator('.sync-now').click();
    assert.equal(await h.syncNow(manage), 'OK', await manage.locator('.sync-detail').innerText());
    await manage.reload();
    await manage.locator('#categories tr[data-kind="organization"]').waitFor();
    const orgs = await category(manage, 'organization');
    assert.equal(orgs.orphaned, orgsBefore.orphaned + 1, JSON.stringify(orgs));

    const row = (await showList(manage, 'organization', { filter: 'orphaned', search: 'Tailspin' })).first();
    assert.equal(await row.getAttribute('data-state'), 'orphaned');
    const itgId = await row.getAttribute('data-itg');
    await row.locator('.delete-orphan').click();
    const dialog = manage.locator('#confirm-delete');
    await h.waitForText(dialog, 'Tailspin Toys');
    await manage.locator('#confirm-delete-no').click();
    assert.equal((await h.itglueApi(sandbox, 'GET', `/organizations/${itgId}`)).status, 200, 'cancelling deletes nothing');

    await row.locator('.delete-orphan').click();
    await h.waitForText(dialog, 'cannot undo');
    await h.screenshot(manage, 'manage-confirm-delete.png');
    await manage.locator('#confirm-delete-yes').click();
    await h.waitForText(manage.locator('#manage-result'), 'deleted from IT Glue');
    // IT Glue deletes organizations in the background, as the real service does.
    await h.eventually(async () => (await h.itglueApi(sandbox, 'GET', `/organizations/${itgId}`)).status === 404, {
      timeout: 60_000,
      interval: 500,
      message: 'the orphan to be gone from IT Glue',
    });
    assert.equal((await category(manage, 'organization')).orphaned, orgsBefore.orphaned);
  });

  it('the one-time push shows its dry run with the likely duplicates and pushes only when confirmed', async () => {
    // An IT Glue organization that differs from BMS account 101 only in case: the push has no matching.
    const types = await h.itglueApi(sandbox, 'GET', '/organization_types');
    const customer = types.json.data.find((t) => t.attributes.name === 'Customer');
    const statuses = await h.itglueApi(sandbox, 'GET', '/organization_statuses');
    const active = statuses.json.data.find((t) => t.attributes.name === 'Active');
    const created = await h.itglueApi(sandbox, 'POST', '/organizations', {
      data: {
        type: 'organizations',
        attributes: { name: 'HAPPY FROG DENTAL', 'organization-type-id': customer.id, 'organization-status-id': active.id },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));

    await manage.locator('#tab-push').click();
    await manage.locator('#plan-push').click();
    const plan = manage.locator('#push-plan');
    await plan.waitFor({ state: 'visible', timeout: 120_000 });
    assert.ok(Number(await plan.getAttribute('data-duplicates')) >= 1, 'the dry run counts the likely duplicate');
    const duplicate = manage.locator('#push-rows tr.duplicate', { hasText: 'HAPPY FROG DENTAL' });
    assert.match(await duplicate.innerText(), /BMS #101 Happy Frog Dental/);
    const fabrikam = manage.locator('#push-rows tr', { hasText: 'Fabrikam Logistics' });
    assert.equal(await fabrikam.count(), 1, 'the IT Glue-only organization is in the push');
    assert.equal(await manage.locator('#push-rows tr', { hasText: 'Tailspin' }).count(), 0);
    await h.screenshot(manage, 'one-time-push-plan.png');
    assert.ok(await manage.locator('#confirm-push').isDisabled(), 'nothing is pushed before the confirmation');

    await manage.locator('#push-understood').check();
    const confirmed = Date.now();
    await manage.locator('#confirm-push').click();
    await h.waitForText(manage.locator('#push-result'), 'The push is running');
    const outcome = await h.runEnded(manage, confirmed, { message: 'the push to finish' });
    assert.equal(outcome, 'OK', await manage.locator('.sync-detail').innerText());

    await manage.locator('#tab-data').click();
    const row = (await showList(manage, 'organization', { search: 'Fabrikam' })).first();
    const accountId = await row.getAttribute('data-bms');
    const account = await h.bmsApi(sandbox, 'GET', `/v2/crm/accounts/summary/${accountId}`);
    assert.equal(account?.result?.accountName, 'Fabrikam Logistics', JSON.stringify(account));
  });
});
