// api-docs.test.mjs - the API reference at /docs/api in a real browser
// (Debian's chromium, playwright-core): without signing in it renders every
// operation of /api/v1/openapi.json, opens one with its schema, and the
// page's strict Content-Security-Policy (scripts and styles from 'self',
// nothing inline) blocks nothing and logs no error.  Screenshots go to
// tests/out/browser/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { assemble } from '../../openapi/assemble.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';

const OUT = path.join(ROOT, 'tests/out/browser');
let stack;
let varDir;
let browser;
let page;
const problems = [];

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-apidocs-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  // Injected by the browser itself, so the CSP does not apply to it: every
  // violation the page's policy reports is kept for the test to read.
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
});

test('/docs/api renders every operation of the document, with no CSP violation or console error', async () => {
  const doc = assemble(path.join(ROOT, 'openapi'));
  const expected = Object.entries(doc.paths).flatMap(([p, item]) =>
    ['get', 'put', 'post', 'delete', 'patch'].filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`)).sort();

  const resp = await page.goto(`https://localhost:${stack.httpsPort}/docs/api`);
  assert.equal(resp.status(), 200);
  assert.match(resp.headers()['content-security-policy'], /script-src 'self'; style-src 'self';/);
  await page.waitForSelector('.opblock-summary', { timeout: 30000 });
  await page.waitForFunction((n) => document.querySelectorAll('.opblock-summary').length >= n, expected.length,
    { timeout: 30000 });
  const seen = await page.$$eval('.opblock-summary', (els) => els.map((e) =>
    `${e.querySelector('.opblock-summary-method').textContent.trim()} ${e.querySelector('.opblock-summary-path').getAttribute('data-path')}`));
  assert.deepEqual([...new Set(seen)].sort(), expected);
  assert.ok(await page.getByText('POST', { exact: true }).first().isVisible());
  assert.ok(seen.includes('POST /api/v1/devices/{device}/readings'));
  await page.screenshot({ path: path.join(OUT, 'api-docs-01-list.png') });

  // Open the ingest operation: its request body and responses render (the
  // syntax highlighting and schema views are where inline styles would be).
  const ingest = page.locator('.opblock-post', { has: page.locator('[data-path="/api/v1/devices/{device}/readings"]') });
  await ingest.locator('.opblock-summary').click();
  await ingest.locator('.responses-wrapper').waitFor({ timeout: 10000 });
  await page.locator('.model-example .tablinks[data-name="model"]').first().click().catch(() => {});
  assert.match(await ingest.textContent(), /ReadingBatch|readings/);
  assert.match(await ingest.textContent(), /422/);
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(OUT, 'api-docs-02-ingest.png'), fullPage: true });

  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(problems, []);
  // The watcher works: an inline style added now is blocked and reported.
  await page.evaluate(() => { const s = document.createElement('style'); s.textContent = 'body {}'; document.head.append(s); });
  await page.waitForFunction(() => window.cspViolations.length > 0, null, { timeout: 5000 });
  assert.match((await page.evaluate(() => window.cspViolations))[0], /^style-src/);
});
