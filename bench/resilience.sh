#!/usr/bin/env bash
# The resilience suite (README "Resilience", docs/performance.md): the packaged gateway and the simulator build as
# separate processes, on a PostgreSQL cluster of its own, through five scenarios. Each prints what it
# observed and checks what must hold; the script exits 1 when any check fails.
#
#   bench/resilience.sh                                   # all scenarios, about 5 minutes
#   RESILIENCE_SCENARIOS=storms,replicas bench/resilience.sh
#
# Scenarios: kill9 (kill -9 under load, restart), pg-restart (PostgreSQL restarted under load),
# storms (5xx bursts, 130429, resets, timeouts), floods (duplicate and shuffled webhooks),
# hostile (the shipped 256 MB heap under trickling and oversized bodies: honest requests keep working),
# replicas (two gateways on one database, one of them stopped mid-load).
#
# The suite starts a throwaway PostgreSQL cluster (initdb, port 25432, deleted on exit) so that restarting
# it disturbs nobody. Reuses target/quarkus-app and target/sandbox-app (./mvnw package -DskipTests, or what
# `verify` built).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/resilience
SCENARIOS=${RESILIENCE_SCENARIOS:-kill9,pg-restart,storms,floods,hostile,replicas}
scenario() { [[ ",$SCENARIOS," == *",$1,"* ]]; }
GW_PORT=${RESILIENCE_GATEWAY_PORT:-18180}
GW2_PORT=$((GW_PORT + 1))
SB_PORT=${RESILIENCE_SANDBOX_PORT:-18182}
PG_PORT=${RESILIENCE_PG_PORT:-25432}
mgmt() { echo $(($1 + 1000)); }  # a gateway's management port (health, metrics): its HTTP port + 1000
JAVA=${BENCH_JAVA:-java}
RATE=${RESILIENCE_RATE:-300}
SECONDS_OF_LOAD=${RESILIENCE_SECONDS:-10}
DB=wagateway
SECRET=resilience-app-secret
KEY=resilience-key
RECIPIENTS=10000
FAILED=0
PG="psql -h 127.0.0.1 -p $PG_PORT -U postgres -v ON_ERROR_STOP=1 -qtAX"

for port in "$GW_PORT" "$GW2_PORT" "$SB_PORT" "$PG_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port is in use: set RESILIENCE_GATEWAY_PORT / RESILIENCE_SANDBOX_PORT / RESILIENCE_PG_PORT" >&2
        exit 1
    fi
done
[[ -f target/quarkus-app/quarkus-run.jar ]] || { echo "no target/quarkus-app: run ./mvnw package -DskipTests" >&2; exit 1; }
[[ -f target/sandbox-app/quarkus-run.jar ]] || { echo "no target/sandbox-app (the simulator build): run ./mvnw package -DskipTests" >&2; exit 1; }

mkdir -p "$OUT/classes"
rm -f "$OUT"/*.log "$OUT"/*.jsonl "$OUT"/observations.md
PIDS=()
PGDATA=$(mktemp -d /tmp/wagateway-resilience-pg.XXXXXX)
PGBIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_cluster() { as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 "$@" >/dev/null; }
cleanup() {
    [[ -n "${RESILIENCE_KEEP_PG_LOG:-}" ]] && cp "$PGDATA/server.log" "$OUT/postgres.log" 2>/dev/null || true
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    pg_cluster stop -m immediate 2>/dev/null || true
    rm -rf "$PGDATA"
}
trap cleanup EXIT
log() { printf '\n== %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
observe() { printf '   observed: %s\n' "$*"; printf -- '- %s: %s\n' "$CURRENT" "$*" >>"$OUT/observations.md"; }
check() { # description expression
    if eval "$2"; then printf '   PASS %s\n' "$1"; printf -- '- %s: PASS %s\n' "$CURRENT" "$1" >>"$OUT/observations.md"
    else printf '   FAIL %s\n' "$1"; printf -- '- %s: **FAIL** %s\n' "$CURRENT" "$1" >>"$OUT/observations.md"; FAILED=1; fi
}

# --- a PostgreSQL of our own ------------------------------------------------------------------------
[[ $(id -u) == 0 ]] && chown postgres "$PGDATA"
as_postgres "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
pg_cluster start -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200"
$PG -d postgres -c "create database $DB"

javac --release 17 -d "$OUT/classes" src/test/java/wagateway/bench/LoadDriver.java

# --- the simulator (its own build, target/sandbox-app: no database) ----------------------------------
start_sandbox() { # messages-per-second [port of the gateway that receives its webhooks]
    GATEWAY_SANDBOX_MESSAGES_PER_SECOND=$1 GATEWAY_SANDBOX_PAIR_INTERVAL=PT0S GATEWAY_WEBHOOK_APP_SECRET=$SECRET \
    GATEWAY_SANDBOX_STATUS_DELAY=PT0.05S GATEWAY_CLOUD_API_TIMEOUT=PT1S \
    GATEWAY_SANDBOX_WEBHOOK_URL="http://localhost:${2:-$GW_PORT}/webhooks/whatsapp" QUARKUS_HTTP_PORT=$SB_PORT \
        "$JAVA" -jar target/sandbox-app/quarkus-run.jar >>"$OUT/sandbox.log" 2>&1 &
    SB_PID=$!
    PIDS+=("$SB_PID")
    until curl -sf "http://localhost:$SB_PORT/q/health/live" >/dev/null 2>&1; do
        kill -0 "$SB_PID" 2>/dev/null || { echo "sandbox died: $OUT/sandbox.log" >&2; exit 1; }
        sleep 0.1
    done
}
faults() { curl -sf -X PUT "http://localhost:$SB_PORT/sandbox/faults" -H 'Content-Type: application/json' -d "$1" >/dev/null; }
sandbox_reset() { curl -sf -X POST "http://localhost:$SB_PORT/sandbox/reset" >/dev/null; }
# Every message the sandbox accepted: the gateway's id (biz_opaque_callback_data) and when it arrived.
sandbox_accepted() { curl -s "http://localhost:$SB_PORT/sandbox/messages" | jq -r '.[] | [.request.biz_opaque_callback_data, .acceptedAt] | @tsv'; }

# --- the gateway -------------------------------------------------------------------------------------
GW_PID=
start_gateway() { # port [extra env assignments...]
    local port=$1; shift
    # the shortest lease the gateway accepts and short retries, so that what a scenario breaks comes back soon
    env QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:$PG_PORT/$DB" QUARKUS_DATASOURCE_USERNAME=postgres \
    QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$(mgmt "$port")" GATEWAY_API_KEYS=$KEY GATEWAY_DEFAULT_SENDER=main \
    GATEWAY_CLOUD_API_BASE_URL="http://localhost:$SB_PORT/sandbox/graph" GATEWAY_CLOUD_API_TIMEOUT=PT1S \
    GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=100000000000001 GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=sandbox-token-main \
    GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND=1000 GATEWAY_WEBHOOK_APP_SECRET=$SECRET \
    GATEWAY_WEBHOOK_VERIFY_TOKEN=resilience-verify GATEWAY_CALLBACKS_SECRET=resilience-callback-secret \
    GATEWAY_MESSAGING_LIMIT_DAILY_UNIQUE_RECIPIENTS=0 GATEWAY_PAIR_RATE_MIN_INTERVAL=PT0S GATEWAY_DISPATCH_LEASE=PT30S \
    GATEWAY_DISPATCH_RETRY_INITIAL_BACKOFF=PT0.2S GATEWAY_DISPATCH_RETRY_MAX_BACKOFF=PT2S \
    "$@" "$JAVA" ${GW_JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar >>"$OUT/gateway-$port.log" 2>&1 &
    GW_PID=$!
    PIDS+=("$GW_PID")
    wait_ready "$port" UP 120
}
ready_state() { curl -s -m 2 "http://localhost:$(mgmt "$1")/q/health/ready" 2>/dev/null | jq -r .status 2>/dev/null || echo none; }
wait_ready() { # port UP|DOWN seconds
    local deadline=$((SECONDS + $3))
    until [[ "$(ready_state "$1")" == "$2" ]]; do
        ((SECONDS < deadline)) || { echo "readiness of :$1 not $2 within $3 s" >&2; return 1; }
        kill -0 "$GW_PID" 2>/dev/null || { echo "gateway :$1 died: $OUT/gateway-$1.log" >&2; tail -20 "$OUT/gateway-$1.log" >&2; return 1; }
        sleep 0.1
    done
}
load() { # name port rate seconds — background open-loop driver; JSON lines go to $OUT/<name>.jsonl
    "$JAVA" -cp "$OUT/classes" wagateway.bench.LoadDriver url="http://localhost:$2" key=$KEY recipients=$RECIPIENTS \
        mode=open rate="$3" duration="$4" warmup=0 runs=1 >"$OUT/$1.jsonl" 2>"$OUT/$1.err" &
    DRIVER=$!
}
accepted_by_driver() { jq -s 'map(select(.run)) | map(.ok) | add // 0' "$OUT/$1.jsonl"; }
settled() { # wait (at most $1 s) until nothing is on its way: queued, sending, or sent and not yet read
    local deadline=$((SECONDS + $1)) open
    while ((SECONDS < deadline)); do
        open=$($PG -d "$DB" -c "select count(*) from outbound_message where status in ('queued','scheduled','sending','sent','delivered')")
        [[ "$open" == 0 ]] && return 0
        sleep 0.5
    done
    return 1
}
metric() { # port name-prefix: the sum of a Prometheus counter's samples
    curl -s "http://localhost:$(mgmt "$1")/q/metrics" | awk -v m="$2" 'index($0, m) == 1 { s += $NF } END { printf "%d", s }'
}
clear_messages() {
    $PG -d "$DB" -c "truncate outbound_message, event_outbox, webhook_inbox, orphan_status, pair_pacing cascade"
    sandbox_reset
}
final_statuses() { $PG -d "$DB" -c "select coalesce(string_agg(status || '=' || n, ' ' order by status), 'none')
    from (select status, count(*) n from outbound_message group by status) s"; }

start_sandbox 1000
start_gateway "$GW_PORT"
$PG -d "$DB" -c "insert into contact (phone, consent_status, window_open_until, last_inbound_at, created_at, updated_at)
    select '+5511' || (900000000 + i), 'opted_in', now() + interval '30 days', now(), now(), now()
    from generate_series(0, $RECIPIENTS - 1) i on conflict do nothing"

# --- kill -9 under load --------------------------------------------------------------------------------
if scenario kill9; then
    CURRENT=kill9
    log "kill -9 the gateway while messages are in flight, restart it"
    clear_messages
    load kill9 "$GW_PORT" "$RATE" "$SECONDS_OF_LOAD"
    sleep $((SECONDS_OF_LOAD / 2))
    inflight=$($PG -d "$DB" -c "select count(*) from outbound_message where status in ('queued','sending')")
    kill -9 "$GW_PID"
    wait "$GW_PID" 2>/dev/null || true
    observe "killed with $inflight messages queued or sending"
    wait "$DRIVER" || true
    start_gateway "$GW_PORT"
    settled 120 || true
    accepted=$(accepted_by_driver kill9)
    stored=$($PG -d "$DB" -c "select count(*) from outbound_message")
    sandbox_accepted | cut -f1 >"$OUT/kill9-ids"
    at_api=$(sort -u "$OUT/kill9-ids" | wc -l)
    dups=$(( $(wc -l <"$OUT/kill9-ids") - at_api ))
    missing=$($PG -d "$DB" -c "select id from outbound_message" | sort | comm -23 - <(sort -u "$OUT/kill9-ids") | wc -l)
    observe "driver got 202 for $accepted, stored $stored, at the Cloud API $at_api distinct, sent twice $dups, never sent $missing"
    check "every accepted message is stored" "(( stored >= accepted ))"
    check "every stored message reached the Cloud API at least once" "(( missing == 0 ))"
fi

# --- PostgreSQL restarted under load -------------------------------------------------------------------
if scenario pg-restart; then
    CURRENT=pg-restart
    log "PostgreSQL restarted under load"
    clear_messages
    load pgrestart "$GW_PORT" "$RATE" "$SECONDS_OF_LOAD"
    sleep 3
    pg_cluster stop -m fast
    down_seen=no
    for _ in $(seq 1 100); do [[ "$(ready_state "$GW_PORT")" == DOWN ]] && { down_seen=yes; break; }; sleep 0.1; done
    t0=$(date +%s%N)
    answer=$(curl -s -m 10 -o "$OUT/accept-while-down.json" -w '%{http_code} %{content_type}' "http://localhost:$GW_PORT/v1/messages" \
        -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        -d '{"to":"+5511900000000","type":"template","category":"utility","template":{"name":"hello_world","language":{"code":"en_US"}}}' \
        || echo "no answer")
    answer_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    sleep 2
    pg_cluster start -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200"
    up_again=no
    wait_ready "$GW_PORT" UP 60 && up_again=yes
    wait "$DRIVER" || true
    settled 120 || true
    accepted=$(accepted_by_driver pgrestart)
    stored=$($PG -d "$DB" -c "select count(*) from outbound_message")
    not_read=$($PG -d "$DB" -c "select count(*) from outbound_message where status <> 'read'")
    refused=$(jq -s 'map(select(.run)) | map(.errors) | add // 0' "$OUT/pgrestart.jsonl")
    observe "readiness DOWN seen: $down_seen, UP again: $up_again; accept while down answered '$answer' in $answer_ms ms"
    observe "driver got 202 for $accepted (refused or failed while down: $refused), stored $stored, not read $not_read: $(final_statuses)"
    check "readiness went DOWN then UP" "[[ $down_seen == yes && $up_again == yes ]]"
    check "accept answered 503 problem+json while the database was away" "[[ '$answer' == '503 application/problem+json'* ]]"
    check "no accepted message lost: every one stored and read" "(( stored >= accepted && not_read == 0 ))"
fi

# --- storms from the Cloud API ----------------------------------------------------------------------------
if scenario storms; then
    CURRENT=storms
    log "Cloud API storms: 5xx, 130429, resets, timeouts, then a 5xx burst"
    clear_messages
    opened_before=$(metric "$GW_PORT" 'ft_circuitbreaker_opened_total')
    faults '{"errorRates":{"500":0.15,"130429":0.15,"131000":0.05},"connectionResetRate":0.05,"timeoutRate":0.03}'
    load storms "$GW_PORT" 100 "$SECONDS_OF_LOAD"
    wait "$DRIVER" || true
    settled 180 || true   # under the storm: retries ride it out
    storm_retried=$($PG -d "$DB" -c "select count(*) from outbound_message where attempts > 1")
    faults '{"burst5xx":300}'
    load storms-after "$GW_PORT" 50 6
    sleep 4
    # while the breaker is open the dispatcher claims nothing: the queue holds what could not go
    queued_while_open=$($PG -d "$DB" -c "select count(*) from outbound_message where status in ('queued','scheduled')")
    open_during=$(curl -s "http://localhost:$(mgmt "$GW_PORT")/q/metrics" | grep '^ft_circuitbreaker_state_current' | grep 'state="open"' | awk '{print $NF}' | head -1)
    wait "$DRIVER" || true
    faults '{}'
    settled 180 || true
    accepted=$(( $(accepted_by_driver storms) + $(accepted_by_driver storms-after) ))
    opened=$(( $(metric "$GW_PORT" 'ft_circuitbreaker_opened_total') - opened_before ))
    state=$(curl -s "http://localhost:$(mgmt "$GW_PORT")/q/metrics" | grep '^ft_circuitbreaker_state_current' | grep 'state="closed"' | awk '{print $NF}' | head -1)
    stuck=$($PG -d "$DB" -c "select count(*) from outbound_message where status not in ('read','failed')")
    # a failure is correct only when permanent, or when transient attempts were used up
    wrong_failures=$($PG -d "$DB" -c "select count(*) from outbound_message where status = 'failed'
        and coalesce(error_code, 0) in (0, 1, 2, 500, 503, 130429, 131000, 131016) and attempts < 20")
    retried=$($PG -d "$DB" -c "select count(*) from outbound_message where attempts > 1")
    max_attempts=$($PG -d "$DB" -c "select coalesce(max(attempts), 0) from outbound_message")
    errors=$(curl -s "http://localhost:$(mgmt "$GW_PORT")/q/metrics" | grep '^wagateway_cloudapi_errors_total' | sed 's/.*code="\([^"]*\)".* \(.*\)/\1=\2/' | tr '\n' ' ')
    observe "accepted $accepted; final: $(final_statuses); retried during the storm $storm_retried, in all $retried (max $max_attempts attempts)"
    observe "Cloud API errors by code: $errors"
    observe "breaker opened $opened times; open 4 s into the burst: ${open_during:-?}, queued then: $queued_while_open; closed at the end: ${state:-?}"
    check "every message ends sent-and-read or failed" "(( stuck == 0 ))"
    check "no message failed on a transient error with attempts left" "(( wrong_failures == 0 ))"
    check "the breaker opened during the 5xx burst and closed again" "(( opened >= 1 )) && [[ '${state:-0}' == 1* ]]"
fi

# --- webhook floods: duplicates and shuffled order -------------------------------------------------------
if scenario floods; then
    CURRENT=floods
    log "webhook floods: every webhook twice, half of the messages' statuses in reverse order"
    clear_messages
    faults '{"duplicateWebhookRate":1.0,"outOfOrderRate":0.5}'
    load floods "$GW_PORT" 200 "$SECONDS_OF_LOAD"
    wait "$DRIVER" || true
    settled 120 || true
    faults '{}'
    sleep 2   # let the last duplicates arrive
    accepted=$(accepted_by_driver floods)
    deliveries=$($PG -d "$DB" -c "select count(*) from webhook_inbox")
    not_read=$($PG -d "$DB" -c "select count(*) from outbound_message where status <> 'read'")
    twice_in_timeline=$($PG -d "$DB" -c "select count(*) from (select 1 from message_event where source = 'webhook'
        group by message_id, status having count(*) > 1) d")
    twice_to_business=$($PG -d "$DB" -c "select count(*) from (select 1 from event_outbox where type = 'message.status'
        group by message_id, payload->>'status' having count(*) > 1) d")
    observe "accepted $accepted; webhooks stored $deliveries (a delivery of the same bytes again is refused by its digest); final: $(final_statuses)"
    observe "statuses recorded twice: $twice_in_timeline; events sent twice to the business: $twice_to_business"
    check "every message ends read" "(( not_read == 0 && accepted > 0 ))"
    check "each status once in each timeline" "(( twice_in_timeline == 0 ))"
    check "no duplicate event to the business" "(( twice_to_business == 0 ))"
fi

# --- hostile bodies on the shipped heap -----------------------------------------------------------------
if scenario hostile; then
    CURRENT=hostile
    # the heap run-java.sh gives the JVM image under kubernetes/base's 512Mi limit (50 %), with its collector
    log "hostile bodies on a 256 MB heap: trickling unsigned webhooks, {},{},… batches; honest requests meanwhile"
    kill "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null || true
    GW_JAVA_OPTS="-Xmx256m -XX:+UseParallelGC" start_gateway "$GW_PORT"
    clear_messages
    HOSTILE="python3 bench/hostile.py"
    WEBHOOK='{"object":"whatsapp_business_account","entry":[]}'
    later=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
    MESSAGE='{"to":"+5511900000001","type":"text","text":{"body":"hostile"},"sendAt":"'$later'"}'
    # 50 unsigned webhook bodies of up to 10 MiB, 3 MiB at once (under the 4 MiB limit, held), then a trickle
    $HOSTILE trickle "$GW_PORT" /webhooks/whatsapp 50 3145728 >"$OUT/hostile-trickle.json" &
    TRICKLE=$!
    sleep 5
    honest_webhooks=$($HOSTILE honest "$GW_PORT" /webhooks/whatsapp 50 "$WEBHOOK" "$SECRET")
    ready_while_trickling=$(ready_state "$GW_PORT")
    wait "$TRICKLE" || true
    observe "50 trickling unsigned webhooks ended with $(cat "$OUT/hostile-trickle.json"); 50 honest meanwhile: $honest_webhooks; readiness: $ready_while_trickling"
    check "the 50 honest webhooks all answered 200 within 5 s" \
        "[[ \$(jq -r '.statuses[\"200\"] // 0' <<<'$honest_webhooks') == 50 ]] && jq -e '.max_seconds < 5' <<<'$honest_webhooks' >/dev/null"
    check "every trickling webhook was refused (408, 413 or 503), none held" \
        "jq -e '[.statuses | to_entries[] | select(.key != \"408\" and .key != \"413\" and .key != \"503\") | .value] | add // 0 | . == 0' $OUT/hostile-trickle.json >/dev/null"
    check "the gateway stayed ready" "[[ $ready_while_trickling == UP && \$(ready_state $GW_PORT) == UP ]]"
    # 50 authenticated {},{},… batches at once: 9 MiB (over the 8 MiB limit) and just under 8 MiB
    $HOSTILE burst "$GW_PORT" /v1/messages/batch 25 9437184 "$KEY" >"$OUT/hostile-over.json" &
    OVER=$!
    $HOSTILE burst "$GW_PORT" /v1/messages/batch 25 8388000 "$KEY" >"$OUT/hostile-under.json" &
    UNDER=$!
    sleep 1
    honest_batches=$($HOSTILE honest "$GW_PORT" /v1/messages/batch 50 '{"messages":['"$MESSAGE"']}' "$KEY")
    wait "$OVER" || true; wait "$UNDER" || true
    observe "{},{},… batches: 9 MiB $(cat "$OUT/hostile-over.json"), under 8 MiB $(cat "$OUT/hostile-under.json"); 50 honest meanwhile: $honest_batches"
    check "the 50 honest batches all answered 202 within 5 s" \
        "[[ \$(jq -r '.statuses[\"202\"] // 0' <<<'$honest_batches') == 50 ]] && jq -e '.max_seconds < 5' <<<'$honest_batches' >/dev/null"
    check "no {},{},… batch answered 500" "! grep -q '\"500\"' $OUT/hostile-over.json $OUT/hostile-under.json"
    check "the gateway stayed ready" "[[ \$(ready_state $GW_PORT) == UP ]]"
    # chunked (no Content-Length), as a proxy that forwards HTTP/2 downstream as HTTP/1.1 sends it
    chunked() { # method path body [header]
        curl -s -o /dev/null -w '%{http_code}' -X "$1" "http://localhost:$GW_PORT$2" -H 'Transfer-Encoding: chunked' \
            -H 'Content-Type: application/json' -H "Authorization: Bearer $KEY" ${4:+-H "$4"} --data-binary "$3"
    }
    signature="X-Hub-Signature-256: sha256=$(python3 -c 'import hmac, hashlib, sys
print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())' "$SECRET" "$WEBHOOK")"
    routes="messages $(chunked POST /v1/messages "$MESSAGE") batch $(chunked POST /v1/messages/batch '{"messages":['"$MESSAGE"']}')"
    routes="$routes webhook $(chunked POST /webhooks/whatsapp "$WEBHOOK" "$signature")"
    routes="$routes consent $(chunked PUT /v1/contacts/%2B5511900000002/consent '{"status":"opted_in","source":"hostile"}')"
    observe "chunked honest requests: $routes"
    check "a chunked honest request works on every route" "[[ '$routes' == 'messages 202 batch 202 webhook 200 consent 200' ]]"
    oom=$(grep -c OutOfMemoryError "$OUT/gateway-$GW_PORT.log" || true)
    check "no OutOfMemoryError" "(( oom == 0 ))"
fi

# --- two replicas on one database ------------------------------------------------------------------------
if scenario replicas; then
    CURRENT=replicas
    LIMIT=50
    log "two replicas on one database, sender limited to $LIMIT mps; replica 1 stops mid-load (hand-over)"
    kill "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null || true
    kill "$SB_PID" 2>/dev/null; wait "$SB_PID" 2>/dev/null || true
    start_sandbox "$LIMIT" "$GW2_PORT"   # webhooks go to the replica that stays
    clear_messages
    start_gateway "$GW_PORT" GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND=$LIMIT
    GW1=$GW_PID
    start_gateway "$GW2_PORT" GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND=$LIMIT
    GW2=$GW_PID
    load replicas-1 "$GW_PORT" 40 "$SECONDS_OF_LOAD"; D1=$DRIVER
    load replicas-2 "$GW2_PORT" 40 "$SECONDS_OF_LOAD"; D2=$DRIVER
    wait "$D1" || true
    calls_1=$(metric "$GW_PORT" 'wagateway_cloudapi_latency_seconds_count')
    kill "$GW1"   # SIGTERM: graceful, its sender lease goes to replica 2
    wait "$GW1" 2>/dev/null || true
    wait "$D2" || true
    GW_PID=$GW2
    settled 120 || true
    accepted=$(( $(accepted_by_driver replicas-1) + $(accepted_by_driver replicas-2) ))
    sandbox_accepted >"$OUT/replicas-arrivals"
    at_api=$(cut -f1 "$OUT/replicas-arrivals" | sort -u | wc -l)
    dups=$(( $(wc -l <"$OUT/replicas-arrivals") - at_api ))
    peak=$(cut -f2 "$OUT/replicas-arrivals" | python3 -c '
import sys, datetime
ts = sorted(datetime.datetime.fromisoformat(l.strip().replace("Z", "+00:00")).timestamp() for l in sys.stdin if l.strip())
best, j = 0, 0
for i, t in enumerate(ts):
    while ts[j] <= t - 1.0: j += 1
    best = max(best, i - j + 1)
print(best)')
    stuck=$($PG -d "$DB" -c "select count(*) from outbound_message where status <> 'read'")
    calls_2=$(metric "$GW2_PORT" 'wagateway_cloudapi_latency_seconds_count')
    observe "Cloud API calls by replica 1 until it stopped: $calls_1, by replica 2: $calls_2"
    observe "accepted $accepted across both; at the Cloud API $at_api distinct, sent twice $dups; most arrivals in any 1 s: $peak (limit $LIMIT); not read $stuck"
    check "no message sent twice" "(( dups == 0 ))"
    check "every accepted message reached the Cloud API" "(( at_api >= accepted ))"
    check "the per-sender rate held across both replicas" "(( peak <= LIMIT ))"
    check "every message ends read (statuses through the replica that stayed)" "(( stuck == 0 ))"
    check "the sender moved between replicas (both sent)" "(( calls_1 > 0 && calls_2 > 0 ))"
fi

log "observations: $OUT/observations.md"
exit $FAILED
