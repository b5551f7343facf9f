// dashboard.test.mjs - the dashboard in a real browser (Debian's chromium
// driven by playwright-core): sign in, turn on two-factor sign-in and use
// it, add a device, post readings to it through the API, see them on the
// chart, rotate its key, download CSV, regenerate the account key (after
// a confirmation); every page fits a 1280 px window, prints no microseconds
// and logs no console error (the favicon included).  Screenshots go to
// tests/out/.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { ROOT, startStack } from '../stack/stack.mjs';

const OUT = path.join(ROOT, 'tests/out/browser');
const PASSWORD = 'plant floor telemetry 42';
let stack;
let varDir;
let browser;
let page;
let base;
const problems = [];
const LONG_EMAIL = `maintenance.supervisor.nightshift.${'x'.repeat(25)}@plantfloor.automation.browser.example`;
let acct;

// RFC 6238 TOTP, computed here independently of the server.
function totp(secretB32, when = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretB32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / 30)));
  const h = crypto.createHmac('sha1', key).update(counter).digest();
  const o = h[19] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

async function shot(name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-browser-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
  acct = stack.ctl(['create-account', '--name', 'Browser Works']);
  stack.ctl(['create-user', '--account', String(acct.id), '--email', 'ops@browser.example', '--role', 'admin',
    '--password-stdin'], `${PASSWORD}\n`);
  // A second administrator with a long address: the audit log's widest "who".
  stack.ctl(['create-user', '--account', String(acct.id), '--email', LONG_EMAIL,
    '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`);
  base = `https://localhost:${stack.httpsPort}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  // Every console error, uncaught exception and failed request of the whole run.
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()} (${page.url()})`); });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message} (${page.url()})`));
  page.on('response', (r) => { if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`${r.status()} ${r.url()}`); });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

async function signIn() {
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', 'ops@browser.example');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('main button[type=submit]');
}

let secret;
let enrolmentCode;
let deviceId;
let deviceKey;

test('an administrator signs in and turns on two-factor sign-in', async () => {
  await signIn();
  await page.waitForURL(`${base}/devices`);
  await shot('01-devices-empty');
  await page.goto(`${base}/profile/2fa`);
  secret = (await page.textContent('#totp-secret')).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.ok(await page.isVisible('.qr img'), 'a QR code is shown');
  await shot('02-2fa-setup');
  enrolmentCode = totp(secret);
  await page.fill('input[name=code]', enrolmentCode);
  await page.click('main button[type=submit]');
  const codes = await page.locator('#recovery-codes li').allTextContents();
  assert.equal(codes.length, 10);
  await shot('03-recovery-codes');
});

test('signing in again asks for the code, and a replayed code is refused', async () => {
  await page.click('header button:has-text("Sign out")');
  await page.waitForURL(`${base}/login`);
  await signIn();
  await page.waitForURL(`${base}/login/2fa`);
  await page.fill('input[name=code]', enrolmentCode);    // already used: refused whatever the clock
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.flash.bad'), /not valid/);
  // That refusal is a 401 page, which the browser logs: it is this test's point, not a fault.
  problems.splice(0, problems.length, ...problems.filter((x) => !/status of 401\b.*\/login\/2fa/.test(x)));
  await page.fill('input[name=code]', totp(secret, Date.now() + 30000));  // the next step: accepted (±1)
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/devices`);
});

test('an administrator adds a device and sees its key once', async () => {
  await page.fill('input[name=name]', 'Kiln 7');
  await page.click('button:has-text("Add device")');
  deviceKey = (await page.textContent('#new-key')).trim();
  assert.match(deviceKey, /^gdk_[A-Za-z0-9_-]{43}$/);
  await shot('04-device-key');
  await page.click('a:has-text("Go to the device")');
  deviceId = page.url().split('/').pop();
  assert.match(deviceId, /^dev_/);
});

test('readings posted through the API appear on the chart and in the table', async () => {
  const now = Date.now();
  const readings = Array.from({ length: 240 }, (_, i) => ({
    ts: now - (240 - i) * 30000, values: { temp: 600 + 50 * Math.sin(i / 20), rh: 20 + (i % 10) } }));
  const r = await stack.client('POST', `/api/v1/devices/${deviceId}/readings`, {
    headers: { authorization: `Bearer ${deviceKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings }) });
  assert.equal(r.status, 201, r.text);
  await page.reload();
  await page.waitForSelector('#chart[data-state=loaded]');
  // two hours of readings in the default one-day view: 5-minute averages
  const points = Number(await page.getAttribute('#chart', 'data-points'));
  assert.ok(points >= 24 && points <= 26, `the chart has ${points} points`);
  assert.equal(await page.getAttribute('#chart', 'data-series'), 'rh,temp');
  assert.ok(await page.isVisible('#chart canvas'), 'the chart is drawn');
  assert.equal(await page.locator('table.recent tbody tr').count(), 20);
  await shot('05-device-chart');
  await page.click('#ranges button[data-range="3600"]');
  await page.waitForFunction(() => document.querySelector('#chart-status').textContent.includes('30s avg'));
  const hour = Number(await page.getAttribute('#chart', 'data-points'));
  assert.ok(hour >= 115 && hour <= 122, `the last hour shows ${hour} half-minute points`);
  await shot('06-device-chart-1h');
});

test('the key is rotated with a grace period: both keys work', async () => {
  await page.click('a:has-text("Settings and keys")');
  await page.selectOption('select[name=grace]', '3600');
  await page.click('button:has-text("Rotate key")');
  const newKey = (await page.textContent('#new-key')).trim();
  assert.notEqual(newKey, deviceKey);
  for (const key of [deviceKey, newKey]) {
    const r = await stack.client('POST', `/api/v1/devices/${deviceId}/readings`, {
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values: { temp: 1 } }) });
    assert.equal(r.status, 201);
  }
  await page.goto(`${base}/devices/${deviceId}/settings`);
  assert.equal(await page.locator('table.keys tbody tr').count(), 2);
  await shot('07-device-keys');
});

test('CSV of the device\'s history downloads with every reading', async () => {
  await page.goto(`${base}/devices/${deviceId}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Download CSV")')]);
  const file = path.join(OUT, 'export.csv');
  await download.saveAs(file);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\r\n');
  assert.equal(lines[0], 'ts,received_at,id,rh,temp');
  assert.equal(lines.length, 1 + 240 + 2);
});

test('regenerating the account key asks for confirmation first', async () => {
  await page.goto(`${base}/account`);
  await page.selectOption('form:has(input[value=key_regenerate]) select[name=grace]', '86400');
  await page.click('button:has-text("Regenerate…")');
  assert.match(await page.textContent('main h1'), /Regenerate the account key\?/);
  assert.equal(await page.locator('#new-key').count(), 0, 'no new key before confirming');
  await shot('08-account-key-confirm');
  await page.click('button:has-text("Yes, regenerate the account key")');
  assert.match((await page.textContent('#new-key')).trim(), /^gak_/);
  assert.match(await page.textContent('#grace-until'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  await page.goto(`${base}/account`);
  assert.equal(await page.locator('table.account-keys tbody tr[data-status=active]').count(), 2, 'old and new key, both working');
  assert.match(await page.textContent('table.account-keys tbody tr:nth-child(2)'), /until \d{4}-/);
  await shot('09-account-keys');
});

// Pages a signed-in administrator can open, with enough rows to be wide.
const PAGES = () => ['/devices', `/devices/${deviceId}`, `/devices/${deviceId}/settings`, '/groups', '/alerts',
  '/alerts/log', '/account', '/audit', '/profile', '/profile/2fa'];

test('the audit page fits a 1280 px window', async () => {
  // The widest entries: a deletion (its range in the details), a user with a long address.
  const from = new Date(Date.now() - 86400000).toISOString();
  const del = await stack.client('DELETE', `/api/v1/devices/${deviceId}/readings?from=${from}&to=${new Date(Date.now() - 3600000 * 3).toISOString()}`, {
    headers: { authorization: `Bearer ${acct.account_key}` } });
  assert.equal(del.status, 200, del.text);
  // A sign-in is audited under the user's address, however long.
  const other = await browser.newContext({ ignoreHTTPSErrors: true });
  const colleague = await other.newPage();
  await colleague.goto(`${base}/login`);
  await colleague.fill('input[name=email]', LONG_EMAIL);
  await colleague.fill('input[name=password]', PASSWORD);
  await colleague.click('main button[type=submit]');
  await colleague.waitForURL(`${base}/devices`);
  await other.close();
  await page.goto(`${base}/audit`);
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  await shot('10-audit');
  assert.ok(scroll <= client && scroll <= 1280, `the audit page is ${scroll} px wide in a ${client} px window`);
  for (const p of PAGES()) {
    await page.goto(`${base}${p}`);
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= 1280, `${p} is ${w} px wide`);
  }
});

test('no page prints microseconds', async () => {
  for (const p of PAGES()) {
    await page.goto(`${base}${p}`);
    const text = await page.textContent('main');
    assert.doesNotMatch(text, /\d\d:\d\d:\d\d[.,]\d{4,}/, p);
  }
});

test('no console errors on any page', async () => {
  const icon = await page.request.get(`${base}/favicon.ico`);
  assert.equal(icon.status(), 200, '/favicon.ico is served');
  for (const p of [...PAGES(), '/login']) {
    await page.goto(`${base}${p}`);
    await page.waitForLoadState('networkidle');
  }
  assert.deepEqual(problems, []);
});
