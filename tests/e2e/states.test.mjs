// The widget explains what is wrong when it cannot show an organization.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as h from './lib/harness.mjs';

describe('widget states', { timeout: 300_000 }, () => {
  const cleanup = new h.Cleanup();
  let sandbox;

  before(async () => {
    h.requirePrerequisites();
    sandbox = await h.startSandbox();
    cleanup.add(() => sandbox.stop());
  });

  after(() => cleanup.run());

  /** Runs `fn` with a fresh browser profile (nothing saved in the extension yet). */
  async function withBrowser(fn) {
    const browser = await h.launchBrowser();
    try {
      return await fn(browser);
    } finally {
      await browser.close();
    }
  }

  it('asks to configure the extension when nothing was saved', async () => {
    await withBrowser(async (browser) => {
      const page = await h.openAccountPage(browser.ctx, sandbox, 101);
      await h.expand(page);
      const text = await h.expectState(page, 'not-configured');
      assert.match(text, /option|setting/i, `the message points to the options: ${JSON.stringify(text)}`);
      const w = await h.widget(page);
      assert.equal(await w.locator('.itg-org-name').count(), 0);
    });
  });

  it('reports a rejected IT Glue API key (HTTP 403) as unauthorized', async () => {
    await withBrowser(async (browser) => {
      await h.configureExtension(browser.ctx, browser.extensionId, sandbox, { itgApiKey: 'ITG.wrong-key-0000000000' });
      const page = await h.openAccountPage(browser.ctx, sandbox, 101);
      await h.expand(page);
      const text = await h.expectState(page, 'unauthorized');
      assert.ok(text.length > 0, 'the unauthorized state explains itself');
      assert.ok(!text.includes('ITG.wrong-key-0000000000'), 'the message does not echo the key');
    });
  });

  it('reports a rejected IT Glue API key (HTTP 401) as unauthorized', async () => {
    const sandbox401 = await h.startSandbox({ itglueAuthError: 401 });
    try {
      await withBrowser(async (browser) => {
        await h.configureExtension(browser.ctx, browser.extensionId, sandbox401, { itgApiKey: 'ITG.wrong-key-1111111111' });
        const page = await h.openAccountPage(browser.ctx, sandbox401, 101);
        await h.expand(page);
        await h.expectState(page, 'unauthorized');
      });
    } finally {
      await sandbox401.stop();
    }
  });

  it('reports unreachable services when the APIs are down', async () => {
    // The extension is configured against a second sandbox that is then stopped; the BMS page itself still comes
    // from the running sandbox, so only the APIs the extension calls are gone.
    const doomed = await h.startSandbox();
    let stopped = false;
    try {
      await withBrowser(async (browser) => {
        await h.configureExtension(browser.ctx, browser.extensionId, doomed);
        await doomed.stop();
        stopped = true;
        const page = await h.openAccountPage(browser.ctx, sandbox, 101);
        await h.expand(page, { timeout: 60_000 });
        const text = await h.expectState(page, 'unreachable', { timeout: 60_000 });
        assert.ok(text.length > 0, 'the unreachable state explains itself');
      });
    } finally {
      if (!stopped) await doomed.stop();
    }
  });
});
