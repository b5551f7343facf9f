// api-alerts-admin.test.mjs - alert rules and alert history through the API
// with an account key (GET/PATCH one rule, GET /api/v1/alert-events, POST
// .../ack), and the dashboard's edit, disable and enable: one validator, one
// acknowledgement, the same audit records.  Alerts are triggered for real
// through gauge-alertd and the SES/Twilio sinks, as in alerts.test.mjs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startStack } from '../stack/stack.mjs';
import { outboxOf, until, useTwilioSink } from './alert-sinks.mjs';
import { WebClient } from './web-client.mjs';

const PW = 'alarm bells ring 12';
let stack;
let varDir;
let acct;
let admin;

function api(method, p, key, json, headers = {}) {
  return stack.client(method, p, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
  body: json === undefined ? undefined : typeof json === 'string' ? json : JSON.stringify(json) });
}
const key = () => acct.account_key;

const outbox = (provider) => outboxOf(stack, provider);
const mailsTo = (addr) => outbox('ses').filter((m) => JSON.stringify(m).includes(addr));
const smsTo = (num) => outbox('twilio').filter((m) => JSON.stringify(m).includes(num));

const post = (d, values) => api('POST', `/api/v1/devices/${d.id}/readings`, d.key, { values });

// A device with its own above-100 rule, so each test counts only its own messages.
async function watched(name, recipients, extra = {}) {
  const d = stack.ctl(['create-device', '--account', String(acct.id), '--name', name]);
  const r = await api('POST', '/api/v1/alert-rules', key(), { name: `${name} hot`, device: d.id,
    channel: 'temp', kind: 'above', threshold: 100, clear_threshold: 90, recipients, ...extra });
  assert.equal(r.status, 201, r.text);
  return { ...d, rule: r.json.id };
}

const audits = (action, target) => stack.sql(`SELECT actor_label, COALESCE(detail, '') FROM audit_log
  WHERE action = '${action}' AND target_id = '${target}' ORDER BY id`);

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-alerts-admin-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, alertdPollMs: 200, alertdRetryMs: 300 });
  acct = stack.ctl(['create-account', '--name', 'Brewhouse']);
  stack.ctl(['create-user', '--account', String(acct.id), '--email', 'head@brew.example', '--role', 'admin', '--password-stdin'], `${PW}\n`);
  stack.ctl(['create-user', '--account', String(acct.id), '--email', 'tap@brew.example', '--role', 'user', '--password-stdin'], `${PW}\n`);
  stack.ctl(['create-user', '--account', String(acct.id), '--email', 'look@brew.example', '--role', 'viewer', '--password-stdin'], `${PW}\n`);
  admin = new WebClient(stack);
  assert.equal((await admin.signIn('head@brew.example', PW)).status, 303);
  await useTwilioSink(stack, admin);
});

after(async () => {
  await stack?.stop();
  if (process.env.GAUGE_KEEP_VAR) console.log(`kept ${varDir}`);
  else fs.rmSync(varDir, { recursive: true, force: true });
});

describe('one alert rule', () => {
  let d;
  before(async () => { d = await watched('Mash tun', ['brewer@brew.example']); });

  test('GET returns the rule as the list does', async () => {
    const r = await api('GET', `/api/v1/alert-rules/${d.rule}`, key());
    assert.equal(r.status, 200, r.text);
    const listed = (await api('GET', '/api/v1/alert-rules', key())).json.rules.find((x) => x.id === d.rule);
    assert.deepEqual(r.json, listed);
    assert.equal(r.json.name, 'Mash tun hot');
    assert.equal(r.json.threshold, 100);
    assert.equal(r.json.enabled, true);
    assert.equal((await api('GET', '/api/v1/alert-rules/999999', key())).status, 404);
    assert.equal((await api('GET', '/api/v1/alert-rules/abc', key())).status, 404);
  });

  test('PATCH changes the fields it names, replaces the recipients, and is audited', async () => {
    const r = await api('PATCH', `/api/v1/alert-rules/${d.rule}`, key(), { threshold: 120, clear_threshold: 110,
      recipients: ['+14155550177', 'second@brew.example'], reminder_s: 600 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.threshold, 120);
    assert.equal(r.json.clear_threshold, 110);
    assert.equal(r.json.reminder_s, 600);
    assert.equal(r.json.name, 'Mash tun hot', 'untouched fields keep their values');
    assert.equal(r.json.device, d.id);
    assert.equal(r.json.recipients, '+14155550177, second@brew.example', 'the list is replaced, not added to');
    assert.deepEqual((await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json, r.json);
    const [[actor, detail]] = audits('alert.rule_update', String(d.rule));
    assert.equal(actor, acct.account_key.slice(0, 12), 'the actor is the key\'s label');
    assert.equal(detail, '{"enabled":true}');
    // null unsets a field: the clear threshold follows the threshold again
    const unset = await api('PATCH', `/api/v1/alert-rules/${d.rule}`, key(), { clear_threshold: null, reminder_s: null });
    assert.equal(unset.status, 200, unset.text);
    assert.equal(unset.json.clear_threshold, 120);
    assert.equal(unset.json.reminder_s, undefined);
  });

  test('a change that would make an invalid rule is refused and changes nothing', async () => {
    const before = (await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json;
    const cases = [
      [{ kind: 'outside' }, 422, 'invalid_rule', /Outside needs a low and a high threshold/],
      [{ threshold: 'hot' }, 422, 'invalid_rule', /plain numbers/],
      [{ threshold: 50 }, 422, 'invalid_rule', /clear threshold must not be above/],
      [{ recipients: ['nobody'] }, 422, 'invalid_rule', /nobody/],
      [{ recipients: [] }, 422, 'invalid_rule', /at least one recipient/],
      [{ name: '' }, 422, 'invalid_rule', /rule name/],
      [{ name: { x: 1 } }, 422, 'invalid_rule', /rule name/],
      [{ enabled: 'maybe' }, 422, 'invalid_rule', /enabled is on or off/],
      [{ device: 'dev_AAAAAAAAAAAAAAAA' }, 422, 'invalid_rule', /no such device/],
      [{ device: d.id, group: 'grp_AAAAAAAAAAAAAAAA' }, 422, 'invalid_rule', /either a device or a group/],
      [{ colour: 'red' }, 400, 'unknown_field', /colour/],
      ['{"name": "a", "name": "b"}', 400, 'malformed_json', /./],
      ['[1]', 400, 'malformed_json', /object/],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await api('PATCH', `/api/v1/alert-rules/${d.rule}`, key(), body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.code, code, JSON.stringify(body));
      assert.match(r.json.message, message, JSON.stringify(body));
    }
    const unknown = await api('PATCH', `/api/v1/alert-rules/${d.rule}`, key(), { 'a/b': 1 });
    assert.equal(unknown.json.pointer, '/a~1b', 'the pointer names the field (RFC 6901)');
    const form = await api('PATCH', `/api/v1/alert-rules/${d.rule}`, key(), undefined,
      { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal((await api('PATCH', '/api/v1/alert-rules/999999', key(), { name: 'x' })).status, 404);
    assert.deepEqual((await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json, before, 'nothing changed');
    assert.equal(audits('alert.rule_update', String(d.rule)).length, 2, 'no audit record for a refusal');
  });

  test('the create refuses unknown fields too', async () => {
    const r = await api('POST', '/api/v1/alert-rules', key(), { name: 'x', device: d.id, channel: 'temp',
      kind: 'above', threshold: 1, recipients: ['a@brew.example'], treshold: 2 });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'unknown_field');
    assert.equal(r.json.pointer, '/treshold');
  });
});

describe('a disabled rule', () => {
  test('sends nothing, says so on the device and alerts pages, and works again once enabled', async () => {
    const d = await watched('Fermenter', ['ferment@brew.example']);
    const off = await api('PATCH', `/api/v1/alert-rules/${d.rule}`, key(), { enabled: false });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.enabled, false);
    assert.equal(audits('alert.rule_update', String(d.rule))[0][1], '{"enabled":false}');
    await post(d, { temp: 150 });
    await sleep(2000);
    assert.equal(mailsTo('ferment@brew.example').length, 0, 'a crossing while disabled sends nothing');
    assert.match((await admin.get(`/devices/${d.id}`)).text, /Fermenter hot<\/td><td><code>temp<\/code><\/td>\s*<td><span class="badge rule-disabled">disabled<\/span> sends nothing/);
    assert.match((await admin.get('/alerts')).text, /Fermenter hot <span class="badge rule-disabled">disabled<\/span>/);
    await post(d, { temp: 50 });
    assert.equal((await api('PATCH', `/api/v1/alert-rules/${d.rule}`, key(), { enabled: true })).status, 200);
    await sleep(1000);
    await post(d, { temp: 150 });
    await until('the alarm once enabled', () => mailsTo('ferment@brew.example').length === 1);
  });
});

describe('alert history', () => {
  let a;
  let b;
  before(async () => {
    a = await watched('Kettle', ['kettle@brew.example', '+14155550123']);
    b = await watched('Chiller', ['chill@brew.example']);
    await post(a, { temp: 150 });
    await until('the kettle alarm', () => mailsTo('kettle@brew.example').length === 1 && smsTo('+14155550123').length === 1);
    await post(a, { temp: 50 });
    await until('the kettle back to normal', () => mailsTo('kettle@brew.example').length === 2 && smsTo('+14155550123').length === 2);
    await post(b, { temp: 150 });
    await until('the chiller alarm', () => mailsTo('chill@brew.example').length === 1);
  });

  const events = async (q) => {
    const r = await api('GET', `/api/v1/alert-events${q ? `?${q}` : ''}`, key());
    assert.equal(r.status, 200, r.text);
    return r.json;
  };

  test('lists events newest first with rule, device, reading, code and masked deliveries', async () => {
    const { events: list } = await events(`device=${a.id}`);
    assert.deepEqual(list.map((e) => e.kind), ['clear', 'alarm']);
    const [clear, alarm] = list;
    assert.ok(clear.id > alarm.id);
    assert.deepEqual(alarm.rule, { id: a.rule, name: 'Kettle hot' });
    assert.deepEqual(alarm.device, { id: a.id, name: 'Kettle' });
    assert.equal(alarm.channel, 'temp');
    assert.equal(alarm.value, 150);
    assert.match(alarm.reading_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(alarm.fired_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(alarm.code, /^[0-9a-f]{32}$/);
    assert.equal(alarm.verify, `/verify/${alarm.code}`);
    assert.match(JSON.stringify(mailsTo('kettle@brew.example')[0]), new RegExp(alarm.code), 'the code the message carried');
    assert.equal(alarm.acknowledged_at, null);
    assert.equal(alarm.acknowledged_by, null);
    assert.equal(alarm.open, false, 'the alarm has cleared');
    assert.deepEqual(alarm.deliveries.map((x) => [x.channel, x.recipient, x.status, x.attempts, x.last_error]),
      [['email', 'k***@brew.example', 'sent', 1, null], ['sms', '+1415*****23', 'sent', 1, null]]);
    assert.doesNotMatch(JSON.stringify(list), /kettle@brew|5550123/, 'recipients are masked');
    const chill = await events(`device=${b.id}&state=open`);
    assert.deepEqual(chill.events.map((e) => [e.kind, e.open]), [['alarm', true]]);
    assert.deepEqual((await events(`rule=${b.rule}`)).events.map((e) => e.device.id), [b.id]);
    assert.equal((await events(`device=${a.id}&state=open`)).events.length, 0);
    const unacked = await events(`device=${a.id}&state=unacknowledged`);
    assert.deepEqual(unacked.events.map((e) => e.kind), ['alarm'], 'a back-to-normal event is never unacknowledged');
  });

  test('from and to bound the time an event fired', async () => {
    const { events: all } = await events(`device=${a.id}`);
    const [clear, alarm] = all;
    const t = Date.parse(clear.fired_at);
    assert.deepEqual((await events(`device=${a.id}&from=${t}`)).events.map((e) => e.id), [clear.id]);
    assert.deepEqual((await events(`device=${a.id}&to=${encodeURIComponent(clear.fired_at)}`)).events.map((e) => e.id),
      Date.parse(alarm.fired_at) < t ? [alarm.id] : []);
    assert.equal((await events(`device=${a.id}&from=${Date.now() + 3600000}`)).events.length, 0);
  });

  test('next pages through the history, and stays put while new events arrive', async () => {
    const { events: all } = await events('limit=1000');
    assert.ok(all.length >= 4);
    const first = await events('limit=2');
    assert.deepEqual(first.events.map((e) => e.id), all.slice(0, 2).map((e) => e.id));
    assert.match(first.next, /^\/api\/v1\/alert-events\?limit=2&cursor=e[0-9a-z]+$/);
    // a new event arrives between the pages
    const c = await watched('Boiler', ['boil@brew.example']);
    await post(c, { temp: 150 });
    await until('the boiler alarm', () => mailsTo('boil@brew.example').length === 1);
    const seen = [...first.events];
    for (let next = first.next; next;) {
      const r = await api('GET', next, key());
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.events);
      next = r.json.next;
    }
    assert.deepEqual(seen.map((e) => e.id), all.map((e) => e.id), 'every event once, in order, none new');
    const filtered = await events(`device=${a.id}&limit=1&state=unacknowledged`);
    assert.match(filtered.next, new RegExp(`&device=${a.id}&state=unacknowledged$`), 'the filters stay in the link');
  });

  test('every parameter is validated, naming it', async () => {
    const cursor = (await events('limit=1')).next.split('cursor=')[1];
    const tampered = cursor.slice(0, -2) + (cursor.at(-2) === '1' ? '2' : '1') + cursor.at(-1);
    for (const [q, param] of [['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=x', 'limit'],
      ['from=yesterday', 'from'], ['to=1e3', 'to'], ['from=2000&to=1000', 'from'], ['device=kettle', 'device'],
      ['rule=-1', 'rule'], ['rule=0', 'rule'], ['state=closed', 'state'], ['cursor=abc', 'cursor'],
      [`cursor=${tampered}`, 'cursor'], ['cursor=123', 'cursor'], ['colour=red', 'colour'], ['limit=1&limit=2', 'limit']]) {
      const r = await api('GET', `/api/v1/alert-events?${q}`, key());
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.code, 'bad_param', q);
      assert.match(r.json.message, new RegExp(`^${param}: `), q);
    }
  });
});

describe('acknowledging through the API', () => {
  test('stops reminders, shows who acknowledged, is idempotent, and is audited like the dashboard', async () => {
    const d = await watched('Nagging still', ['nag@brew.example'], { reminder_s: 1, notify_clear: false });
    await post(d, { temp: 150 });
    await until('a reminder', () => mailsTo('nag@brew.example').length >= 2, 20000);
    const open = (await api('GET', `/api/v1/alert-events?device=${d.id}&state=open`, key())).json.events;
    assert.ok(open.length >= 2 && open.every((e) => e.open));
    assert.deepEqual([...new Set(open.map((e) => e.kind))].sort(), ['alarm', 'reminder']);
    const ack = await api('POST', `/api/v1/alert-events/${open.at(-1).id}/ack`, key());
    assert.equal(ack.status, 200, ack.text);
    assert.equal(ack.json.id, open.at(-1).id);
    assert.equal(ack.json.acknowledged_by, acct.account_key.slice(0, 12));
    assert.match(ack.json.acknowledged_at, /Z$/);
    assert.equal(ack.json.open, false);
    await sleep(1500);   // a cycle already under way may still send one
    const sent = mailsTo('nag@brew.example').length;
    await sleep(3000);
    assert.equal(mailsTo('nag@brew.example').length, sent, 'no reminders once acknowledged');
    const all = (await api('GET', `/api/v1/alert-events?device=${d.id}`, key())).json.events;
    for (const e of all.filter((x) => open.some((o) => o.id === x.id)))
      assert.equal(e.acknowledged_by, acct.account_key.slice(0, 12), 'every event of the alarm is acknowledged');
    assert.equal((await api('GET', `/api/v1/alert-events?device=${d.id}&state=open`, key())).json.events.length, 0);
    assert.ok((await api('GET', `/api/v1/alert-events?device=${d.id}&state=acknowledged`, key())).json.events.length >= 2);
    const again = await api('POST', `/api/v1/alert-events/${open[0].id}/ack`, key());
    assert.equal(again.status, 200, 'an acknowledged event answers as it stands');
    assert.equal(again.json.acknowledged_at, ack.json.acknowledged_at);
    assert.deepEqual(audits('alert.acknowledge', d.id), [[acct.account_key.slice(0, 12), `{"rule":${d.rule}}`]],
      'one audit record, the dashboard\'s');
    assert.match((await admin.get(`/devices/${d.id}`)).text, /acknowledged/);
    assert.match((await admin.get('/alerts/log')).text, new RegExp(`acknowledged by ${acct.account_key.slice(0, 12)}`));
  });

  test('a back-to-normal event or a cleared alarm has nothing to acknowledge', async () => {
    const d = await watched('Cools down', ['cool@brew.example']);
    await post(d, { temp: 150 });
    await until('the alarm', () => mailsTo('cool@brew.example').length === 1);
    await post(d, { temp: 50 });
    await until('back to normal', () => mailsTo('cool@brew.example').length === 2);
    const [clear, alarm] = (await api('GET', `/api/v1/alert-events?device=${d.id}`, key())).json.events;
    for (const e of [clear, alarm]) {
      const r = await api('POST', `/api/v1/alert-events/${e.id}/ack`, key());
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.code, 'not_open');
    }
    assert.equal((await api('POST', '/api/v1/alert-events/99999999/ack', key())).status, 404);
    assert.equal((await api('POST', '/api/v1/alert-events/x/ack', key())).status, 404);
    assert.equal(audits('alert.acknowledge', d.id).length, 0);
  });

  test('the dashboard\'s acknowledgement shows who acknowledged in the API', async () => {
    const d = await watched('Dash acked', ['dash@brew.example'], { reminder_s: 1, notify_clear: false });
    await post(d, { temp: 150 });
    await until('the alarm', () => mailsTo('dash@brew.example').length >= 1);
    assert.equal((await admin.post('/alerts/log', { rule: d.rule, device: d.id })).status, 303);
    const [e] = (await api('GET', `/api/v1/alert-events?device=${d.id}&limit=1`, key())).json.events;
    assert.equal(e.acknowledged_by, 'head@brew.example');
  });
});

describe('who may', () => {
  test('device keys and no key are refused on every new route', async () => {
    const d = await watched('Keyed', ['keyed@brew.example']);
    const routes = [['GET', `/api/v1/alert-rules/${d.rule}`], ['PATCH', `/api/v1/alert-rules/${d.rule}`, { enabled: false }],
      ['GET', '/api/v1/alert-events'], ['POST', '/api/v1/alert-events/1/ack']];
    for (const [m, p, body] of routes) {
      assert.equal((await api(m, p, d.key, body)).status, 403, `${m} ${p} with a device key`);
      assert.equal((await api(m, p, null, body)).status, 401, `${m} ${p} without a key`);
    }
    assert.equal((await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json.enabled, true);
  });

  test('another account\'s key sees nothing of this one', async () => {
    const other = stack.ctl(['create-account', '--name', 'Rival']);
    const d = await watched('Private', ['private@brew.example']);
    assert.equal((await api('GET', `/api/v1/alert-rules/${d.rule}`, other.account_key)).status, 404);
    assert.equal((await api('PATCH', `/api/v1/alert-rules/${d.rule}`, other.account_key, { enabled: false })).status, 404);
    assert.deepEqual((await api('GET', '/api/v1/alert-events', other.account_key)).json, { events: [], next: null });
  });
});

describe('in the dashboard', () => {
  let tap;
  let look;
  let d;
  before(async () => {
    tap = new WebClient(stack);
    look = new WebClient(stack);
    await tap.signIn('tap@brew.example', PW);
    await look.signIn('look@brew.example', PW);
    d = await watched('Bright tank', ['bright@brew.example']);
  });

  test('a user edits a rule through the same validator, and a refusal changes nothing', async () => {
    const page = await tap.get(`/alerts?edit=${d.rule}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h2>Edit rule<\/h2>/);
    assert.match(page.text, /name="name" value="Bright tank hot"/);
    assert.match(page.text, /name="recipients" rows="3" cols="60" required>bright@brew.example</);
    const fields = { action: 'update', rule: d.rule, name: 'Bright tank too warm', device: d.id, group: '', channel: 'temp',
      kind: 'above', threshold: '4', clear_threshold: '3', threshold_high: '', clear_threshold_high: '',
      no_data_minutes: '', min_duration_s: '0', reminder_s: '', notify_clear: 'on', enabled: 'on',
      recipients: 'bright@brew.example\n+14155550188' };
    const before = (await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json;
    const bad = await tap.post('/alerts', { ...fields, clear_threshold: '9' }, { from: `/alerts?edit=${d.rule}` });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /the clear threshold must not be above it/, 'the API\'s words');
    assert.match(bad.text, /name="name" value="Bright tank too warm"/, 'the form keeps what was typed');
    assert.deepEqual((await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json, before);
    const ok = await tap.post('/alerts', fields, { from: `/alerts?edit=${d.rule}` });
    assert.equal(ok.status, 303, ok.text);
    assert.equal(ok.headers.location, '/alerts?done=updated');
    const now = (await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json;
    assert.equal(now.name, 'Bright tank too warm');
    assert.equal(now.threshold, 4);
    assert.equal(now.recipients, 'bright@brew.example, +14155550188');
    assert.deepEqual(audits('alert.rule_update', String(d.rule)), [['tap@brew.example', '{"enabled":true}']]);
  });

  test('a user disables and enables a rule with one button', async () => {
    const off = await tap.post('/alerts', { action: 'disable', rule: d.rule });
    assert.equal(off.status, 303);
    assert.equal((await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json.enabled, false);
    const page = (await tap.get('/alerts?done=disabled')).text;
    assert.match(page, /it sends nothing until enabled/);
    assert.match(page, /name="action" value="enable"><button type="submit">Enable</);
    assert.equal((await tap.post('/alerts', { action: 'enable', rule: d.rule })).status, 303);
    assert.equal((await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json.enabled, true);
    assert.deepEqual(audits('alert.rule_update', String(d.rule)).slice(1).map((r) => r[1]),
      ['{"enabled":false}', '{"enabled":true}']);
  });

  test('viewers see no rules and cannot change them; a form without its token is refused', async () => {
    assert.equal((await look.get(`/alerts?edit=${d.rule}`)).status, 403);
    assert.equal((await look.post('/alerts', { action: 'disable', rule: d.rule }, { from: '/devices' })).status, 403);
    const noToken = await tap.send('POST', '/alerts', { form: { action: 'disable', rule: d.rule } });
    assert.equal(noToken.status, 403);
    assert.equal((await api('GET', `/api/v1/alert-rules/${d.rule}`, key())).json.enabled, true);
    assert.equal((await tap.get('/alerts?edit=999999')).status, 404);
  });
});
