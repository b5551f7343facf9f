# main.py - a Gauge device on MicroPython (ESP32, Pico W...) with urequests.
#
# Copy main.py and a config.py to the board (mpremote cp main.py config.py :):
#
#   WIFI_SSID = "..."; WIFI_PASSWORD = "..."
#   GAUGE_URL = "https://gauge.example.com"; GAUGE_DEVICE = "<device id>"; GAUGE_KEY = "gdk_..."
#
# Every reading gets an id when it is taken (board id, boot number, counter)
# and waits in a file in flash until the server has answered 201, so a batch
# whose answer was lost is sent again with the same ids and Gauge stores
# nothing twice; readings taken while Wi-Fi is down go out later.  503 and
# network errors back off (doubling, with jitter); 429 waits Retry-After.
#
# TLS: urequests encrypts but does not check the server's certificate on most
# ports.  Where that matters, pin the CA as the Arduino sketch does (on
# MicroPython >= 1.23: ssl.SSLContext with load_verify_locations(cadata=...)
# and your own socket), or keep the board on a network you trust.
import json
import random
import time

import machine
import network
import ubinascii
import urequests

import config

BUFFER = "gauge-buffer.jsonl"   # one reading per line, oldest first
BATCH = 50                      # readings per request: what the RAM allows
PERIOD_S = 60
EPOCH_2000 = 946684800 if time.gmtime(0)[0] == 2000 else 0   # older ports count from 2000


def next_boot():
    try:
        with open("gauge-boot") as f:
            n = int(f.read()) + 1
    except (OSError, ValueError):
        n = 1
    with open("gauge-boot", "w") as f:
        f.write(str(n))
    return n


UID = ubinascii.hexlify(machine.unique_id()).decode()
BOOT = next_boot()
seq = 0


def record(values):
    global seq
    seq += 1
    r = {"id": "%s-%d-%d" % (UID, BOOT, seq), "values": values}
    if time.time() + EPOCH_2000 > 1700000000:   # the clock was set by NTP
        r["ts"] = time.time() + EPOCH_2000       # epoch seconds: hence ?precision=s
    with open(BUFFER, "a") as f:
        f.write(json.dumps(r) + "\n")


def pending():
    try:
        with open(BUFFER) as f:
            return [line for line in f if line.strip()]
    except OSError:
        return []


def post(lines):
    """One batch; returns (status or None when the network failed, Retry-After seconds)."""
    body = '{"readings": [' + ",".join(line.strip() for line in lines) + "]}"
    try:
        r = urequests.post("%s/api/v1/devices/%s/readings?precision=s" % (config.GAUGE_URL, config.GAUGE_DEVICE),
                           data=body, headers={"Authorization": "Bearer " + config.GAUGE_KEY,
                                               "Content-Type": "application/json"})
    except OSError as e:
        print("gauge: network:", e)
        return None, 0
    wait = 0
    for k, v in (r.headers or {}).items():
        if k.lower() == "retry-after" and v.strip().isdigit():
            wait = int(v)
    status = r.status_code
    if status != 201:
        print("gauge:", status, r.text[:200])
    r.close()
    return status, wait


def flush():
    tries = 0
    while True:
        lines = pending()
        if not lines:
            return True
        status, wait = post(lines[:BATCH])
        if status == 201:
            with open(BUFFER, "w") as f:   # keep only what was not in this batch
                for line in lines[BATCH:]:
                    f.write(line)
            tries = 0
            continue
        if status == 429:
            time.sleep(min(wait or 60, 300))
            continue
        if status is not None and status not in (408, 500, 502, 503, 504):
            return False   # 401, 404, 422...: fix the configuration; the readings stay
        tries += 1
        if tries >= 6:
            return False   # still offline: try again next period
        time.sleep(random.random() * min(60, 2 ** tries))


def connect():
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    if not wlan.isconnected():
        wlan.connect(config.WIFI_SSID, config.WIFI_PASSWORD)
        for _ in range(20):
            if wlan.isconnected():
                break
            time.sleep(1)
    if wlan.isconnected() and time.time() + EPOCH_2000 < 1700000000:
        try:
            import ntptime
            ntptime.settime()
        except (ImportError, OSError):
            pass
    return wlan.isconnected()


def read_sensor():
    import esp32   # replace with your sensor; the ESP32's own temperature, for a start
    return {"temp": (esp32.raw_temperature() - 32) / 1.8}


while True:
    online = connect()   # first: NTP sets the clock the reading's ts comes from
    record(read_sensor())
    if online:
        flush()
    time.sleep(PERIOD_S)
