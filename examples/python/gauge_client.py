#!/usr/bin/python3
"""gauge_client.py - a Gauge device client in plain Python (standard library only).

Every reading is first written to a local buffer (an SQLite file) with a
client id made once, when it is recorded.  flush() then posts the buffer in
batches of up to 1000 readings and removes a batch only once the server has
answered 201.  So:

- while the server cannot be reached the readings wait on disk, across
  restarts of this program and of the device;
- a batch whose answer was lost (a timeout, a reset connection, a proxy's
  502/504) is sent again with the same ids, and Gauge counts the readings it
  already has as duplicates instead of storing them twice;
- 503 and connection errors are retried with exponential backoff and full
  jitter; 429 waits as long as the server's Retry-After says.

The key comes from the environment (GAUGE_KEY), never from the command line,
where any user could read it in `ps`.  TLS is always verified: against the
system's CA store, or against --ca FILE (the dev stack's var/tls/cert.pem).

    export GAUGE_KEY=gdk_...
    python3 gauge_client.py --url https://localhost:8443 --ca var/tls/cert.pem \\
        --device DEVICE_ID send temp=21.5 rh=40

Use it as a module as well:

    client = GaugeClient(url, device, key, buffer_path="gauge-buffer.db", cafile=ca)
    client.record({"temp": 21.5})
    client.flush()
"""
import argparse
import email.utils
import http.client
import json
import math
import os
import random
import sqlite3
import ssl
import sys
import time
import urllib.parse
import uuid

MAX_BATCH = 1000                          # the API's limit for one request
RETRY_STATUSES = {408, 500, 502, 503, 504}  # the answer may be lost or the server busy: send again
EX_TEMPFAIL = 75                          # sysexits.h: try again later (readings kept)


class Offline(Exception):
    """The server could not be reached, or kept failing: readings stay buffered."""


class Refused(Exception):
    """The server refused the request for good (bad key, unknown device...)."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        super().__init__(f"HTTP {status}: {body.get('code', '?')}: {body.get('message', '')}")


def log(msg):
    print(f"gauge: {msg}", file=sys.stderr, flush=True)


class Buffer:
    """Readings not yet acknowledged by the server, oldest first, in an SQLite file.

    Each row is one reading as JSON, with its client id.  SQLite makes every
    change atomic, so a crash or power cut leaves the queue whole."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS pending ("
                        "seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, reading TEXT NOT NULL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS rejected ("
                        "seq INTEGER PRIMARY KEY, id TEXT NOT NULL, reading TEXT NOT NULL, error TEXT NOT NULL)")

    def add(self, reading):
        self.db.execute("INSERT OR IGNORE INTO pending (id, reading) VALUES (?, ?)",
                        (reading["id"], json.dumps(reading, allow_nan=False)))

    def oldest(self, n):
        rows = self.db.execute("SELECT seq, reading FROM pending ORDER BY seq LIMIT ?", (n,)).fetchall()
        return [seq for seq, _ in rows], [json.loads(r) for _, r in rows]

    def remove(self, seqs):
        self.db.executemany("DELETE FROM pending WHERE seq = ?", [(s,) for s in seqs])

    def reject(self, seqs, error):
        """Set a batch the server will never take aside, so it cannot block the queue."""
        self.db.execute("BEGIN")
        for s in seqs:
            self.db.execute("INSERT INTO rejected SELECT seq, id, reading, ? FROM pending WHERE seq = ?", (error, s))
            self.db.execute("DELETE FROM pending WHERE seq = ?", (s,))
        self.db.execute("COMMIT")

    def count(self, table="pending"):
        return self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def retry_after_seconds(value, now=None):
    """Retry-After as seconds: a number of seconds or an HTTP date; None if unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class GaugeClient:
    def __init__(self, url, device, key, buffer_path, cafile=None, batch_size=500, timeout=10.0,
                 max_tries=8, backoff_base=0.5, backoff_max=60.0, max_wait=300.0, sleep=time.sleep):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "https" or not u.hostname:
            raise ValueError("the URL must be https://host[:port]: Gauge refuses keys over plain HTTP")
        if not key:
            raise ValueError("no key: set GAUGE_KEY")
        self.host, self.port = u.hostname, u.port or 443
        self.path = f"{u.path.rstrip('/')}/api/v1/devices/{urllib.parse.quote(device, safe='')}/readings"
        self.key = key
        self.tls = ssl.create_default_context(cafile=cafile)   # verifies the chain and the host name
        self.buffer = Buffer(buffer_path)
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.timeout, self.max_tries = timeout, max_tries
        self.backoff_base, self.backoff_max, self.max_wait = backoff_base, backoff_max, max_wait
        self.sleep = sleep

    def record(self, values, ts_ms=None, reading_id=None):
        """Buffer one reading; returns its id.  ts_ms defaults to now (epoch milliseconds)."""
        for ch, v in values.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"{ch}: must be a finite number")
        reading = {
            "id": reading_id or uuid.uuid4().hex,   # made once, kept for every resend
            "ts": ts_ms if ts_ms is not None else time.time_ns() // 1_000_000,
            "values": values,
        }
        self.buffer.add(reading)
        return reading["id"]

    def _post(self, body):
        """One request; returns (status, headers, parsed body).  Raises OSError and friends."""
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=self.timeout)
        try:
            conn.request("POST", self.path, body=body, headers={
                "Authorization": f"Bearer {self.key}",
                "Content-Type": "application/json",
                "Connection": "close",
            })
            resp = conn.getresponse()
            data = resp.read()
            try:
                parsed = json.loads(data) if data else {}
            except ValueError:
                parsed = {"code": "not_json", "message": data[:200].decode("utf-8", "replace")}
            return resp.status, resp.headers, parsed
        finally:
            conn.close()

    def _backoff(self, attempt):
        """Full jitter: a random wait up to base * 2^attempt, capped."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * (2 ** attempt)))

    def _send_batch(self, readings):
        """Post one batch until it is answered for good.  Returns the 201 body."""
        body = json.dumps({"readings": readings}, allow_nan=False, separators=(",", ":"))
        failures = limited = 0
        while True:
            try:
                status, headers, answer = self._post(body)
            except ssl.SSLCertVerificationError as e:
                raise Refused(0, {"code": "tls", "message": str(e)}) from e   # retrying will not help
            except (OSError, http.client.HTTPException) as e:
                status, headers, answer = None, {}, {"code": type(e).__name__, "message": str(e)}
            if status == 201:
                return answer
            if status == 429:
                # Rate limited: nothing was stored.  Wait as told, not counted as a failure.
                wait = retry_after_seconds(headers.get("Retry-After"))
                wait = min(self.max_wait, wait if wait is not None else 60)
                limited += 1
                if limited > self.max_tries:
                    raise Offline(f"still rate limited after {limited - 1} waits")
                log(f"429 rate_limited, Retry-After {headers.get('Retry-After')}: waiting {wait:.1f} s")
                self.sleep(wait)
                continue
            if status is not None and status not in RETRY_STATUSES:
                raise Refused(status, answer)
            failures += 1
            what = f"{status} {answer.get('code', '')}" if status else f"{answer['code']}: {answer['message']}"
            if failures >= self.max_tries:
                raise Offline(f"{what} (gave up after {failures} tries)")
            wait = self._backoff(failures)
            log(f"{what}: try {failures + 1} of {self.max_tries} in {wait:.2f} s")
            self.sleep(wait)

    def flush(self):
        """Send everything buffered.  Returns {"stored", "duplicates", "pending", "rejected"}.

        Raises Offline (readings kept) or Refused (401/403/404...: readings kept,
        fix the configuration).  A batch refused as invalid (400/413/422) is set
        aside in the buffer's `rejected` table so later readings still go out."""
        stored = duplicates = rejected = 0
        while True:
            seqs, readings = self.buffer.oldest(self.batch_size)
            if not readings:
                break
            try:
                answer = self._send_batch(readings)
            except Refused as e:
                if e.status not in (400, 413, 422):
                    raise
                log(f"batch refused for good, set aside: {e}")
                self.buffer.reject(seqs, str(e))
                rejected += len(seqs)
                continue
            self.buffer.remove(seqs)
            stored += answer.get("stored", 0)
            duplicates += answer.get("duplicates", 0)
        return {"stored": stored, "duplicates": duplicates, "pending": self.buffer.count(), "rejected": rejected}


def parse_values(pairs):
    values = {}
    for p in pairs:
        name, sep, num = p.partition("=")
        if not sep:
            raise ValueError(f"{p}: expected CHANNEL=NUMBER")
        try:
            values[name] = float(num) if any(c in num for c in ".eE") else int(num)
        except ValueError:
            raise ValueError(f"{p}: {num!r} is not a number") from None
    return values


def main(argv=None):
    env = os.environ
    ap = argparse.ArgumentParser(description="Send readings to Gauge; the key is read from GAUGE_KEY.")
    ap.add_argument("--url", default=env.get("GAUGE_URL", "https://localhost:8443"), help="server (GAUGE_URL)")
    ap.add_argument("--device", default=env.get("GAUGE_DEVICE"), help="device id (GAUGE_DEVICE)")
    ap.add_argument("--ca", default=env.get("GAUGE_CA"), help="CA certificate file to trust (GAUGE_CA); "
                    "default: the system's store")
    ap.add_argument("--buffer", default=env.get("GAUGE_BUFFER", "gauge-buffer.db"),
                    help="local buffer file (GAUGE_BUFFER)")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for an answer")
    ap.add_argument("--max-tries", type=int, default=8, help="tries per batch before giving up for now")
    ap.add_argument("--backoff", type=float, default=0.5, help="first backoff, seconds (doubles each try)")
    ap.add_argument("--backoff-max", type=float, default=60.0, help="longest backoff, seconds")
    ap.add_argument("--batch", type=int, default=500, help="readings per request (at most 1000)")
    ap.add_argument("--key", help=argparse.SUPPRESS)   # only to refuse it, below
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send", help="buffer one reading, then send everything buffered")
    s.add_argument("values", nargs="+", metavar="CHANNEL=NUMBER")
    s.add_argument("--ts", type=int, help="epoch milliseconds (default: now)")
    s.add_argument("--id", help="the reading's id (default: a new random one)")
    r = sub.add_parser("record", help="buffer one reading only (send it later with flush)")
    r.add_argument("values", nargs="+", metavar="CHANNEL=NUMBER")
    r.add_argument("--ts", type=int, help="epoch milliseconds (default: now)")
    r.add_argument("--id", help="the reading's id (default: a new random one)")
    sub.add_parser("flush", help="send everything buffered")
    sub.add_parser("pending", help="print how many readings wait in the buffer")
    a = ap.parse_args(argv)
    if a.key is not None:
        ap.error("--key: the key is read from GAUGE_KEY only (any user can read a command line in ps)")

    if a.cmd == "pending":
        b = Buffer(a.buffer)
        print(json.dumps({"pending": b.count(), "rejected": b.count("rejected")}))
        return 0
    if not a.device:
        ap.error("no device: --device or GAUGE_DEVICE")
    try:
        client = GaugeClient(a.url, a.device, env.get("GAUGE_KEY", ""), a.buffer, cafile=a.ca,
                             batch_size=a.batch, timeout=a.timeout, max_tries=a.max_tries,
                             backoff_base=a.backoff, backoff_max=a.backoff_max)
        if a.cmd in ("send", "record"):
            client.record(parse_values(a.values), ts_ms=a.ts, reading_id=a.id)
            if a.cmd == "record":
                print(json.dumps({"pending": client.buffer.count()}))
                return 0
        result = client.flush()
    except ValueError as e:
        log(str(e))
        return 2
    except Offline as e:
        log(f"offline: {e}; {client.buffer.count()} readings kept in {a.buffer}")
        print(json.dumps({"pending": client.buffer.count(), "error": str(e)}))
        return EX_TEMPFAIL
    except Refused as e:
        log(f"refused: {e}; {client.buffer.count()} readings kept in {a.buffer}")
        print(json.dumps({"pending": client.buffer.count(), "error": str(e)}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
