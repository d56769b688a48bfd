#!/usr/bin/env bash
# Resilience scenarios (docs/performance.md "Resilience"). Each prints what it observed and fails (exit 1)
# when an accepted message is lost.
#
#   bench/resilience.sh                          # kill -9 under load
#   RESILIENCE_PG_RESTART=1 bench/resilience.sh  # also restart PostgreSQL under load (affects everyone
#                                                # using that PostgreSQL: only on a machine of your own)
#
# Reuses target/quarkus-app (run ./mvnw package -DskipTests first) and the load driver of bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/resilience
DB=${RESILIENCE_DB:-wagateway_resilience}
SB_DB=${DB}_sandbox
PG_USER=${BENCH_PG_USER:-postgres}
PG="psql -h 127.0.0.1 -U $PG_USER -v ON_ERROR_STOP=1 -qtAX"
GW_PORT=${BENCH_GATEWAY_PORT:-8080}
SB_PORT=${BENCH_SANDBOX_PORT:-8081}
JAVA=${BENCH_JAVA:-java}
RATE=${RESILIENCE_RATE:-300}
SECONDS_OF_LOAD=${RESILIENCE_SECONDS:-10}
SECRET=bench-app-secret
KEY=bench-key
RECIPIENTS=10000
FAILED=0

mkdir -p "$OUT/classes"
rm -f "$OUT"/*.log
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    $PG -d postgres -c "drop database if exists $SB_DB with (force)" 2>/dev/null || true
}
trap cleanup EXIT
log() { printf '\n== %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
observe() { printf '   observed: %s\n' "$*"; }
check() { # condition-text expression
    if eval "$2"; then printf '   PASS %s\n' "$1"; else printf '   FAIL %s\n' "$1"; FAILED=1; fi
}

javac --release 17 -d "$OUT/classes" src/test/java/wagateway/bench/LoadDriver.java
$PG -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB" \
    -c "drop database if exists $SB_DB with (force)" -c "create database $SB_DB"

# The sandbox gets a scratch database of its own (see bench/run.sh for why).
GATEWAY_SANDBOX_MESSAGES_PER_SECOND=1000 GATEWAY_SANDBOX_PAIR_INTERVAL=PT0S GATEWAY_WEBHOOK_APP_SECRET=$SECRET \
GATEWAY_SANDBOX_WEBHOOK_URL="http://localhost:$GW_PORT/webhooks/whatsapp" QUARKUS_HTTP_PORT=$SB_PORT \
QUARKUS_DATASOURCE_ACTIVE=true QUARKUS_FLYWAY_ACTIVE=true QUARKUS_DATASOURCE_USERNAME=$PG_USER \
QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$SB_DB" \
    "$JAVA" -Dquarkus.profile=sandbox -jar target/quarkus-app/quarkus-run.jar >"$OUT/sandbox.log" 2>&1 &
PIDS+=($!)

GW_PID=
start_gateway() {
    # short leases, so a killed replica's claimed messages come back within seconds
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
    QUARKUS_HTTP_PORT=$GW_PORT GATEWAY_API_KEYS=$KEY GATEWAY_DEFAULT_SENDER=main \
    GATEWAY_CLOUD_API_BASE_URL="http://localhost:$SB_PORT/sandbox/graph" \
    GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=100000000000001 GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=sandbox-token-main \
    GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND=1000 GATEWAY_WEBHOOK_APP_SECRET=$SECRET \
    GATEWAY_WEBHOOK_VERIFY_TOKEN=bench-verify GATEWAY_CALLBACKS_SECRET=bench-callback-secret \
    GATEWAY_MESSAGING_LIMIT_DAILY_UNIQUE_RECIPIENTS=0 GATEWAY_PAIR_RATE_MIN_INTERVAL=PT0S GATEWAY_DISPATCH_LEASE=PT5S \
        "$JAVA" -jar target/quarkus-app/quarkus-run.jar >>"$OUT/gateway.log" 2>&1 &
    GW_PID=$!
    PIDS+=("$GW_PID")
    wait_ready UP 120
}
ready_state() { curl -s -m 2 "http://localhost:$GW_PORT/q/health/ready" 2>/dev/null | jq -r .status 2>/dev/null || echo none; }
wait_ready() { # UP|DOWN seconds
    local deadline=$((SECONDS + $2))
    until [[ "$(ready_state)" == "$1" ]]; do
        ((SECONDS < deadline)) || { echo "readiness not $1 within $2 s" >&2; return 1; }
        sleep 0.1
    done
}
load() { # background driver; its JSON lines go to $OUT/$1.jsonl
    "$JAVA" -cp "$OUT/classes" wagateway.bench.LoadDriver url="http://localhost:$GW_PORT" key=$KEY recipients=$RECIPIENTS \
        mode=open rate="$RATE" duration="$SECONDS_OF_LOAD" warmup=0 runs=1 >"$OUT/$1.jsonl" 2>"$OUT/$1.err" &
    DRIVER=$!
}
settled() { # wait until nothing is queued, sending or sent-but-unread (at most 120 s)
    local deadline=$((SECONDS + 120)) open
    while ((SECONDS < deadline)); do
        open=$($PG -d "$DB" -c "select count(*) from outbound_message where status in ('queued','scheduled','sending','sent','delivered')")
        [[ "$open" == 0 ]] && return 0
        sleep 1
    done
    return 1
}
sandbox_ids() { curl -s "http://localhost:$SB_PORT/sandbox/messages" | jq -r '.[].request.biz_opaque_callback_data'; }

until curl -sf "http://localhost:$SB_PORT/q/health/ready" >/dev/null 2>&1; do sleep 0.2; done
start_gateway
$PG -d "$DB" -c "insert into contact (phone, consent_status, window_open_until, last_inbound_at, created_at, updated_at)
    select '+5511' || (900000000 + i), 'opted_in', now() + interval '30 days', now(), now(), now()
    from generate_series(0, $RECIPIENTS - 1) i on conflict do nothing"

# --- kill -9 under load --------------------------------------------------------------------------------
log "kill -9 the gateway while messages are in flight, restart it"
load kill9
sleep $((SECONDS_OF_LOAD / 2))
inflight=$($PG -d "$DB" -c "select count(*) from outbound_message where status in ('queued','sending')")
kill -9 "$GW_PID"
observe "killed with $inflight messages queued or sending"
wait "$DRIVER" || true
start_gateway
settled || true
accepted=$(jq -s 'map(.ok) | add' "$OUT/kill9.jsonl")
stored=$($PG -d "$DB" -c "select count(*) from outbound_message")
not_sent=$($PG -d "$DB" -c "select count(*) from outbound_message where sent_at is null")
sandbox_ids >"$OUT/sandbox-ids"
at_api=$(sort -u "$OUT/sandbox-ids" | wc -l)
dups=$(( $(wc -l <"$OUT/sandbox-ids") - at_api ))
missing=$($PG -d "$DB" -c "select id from outbound_message" | sort | comm -23 - <(sort -u "$OUT/sandbox-ids") | wc -l)
observe "driver got 202 for $accepted, stored $stored, never sent $not_sent, at the Cloud API $at_api, duplicates $dups"
check "every accepted message is stored" "(( stored >= accepted ))"
check "every stored message reached the Cloud API at least once" "(( missing == 0 ))"

# --- PostgreSQL restart under load ---------------------------------------------------------------------
if [[ "${RESILIENCE_PG_RESTART:-0}" == 1 ]]; then
    log "PostgreSQL restarted under load"
    before=$($PG -d "$DB" -c "select count(*) from outbound_message")
    load pgrestart
    sleep 3
    pg_ctlcluster --skip-systemctl-redirect 15 main stop -m fast
    down_seen=no
    for _ in $(seq 1 50); do [[ "$(ready_state)" == DOWN ]] && { down_seen=yes; break; }; sleep 0.1; done
    code=$(curl -s -m 5 -o "$OUT/accept-while-down.json" -w '%{http_code} %{content_type}' "http://localhost:$GW_PORT/v1/messages" \
        -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        -d '{"to":"+5511900000000","type":"template","category":"utility","template":{"name":"hello_world","language":{"code":"en_US"}}}' || echo "timeout")
    pg_ctlcluster --skip-systemctl-redirect 15 main start
    wait_ready UP 60 && up_again=yes || up_again=no
    wait "$DRIVER" || true
    settled || true
    accepted=$(jq -s 'map(.ok) | add' "$OUT/pgrestart.jsonl")
    stored=$(( $($PG -d "$DB" -c "select count(*) from outbound_message") - before ))
    not_sent=$($PG -d "$DB" -c "select count(*) from outbound_message where sent_at is null")
    observe "readiness DOWN seen: $down_seen, UP again: $up_again; accept while down answered: $code"
    observe "driver got 202 for $accepted, stored $stored, never sent $not_sent"
    check "readiness went DOWN then UP" "[[ $down_seen == yes && $up_again == yes ]]"
    check "accept answered 503 problem+json while the database was away" "[[ '$code' == '503 application/problem+json'* ]]"
    check "no accepted message lost" "(( stored >= accepted && not_sent == 0 ))"
fi

exit $FAILED
