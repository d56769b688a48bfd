#!/usr/bin/env bash
# Media streaming benchmark: does GET /v1/media/{id} stream, and how fast? (docs/performance.md, "Media")
#
#   bench/media.sh                       # package, then measure
#   BENCH_SKIP_PACKAGE=1 bench/media.sh  # reuse target/quarkus-app and target/sandbox-app
#
# The simulator runs as its own process, its own build (target/sandbox-app; it holds the files in memory); the gateway runs with a small heap
# (BENCH_GATEWAY_HEAP, default 96m). A customer sends a BENCH_MEDIA_MB (default 100) MiB document; the
# script downloads it through the gateway once, then BENCH_PARALLEL (default 4) times at once, checks every
# copy's SHA-256 against the sandbox's, and uploads a file of the same size through POST /v1/media.
# A gateway that buffered files whole could not move 4 × 100 MiB at once through a 96 MiB heap.
# Prints MiB/s per phase and the gateway's peak RSS. Loopback only; every process it starts is killed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/bench-media
DB=${BENCH_DB:-wagateway_bench_media}
SB_DB=${DB}_sandbox
PG_USER=${BENCH_PG_USER:-postgres}
PG="psql -h 127.0.0.1 -U $PG_USER -v ON_ERROR_STOP=1 -qtAX"
GW_PORT=${BENCH_GATEWAY_PORT:-18080}
SB_PORT=${BENCH_SANDBOX_PORT:-18081}
mgmt() { echo $(($1 + 1000)); }  # a gateway's management port (health, metrics): its HTTP port + 1000
HEAP=${BENCH_GATEWAY_HEAP:-96m}
MB=${BENCH_MEDIA_MB:-100}
PARALLEL=${BENCH_PARALLEL:-4}
KEY=bench-key
SECRET=bench-app-secret
PHONE=+5511900000001

mkdir -p "$OUT"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    $PG -d postgres -c "drop database if exists $DB with (force)" -c "drop database if exists $SB_DB with (force)" 2>/dev/null || true
}
trap cleanup EXIT
now_ms() { echo $(($(date +%s%N) / 1000000)); }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
wait_ready() { # port that answers /q/health/live, pid
    local t0; t0=$(now_ms)
    until curl -sf "http://localhost:$1/q/health/live" >/dev/null 2>&1; do
        kill -0 "$2" 2>/dev/null || { echo "process on :$1 died (see $OUT)" >&2; exit 1; }
        (($(now_ms) - t0 > 90000)) && { echo "not live in 90 s on :$1" >&2; exit 1; }
        sleep 0.1
    done
}

[[ -n "${BENCH_SKIP_PACKAGE:-}" ]] || ./mvnw -B -q package -DskipTests
$PG -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB" \
    -c "drop database if exists $SB_DB with (force)" -c "create database $SB_DB"

GATEWAY_SANDBOX_WEBHOOK_URL="http://localhost:$GW_PORT/webhooks/whatsapp" QUARKUS_HTTP_PORT=$SB_PORT \
GATEWAY_WEBHOOK_APP_SECRET=$SECRET QUARKUS_DATASOURCE_ACTIVE=true QUARKUS_FLYWAY_ACTIVE=true \
QUARKUS_DATASOURCE_USERNAME=$PG_USER QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$SB_DB" \
    java -Xmx1500m -jar target/sandbox-app/quarkus-run.jar >"$OUT/sandbox.log" 2>&1 &
SB_PID=$!; PIDS+=("$SB_PID")

QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
QUARKUS_HTTP_PORT=$GW_PORT QUARKUS_MANAGEMENT_PORT="$(mgmt "$GW_PORT")" GATEWAY_API_KEYS=$KEY GATEWAY_DEFAULT_SENDER=main \
GATEWAY_CLOUD_API_BASE_URL="http://localhost:$SB_PORT/sandbox/graph" \
GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=100000000000001 GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=sandbox-token-main \
GATEWAY_WEBHOOK_APP_SECRET=$SECRET GATEWAY_WEBHOOK_VERIFY_TOKEN=bench-verify GATEWAY_CALLBACKS_SECRET=bench-callback \
GATEWAY_DISPATCH_ENABLED=false \
    java -Xmx$HEAP -jar target/quarkus-app/quarkus-run.jar >"$OUT/gateway.log" 2>&1 &
GW_PID=$!; PIDS+=("$GW_PID")
wait_ready "$SB_PORT" "$SB_PID"
wait_ready "$(mgmt "$GW_PORT")" "$GW_PID"
PEAK=0
sample_rss() { local r; r=$(rss_kb "$GW_PID"); ((r > PEAK)) && PEAK=$r; return 0; }
sample_rss
echo "gateway heap -Xmx$HEAP, idle RSS $((PEAK / 1024)) MiB"

MEDIA_ID=$(curl -sf -H 'Content-Type: application/json' \
    -d "{\"media\":{\"type\":\"document\",\"mimeType\":\"application/pdf\",\"filename\":\"big.pdf\",\"sizeBytes\":$((MB * 1048576))}}" \
    "http://localhost:$SB_PORT/sandbox/customers/$PHONE/messages" | sed -n 's/.*"mediaId":"\([0-9]*\)".*/\1/p')
EXPECTED=$(curl -sf "http://localhost:$SB_PORT/sandbox/media/$MEDIA_ID" | sed -n 's/.*"sha256":"\([^"]*\)".*/\1/p')
# The inbound webhook has been applied once the contact exists.
until curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "http://localhost:$GW_PORT/v1/contacts/$PHONE"; do sleep 0.2; done

download() { # n -> checks the copy, prints ms
    local t0 t1 sum
    t0=$(now_ms)
    curl -sf -H "Authorization: Bearer $KEY" "http://localhost:$GW_PORT/v1/media/$MEDIA_ID" -o "$OUT/copy-$1"
    t1=$(now_ms)
    sum=$(openssl dgst -sha256 -binary "$OUT/copy-$1" | base64)
    [[ "$sum" == "$EXPECTED" ]] || { echo "copy $1: sha256 $sum != $EXPECTED" >&2; exit 1; }
    rm -f "$OUT/copy-$1"
    echo $((t1 - t0))
}

ms=$(download 1)
echo "1 download of $MB MiB: $ms ms = $((MB * 1000 / (ms > 0 ? ms : 1))) MiB/s"
t0=$(now_ms)
DL=()
for i in $(seq 1 "$PARALLEL"); do download "p$i" >/dev/null & DL+=($!); done
alive() { for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while alive "${DL[@]}"; do sample_rss; sleep 0.05; done
for p in "${DL[@]}"; do wait "$p"; done
t1=$(now_ms)
echo "$PARALLEL parallel downloads of $MB MiB: $((t1 - t0)) ms = $((PARALLEL * MB * 1000 / (t1 - t0))) MiB/s in all, sha256 ok"

printf '%%PDF-1.4\n' >"$OUT/upload.pdf"
head -c $((MB * 1048576 - 1024)) /dev/urandom >>"$OUT/upload.pdf"
t0=$(now_ms)
curl -sf -H "Authorization: Bearer $KEY" -F "file=@$OUT/upload.pdf;type=application/pdf" \
    "http://localhost:$GW_PORT/v1/media" -o "$OUT/upload-answer.json" &
up=$!
while kill -0 $up 2>/dev/null; do sample_rss; sleep 0.05; done
wait $up
t1=$(now_ms)
grep -q '"id"' "$OUT/upload-answer.json" || { echo "upload failed: $(cat "$OUT/upload-answer.json")" >&2; exit 1; }
rm -f "$OUT/upload.pdf"
echo "1 upload of ~$MB MiB: $((t1 - t0)) ms = $((MB * 1000 / (t1 - t0))) MiB/s"
echo "gateway peak RSS $((PEAK / 1024)) MiB (heap capped at $HEAP); load average $(cut -d' ' -f1 /proc/loadavg)"
