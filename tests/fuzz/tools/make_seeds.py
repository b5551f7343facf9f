#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/ (run from the repo root).

The seeds are committed; this script says where each came from and can make
them again.  It never deletes a file, so regression inputs added by hand
(crash-*, regress-*) stay.  Secretbox seeds are sealed with the harness's
fixed test key (fuzz_secretbox.c); python3-cryptography does the AES-GCM.
"""
import os
import sys

ROOT = os.path.join("tests", "fuzz", "corpus")


def put(harness, name, data):
    d = os.path.join(ROOT, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def req():
    base = ("REQUEST_METHOD=GET\nREQUEST_URI=/api/v1/devices/dev_0123456789abcdef/readings"
            "?from=2026-01-01T00%3A00%3A00Z&channels=temp,rh&limit=10\nHTTPS=on\n"
            "REMOTE_ADDR=192.0.2.7\nHTTP_ACCEPT=application/json\n"
            "HTTP_COOKIE=sid=abc; theme=dark;  junk; =x\n\n")
    put("req", "get-readings", base)
    put("req", "post-json",
        "REQUEST_METHOD=POST\nREQUEST_URI=/api/v1/readings\nHTTPS=on\nREMOTE_ADDR=2001:db8::1\n"
        "CONTENT_TYPE=application/json; charset=utf-8\nCONTENT_LENGTH=44\n"
        "HTTP_X_API_KEY=gk_dev_0123456789abcdef\n\n"
        '{"ts":1795543200000,"values":{"temp":21.5}}\n')
    put("req", "post-form-stream",
        "REQUEST_METHOD=POST\nREQUEST_URI=/login\nHTTPS=1\nREMOTE_ADDR=10.0.0.1\n"
        "CONTENT_TYPE=application/x-www-form-urlencoded\n\n"
        "email=a%40example.com&password=hunter2&csrf=0123456789abcdef")
    put("req", "bad-dot-segment", "REQUEST_METHOD=GET\nREQUEST_URI=/a/%2e%2e/etc\n\n")
    put("req", "bad-pct", "REQUEST_METHOD=GET\nREQUEST_URI=/a%zz?b=%00\n\n")
    put("req", "bad-method", "REQUEST_METHOD=BREW\nREQUEST_URI=/\n\n")
    put("req", "bad-header", "REQUEST_METHOD=GET\nREQUEST_URI=/\nHTTP_X=a\x01b\n\n")
    put("req", "big-length", "REQUEST_METHOD=POST\nREQUEST_URI=/\nCONTENT_LENGTH=99999999999999\n\n")
    put("req", "short-body", "REQUEST_METHOD=PUT\nREQUEST_URI=/x\nCONTENT_LENGTH=10\n\nabc")


def form():
    put("form", "login", "email=a%40example.com&password=p%C3%A4ss+word&csrf=abc")
    put("form", "empty-pairs", "&&a&=&b=&=c&&")
    put("form", "plus-and-eq", "q=a+b%2Bc&x==y")
    put("form", "bad-nul", "a=%00")
    put("form", "bad-short-escape", "a=%4")
    put("form", "many", "&".join("k%d=v" % i for i in range(101)))


def reading_json():
    put("reading_json", "single", '{"ts":"2026-11-24T17:59:00.250Z","id":"r-1","values":{"temp":21.5,"rh":40}}')
    put("reading_json", "batch",
        '{"readings":[{"ts":1795543100000,"values":{"temp":-3.25e1}},'
        '{"ts":"2026-11-24T18:00:00+01:00","id":"x\\"y","values":{"a_1":0,"B":1e300}}]}')
    put("reading_json", "no-ts", '{"values":{"temp":1}}')
    put("reading_json", "bad-nan", '{"values":{"temp":NaN}}')
    put("reading_json", "bad-field", '{"valuse":{"temp":1}}')
    put("reading_json", "bad-seconds", '{"ts":1795543200,"values":{"temp":1}}')
    put("reading_json", "bad-trailing", '{"values":{"temp":1}} x')
    put("reading_json", "bad-batch-extra", '{"readings":[{"values":{"t":1}}],"x":1}')
    put("reading_json", "bad-empty-batch", '{"readings":[]}')
    put("reading_json", "dup-key", '{"values":{"temp":1,"temp":2}}')
    put("reading_json", "nul-key", '{"values":{"temp":1,"temp\\u0000x":2}}')
    put("reading_json", "nul-in-strings", '{"id":"ab\\u0000cd","values":{"te\\u0000mp":1}}')
    put("reading_json", "big-int", '{"values":{"temp":99999999999999999999999}}')
    put("reading_json", "batch-33-channels",
        '{"readings":[{"values":{%s}}]}' % ",".join('"c%d":%d' % (i, i) for i in range(33)))


def reading_form():
    put("reading_form", "basic", "api_key=gk_x&ts=2026-11-24T18%3A00%3A00Z&id=r1&temp=21.5&rh=40")
    put("reading_form", "epoch", "ts=1795543200000&temp=-1e-3")
    put("reading_form", "bad-dup", "temp=1&temp=2")
    put("reading_form", "bad-space", "temp=+1")
    put("reading_form", "bad-inf", "temp=inf")
    put("reading_form", "hex", "temp=0x1p3")
    put("reading_form", "bad-none", "api_key=k")


def ts():
    for name, s in [
        ("zulu", "2026-11-24T18:00:00Z"), ("millis", "2026-11-24T18:00:00.123Z"),
        ("micros", "2026-11-24T18:00:00.123456z"), ("offset", "2026-11-24T18:00:00+05:30"),
        ("offset-compact", "2026-11-24t18:00:00-0800"), ("offset-hours", "2026-11-24T18:00:00+01"),
        ("leap-day", "2024-02-29T23:59:59.999Z"), ("year-0", "0000-01-01T00:00:00+23:59"),
        ("year-9999", "9999-12-31T23:59:59.999-23:59"), ("epoch", "1795543200000"),
        ("epoch-max", "999999999999999"), ("bad-feb-30", "2026-02-30T00:00:00Z"),
        ("bad-no-zone", "2026-11-24T18:00:00"), ("bad-dot", "2026-11-24T18:00:00.Z"),
        ("bad-long-epoch", "1234567890123456"), ("bad-zone", "2026-11-24T18:00:00+24:00"),
    ]:
        put("ts", name, s)


def readings_query():
    put("readings_query", "range", "from=2026-11-24T00%3A00%3A00Z&to=1795543200000&limit=1000&order=asc")
    put("readings_query", "channels", "channels=temp,rh,a_1&format=csv")
    put("readings_query", "cursor", "cursor=1795543200000.5f1d7a2b3c4d5e6f70819283&limit=5")
    put("readings_query", "downsample", "interval=5m&agg=max&from=2026-11-24T12%3A00%3A00Z")
    put("readings_query", "accept-csv", "text/csv, application/json;q=0.5\ninterval=1h")
    put("readings_query", "bad-unknown", "channel=temp")
    put("readings_query", "bad-repeat", "limit=1&limit=2")
    put("readings_query", "bad-order", "from=1795543200000&to=1795543100000")
    put("readings_query", "bad-buckets", "interval=1s&from=0")
    put("readings_query", "bad-cursor-interval",
        "interval=1d&cursor=1.5f1d7a2b3c4d5e6f70819283")
    put("readings_query", "bad-comma", "channels=temp,")


def alert_rule():
    common = "&device=dev_0123456789abcdef&channel=temp&recipients=ops%40example.com%2C%2B14155550123"
    put("alert_rule", "above", "name=Hot+freezer&kind=above&threshold=-18&clear_threshold=-20"
        "&min_duration_s=60&reminder_minutes=30&notify_clear=on&enabled=on" + common)
    put("alert_rule", "below", "name=Cold&kind=below&threshold=2.5" + common)
    put("alert_rule", "outside", "name=Band&kind=outside&threshold=1&threshold_high=9"
        "&clear_threshold=2&clear_threshold_high=8&reminder_s=600" + common)
    put("alert_rule", "no-data", "name=Silent&kind=no_data&no_data_minutes=15"
        "&group=grp_0123456789abcdef&channel=temp&recipients=a%40b.example%0D%0A%2B442071234567")
    put("alert_rule", "bad-two-targets", "name=x&kind=above&threshold=1&group=grp_0123456789abcdef" + common)
    put("alert_rule", "bad-clear", "name=x&kind=above&threshold=1&clear_threshold=2" + common)
    put("alert_rule", "bad-recipient", "name=x&kind=above&threshold=1&device=dev_0123456789abcdef"
        "&channel=temp&recipients=%2B0123")
    put("alert_rule", "bad-minutes", "name=x&kind=no_data&no_data_minutes=-1" + common)


def base32():
    put("base32", "secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    put("base32", "spaced-lower", "gezd gnbv gy3t qojq gezd gnbv gy3t qojq")
    put("base32", "padded", "MZXW6===")
    put("base32", "code", "287082")
    put("base32", "bad-leftover", "MZXW7")
    put("base32", "bad-length", "MZX")
    put("base32", "bad-after-pad", "MZ=XW")
    put("base32", "account", "ops@example.com")


def secretbox():
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        print("make_seeds: python3-cryptography missing; secretbox seeds skipped", file=sys.stderr)
        return
    key = bytes(range(32))
    for name, ad, plain, kid in [
        ("totp", b"user:42:totp", b"12345678901234567890", 1),
        ("twilio", b"account:7:twilio", b"0123456789abcdef0123456789abcdef", 1),
        ("empty-ad", b"", b"x", 1),
        ("empty-plain", b"user:1:totp", b"", 1),
        ("other-key-id", b"user:42:totp", b"12345678901234567890", 2),
    ]:
        nonce = bytes((i * 17 + len(name)) & 0xff for i in range(12))
        hdr = bytes([1, kid])
        sealed = AESGCM(key).encrypt(nonce, plain, hdr + ad)
        put("secretbox", name, bytes([len(ad)]) + ad + hdr + nonce + sealed)
    put("secretbox", "key-hex", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
    put("secretbox", "bad-short", b"\x00\x01\x01")
    put("secretbox", "bad-version", b"\x00\x02\x01" + bytes(28))


if __name__ == "__main__":
    for f in (req, form, reading_json, reading_form, ts, readings_query, alert_rule, base32, secretbox):
        f()
