// gauge_esp32.ino - a Gauge device on an ESP32 (Arduino core 2.x/3.x):
// WiFiClientSecure with the CA pinned, HTTPClient, batches with ids.
//
// Readings wait in a RAM queue (QUEUE_MAX) until the server has answered 201
// for the batch that holds them.  Each gets an id when it is taken (chip id,
// boot number, counter), so a batch whose answer was lost is sent again with
// the same ids and Gauge counts what it has as duplicates: nothing is stored
// twice.  503 and network errors back off (doubling, with jitter); 429 waits
// as long as Retry-After says.  The queue survives Wi-Fi outages, not a power
// cut: for that, keep it in LittleFS or Preferences.
#include <WiFi.h>
#include <WiFiClientSecure.h>
#include <HTTPClient.h>
#include <sys/time.h>
#include "secrets.h"   // from secrets.h.example

static const int QUEUE_MAX = 200;     // oldest readings are dropped past this
static const int BATCH_MAX = 50;      // readings per request (the API takes up to 1000)
static const uint32_t PERIOD_MS = 60000;

struct Reading { char id[48]; long long ts; float temp; };
static Reading queue[QUEUE_MAX];
static int qHead = 0, qLen = 0;
static uint32_t seq = 0;
RTC_DATA_ATTR static uint32_t bootCount = 0;   // survives deep sleep
static WiFiClientSecure tls;

static long long nowMs() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  if (tv.tv_sec < 1700000000) return 0;   // clock not set yet: let the server stamp it
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void record(float temp) {
  if (qLen == QUEUE_MAX) { qHead = (qHead + 1) % QUEUE_MAX; qLen--; }   // drop the oldest
  Reading &r = queue[(qHead + qLen) % QUEUE_MAX];
  snprintf(r.id, sizeof r.id, "%012llx-%lu-%lu", (unsigned long long)ESP.getEfuseMac(),
           (unsigned long)bootCount, (unsigned long)++seq);
  r.ts = nowMs();
  r.temp = temp;
  qLen++;
}

// {"readings": [{"id": "...", "ts": 1764000000000, "values": {"temp": 21.5}}, ...]}
static String batchBody(int n) {
  String body = "{\"readings\":[";
  char one[160];
  for (int i = 0; i < n; i++) {
    const Reading &r = queue[(qHead + i) % QUEUE_MAX];
    if (r.ts) snprintf(one, sizeof one, "%s{\"id\":\"%s\",\"ts\":%lld,\"values\":{\"temp\":%.2f}}",
                       i ? "," : "", r.id, r.ts, r.temp);
    else snprintf(one, sizeof one, "%s{\"id\":\"%s\",\"values\":{\"temp\":%.2f}}", i ? "," : "", r.id, r.temp);
    body += one;
  }
  return body + "]}";
}

// Sends the queue, oldest first.  Returns false when it must wait for later.
static bool flush() {
  static const char *keep[] = {"Retry-After"};
  int failures = 0;
  while (qLen > 0) {
    int n = qLen < BATCH_MAX ? qLen : BATCH_MAX;
    String body = batchBody(n);
    HTTPClient http;
    http.begin(tls, GAUGE_HOST, GAUGE_PORT, "/api/v1/devices/" GAUGE_DEVICE "/readings", true);
    http.setTimeout(10000);
    http.collectHeaders(keep, 1);
    http.addHeader("Authorization", "Bearer " GAUGE_KEY);
    http.addHeader("Content-Type", "application/json");
    int code = http.POST(body);
    long retryAfter = http.header("Retry-After").toInt();
    Serial.printf("gauge: %d readings -> %d\n", n, code);
    if (code == 201) Serial.println(http.getString());
    http.end();
    if (code == 201) {   // stored, or already there: either way done with them
      qHead = (qHead + n) % QUEUE_MAX;
      qLen -= n;
      failures = 0;
      continue;
    }
    if (code == 429) { delay((retryAfter > 0 ? retryAfter : 60) * 1000UL); continue; }
    bool retry = code < 0 || code == 408 || code == 500 || code == 502 || code == 503 || code == 504;
    if (!retry) return false;   // 401, 404, 422...: check the key, device and readings
    if (++failures >= 6) return false;   // still offline: try again next period
    uint32_t cap = 1000UL << failures;
    delay(esp_random() % cap);   // full jitter
  }
  return true;
}

void setup() {
  Serial.begin(115200);
  bootCount++;
  tls.setCACert(GAUGE_CA_PEM);   // only a certificate signed by this CA is accepted
  WiFi.mode(WIFI_STA);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  configTime(0, 0, "pool.ntp.org", "time.nist.gov");
}

void loop() {
  static uint32_t last = 0;
  if (last == 0 || millis() - last >= PERIOD_MS) {
    last = millis() | 1;
    record(temperatureRead());   // the chip's own sensor: replace with yours
    if (WiFi.status() == WL_CONNECTED) flush();
  }
  delay(100);
}
