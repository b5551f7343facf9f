// dashboard.test.mjs - user security and the dashboard's rules, end to end
// through lighttpd with TLS: every role against every page and action,
// ids from another account, CSRF, throttling and lockout, session expiry,
// two-factor sign-in (enrolment, TOTP, replay, recovery codes once),
// password reset through the SES path, key lists (expired versus revoked,
// the account key's confirmation and grace period), what viewers never see
// (alert rules, recipients), and the favicon.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startStack } from '../stack/stack.mjs';
import { WebClient, csrfOf, flashOf, textOf } from './web-client.mjs';

const PW = 'valve seat gasket 9';
let stack;
let varDir;
let A;
let B;

function totp(secretB32, when = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretB32) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 30000)));
  const h = crypto.createHmac('sha1', key).update(counter).digest();
  return String((h.readUInt32BE(h[19] & 15) & 0x7fffffff) % 1000000).padStart(6, '0');
}

function user(account, email, role) {
  return stack.ctl(['create-user', '--account', String(account.id), '--email', email, '--role', role,
    '--password-stdin'], `${PW}\n`);
}

async function signedIn(email) {
  const c = new WebClient(stack);
  const r = await c.signIn(email, PW);
  assert.equal(r.status, 303, `sign-in of ${email}: ${r.status}`);
  return c;
}

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-dash-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
  const a = stack.ctl(['create-account', '--name', 'Acme']);
  const b = stack.ctl(['create-account', '--name', 'Other']);
  A = { account: a, device: stack.ctl(['create-device', '--account', String(a.id), '--name', 'Boiler']),
    admin: user(a, 'admin@acme.example', 'admin'), user: user(a, 'user@acme.example', 'user'),
    viewer: user(a, 'viewer@acme.example', 'viewer') };
  B = { account: b, device: stack.ctl(['create-device', '--account', String(b.id), '--name', 'Furnace']),
    admin: user(b, 'admin@other.example', 'admin') };
  A.c = { admin: await signedIn(A.admin.email), user: await signedIn(A.user.email), viewer: await signedIn(A.viewer.email) };
  B.c = { admin: await signedIn(B.admin.email) };
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

describe('roles', () => {
  const dev = () => `/devices/${A.device.id}`;
  const pages = () => [
    ['/devices', { admin: 200, user: 200, viewer: 200 }],
    [dev(), { admin: 200, user: 200, viewer: 200 }],
    [`${dev()}/data?interval=1h`, { admin: 200, user: 200, viewer: 200 }],
    [`${dev()}/settings`, { admin: 200, user: 403, viewer: 403 }],
    ['/account', { admin: 200, user: 403, viewer: 403 }],
    ['/profile', { admin: 200, user: 200, viewer: 200 }],
    ['/alerts', { admin: 200, user: 200, viewer: 403 }],
    ['/alerts/log', { admin: 200, user: 200, viewer: 403 }],
  ];

  test('every role opens exactly the pages it may', async () => {
    for (const [p, want] of pages()) {
      for (const role of ['admin', 'user', 'viewer']) {
        const r = await A.c[role].get(p);
        assert.equal(r.status, want[role], `${role} GET ${p}`);
      }
    }
  });

  test('every role may do exactly the actions it may; refused actions change nothing', async () => {
    const actions = [
      ['/devices', { name: 'New one' }, '/devices', { admin: 201 }],
      [`${dev()}/settings`, { action: 'rename', name: 'Renamed' }, '/devices', { admin: 303 }],
      [`${dev()}/settings`, { action: 'public', public: 'on' }, '/devices', { admin: 303 }],
      [`${dev()}/settings`, { action: 'key_new' }, '/devices', { admin: 201 }],
      ['/account', { action: 'require_2fa', require: 'off' }, '/profile', { admin: 303 }],
      ['/account', { action: 'user_add', email: 'x1@acme.example', role: 'viewer' }, '/profile', { admin: 201 }],
    ];
    for (const [p, fields, from, want] of actions) {
      for (const role of ['viewer', 'user', 'admin']) {
        const before = stack.sql('SELECT (SELECT COUNT(*) FROM devices) + (SELECT COUNT(*) FROM api_keys) + (SELECT COUNT(*) FROM users), (SELECT GROUP_CONCAT(name, public_read) FROM devices)');
        const r = await A.c[role].post(p, fields, { from });
        assert.equal(r.status, want[role] ?? 403, `${role} POST ${p} ${fields.action ?? ''}`);
        if (!want[role]) assert.deepEqual(stack.sql('SELECT (SELECT COUNT(*) FROM devices) + (SELECT COUNT(*) FROM api_keys) + (SELECT COUNT(*) FROM users), (SELECT GROUP_CONCAT(name, public_read) FROM devices)'), before, `${role} changed nothing`);
      }
    }
  });

  test('signed-out visitors are sent to sign in, and come back after', async () => {
    const c = new WebClient(stack);
    const r = await c.get(`/devices/${A.device.id}`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/login?next=/devices/${A.device.id}`);
    const login = await c.post('/login', { email: A.viewer.email, password: PW, next: `/devices/${A.device.id}` }, { from: r.headers.location });
    assert.equal(login.headers.location, `/devices/${A.device.id}`);
    const evil = await new WebClient(stack).post('/login', { email: A.viewer.email, password: PW, next: '//evil.example/' }, { from: '/login' });
    assert.equal(evil.headers.location, '/devices', 'no open redirect');
  });

  test('pages carry the security headers', async () => {
    const r = await A.c.admin.get('/devices');
    assert.match(r.headers['content-security-policy'], /script-src 'self'/);
    assert.doesNotMatch(r.headers['content-security-policy'], /unsafe-inline/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.ok(r.headers['referrer-policy']);
    assert.match(r.headers['strict-transport-security'], /max-age=/);
    assert.doesNotMatch(r.text, /<script>(?!<\/script>)|onclick=|style="/, 'no inline script or style');
  });
});

describe('other accounts', () => {
  test('ids from another account are not found, and nothing changes', async () => {
    const b = B.c.admin;
    for (const p of [`/devices/${A.device.id}`, `/devices/${A.device.id}/settings`, `/devices/${A.device.id}/data`]) {
      assert.equal((await b.get(p)).status, 404, p);
    }
    const csrf = csrfOf((await b.get('/devices')).text);
    const del = await b.send('POST', `/devices/${A.device.id}/settings`, { form: { csrf, action: 'delete', confirm: 'Boiler' } });
    assert.equal(del.status, 404);
    const role = await b.post('/account', { action: 'user_role', user: String(A.viewer.id), role: 'admin' });
    assert.equal(role.status, 400);
    const remove = await b.post('/account', { action: 'user_remove', user: String(A.user.id) });
    assert.equal(remove.status, 400);
    assert.deepEqual(stack.sql(`SELECT role FROM users WHERE id IN (${A.viewer.id}, ${A.user.id}) ORDER BY id`), [['user'], ['viewer']]);
    assert.equal(stack.sql(`SELECT COUNT(*) FROM devices WHERE uid = '${A.device.id}'`)[0][0], '1');
    const devices = await b.get('/devices');
    assert.doesNotMatch(devices.text, new RegExp(A.device.id), 'another account\'s device is never listed');
  });
});

describe('CSRF', () => {
  test('a form without a valid token is refused and changes nothing', async () => {
    const c = A.c.admin;
    for (const csrf of ['', 'x'.repeat(43), csrfOf((await B.c.admin.get('/devices')).text)]) {
      const r = await c.send('POST', '/devices', { form: { csrf, name: 'Forged' } });
      assert.equal(r.status, 403);
    }
    assert.equal(stack.sql("SELECT COUNT(*) FROM devices WHERE name = 'Forged'")[0][0], '0');
    const noCookie = new WebClient(stack);
    const login = await noCookie.send('POST', '/login', { form: { csrf: 'x'.repeat(43), email: A.admin.email, password: PW } });
    assert.equal(login.status, 403, 'the sign-in form is protected too');
  });
});

describe('sign-in', () => {
  test('a failed sign-in never says whether the email exists', async () => {
    const known = await new WebClient(stack).signIn(A.viewer.email, 'wrong password here');
    const unknown = await new WebClient(stack).signIn('nobody@nowhere.example', 'wrong password here');
    assert.equal(known.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(flashOf(known.text), flashOf(unknown.text));
    const audit = stack.sql("SELECT actor_label FROM audit_log WHERE action = 'login.failed' ORDER BY id");
    assert.deepEqual(audit.slice(-2), [[A.viewer.email], ['nobody@nowhere.example']], 'failed sign-ins are audited');
  });

  test('repeated failures slow down, then lock out, and the lock ends', async () => {
    const email = 'throttled@acme.example';
    user(A.account, email, 'viewer');
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await new WebClient(stack).signIn(email, 'bad guess number x')).status);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(statuses[5], 429, 'locked after 5 failures');
    const right = await new WebClient(stack).signIn(email, PW);
    assert.equal(right.status, 429, 'even the right password waits while locked');
    assert.match(flashOf(right.text), /Try again in \d+ seconds?/);
    const locks = stack.sql(`SELECT scope, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), locked_until) FROM login_throttle WHERE subject LIKE '${email}%' AND locked_until IS NOT NULL`);
    assert.ok(locks.every(([, s]) => Number(s) <= 900), 'no lock is longer than 15 minutes');
    stack.sql(`UPDATE login_throttle SET locked_until = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE subject LIKE '${email}%'`);
    assert.equal((await new WebClient(stack).signIn(email, PW)).status, 303, 'after the lock, the user gets in');
    assert.equal(stack.sql(`SELECT COUNT(*) FROM login_throttle WHERE subject LIKE '${email}|%'`)[0][0], '0',
      'success forgives the account counters');
  });

  test('sessions end after the idle and the absolute timeouts, and on sign-out server-side', async () => {
    const c = await signedIn(A.viewer.email);
    const token = c.cookies.get('__Host-gauge_session');
    const hash = crypto.createHash('sha256').update(token).digest('hex');
    assert.equal((await c.get('/devices')).status, 200);
    stack.sql(`UPDATE sessions SET last_seen_at = UTC_TIMESTAMP(3) - INTERVAL 31 MINUTE WHERE token_hash = UNHEX('${hash}')`);
    assert.equal((await c.get('/devices')).status, 303, 'idle timeout');
    const d = await signedIn(A.viewer.email);
    const h2 = crypto.createHash('sha256').update(d.cookies.get('__Host-gauge_session')).digest('hex');
    stack.sql(`UPDATE sessions SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE token_hash = UNHEX('${h2}')`);
    assert.equal((await d.get('/devices')).status, 303, 'absolute timeout');
    const e = await signedIn(A.viewer.email);
    const stolen = e.cookies.get('__Host-gauge_session');
    const out = await e.post('/logout', {}, { from: '/devices' });
    assert.equal(out.headers.location, '/login');
    const replay = new WebClient(stack);
    replay.cookies.set('__Host-gauge_session', stolen);
    assert.equal((await replay.get('/devices')).status, 303, 'a signed-out session is gone on the server');
  });

  test('session cookies are Secure, HttpOnly, SameSite and host-only', async () => {
    const c = new WebClient(stack);
    const r = await c.post('/login', { email: A.viewer.email, password: PW }, { from: '/login' });
    const cookie = [r.headers['set-cookie']].flat().find((x) => x.startsWith('__Host-gauge_session='));
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=(Lax|Strict)/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Domain=/);
  });

  test('a password change ends the user\'s other sessions, and the policy is enforced', async () => {
    const email = 'changer@acme.example';
    user(A.account, email, 'user');
    const one = await signedIn(email);
    const two = await signedIn(email);
    for (const [np, why] of [['short', /at least 10/], ['password1234', /common|guess/], ['changer-2024-x', /email/], ['x'.repeat(73), /72/]]) {
      const r = await one.post('/profile', { action: 'password', current_password: PW, new_password: np, new_password2: np });
      assert.equal(r.status, 400, np);
      assert.match(flashOf(r.text), why);
    }
    const ok = await one.post('/profile', { action: 'password', current_password: PW, new_password: 'quiet copper heron 7', new_password2: 'quiet copper heron 7' });
    assert.equal(ok.status, 303);
    assert.equal((await one.get('/devices')).status, 200, 'this session goes on');
    assert.equal((await two.get('/devices')).status, 303, 'the other session ended');
    assert.equal((await new WebClient(stack).signIn(email, 'quiet copper heron 7')).status, 303);
  });
});

describe('two-factor sign-in', () => {
  let secret;
  let codes;
  const email = 'twofa@acme.example';

  test('enrolment shows a QR code and secret, and needs a correct code', async () => {
    user(A.account, email, 'user');
    const c = await signedIn(email);
    const page = await c.get('/profile/2fa');
    secret = textOf(page.text, 'totp-secret');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.match(page.text, /src="data:image\/svg\+xml;base64,/);
    const wrong = await c.send('POST', '/profile/2fa', { form: { csrf: csrfOf(page.text), action: 'confirm', code: '000000' } });
    assert.equal(wrong.status, 400);
    // a failed confirmation shows a new secret; use the one on the page now
    secret = textOf(wrong.text, 'totp-secret');
    const ok = await c.send('POST', '/profile/2fa', { form: { csrf: csrfOf(wrong.text), action: 'confirm', code: totp(secret) } });
    assert.equal(ok.status, 200);
    codes = [...ok.text.matchAll(/<li>([a-z2-7]{5}-[a-z2-7]{5})<\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10);
    assert.equal(stack.sql(`SELECT totp_enabled, totp_secret_enc LIKE '%${secret}%' FROM users WHERE email = '${email}'`)[0].join(), '1,0', 'enabled; the secret is not stored in clear');
  });

  test('sign-in then asks for the code; a replayed code is refused', async () => {
    const c = new WebClient(stack);
    const r = await c.signIn(email, PW);
    assert.equal(r.headers.location, '/login/2fa');
    assert.equal((await c.get('/devices')).status, 303, 'nothing is reachable before the second factor');
    const code = totp(secret, Date.now() + 30000);
    const ok = await c.post('/login/2fa', { code }, { from: '/login/2fa' });
    assert.equal(ok.headers.location, '/devices');
    const again = new WebClient(stack);
    await again.signIn(email, PW);
    const replay = await again.post('/login/2fa', { code }, { from: '/login/2fa' });
    assert.equal(replay.status, 401, 'the same code cannot be used twice');
  });

  test('a recovery code works once', async () => {
    const c = new WebClient(stack);
    await c.signIn(email, PW);
    const ok = await c.post('/login/2fa', { code: codes[0].toUpperCase() }, { from: '/login/2fa' });
    assert.equal(ok.headers.location, '/devices');
    const d = new WebClient(stack);
    await d.signIn(email, PW);
    assert.equal((await d.post('/login/2fa', { code: codes[0] }, { from: '/login/2fa' })).status, 401);
    assert.equal((await d.post('/login/2fa', { code: codes[1] }, { from: '/login/2fa' })).headers.location, '/devices');
  });

  test('an administrator can require 2FA for everyone, themselves included', async () => {
    const admin = A.c.admin;
    assert.equal((await admin.post('/account', { action: 'require_2fa', require: 'on' })).status, 303);
    const v = await signedIn(A.viewer.email);
    const r = await v.get('/devices');
    assert.equal(r.headers.location, '/profile/2fa?required=1');
    assert.equal((await v.get('/profile/2fa?required=1')).status, 200, 'enrolment stays reachable');
    assert.equal((await admin.get('/account')).headers.location, '/profile/2fa?required=1', 'the admin too');
    const setup = await admin.get('/profile/2fa');
    const done = await admin.send('POST', '/profile/2fa', { form: { csrf: csrfOf(setup.text), action: 'confirm',
      code: totp(textOf(setup.text, 'totp-secret')) } });
    assert.equal(done.status, 200);
    assert.equal((await admin.get('/account')).status, 200, 'enrolled: the admin goes on');
    const off = await admin.post('/profile/2fa', { action: 'disable', password: PW }, { from: '/profile' });
    assert.equal(off.status, 400, 'while required, 2FA cannot be turned off');
    await admin.post('/account', { action: 'require_2fa', require: 'off' });
    assert.equal((await v.get('/devices')).status, 200);
    const audit = stack.sql("SELECT action FROM audit_log WHERE action LIKE '2fa.%' ORDER BY id").map((x) => x[0]);
    assert.ok(audit.includes('2fa.enable') && audit.includes('2fa.require_on') && audit.includes('2fa.require_off'));
  });
});

describe('users and passwords', () => {
  test('a new user gets a one-time set-password link by e-mail, through the SES path', async () => {
    const admin = A.c.admin;
    const r = await admin.post('/account', { action: 'user_add', email: 'newhire@acme.example', role: 'viewer' });
    assert.equal(r.status, 201);
    const link = textOf(r.text, 'set-password-link');
    const mails = fs.readdirSync(path.join(stack.dirs.outbox, 'ses'));
    const mail = JSON.parse(fs.readFileSync(path.join(stack.dirs.outbox, 'ses', mails[mails.length - 1]), 'utf8'));
    assert.ok(JSON.stringify(mail).includes(link), 'the e-mailed link is the one shown');
    const linkPath = new URL(link).pathname;
    const c = new WebClient(stack);
    const weak = await c.post(linkPath, { password: 'password123', password2: 'password123' });
    assert.equal(weak.status, 400);
    const set = await c.post(linkPath, { password: 'new hire strong pw', password2: 'new hire strong pw' });
    assert.equal(set.headers.location, '/login?reset=1');
    assert.equal((await c.get(linkPath)).status, 410, 'the link works once');
    assert.equal((await new WebClient(stack).signIn('newhire@acme.example', 'new hire strong pw')).status, 303);
  });

  test('password reset by e-mail never says whether the address exists, and works once', async () => {
    const c = new WebClient(stack);
    const before = fs.readdirSync(path.join(stack.dirs.outbox, 'ses')).length;
    const known = await c.post('/reset', { email: A.user.email });
    const unknown = await c.post('/reset', { email: 'ghost@acme.example' });
    assert.equal(flashOf(known.text), flashOf(unknown.text));
    const mails = fs.readdirSync(path.join(stack.dirs.outbox, 'ses')).sort();
    assert.equal(mails.length, before + 1, 'one mail, for the real user only');
    const mail = fs.readFileSync(path.join(stack.dirs.outbox, 'ses', mails[mails.length - 1]), 'utf8');
    const link = /https:\/\/[^\s"\\]+\/reset\/[A-Za-z0-9_-]{43}/.exec(mail)[0];
    const stay = await signedIn(A.user.email);
    const linkPath = new URL(link).pathname;
    const r = await c.post(linkPath, { password: 'reset pass phrase 8', password2: 'reset pass phrase 8' });
    assert.equal(r.status, 303);
    assert.equal((await stay.get('/devices')).status, 303, 'a reset ends every session');
    assert.equal((await c.get(linkPath)).status, 410);
    assert.equal((await new WebClient(stack).signIn(A.user.email, 'reset pass phrase 8')).status, 303);
  });

  test('the last administrator cannot be demoted or removed', async () => {
    const admin = A.c.admin;
    const demote = await admin.post('/account', { action: 'user_role', user: String(A.admin.id), role: 'viewer' });
    assert.equal(demote.status, 400);
    assert.match(flashOf(demote.text), /at least one administrator/);
    const self = await admin.post('/account', { action: 'user_remove', user: String(A.admin.id) });
    assert.equal(self.status, 400);
    const promote = await admin.post('/account', { action: 'user_role', user: String(A.viewer.id), role: 'user' });
    assert.equal(promote.status, 303);
    assert.equal(stack.sql(`SELECT role FROM users WHERE id = ${A.viewer.id}`)[0][0], 'user');
    const audit = stack.sql("SELECT action, detail FROM audit_log WHERE action = 'user.role' ORDER BY id DESC LIMIT 1")[0];
    assert.deepEqual(JSON.parse(audit[1]), { role: 'user' });
  });

  test('Twilio settings are validated and the token is stored encrypted, never shown', async () => {
    const admin = A.c.admin;
    const token = 'f'.repeat(32);
    const bad = await admin.post('/account', { action: 'twilio', sid: 'AC123', token, from: '+14155550123' });
    assert.equal(bad.status, 400);
    const ok = await admin.post('/account', { action: 'twilio', sid: `AC${'a'.repeat(32)}`, token, from: '+14155550123' });
    assert.equal(ok.status, 303);
    const page = await admin.get('/account');
    assert.ok(!page.text.includes(token), 'the token is never shown again');
    assert.equal(stack.sql(`SELECT INSTR(twilio_auth_token_enc, '${token}') FROM accounts WHERE id = ${A.account.id}`)[0][0], '0');
  });
});

// Fresh sessions: earlier tests end some of the shared ones on purpose.
async function freshRoles() {
  const tag = crypto.randomBytes(3).toString('hex');
  user(A.account, `u-${tag}@acme.example`, 'user');
  user(A.account, `v-${tag}@acme.example`, 'viewer');
  return { user: await signedIn(`u-${tag}@acme.example`), viewer: await signedIn(`v-${tag}@acme.example`) };
}

describe('groups', () => {
  test('administrators create, rename, assign and delete groups; others only read', async () => {
    const admin = A.c.admin;
    assert.equal((await admin.post('/groups', { action: 'create', name: 'Hall C' })).status, 303);
    const [[gid]] = stack.sql(`SELECT uid FROM device_groups WHERE account_id = ${A.account.id} AND name = 'Hall C'`);
    const dup = await admin.post('/groups', { action: 'create', name: 'Hall C' });
    assert.equal(dup.status, 400);
    assert.match(flashOf(dup.text), /already exists/);
    assert.equal((await admin.post('/groups', { action: 'create', name: ' ' })).status, 400);
    assert.equal((await admin.post('/groups', { action: 'assign', group: gid, device: A.device.id })).status, 303);
    assert.equal(stack.sql(`SELECT g.name FROM devices d JOIN device_groups g ON g.id = d.group_id WHERE d.uid = '${A.device.id}'`)[0][0], 'Hall C');
    assert.equal((await admin.post('/groups', { action: 'rename', group: gid, name: 'Hall D' })).status, 303);
    const others = await freshRoles();
    for (const role of ['user', 'viewer']) {
      const page = await others[role].get('/groups');
      assert.equal(page.status, 200);
      assert.match(page.text, /Hall D/);
      assert.doesNotMatch(page.text, /name="action" value="create"/, `${role} sees no forms`);
      assert.equal((await others[role].post('/groups', { action: 'rename', group: gid, name: 'Mine' }, { from: '/groups' })).status, 403);
    }
    const foreign = await B.c.admin.post('/groups', { action: 'rename', group: gid, name: 'Hijacked' });
    assert.equal(foreign.status, 400, 'another account cannot touch the group');
    const wrongName = await admin.post('/groups', { action: 'delete', group: gid, confirm: 'Hall C' });
    assert.equal(wrongName.status, 400);
    assert.equal((await admin.post('/groups', { action: 'delete', group: gid, confirm: 'Hall D' })).status, 303);
    assert.equal(stack.sql(`SELECT group_id IS NULL FROM devices WHERE uid = '${A.device.id}'`)[0][0], '1', 'its devices stay, ungrouped');
  });
});

describe('audit log', () => {
  test('administrators see their own account\'s events, filtered and paged; others are refused', async () => {
    const admin = A.c.admin;
    const all = await admin.get('/audit');
    assert.equal(all.status, 200);
    for (const action of ['login.success', 'login.failed', 'group.create', 'user.role', 'key.create', '2fa.enable'])
      assert.match(all.text, new RegExp(`<code>${action.replace('.', '\\.')}</code>`), action);
    assert.doesNotMatch(all.text, /admin@other\.example/, 'no event of another account');
    const logins = await admin.get('/audit?action=login');
    const actions = [...logins.text.matchAll(/<code>([a-z0-9_.]+)<\/code>/g)].map((x) => x[1]);
    assert.ok(actions.length > 0 && actions.every((a) => a.startsWith('login')), 'the filter keeps one area');
    assert.equal((await admin.get('/audit?action=drop%20table')).status, 400);
    for (let i = 0; i < 110; i++) stack.sql(`INSERT INTO audit_log (account_id, actor_label, action) VALUES (${A.account.id}, 'filler', 'device.test')`);
    const first = await admin.get('/audit');
    const older = /href="\/audit\?before=(\d+)"/.exec(first.text);
    assert.ok(older, 'a link to older events');
    const second = await admin.get(`/audit?before=${older[1]}`);
    const ids = (t) => [...t.matchAll(/<tr><td class="mono">/g)].length;
    assert.equal(ids(first.text), 100);
    assert.ok(ids(second.text) > 0);
    const others = await freshRoles();
    for (const role of ['user', 'viewer']) assert.equal((await others[role].get('/audit')).status, 403);
  });
});

// Times on pages read "2026-11-24 18:00:35 UTC"; the API's are ISO with milliseconds.
const PAGE_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;
const API_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MICROSECONDS = /\d\d:\d\d:\d\d[.,]\d{4,}/;

// The rows of a key table: prefix, status and the text of the row.
function keyRows(html, table = 'keys') {
  const body = new RegExp(`<table class="${table}[^"]*">[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  return [...body.matchAll(/<tr data-key="([^"]+)" data-status="([a-z]+)">([\s\S]*?)<\/tr>/g)]
    .map(([, prefix, status, row]) => ({ prefix, status, text: row.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('keys', () => {
  let K;
  const api = (method, p, key) => stack.client(method, p, { headers: { authorization: `Bearer ${key}` } });
  const prefixOf = (key) => key.slice(0, 12);

  before(async () => {
    const account = stack.ctl(['create-account', '--name', 'Keyholders']);
    const admin = user(account, 'admin@keys.example', 'admin');
    K = { account, admin, device: stack.ctl(['create-device', '--account', String(account.id), '--name', 'Press']),
      c: await signedIn(admin.email) };
  });

  test('a key that outlived its grace period shows as expired, not revoked', async () => {
    const settings = `/devices/${K.device.id}/settings`;
    const first = K.device.key;
    const rotated = await K.c.post(settings, { action: 'key_rotate', grace: '3600' });
    assert.equal(rotated.status, 201);
    const second = textOf(rotated.text, 'new-key');
    // The grace period ends; then a rotation without grace ends the second key at once.
    stack.sql(`UPDATE api_keys SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE display_prefix = '${prefixOf(first)}'`);
    assert.equal((await K.c.post(settings, { action: 'key_rotate', grace: '0' })).status, 201);
    const page = await K.c.get(settings);
    const rows = keyRows(page.text);
    const row = (key) => rows.find((x) => x.prefix === prefixOf(key));
    assert.equal(row(first).status, 'expired');
    assert.match(row(first).text, /\bexpired\b/);
    assert.doesNotMatch(row(first).text, /revoked/, 'an expired key is never called revoked');
    assert.equal(row(second).status, 'revoked');
    assert.match(row(second).text, /\brevoked\b/);
    assert.equal(rows.filter((x) => x.status === 'active').length, 1);
    const again = await K.c.post(settings, { action: 'key_revoke', key: stack.sql(`SELECT id FROM api_keys WHERE display_prefix = '${prefixOf(first)}'`)[0][0] });
    assert.equal(again.status, 400, 'an expired key cannot be revoked as well');
    assert.equal(keyRows((await K.c.get(settings)).text).find((x) => x.prefix === prefixOf(first)).status, 'expired');
    const list = await api('GET', `/api/v1/devices/${K.device.id}/keys`, K.account.account_key);
    assert.equal(list.status, 200);
    const byPrefix = Object.fromEntries(list.json.keys.map((k) => [k.prefix, k]));
    assert.equal(byPrefix[prefixOf(first)].status, 'expired');
    assert.equal(byPrefix[prefixOf(first)].revoked_at, null);
    assert.equal(byPrefix[prefixOf(second)].status, 'revoked');
    assert.equal(byPrefix[prefixOf(second)].active, false);
  });

  test('key tables print times to the second, the API to the millisecond; never microseconds', async () => {
    await api('GET', `/api/v1/devices/${K.device.id}/keys`, K.account.account_key);
    const page = await K.c.get(`/devices/${K.device.id}/settings`);
    assert.doesNotMatch(page.text, MICROSECONDS);
    const created = [...page.text.matchAll(/<td class="mono">(\d{4}-[^<]*)<\/td>/g)].map((x) => x[1]);
    assert.ok(created.length >= 3 && created.every((t) => PAGE_TIME.test(t)), created.join(' | '));
    const list = await api('GET', `/api/v1/devices/${K.device.id}/keys`, K.account.account_key);
    for (const k of list.json.keys)
      for (const f of ['created_at', 'expires_at', 'revoked_at', 'last_used_at'])
        if (k[f] !== null) assert.match(k[f], API_TIME, `${f} ${k[f]}`);
    const acct = await api('GET', '/api/v1/account', K.account.account_key);
    assert.match(acct.json.created_at ?? acct.json.account?.created_at, API_TIME);
    for (const p of ['/account', '/audit']) assert.doesNotMatch((await K.c.get(p)).text, MICROSECONDS, p);
  });

  test('regenerating the account key asks for confirmation and keeps the old key working for the grace window', async () => {
    const old = K.account.account_key;
    const count = () => stack.sql(`SELECT COUNT(*) FROM api_keys WHERE account_id = ${K.account.id} AND kind = 'account'`)[0][0];
    const before = count();
    const form = await K.c.get('/account');
    assert.match(form.text, /<select name="grace">[\s\S]*value="3600"/, 'the same grace choices as a device key rotation');
    const ask = await K.c.post('/account', { action: 'key_regenerate', grace: '3600' });
    assert.equal(ask.status, 200);
    assert.match(ask.text, /Regenerate the account key\?/);
    assert.match(ask.text, /name="confirm" value="yes"/);
    assert.equal(textOf(ask.text, 'new-key'), null, 'no key before confirming');
    assert.equal(count(), before, 'asking changes nothing');
    assert.equal((await api('GET', '/api/v1/account', old)).status, 200);
    assert.equal((await K.c.post('/account', { action: 'key_regenerate', grace: '99', confirm: 'yes' })).status, 400);

    const done = await K.c.post('/account', { action: 'key_regenerate', grace: '3600', confirm: 'yes' });
    assert.equal(done.status, 201);
    const fresh = textOf(done.text, 'new-key');
    assert.match(fresh, /^gak_[A-Za-z0-9_-]{43}$/);
    assert.match(textOf(done.text, 'grace-until'), PAGE_TIME);
    assert.equal((await api('GET', '/api/v1/account', old)).status, 200, 'the old key works during the grace period');
    assert.equal((await api('GET', '/api/v1/account', fresh)).status, 200, 'the new key works at once');
    const rows = keyRows((await K.c.get('/account')).text);
    const oldRow = rows.find((x) => x.prefix === prefixOf(old));
    assert.equal(oldRow.status, 'active');
    assert.match(oldRow.text, /until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/, 'the key list shows when the old key ends');
    const [[detail]] = stack.sql(`SELECT detail FROM audit_log WHERE account_id = ${K.account.id} AND action = 'key.account_regenerate' ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(JSON.parse(detail), { new_key: prefixOf(fresh), grace_seconds: 3600 });

    // The grace period ends (a worker may remember the key for a second).
    stack.sql(`UPDATE api_keys SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE display_prefix = '${prefixOf(old)}'`);
    await sleep(1200);
    const after = await api('GET', '/api/v1/account', old);
    assert.equal(after.status, 401, 'after the grace period the old key is refused');
    assert.equal(after.json.code, 'invalid_key');
    assert.equal(keyRows((await K.c.get('/account')).text).find((x) => x.prefix === prefixOf(old)).status, 'expired');

    // Without grace, the current key stops at once; the expired one stays expired.
    const now = await K.c.post('/account', { action: 'key_regenerate', grace: '0' });
    assert.match(now.text, /stop working at once/);
    const last = await K.c.post('/account', { action: 'key_regenerate', grace: '0', confirm: 'yes' });
    assert.equal(last.status, 201);
    assert.match(last.text, /no longer works/);
    assert.equal((await api('GET', '/api/v1/account', fresh)).status, 401);
    assert.equal((await api('GET', '/api/v1/account', textOf(last.text, 'new-key'))).status, 200);
    const final = keyRows((await K.c.get('/account')).text);
    assert.deepEqual(final.map((x) => x.status), ['active', 'revoked', 'expired'], 'newest first');
  });
});

describe('viewers', () => {
  const EMAIL = 'night-shift@acme.example';
  const PHONE = '+14155550199';

  test('a viewer sees no alert rules or recipients on any page', async () => {
    const roles = await freshRoles();
    const made = await roles.user.post('/alerts', { action: 'create', name: 'Boiler overheat', device: A.device.id,
      channel: 'temp', kind: 'above', threshold: '90', recipients: `${EMAIL}, ${PHONE}` });
    assert.equal(made.status, 303, flashOf(made.text) ?? '');
    const [[ruleId]] = stack.sql("SELECT id FROM alert_rules WHERE name = 'Boiler overheat'");
    const [[devId]] = stack.sql(`SELECT id FROM devices WHERE uid = '${A.device.id}'`);
    // An alarm that was delivered to both recipients, as gauge-alertd records it.
    stack.sql(`INSERT INTO alert_state (rule_id, device_id, state, since) VALUES (${ruleId}, ${devId}, 'alarm', UTC_TIMESTAMP(3))`);
    stack.sql(`INSERT INTO alert_events (verify_code, account_id, rule_id, device_id, device_name, rule_name, channel, kind, value, reading_at)
      VALUES ('${crypto.randomBytes(16).toString('hex')}', ${A.account.id}, ${ruleId}, ${devId}, 'Boiler', 'Boiler overheat', 'temp', 'alarm', 95, UTC_TIMESTAMP(3))`);
    stack.sql(`INSERT INTO alert_outbox (event_id, transport, recipient, status) SELECT id, 'email', '${EMAIL}', 'sent' FROM alert_events WHERE rule_name = 'Boiler overheat'`);
    stack.sql(`INSERT INTO alert_outbox (event_id, transport, recipient, status) SELECT id, 'sms', '${PHONE}', 'sent' FROM alert_events WHERE rule_name = 'Boiler overheat'`);

    // Users see the rule, its recipients and the log; the device page names the rule.
    assert.match((await roles.user.get('/alerts')).text, new RegExp(EMAIL));
    assert.match((await roles.user.get('/alerts/log')).text, /Boiler overheat/);
    assert.match((await roles.user.get(`/devices/${A.device.id}`)).text, /Boiler overheat/);

    const v = roles.viewer;
    for (const p of ['/alerts', '/alerts/log']) {
      const r = await v.get(p);
      assert.equal(r.status, 403, p);
      assert.doesNotMatch(r.text, /Boiler overheat|night-shift|4155550199/, p);
    }
    const pages = ['/', '/devices', `/devices/${A.device.id}`, `/devices/${A.device.id}/data?interval=1h`, '/groups', '/profile'];
    for (const p of pages) {
      const r = await v.get(p);
      assert.equal(r.status, 200, p);
      assert.doesNotMatch(r.text, /Boiler overheat|night-shift|4155550199/, `${p} shows no rule and no recipient`);
      assert.doesNotMatch(r.text, /href="\/alerts/, `${p} links to no alert page`);
    }
    // No API answers a session: the alert-rule API wants an account key.
    const api = await v.send('GET', '/api/v1/alert-rules', { headers: { accept: 'application/json' } });
    assert.equal(api.status, 401);
    assert.doesNotMatch(api.text, /Boiler overheat|night-shift|4155550199/);
    const post = await v.post('/alerts/log', { rule: ruleId, device: A.device.id }, { from: '/devices' });
    assert.equal(post.status, 403, 'nor can a viewer acknowledge');
  });
});

describe('static files', () => {
  test('/favicon.ico is served, and every page links an icon', async () => {
    const r = await stack.client('GET', '/favicon.ico');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^image\//);
    const svg = await stack.client('GET', '/static/favicon.svg');
    assert.equal(svg.status, 200);
    assert.match(svg.headers['content-type'], /^image\/svg\+xml/);
    for (const p of ['/login', '/devices']) {
      const page = p === '/login' ? await new WebClient(stack).get(p) : await A.c.admin.get(p);
      assert.match(page.text, /<link rel="icon" href="\/favicon\.ico"/, p);
    }
  });

  test('/favicon.ico is served by the shipped Apache configuration too', async () => {
    const net = await import('node:net');
    const port = await new Promise((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => { const { port: p } = srv.address(); srv.close(() => resolve(p)); });
    });
    const apache = await stack.startApache(port);
    const r = await apache('GET', '/favicon.ico');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^image\//);
    assert.equal((await apache('GET', '/static/favicon.svg')).status, 200);
  });
});
