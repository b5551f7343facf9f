// alerts.test.mjs - threshold alerts end to end: rules through the API,
// gauge-alertd evaluating readings, e-mail through the SES sink (SigV4
// checked there) and SMS through the Twilio sink (basic auth checked),
// verification codes, no floods, retries, no duplicates.
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
let dev;

function api(method, p, key, json) {
  return stack.client(method, p, { headers: { authorization: `Bearer ${key}`,
    ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined });
}

const outbox = (provider) => outboxOf(stack, provider);

const post = (d, values, ts) => api('POST', `/api/v1/devices/${d.id}/readings`, d.key, { values, ...(ts ? { ts } : {}) });

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-alerts-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, alertdPollMs: 200, alertdRetryMs: 300,
    sendLeaseS: 3, alertBudget: 3, digestIntervalS: 1 });
  acct = stack.ctl(['create-account', '--name', 'Kilnworks']);
  dev = stack.ctl(['create-device', '--account', String(acct.id), '--name', 'Kiln 7']);
  stack.ctl(['create-user', '--account', String(acct.id), '--email', 'boss@kiln.example', '--role', 'admin', '--password-stdin'], `${PW}\n`);
  const admin = new WebClient(stack);
  assert.equal((await admin.signIn('boss@kiln.example', PW)).status, 303);
  await useTwilioSink(stack, admin);
});

after(async () => {
  await stack?.stop();
  if (process.env.GAUGE_KEEP_VAR) console.log(`kept ${varDir}`);
  else fs.rmSync(varDir, { recursive: true, force: true });
});

describe('a crossing', () => {
  let rule;
  test('rules are validated on entry', async () => {
    const bad = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'x', device: dev.id, channel: 'temp',
      kind: 'above', threshold: 800, recipients: ['ops@kiln.example', '+0000'] });
    assert.equal(bad.status, 422);
    assert.match(bad.json.message, /\+0000/);
    const r = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'Kiln too hot', device: dev.id,
      channel: 'temp', kind: 'above', threshold: 800, clear_threshold: 780,
      recipients: ['ops@kiln.example', '+14155550123'] });
    assert.equal(r.status, 201, r.text);
    rule = r.json.id;
    const list = await api('GET', '/api/v1/alert-rules', acct.account_key);
    assert.equal(list.json.rules[0].name, 'Kiln too hot');
  });

  test('produces exactly one e-mail and one SMS, each with a code /verify accepts', async () => {
    assert.equal((await post(dev, { temp: 700 })).status, 201);
    await sleep(600);
    assert.equal((await post(dev, { temp: 812.5 })).status, 201);
    const [mail] = await until('the e-mail', () => outbox('ses').length === 1 && outbox('ses'));
    const [sms] = await until('the SMS', () => outbox('twilio').length === 1 && outbox('twilio'));
    const text = JSON.stringify(mail);
    const code = /verify\/([0-9a-f]{32})/.exec(text)[1];
    assert.match(text, /812\.5/);
    assert.match(JSON.stringify(sms), new RegExp(code), 'the SMS carries the same code');
    assert.match(JSON.stringify(sms), /\+14155550123/);
    const v = await stack.client('GET', `/verify/${code}`);
    assert.equal(v.status, 200);
    assert.match(v.text, /This message was sent by Gauge/);
    assert.match(v.text, /Kiln 7/);
    assert.match(v.text, /o\*\*\*@kiln\.example/, 'recipients are masked');
    assert.doesNotMatch(v.text, /ops@kiln/);
    const fake = await stack.client('GET', `/verify/${'0'.repeat(32)}`);
    assert.equal(fake.status, 404);
    assert.match(fake.text, /never sent/);
    await sleep(1000);
    assert.equal(outbox('ses').length, 1, 'still exactly one');
    assert.equal(outbox('twilio').length, 1);
  });

  test('a value hovering at the limit produces no flood', async () => {
    for (let i = 0; i < 20; i++) await post(dev, { temp: i % 2 ? 801 : 799 });
    await sleep(1500);
    assert.equal(outbox('ses').length, 1, 'no new alarm while the value never fell to the clear threshold');
  });

  test('back to normal is reported once', async () => {
    await post(dev, { temp: 700 });
    await until('the back-to-normal mail', () => outbox('ses').length === 2);
    assert.match(JSON.stringify(outbox('ses')[1]), /Back to normal/);
    assert.ok(rule);
  });
});

// A device with its own above-100 rule and recipients, so each test counts only its own messages.
async function watched(name, recipients, extra = {}) {
  const d = stack.ctl(['create-device', '--account', String(acct.id), '--name', name]);
  const r = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: `${name} hot`, device: d.id,
    channel: 'temp', kind: 'above', threshold: 100, clear_threshold: 90, recipients, ...extra });
  assert.equal(r.status, 201, r.text);
  return d;
}

const mailsTo = (addr) => outbox('ses').filter((m) => JSON.stringify(m).includes(addr));
const smsTo = (num) => outbox('twilio').filter((m) => JSON.stringify(m).includes(num));
// Requests the sink has seen for a provider (requests.log names no
// recipient, so tests count the lines a step added).
function requestsSeen(provider) {
  const log = path.join(stack.dirs.outbox, 'requests.log');
  if (!fs.existsSync(log)) return 0;
  return fs.readFileSync(log, 'utf8').trim().split('\n').filter((l) => l && JSON.parse(l).provider === provider).length;
}
const outboxRow = (to) => stack.sql(`SELECT status, attempts FROM alert_outbox WHERE recipient = '${to}'`)[0] ?? [];

describe('delivery', () => {
  test('provider 500s are retried, and the message is delivered once', async () => {
    const d = await watched('Retry kiln', ['retry@kiln.example']);
    const before = requestsSeen('ses');
    stack.failPlan({ ses: [500, 503] });
    await post(d, { temp: 150 });
    await until('the mail after retries', () => mailsTo('retry@kiln.example').length === 1);
    await sleep(1000);
    assert.equal(mailsTo('retry@kiln.example').length, 1);
    assert.equal(requestsSeen('ses') - before, 3, 'two failures, then success');
    assert.deepEqual(outboxRow('retry@kiln.example'), ['sent', '3']);
  });

  test('provider 400s are not retried', async () => {
    const d = await watched('Bad number kiln', ['+14155550999']);
    const before = requestsSeen('twilio');
    stack.failPlan({ twilio: [400] });
    await post(d, { temp: 150 });
    await until('the failure', () => outboxRow('+14155550999')[0] === 'failed');
    await sleep(1000);
    assert.equal(requestsSeen('twilio') - before, 1, 'one attempt only');
    assert.deepEqual(outboxRow('+14155550999'), ['failed', '1']);
    assert.equal(smsTo('+14155550999').length, 0);
    stack.failPlan({});
  });

  test('gauge-alertd killed mid-delivery and restarted sends nothing twice and loses nothing', async () => {
    const d = await watched('Killed kiln', ['first@kiln.example', 'second@kiln.example']);
    stack.failPlan({ ses: [{ delay_ms: 4000, status: 200 }] });
    await post(d, { temp: 150 });
    await until('the first send to be under way', () => outboxRow('first@kiln.example')[0] === 'sending');
    await sleep(500);   // the request is now inside the sink's delay
    await stack.stopAlertd('alertd', 'SIGKILL');
    stack.startAlertd('alertd');
    await until('the second message', () => mailsTo('second@kiln.example').length === 1, 20000);
    await until('the interrupted one to be accounted for', () =>
      stack.sql("SELECT status FROM alert_outbox WHERE recipient = 'first@kiln.example'")[0]?.[0] === 'unknown', 20000);
    await sleep(1500);
    assert.equal(mailsTo('first@kiln.example').length, 1, 'the message in flight reached the provider once, and was not resent');
    assert.equal(mailsTo('second@kiln.example').length, 1, 'the queued one was delivered after the restart');
    assert.equal(stack.sql(`SELECT COUNT(*) FROM alert_events e JOIN devices d ON d.id = e.device_id WHERE d.uid = '${d.id}'`)[0][0], '1');
  });

  test('two gauge-alertd instances at once send each alert once', async () => {
    stack.startAlertd('alertd2');
    const devices = [];
    for (let i = 0; i < 5; i++) devices.push(await watched(`Twin ${i}`, [`twin${i}@kiln.example`]));
    await Promise.all(devices.map((d) => post(d, { temp: 150 })));
    for (let i = 0; i < 5; i++) await until(`twin ${i}`, () => mailsTo(`twin${i}@kiln.example`).length === 1);
    await sleep(1500);
    for (let i = 0; i < 5; i++) assert.equal(mailsTo(`twin${i}@kiln.example`).length, 1, `twin ${i} once`);
    await stack.stopAlertd('alertd2');
  });

  test('a gauge-alertd stopped cleanly hands the evaluation lease over at once', async () => {
    const leaderPid = () => Number((stack.sql("SELECT value FROM alertd_state WHERE name = 'leader'")[0]?.[0] ?? '').split(':')[1]);
    const first = stack.s.procs.alertd.pid;
    await until('the running instance to hold the lease', () => leaderPid() === first);
    const second = stack.startAlertd('alertd2').pid;
    await sleep(1000);
    assert.equal(leaderPid(), first, 'the lease stays where it is while its holder runs');
    const t0 = Date.now();
    await stack.stopAlertd('alertd');
    await until('the other instance to take the lease', () => leaderPid() === second, 5000);
    assert.ok(Date.now() - t0 < 5000, 'well inside the 10 s a crashed holder\'s lease lasts');
    stack.startAlertd('alertd');
    await stack.stopAlertd('alertd2');
    await until('the lease back with the restarted instance', () => leaderPid() === stack.s.procs.alertd.pid, 5000);
  });

  // Issue 14: the poll interval no longer sets the latency.  A slow poll
  // (2 s) makes the difference plain: after readings arrived the evaluator
  // asks MongoDB every 50 ms, while polls that find nothing to do skip the
  // evaluation, which must not hold back a silence that comes due.
  test('during a burst an alarm goes out at once, and a silence is still reported on time', async () => {
    const POLL = 2000;
    const leaderPid = () => Number((stack.sql("SELECT value FROM alertd_state WHERE name = 'leader'")[0]?.[0] ?? '').split(':')[1]);
    await stack.stopAlertd('alertd');
    const slow = stack.startAlertd('alertd2', { GAUGE_ALERTD_POLL_INTERVAL_MS: String(POLL) });
    try {
      await until('the slow poller to hold the lease', () => leaderPid() === slow.pid, 15000);
      // One rule a crossing: this stack's budget is three messages an hour a recipient.
      const kilns = [];
      for (let i = 0; i < 4; i++) kilns.push(await watched(`Burst kiln ${i}`, [`burst${i}@kiln.example`], { notify_clear: false }));
      const quiet = stack.ctl(['create-device', '--account', String(acct.id), '--name', 'Burst kiln feed']);
      const r = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'Burst feed silent', device: quiet.id,
        channel: 'temp', kind: 'no_data', no_data_minutes: 1, recipients: ['silence@burst.example'] });
      assert.equal(r.status, 201, r.text);
      await sleep(POLL + 500);
      // The feed's last reading was taken 52 s ago: silent for a minute 8 s from now.
      const silentAt = Date.now() + 8000;
      assert.equal((await post(quiet, { temp: 20 }, new Date(silentAt - 60000).toISOString())).status, 201);
      // The burst: normal readings 20 ms apart, a crossing now and then.
      await Promise.all(kilns.map((d) => post(d, { temp: 20 })));
      await sleep(POLL + 500);     // a regular poll has found the first readings
      const latencies = [];
      for (const [i, d] of kilns.entries()) {
        for (let j = 0; j < 5; j++) {
          assert.equal((await post(kilns[(i + j) % kilns.length], { temp: 20 + j })).status, 201);
          await sleep(20);
        }
        assert.equal((await post(d, { temp: 150 })).status, 201);
        const acked = Date.now();
        const [mail] = await until(`alarm ${i}`, () => mailsTo(`burst${i}@kiln.example`).length === 1 && mailsTo(`burst${i}@kiln.example`));
        latencies.push(Date.parse(mail.received_at) - acked);
      }
      assert.ok(Math.max(...latencies) < POLL / 2, `every alarm well inside the ${POLL} ms poll (took ${latencies.join(', ')} ms)`);
      const [silence] = await until('the no_data e-mail', () => mailsTo('silence@burst.example').length === 1 && mailsTo('silence@burst.example'), 20000);
      const late = Date.parse(silence.received_at) - silentAt;
      assert.ok(late >= 0 && late < POLL + 1500, `the silence reported within a poll of coming due (${late} ms)`);
    } finally {
      stack.startAlertd('alertd');
      await stack.stopAlertd('alertd2');
      await until('the lease back with the usual instance', () => leaderPid() === stack.s.procs.alertd.pid, 15000);
    }
  });

  test('readings from concurrent writers all get evaluated', async () => {
    const group = 'Busy hall';
    const devs = [];
    for (let i = 0; i < 8; i++) {
      devs.push(stack.ctl(['create-device', '--account', String(acct.id), '--name', `Busy ${i}`, '--group', group]));
    }
    const [[guid]] = stack.sql(`SELECT uid FROM device_groups WHERE name = '${group}'`);
    const r = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'Busy spike', group: guid,
      channel: 'n', kind: 'above', threshold: 500, clear_threshold: 400, notify_clear: false,
      recipients: ['busy@kiln.example'] });
    assert.equal(r.status, 201);
    // 8 devices x 25 readings posted all at once; one reading a device spikes.
    // Whatever order they become visible in, each spike must raise its alarm.
    // A device resends what was refused for now (503 while the readings
    // store is busy, 429), as the examples do; only 201s count as stored.
    const refused = [];
    const store = async (d, values) => {
      for (let attempt = 0; ; attempt++) {
        const res = await post(d, values);
        if (res.status === 201 || attempt === 20 || ![429, 503].includes(res.status)) return res.status;
        refused.push(res.status);
        await sleep(Math.min(Number(res.headers['retry-after'] ?? 1), 2) * 1000);
      }
    };
    const statuses = await Promise.all(devs.flatMap((d) => Array.from({ length: 25 }, (_, k) => store(d, { n: k === 12 ? 1000 : k }))));
    assert.deepEqual(statuses.filter((s) => s !== 201), [], `every reading stored (refused for now and resent: ${refused.join(' ') || 'none'})`);
    const alarms = () => Number(stack.sql(`SELECT COUNT(*) FROM alert_events e JOIN alert_rules r ON r.id = e.rule_id
      WHERE r.name = 'Busy spike' AND e.kind = 'alarm'`)[0][0]);
    await until('an alarm for every device', () => alarms() >= 8).catch((e) => {
      throw new Error(`${e.message}: ${alarms()} of 8 alarms`);
    });
    await sleep(1000);
    assert.equal(alarms(), 8, 'each device\'s spike evaluated once');
  });

  test('past the hourly budget, alerts are folded into a digest, not dropped', async () => {
    const d = await watched('Flappy kiln', ['budget@kiln.example']);
    for (let i = 0; i < 4; i++) {
      await post(d, { temp: 150 });
      await sleep(400);
      await post(d, { temp: 50 });
      await sleep(400);
    }
    await until('every held alert to go out in a digest', () =>
      mailsTo('budget@kiln.example').some((m) => JSON.stringify(m).includes('held back')) &&
      stack.sql("SELECT COUNT(*) FROM alert_outbox WHERE recipient = 'budget@kiln.example' AND status IN ('held', 'pending', 'sending')")[0][0] === '0', 20000);
    const mails = mailsTo('budget@kiln.example');
    assert.equal(mails.filter((m) => !JSON.stringify(m).includes('held back')).length, 3, 'the budget of 3');
    const digest = JSON.stringify(mails.find((m) => JSON.stringify(m).includes('held back')));
    assert.ok((digest.match(/code [0-9a-f]{32}/g) || []).length >= 4, 'the digest lists the held alerts');
    const held = stack.sql("SELECT COUNT(*) FROM alert_outbox WHERE recipient = 'budget@kiln.example' AND status = 'held'")[0][0];
    assert.equal(held, '0', 'nothing left behind');
  });
});

describe('in the dashboard and for operators', () => {
  test('users create rules, viewers see none; bad input re-displays and changes nothing', async () => {
    stack.ctl(['create-user', '--account', String(acct.id), '--email', 'eng@kiln.example', '--role', 'user', '--password-stdin'], `${PW}\n`);
    stack.ctl(['create-user', '--account', String(acct.id), '--email', 'look@kiln.example', '--role', 'viewer', '--password-stdin'], `${PW}\n`);
    const eng = new WebClient(stack);
    const look = new WebClient(stack);
    await eng.signIn('eng@kiln.example', PW);
    await look.signIn('look@kiln.example', PW);
    const fields = { action: 'create', name: 'Form rule', device: dev.id, channel: 'temp', kind: 'below',
      threshold: '10', recipients: 'eng@kiln.example', notify_clear: 'on' };
    assert.equal((await look.post('/alerts', fields, { from: '/alerts' })).status, 403);
    const count = () => stack.sql("SELECT COUNT(*) FROM alert_rules WHERE name = 'Form rule'")[0][0];
    const bad = await eng.post('/alerts', { ...fields, recipients: 'nobody' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /neither an e-mail address nor a phone number/);
    assert.match(bad.text, /value="Form rule"/, 'the form keeps what was typed');
    assert.equal(count(), '0');
    assert.equal((await eng.post('/alerts', fields)).status, 303);
    assert.equal(count(), '1');
    assert.equal((await look.get('/alerts')).status, 403, 'viewers get no alert rules (they name recipients)');
    assert.doesNotMatch((await look.get(`/devices/${dev.id}`)).text, /Alert state|Form rule/);
    assert.match((await eng.get(`/devices/${dev.id}`)).text, /Alert state/);
  });

  test('acknowledging an alarm stops its reminders', async () => {
    const d = await watched('Nagging kiln', ['nag@kiln.example'], { reminder_s: 1, notify_clear: false });
    await post(d, { temp: 150 });
    await until('a reminder', () => mailsTo('nag@kiln.example').length >= 2, 20000);
    const eng = new WebClient(stack);
    await eng.signIn('eng@kiln.example', PW);
    const log = await eng.get('/alerts/log');
    assert.match(log.text, /Nagging kiln hot/);
    assert.match(log.text, /nag@kiln\.example: sent/, 'the log shows delivery status');
    const [[ruleId]] = stack.sql("SELECT id FROM alert_rules WHERE name = 'Nagging kiln hot'");
    const ack = await eng.post('/alerts/log', { rule: ruleId, device: d.id });
    assert.equal(ack.status, 303);
    await sleep(1500);   // a cycle that was already under way may still send one
    const after = mailsTo('nag@kiln.example').length;
    await sleep(3000);
    assert.equal(mailsTo('nag@kiln.example').length, after, 'no reminders once acknowledged');
    assert.match((await eng.get(`/devices/${d.id}`)).text, /acknowledged/);
  });

  test('gaugectl status shows the queue, the last poll and the evaluator', async () => {
    const s = stack.ctl(['status']);
    assert.ok(s.outbox.sent >= 5);
    assert.equal(s.outbox.failed, 1);
    assert.equal(s.outbox.unknown, 1, 'the interrupted send is visible to operators');
    assert.ok(Date.now() - Date.parse(s.last_poll) < 10000, 'polled recently');
    assert.match(s.evaluator, /:\d+:/);
  });
});

// What a message says must be true: the reading it reports, with that
// reading's own time; a silence as a silence; each delivery as it went.
// (After the operators' block: these add a failed row to the outbox.)
describe('what an alert says', () => {
  let boss;
  const mailText = (m) => m.message.text;
  const smsText = (m) => m.message.body;
  const iso = (ms) => new Date(ms).toISOString();
  const codeOf = (m) => /verify\/([0-9a-f]{32})/.exec(JSON.stringify(m))[1];
  const verify = async (code) => (await stack.client('GET', `/verify/${code}`)).text;
  // A cell of the verify page, by its id.
  const cell = (html, id) => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];

  before(async () => {
    boss = new WebClient(stack);
    assert.equal((await boss.signIn('boss@kiln.example', PW)).status, 303);
  });

  test('an alarm with a minimum duration names the reading\'s own value and time', async () => {
    const d = await watched('Slow kiln', ['slow@kiln.example', '+14155550111'], { min_duration_s: 2 });
    // Two readings over the limit, then silence: the 2 s complete between
    // readings, at a moment when no reading exists.
    const t1 = Date.now() - 500;
    const t2 = t1 + 321;
    assert.equal((await post(d, { temp: 150 }, iso(t1))).status, 201);
    assert.equal((await post(d, { temp: 96.5 + 100 }, iso(t2))).status, 201);
    const [mail] = await until('the alarm e-mail', () => mailsTo('slow@kiln.example').length === 1 && mailsTo('slow@kiln.example'));
    const [sms] = await until('the alarm SMS', () => smsTo('+14155550111').length === 1 && smsTo('+14155550111'));
    const body = mailText(mail);
    assert.match(body, /^Value: +196\.5$/m, 'the newest reading\'s value');
    assert.match(body, new RegExp(`^Time: +${iso(t2)} \\(when this reading was taken\\)$`, 'm'), 'that reading\'s own time');
    assert.match(body, new RegExp(`^Since: +${iso(t1)} `, 'm'), 'and since when the condition has held');
    assert.match(smsText(sms), new RegExp(`temp 196\\.5 at ${iso(t2)} \\(since ${iso(t1)}\\)`));
    const code = codeOf(mail);
    const page = await verify(code);
    assert.equal(cell(page, 'value'), '196.5');
    assert.equal(cell(page, 'reading-at'), iso(t2), 'the verify page names the reading\'s time');
    assert.equal(cell(page, 'since'), iso(t1));
    assert.notEqual(cell(page, 'raised-at'), iso(t2), 'raised is when Gauge evaluated, shown apart');
    const [[at]] = stack.sql(`SELECT CAST(UNIX_TIMESTAMP(reading_at) * 1000 AS SIGNED) FROM alert_events WHERE verify_code = '${code}'`);
    assert.equal(Number(at), t2, 'alert_events stores the reading\'s time');
    const log = (await boss.get('/alerts/log')).text;
    const logTime = iso(t2).replace('T', ' ').replace('Z', ' UTC');
    assert.ok(log.includes(`196.5 <span class="small mono">at ${logTime}</span>`), 'the alert log names it too');
  });

  test('a reminder names the reading\'s own value and time', async () => {
    const d = await watched('Reminding kiln', ['remind@kiln.example'], { reminder_s: 1, notify_clear: false });
    const t = Date.now() - 250;
    await post(d, { temp: 133 }, iso(t));
    const mails = await until('a reminder', () => mailsTo('remind@kiln.example').length >= 2 && mailsTo('remind@kiln.example'), 20000);
    const [[ruleId]] = stack.sql("SELECT id FROM alert_rules WHERE name = 'Reminding kiln hot'");
    assert.equal((await api('DELETE', `/api/v1/alert-rules/${ruleId}`, acct.account_key)).status, 200);
    const reminder = mails.find((m) => m.message.subject.includes('Still in alarm'));
    assert.ok(reminder, 'a reminder was sent');
    assert.match(mailText(reminder), /^Value: +133$/m);
    assert.match(mailText(reminder), new RegExp(`^Time: +${iso(t)} `, 'm'), 'the reading\'s time, not the reminder\'s');
    assert.match(mailText(reminder), /Acknowledge the alarm in the dashboard to stop these reminders/);
    assert.equal(cell(await verify(codeOf(reminder)), 'reading-at'), iso(t));
  });

  test('a no_data alert says no data since the last reading\'s time', async () => {
    const d = stack.ctl(['create-device', '--account', String(acct.id), '--name', 'Quiet kiln']);
    const r = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'Quiet kiln silent', device: d.id,
      channel: 'temp', kind: 'no_data', no_data_minutes: 1, recipients: ['quiet@kiln.example', '+14155550222'] });
    assert.equal(r.status, 201, r.text);
    // The last reading was taken two minutes ago: the silence is already over a minute.
    const t = Date.now() - 120000 + 7;
    assert.equal((await post(d, { temp: 21 }, iso(t))).status, 201);
    const [mail] = await until('the no_data e-mail', () => mailsTo('quiet@kiln.example').length === 1 && mailsTo('quiet@kiln.example'));
    const [sms] = await until('the no_data SMS', () => smsTo('+14155550222').length === 1 && smsTo('+14155550222'));
    assert.equal(mail.message.subject, '[Gauge] No data: Quiet kiln silent on Quiet kiln');
    assert.match(mailText(mail), new RegExp(`No data has arrived since the last reading, taken at ${iso(t)}\\.`));
    assert.doesNotMatch(mailText(mail), /Value:/, 'a silence has no value');
    assert.match(smsText(sms), new RegExp(`no data since ${iso(t)}`));
    assert.doesNotMatch(smsText(sms), /temp 0|Value/);
    const page = await verify(codeOf(mail));
    assert.equal(cell(page, 'alert-kind'), 'No data');
    assert.equal(cell(page, 'value'), 'No data since the last reading');
    assert.equal(cell(page, 'reading-at'), iso(t));
    const [[value]] = stack.sql(`SELECT COALESCE(value, 'NULL') FROM alert_events WHERE verify_code = '${codeOf(mail)}'`);
    assert.equal(value, 'NULL', 'alert_events stores no value for a silence');
    const log = (await boss.get('/alerts/log')).text;
    assert.ok(log.includes(`no data since <span class="mono">${iso(t).replace('T', ' ').replace('Z', ' UTC')}</span>`),
      'the alert log says no data since the last reading, with no value');
  });

  test('the device page shows no 1970 "since" for a rule that never fired', async () => {
    const d = await watched('Calm kiln', ['calm@kiln.example']);
    await post(d, { temp: 20 });
    await until('the rule to be evaluated', () => stack.sql(`SELECT COUNT(*) FROM alert_state s
      JOIN devices d ON d.id = s.device_id WHERE d.uid = '${d.id}'`)[0][0] === '1');
    const page = (await boss.get(`/devices/${d.id}`)).text;
    assert.match(page, /Calm kiln hot/);
    assert.doesNotMatch(page, /1970/);
    // A state row written before this fix (since = the epoch) reads as unknown, not 1970.
    stack.sql(`UPDATE alert_state s JOIN devices d ON d.id = s.device_id SET s.since = FROM_UNIXTIME(0) WHERE d.uid = '${d.id}'`);
    assert.doesNotMatch((await boss.get(`/devices/${d.id}`)).text, /1970/);
  });

  test('the verify page shows a failed SMS as failed', async () => {
    const d = await watched('Unlucky kiln', ['unlucky@kiln.example', '+14155550777']);
    stack.failPlan({ twilio: [400] });
    await post(d, { temp: 150 });
    await until('the SMS to fail', () => outboxRow('+14155550777')[0] === 'failed');
    stack.failPlan({});
    const [mail] = await until('the e-mail', () => mailsTo('unlucky@kiln.example').length === 1 && mailsTo('unlucky@kiln.example'));
    const page = await verify(codeOf(mail));
    assert.match(page, /\+1415\*+77 \(SMS\): <span class="badge bad" data-status="failed">failed: not delivered<\/span>/,
      'the SMS is shown as failed');
    assert.match(page, /u\*\*\*@kiln\.example \(e-mail\): <span class="badge ok" data-status="sent">sent<\/span>/,
      'the e-mail as sent');
    assert.doesNotMatch(page, /\(SMS\): <span[^>]*>sent/);
  });

  test('a back-to-normal message does not ask to acknowledge', async () => {
    const d = await watched('Cooling kiln', ['cool@kiln.example', '+14155550333']);
    await post(d, { temp: 150 });
    await until('the alarm', () => mailsTo('cool@kiln.example').length === 1);
    const t = Date.now() - 100;
    await post(d, { temp: 55 }, iso(t));
    const mails = await until('back to normal', () => mailsTo('cool@kiln.example').length === 2 && mailsTo('cool@kiln.example'));
    const texts = await until('both SMS', () => smsTo('+14155550333').length === 2 && smsTo('+14155550333'));
    const clear = mails.find((m) => m.message.subject.startsWith('[Gauge] Back to normal'));
    assert.ok(clear, 'a back-to-normal e-mail');
    assert.doesNotMatch(mailText(clear), /acknowledge the alarm|Acknowledge the alarm|reminders/);
    assert.match(mailText(clear), /nothing to acknowledge/);
    assert.match(mailText(clear), /^Value: +55$/m);
    assert.match(mailText(clear), new RegExp(`^Time: +${iso(t)} `, 'm'), 'the reading that ended the alarm');
    const clearSms = texts.find((m) => smsText(m).startsWith('Gauge Back to normal'));
    assert.ok(clearSms);
    assert.match(smsText(clearSms), new RegExp(`temp 55 at ${iso(t)}`));
    assert.doesNotMatch(smsText(clearSms), /[Aa]cknowledge/);
    const alarm = mails.find((m) => m.message.subject.startsWith('[Gauge] ALARM'));
    assert.match(mailText(alarm), /See or acknowledge the alarm in the dashboard/, 'an alarm still says where to acknowledge');
    assert.doesNotMatch(mailText(alarm), /to stop reminders/, 'but promises no reminders the rule does not send');
  });
});
