// mqtt.mjs - what `make bench` needs for MQTT ingest figures: the load
// generator (mqtt_load.c, the MQTT counterpart of wrk) and the database's
// own journaled-insert ceiling, measured in the same run.
import { execFile } from 'node:child_process';
import path from 'node:path';

import { MongoClient } from 'mongodb';

import { ROOT } from '../stack/stack.mjs';

// conns TLS connections to the broker on port, each keeping inflight QoS 1
// publishes of payloadFile outstanding for seconds; resolves to PUBACKs/s.
export function mqttLoad(stack, port, dev, payloadFile, { seconds, conns, inflight = 1 }) {
  const args = ['127.0.0.1', String(port), stack.tls.cert, dev.id, dev.key, `gauge/v1/devices/${dev.id}/readings`,
    payloadFile, String(conns), String(inflight), String(seconds)];
  return new Promise((resolve) => {
    execFile(path.join(ROOT, 'build/bench/mqtt-load'), args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const out = JSON.parse(stdout || '{"acked":0,"seconds":1,"failed":1}');
      if (out.failed > 0 || out.connected !== conns) console.log(`  warning: mqtt-load: ${stdout.trim()} ${stderr.trim()}`);
      resolve({ rps: out.acked / out.seconds, total: out.acked });
    });
  });
}

// What the database alone takes: journaled single-document inserts (the
// write concern of readings) from one writer and from 16 at once, through
// the Node driver (whose own cost is in the figures).  A broker stores one
// message at a time, like the single writer; HTTPS's workers write like the
// sixteen.
export async function insertCeiling(stack) {
  const client = new MongoClient(stack.mongoTcpUri);
  const coll = client.db('gauge_bench_ceiling').collection('r');
  const out = {};
  try {
    for (const writers of [1, 16]) {
      const n = writers === 1 ? 1000 : 4000;
      let i = 0;
      const t0 = process.hrtime.bigint();
      await Promise.all(Array.from({ length: writers }, async () => {
        while (i < n) {
          i++;
          await coll.insertOne({ d: 1, t: new Date(), r: new Date(), v: { temp: 21.5 } },
            { writeConcern: { w: 'majority', j: true } });
        }
      }));
      out[writers] = n / (Number(process.hrtime.bigint() - t0) / 1e9);
    }
  } finally {
    await client.close();
  }
  return out;
}
