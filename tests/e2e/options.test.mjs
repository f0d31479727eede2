// The options page: testing connections, validating URLs and keeping secrets out of sight.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as h from './lib/harness.mjs';

const WRONG_PASSWORD = 'not-the-password-4711';
const WRONG_KEY = 'ITG.not-the-key-0815';

describe('options page', { timeout: 300_000 }, () => {
  const cleanup = new h.Cleanup();
  let sandbox;
  let browser;

  before(async () => {
    ({ sandbox, browser } = await h.startSandboxAndBrowser(cleanup, { configure: false }));
  });

  after(() => cleanup.run());

  async function withOptions(fn) {
    const page = await h.openOptions(browser.ctx, browser.extensionId);
    try {
      return await fn(page);
    } finally {
      await page.close().catch(() => {});
    }
  }

  it('has password fields for the secrets and hides the custom URL fields until "custom" is chosen', async () => {
    await withOptions(async (page) => {
      assert.equal(await page.locator('#bms-password').getAttribute('type'), 'password');
      assert.equal(await page.locator('#itg-api-key').getAttribute('type'), 'password');
      const servers = await page.locator('#bms-server option').evaluateAll((os) => os.map((o) => o.value));
      for (const v of ['bms.kaseya.com', 'bmsemea.kaseya.com', 'bmsapac.kaseya.com', 'vorexlogin.com', 'custom']) {
        assert.ok(servers.includes(v), `BMS server option ${v} in ${servers}`);
      }
      const regions = await page.locator('#itg-region option').evaluateAll((os) => os.map((o) => o.value));
      for (const v of ['us', 'eu', 'au', 'custom']) assert.ok(regions.includes(v), `IT Glue region ${v} in ${regions}`);

      await page.locator('#bms-server').selectOption('bms.kaseya.com');
      await page.locator('#itg-region').selectOption('us');
      assert.equal(await page.locator('#bms-custom-url').isVisible(), false);
      assert.equal(await page.locator('#itg-custom-url').isVisible(), false);
      await page.locator('#bms-server').selectOption('custom');
      await page.locator('#itg-region').selectOption('custom');
      await page.locator('#bms-custom-url').waitFor({ state: 'visible' });
      await page.locator('#itg-custom-url').waitFor({ state: 'visible' });
    });
  });

  it('Test connection succeeds for BMS and IT Glue with the right values', async () => {
    await withOptions(async (page) => {
      await h.fillOptions(page, h.formValues(sandbox));
      const bms = await h.clickTest(page, 'bms');
      assert.equal(bms.result, 'ok', `BMS test: ${bms.text}`);
      assert.ok(bms.text.length > 0, 'the BMS result has a message');
      const itg = await h.clickTest(page, 'itg');
      assert.equal(itg.result, 'ok', `IT Glue test: ${itg.text}`);
      assert.ok(itg.text.length > 0, 'the IT Glue result has a message');
    });
  });

  it("shows BMS's error message for a wrong BMS password", async (t) => {
    await withOptions(async (page) => {
      await h.fillOptions(page, h.formValues(sandbox, { bmsPassword: WRONG_PASSWORD }));
      const bms = await h.clickTest(page, 'bms');
      assert.equal(bms.result, 'error', `BMS test with a wrong password: ${bms.text}`);
      const expected = await bmsLoginError(sandbox, WRONG_PASSWORD);
      if (expected) assert.ok(bms.text.includes(expected), `the result shows BMS's message ${JSON.stringify(expected)}: ${bms.text}`);
      else {
        t.diagnostic("could not ask the sandbox for BMS's login error message; only checking that there is a message");
        assert.ok(bms.text.length > 0, 'the result explains the failure');
      }
      assert.ok(!bms.text.includes(WRONG_PASSWORD), 'the message does not echo the password');
    });
  });

  it('reports a rejected IT Glue API key', async () => {
    await withOptions(async (page) => {
      await h.fillOptions(page, h.formValues(sandbox, { itgApiKey: WRONG_KEY }));
      const itg = await h.clickTest(page, 'itg');
      assert.equal(itg.result, 'error', `IT Glue test with a wrong key: ${itg.text}`);
      assert.match(itg.text, /403|key/i, `the message mentions the rejected key / HTTP 403: ${itg.text}`);
      assert.ok(!itg.text.includes(WRONG_KEY), 'the message does not echo the key');
    });
  });

  it('tests the values in the form, not the saved ones', async () => {
    await withOptions(async (page) => {
      await h.fillOptions(page, h.formValues(sandbox));
      assert.equal((await h.clickSave(page)).result, 'ok');
      await page.locator('#itg-api-key').fill(WRONG_KEY);
      assert.equal((await h.clickTest(page, 'itg')).result, 'error', 'a wrong key typed into the form fails the test');
      await page.locator('#itg-api-key').fill(sandbox.credentials.itglue_api_key);
      assert.equal((await h.clickTest(page, 'itg')).result, 'ok');
      await page.locator('#bms-password').fill(WRONG_PASSWORD);
      assert.equal((await h.clickTest(page, 'bms')).result, 'error', 'a wrong password typed into the form fails the test');
      await page.locator('#bms-password').fill(sandbox.credentials.bms_password);
      assert.equal((await h.clickTest(page, 'bms')).result, 'ok');
    });
  });

  it('refuses plain-http custom URLs that are not on loopback', async () => {
    await withOptions(async (page) => {
      await h.fillOptions(page, h.formValues(sandbox, { bmsUrl: 'http://example.com' }));
      const bms = await h.clickSave(page);
      assert.equal(bms.result, 'error', `saving http://example.com as the BMS server: ${bms.text}`);
      assert.match(bms.text, /loopback|localhost|127\.0\.0\.1|https/i, `the message explains why: ${bms.text}`);
    });
    await withOptions(async (page) => {
      await h.fillOptions(page, h.formValues(sandbox, { itgUrl: 'http://example.com' }));
      const itg = await h.clickSave(page);
      assert.equal(itg.result, 'error', `saving http://example.com as the IT Glue API: ${itg.text}`);
      assert.match(itg.text, /loopback|localhost|127\.0\.0\.1|https/i, `the message explains why: ${itg.text}`);
    });
  });

  it('accepts plain-http custom URLs on loopback', async () => {
    await withOptions(async (page) => {
      await h.fillOptions(page, h.formValues(sandbox, { bmsUrl: 'http://127.0.0.1:1', itgUrl: 'http://127.0.0.1:1' }));
      const saved = await h.clickSave(page);
      assert.equal(saved.result, 'ok', `saving http://127.0.0.1:1: ${saved.text}`);
    });
  });

  it('does not show saved secrets after reloading the page', async () => {
    const { bms_password: password, itglue_api_key: apiKey } = sandbox.credentials;
    const page = await h.configureExtension(browser.ctx, browser.extensionId, sandbox, {}, { keepOpen: true });
    try {
      await page.reload();
      await page.locator('#bms-server').waitFor({ state: 'visible' });
      await page.locator('#itg-api-key').waitFor({ state: 'visible' });
      // Saved settings come back (wait for them: they are read from storage after the app rendered).
      await h.eventually(async () => (await page.locator('#bms-server').inputValue()) === 'custom', {
        message: 'the saved BMS server choice to be shown',
      });
      await h.eventually(async () => (await page.locator('#bms-custom-url').inputValue()).startsWith(sandbox.bms_api), {
        message: 'the saved BMS URL to be shown',
      });
      await h.eventually(async () => (await page.locator('#bms-username').inputValue()) === sandbox.credentials.bms_username, {
        message: 'the saved BMS user name to be shown',
      });
      assert.equal(await page.locator('#itg-region').inputValue(), 'custom');

      for (const [sel, secret] of [['#bms-password', password], ['#itg-api-key', apiKey]]) {
        const input = page.locator(sel);
        assert.equal(await input.getAttribute('type'), 'password');
        const value = await input.inputValue();
        assert.ok(!value.includes(secret), `${sel} does not hold the saved secret after reload`);
        const placeholder = (await input.getAttribute('placeholder')) || '';
        assert.ok(!placeholder.includes(secret), `${sel} placeholder does not reveal the secret`);
      }
      h.assertNoSecrets(await h.allPageText(page), { 'BMS password': password, 'IT Glue API key': apiKey }, 'the options page DOM');
    } finally {
      await page.close();
    }
  });

  it('keeps the saved secrets when saving again without retyping them', async () => {
    await h.configureExtension(browser.ctx, browser.extensionId, sandbox);
    await withOptions(async (page) => {
      await h.eventually(async () => (await page.locator('#bms-server').inputValue()) === 'custom', {
        message: 'the saved settings to be shown',
      });
      await h.eventually(async () => (await page.locator('#bms-username').inputValue()) === sandbox.credentials.bms_username, {
        message: 'the saved BMS user name to be shown',
      });
      const saved = await h.clickSave(page);
      assert.equal(saved.result, 'ok', `saving again without retyping the secrets: ${saved.text}`);
    });
    const page = await h.openAccountPage(browser.ctx, sandbox, 101);
    try {
      const w = await h.expand(page);
      assert.equal((await w.locator('.itg-org-name').innerText()).trim(), 'Happy Frog Dental');
    } finally {
      await page.close();
    }
  });
});

/**
 * BMS's own message for a failed login, asked from Node (POST /v2/security/authenticate with the form fields
 * GrantType, UserName, Password, Tenant; BMS answers `{"success": false, "error": {"message": ...}}`), so the test
 * can check that the options page shows it. Returns null when no message can be obtained.
 */
async function bmsLoginError(sandbox, wrongPassword) {
  const { bms_username: user, bms_company: company } = sandbox.credentials;
  const body = new URLSearchParams({ GrantType: 'password', UserName: user, Password: wrongPassword, Tenant: company });
  try {
    const res = await fetch(`${sandbox.bms_api_ip}/v2/security/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const json = await res.json();
    if (json?.success === true) return null;
    const msg = json?.error?.message ?? json?.error_description ?? json?.message;
    return typeof msg === 'string' && msg.trim() && msg.length < 300 ? msg.trim() : null;
  } catch {
    return null;
  }
}
