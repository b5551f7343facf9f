#!/bin/sh
# gauge-curl.sh - send readings to Gauge with curl: one reading, then a batch
# with client ids, then the same batch again, which stores nothing twice.
#
#   export GAUGE_KEY=gdk_...            # the device key: from the environment only
#   GAUGE_URL=https://localhost:8443 GAUGE_DEVICE=<device id> GAUGE_CA=var/tls/cert.pem \
#       sh examples/curl/gauge-curl.sh
#
# The key never appears on a command line (where `ps` shows it to every
# user): the Authorization header reaches curl on its standard input
# (-H @-), written by printf, a shell builtin.  TLS is verified against
# GAUGE_CA (--cacert), or the system's CA store when it is unset.
#
# --retry 5 --retry-all-errors: curl resends after a timeout, a reset or lost
# connection, 408, 429, 500, 502, 503 and 504, waiting as Retry-After says
# (else 1 s, doubling); an answer such as 401 or 422 is final.  Resending is
# safe only because every reading carries an id: one that was stored before
# its answer got lost counts as a duplicate.
set -eu

: "${GAUGE_KEY:?set GAUGE_KEY to the device key}"
: "${GAUGE_DEVICE:?set GAUGE_DEVICE to the device id}"
url="${GAUGE_URL:-https://localhost:8443}/api/v1/devices/$GAUGE_DEVICE/readings"
answer=$(mktemp)
trap 'rm -f "$answer"' EXIT

# post BODY: prints the answer, {"stored": n, "duplicates": m, ...}; fails unless it is a 201.
# (The answer goes to a file, which curl empties before each retry: on
# standard output a refused try's body would stay in front of the last one.)
post() {
    status=$(printf 'Authorization: Bearer %s\n' "$GAUGE_KEY" |
        curl --silent --show-error ${GAUGE_CA:+--cacert "$GAUGE_CA"} \
             --max-time "${GAUGE_TIMEOUT:-10}" --retry 5 --retry-all-errors --retry-max-time 120 \
             -H @- -H 'Content-Type: application/json' --data-binary "$1" \
             --output "$answer" --write-out '%{http_code}' "$url")
    cat "$answer"
    [ "$status" = 201 ] || { echo "gauge-curl: HTTP $status" >&2; return 1; }
}

# 1. One reading, time given by the server.
post '{"values": {"temp": 21.5, "rh": 40}}'

# 2. A batch of readings taken earlier, each with an id made once on the
#    device (here: the host name, this run's start time and a counter) and
#    the time it was taken (epoch seconds, hence ?precision=s).
now=$(date +%s)
run="$(hostname)-$now"
body="{\"readings\": [
  {\"id\": \"$run-1\", \"ts\": $((now - 120)), \"values\": {\"temp\": 21.1}},
  {\"id\": \"$run-2\", \"ts\": $((now - 60)),  \"values\": {\"temp\": 21.3}},
  {\"id\": \"$run-3\", \"ts\": $now,           \"values\": {\"temp\": 21.4}}
]}"
url="$url?precision=s"
post "$body"

# 3. The same batch again, as after a lost answer: {"stored": 0, "duplicates": 3}.
post "$body"
