#!/usr/bin/env node
// Demo runner (used by `cargo xtask demo`): starts the sandbox on a persistent database, launches Chromium with
// the extension, configures it through the options page, opens BMS account 101 and expands the IT Glue widget.
//
//   node tests/e2e/demo.mjs [--reset] [--headless]
//
// --reset      re-seed the demo database (<repo>/target/sandbox/demo.db) before starting
// --headless   run without a window even when DISPLAY is set; headless runs save screenshots into
//              <repo>/target/demo/ and exit, headed runs keep the browser open until it is closed or Ctrl-C.
import fs from 'node:fs';
import path from 'node:path';

import * as h from './lib/harness.mjs';

const USAGE = 'usage: node tests/e2e/demo.mjs [--reset] [--headless]';
const DEMO_DB = path.join(h.REPO, 'target', 'sandbox', 'demo.db');
const DEMO_OUT = path.join(h.REPO, 'target', 'demo');

function parseArgs(argv) {
  const args = { reset: false, headless: false };
  for (const a of argv) {
    if (a === '--reset') args.reset = true;
    else if (a === '--headless') args.headless = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown argument ${a}\n${USAGE}`);
      process.exit(2);
    }
  }
  return args;
}

function printInfo(sandbox, shots) {
  const c = sandbox.credentials;
  const lines = [
    '',
    'Sandbox',
    `  BMS web          ${sandbox.bms_web}  (account 101: ${h.accountUrl(sandbox, 101)})`,
    `  BMS API          ${sandbox.bms_api}`,
    `  IT Glue API      ${sandbox.itglue_api}`,
    `  IT Glue web      ${sandbox.itglue_web}`,
    `  database         ${sandbox.db}`,
    '',
    'Credentials (sandbox only)',
    `  BMS user name    ${c.bms_username}`,
    `  BMS password     ${c.bms_password}`,
    `  BMS company      ${c.bms_company}`,
    `  IT Glue API key  ${c.itglue_api_key}`,
    '',
    'Page CSP (switch at run time)',
    `  curl -X PUT -H 'content-type: application/json' -d '{"mode":"strict"}' ${sandbox.bms_web_ip}/_sandbox/csp`,
  ];
  if (shots.length) {
    lines.push('', 'Screenshots');
    for (const s of shots) lines.push(`  ${s}`);
  }
  console.log(lines.join('\n'));
}

async function main() {
  // Output piped into a closed reader (e.g. `| head`) must not abort the demo before it cleaned up.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const args = parseArgs(process.argv.slice(2));
  h.requirePrerequisites();
  const headless = args.headless || !process.env.DISPLAY;
  const cleanup = new h.Cleanup();
  let finishing = false;
  const finish = async (code) => {
    if (finishing) return;
    finishing = true;
    await cleanup.run();
    process.exit(code);
  };

  try {
    const reset = args.reset || !fs.existsSync(DEMO_DB);
    console.log(`Starting the sandbox (${reset ? 'fresh demo data' : 'keeping the demo data'})…`);
    const sandbox = await h.startSandbox({ db: DEMO_DB, reset });
    cleanup.add(() => sandbox.stop());

    console.log(`Launching Chromium ${headless ? 'headless' : 'with a window'} with the extension from ${h.EXTENSION_DIR}…`);
    const browser = await h.launchBrowser({
      headless,
      args: headless ? [] : ['--window-size=1400,900'],
      launchOptions: { handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false },
    });
    cleanup.add(() => browser.close());
    const { ctx, extensionId } = browser;

    if (!headless) {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
        process.on(sig, () => {
          console.log('\nStopping…');
          finish(0);
        });
      }
    }

    const shots = [];
    const shot = async (page, name, fullPage = false) => {
      shots.push(await h.screenshot(page, name, { dir: DEMO_OUT, fullPage }));
    };
    if (headless) fs.rmSync(DEMO_OUT, { recursive: true, force: true });

    console.log('Configuring the extension through its options page…');
    const options = await h.configureExtension(ctx, extensionId, sandbox, {}, { keepOpen: true });
    if (headless) {
      await options.evaluate(() => window.scrollTo(0, 0));
      await shot(options, 'options.png', true);
      await options.close();
    }

    console.log('Opening BMS account 101…');
    const page = await h.openAccountPage(ctx, sandbox, 101);
    await h.waitForText(page.locator('body'), 'Happy Frog Dental');
    const w = await h.widget(page);
    await w.locator('button.itg-tab').waitFor({ state: 'visible' });
    if (headless) await shot(page, 'account-collapsed.png');
    await h.expand(page);
    for (const p of ctx.pages()) if (p.url() === 'about:blank') await p.close(); // the profile's initial empty tab
    await page.bringToFront();
    if (headless) await shot(page, 'widget-expanded.png');

    if (headless) {
      console.log('Showing the strict-CSP (iframe) variant…');
      await sandbox.setCsp('strict');
      try {
        const strict = await h.openAccountPage(ctx, sandbox, 101);
        const mode = await h.waitForHost(strict);
        if (mode !== 'frame') console.warn(`warning: expected the iframe fallback under strict CSP, got data-mode="${mode}"`);
        await h.expand(strict);
        await shot(strict, 'widget-strict-csp.png');
        await strict.close();
      } finally {
        await sandbox.setCsp('relaxed');
      }
      printInfo(sandbox, shots);
      await finish(0);
      return;
    }

    printInfo(sandbox, shots);
    console.log('\nThe browser stays open. Close it or press Ctrl-C to stop the demo.');
    await new Promise((resolve) => ctx.once('close', resolve));
    console.log('Browser closed.');
    await finish(0);
  } catch (err) {
    console.error(`demo failed: ${err?.message || err}`);
    await finish(1);
  }
}

main();
