#!/usr/bin/env bash
# The wagateway benchmark: one command, one machine, one run (docs/performance.md).
#
#   bench/run.sh                 # package, then measure everything (about 15 minutes)
#   BENCH_SKIP_PACKAGE=1 bench/run.sh   # reuse target/quarkus-app (gateway) and target/sandbox-app (simulator)
#   BENCH_PHASES=limits,e2e bench/run.sh  # a subset of limits,accept,sse,e2e,startup
#
# Steps: (1) pgbench limits of our own schema, (2) accept throughput and latency, (2') accept with idle
# event-stream subscribers, (3) end to end through the simulator build as its own process, (4) start-up and RSS,
# on JDK 17, JDK 25 and JDK 25 with an AOT cache (bench/startup.sh). Figures go to target/bench/results.md
# and .json.
# Loopback only; every process it starts is killed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/bench
DB=${BENCH_DB:-wagateway_bench}
LIMIT_DB=${DB}_limit
PG_USER=${BENCH_PG_USER:-postgres}
PG="psql -h 127.0.0.1 -U $PG_USER -v ON_ERROR_STOP=1 -qtAX"
PGBENCH=${BENCH_PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
GW_PORT=${BENCH_GATEWAY_PORT:-8080}
SB_PORT=${BENCH_SANDBOX_PORT:-8081}
MIN_PORT=${BENCH_MINIMAL_PORT:-18090}
mgmt() { echo $(($1 + 1000)); }  # a gateway's management port (health, metrics): its HTTP port + 1000
SEND_SECONDS=${BENCH_SEND_SECONDS:-60}
JAVA=${BENCH_JAVA:-java}
GW_JAVA_OPTS=${BENCH_GATEWAY_JAVA_OPTS:-}
RUNS=${BENCH_RUNS:-3}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-5}
# The gateway's reactive pool (quarkus.datasource.reactive.max-size): pgbench uses as many clients.
CLIENTS=$(sed -n 's/^quarkus.datasource.reactive.max-size=//p' src/main/resources/application.properties)
CONCURRENCY=${BENCH_CONCURRENCY:-$CLIENTS}
BATCH_SIZE=${BENCH_BATCH_SIZE:-100}
E2E_RATE=${BENCH_E2E_RATE:-1000}
E2E_SECONDS=${BENCH_E2E_SECONDS:-10}
# Phases to run (start-up is always measured): a subset is for working on the benchmark itself.
# Optional phase "sse": accept throughput without and with $SSE_IDLE idle GET /v1/events streams.
PHASES=${BENCH_PHASES:-limits,accept,sse,send,dups,e2e,e2e4,inbound,callbacks,startup}
SSE_IDLE=${BENCH_SSE_IDLE:-200}
phase() { [[ ",$PHASES," == *",$1,"* ]]; }
RECIPIENTS=10000
SECRET=bench-app-secret
KEY=bench-key

mkdir -p "$OUT"
rm -f "$OUT"/raw.jsonl "$OUT"/*.log "$OUT"/results.md "$OUT"/results.json
RAW=$OUT/raw.jsonl
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
log() { printf '\n== %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
raw() { echo "$1" >>"$RAW"; }
# The machine's load (other users included) when each phase starts: the context of every figure.
loadavg() { raw "{\"section\":\"load\",\"name\":\"$1\",\"loadavg\":$(cut -d' ' -f1 /proc/loadavg)}"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

for port in "$GW_PORT" "$SB_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port is in use: set BENCH_GATEWAY_PORT / BENCH_SANDBOX_PORT" >&2
        exit 1
    fi
done

if [[ "${BENCH_SKIP_PACKAGE:-0}" != 1 ]]; then
    log "package"
    ./mvnw -B -q package -DskipTests
fi
[[ -f target/sandbox-app/quarkus-run.jar ]] || { echo "no target/sandbox-app (the simulator build): run ./mvnw package -DskipTests" >&2; exit 1; }
log "compile the load driver"
mkdir -p "$OUT/classes"
javac --release 17 -d "$OUT/classes" src/test/java/wagateway/bench/LoadDriver.java
# the floor for accepting: plain Vert.x, one prepared INSERT (MinimalEndpoint's Javadoc says what it skips)
javac --release 17 -cp "target/quarkus-app/lib/main/*" -d "$OUT/classes" src/test/java/wagateway/bench/MinimalEndpoint.java
driver() { "$JAVA" -Xmx512m -cp "$OUT/classes" wagateway.bench.LoadDriver url="http://localhost:$GW_PORT" key=$KEY \
    recipients=$RECIPIENTS "$@"; }

# --- 1. the physical limit of our schema -----------------------------------------------------------
loadavg start
if phase limits; then
log "pgbench limits ($CLIENTS clients, ${RUNS}x${DURATION}s each, median)"
$PG -d postgres -c "drop database if exists $LIMIT_DB with (force)" -c "create database $LIMIT_DB"
for f in $(ls src/main/resources/db/migration/V*.sql | sort -V); do
    $PG -d "$LIMIT_DB" -f "$f" >/dev/null
done
pgbench_tps() { # script label
    local script=$1 label=$2 run tps
    $PG -d "$LIMIT_DB" -c "truncate outbound_message cascade"
    "$PGBENCH" -h 127.0.0.1 -U "$PG_USER" -n -M prepared -c "$CLIENTS" -j 2 -T "$WARMUP" -f "$script" "$LIMIT_DB" >/dev/null
    for run in $(seq 1 "$RUNS"); do
        $PG -d "$LIMIT_DB" -c "truncate outbound_message cascade" -c "checkpoint"
        tps=$("$PGBENCH" -h 127.0.0.1 -U "$PG_USER" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$script" "$LIMIT_DB" \
            | sed -n 's/^tps = \([0-9.]*\).*without initial.*/\1/p')
        echo "$label run $run: $tps tps"
        raw "{\"section\":\"limit\",\"name\":\"$label\",\"run\":$run,\"tps\":$tps}"
    done
}
pgbench_tps bench/pgbench-insert.sql insert
# (a') the insert as it was with V1's NOTIFY trigger (dropped by V3): what a NOTIFY inside the accepting
# transaction costs, kept as evidence for the design (README "Wake-ups")
$PG -d "$LIMIT_DB" -c "create function bench_notify() returns trigger language plpgsql as \$\$ begin perform pg_notify('wagateway_queue', ''); return null; end \$\$;
  create trigger bench_notify after insert on outbound_message for each statement execute function bench_notify()" >/dev/null
pgbench_tps bench/pgbench-insert.sql insert-with-notify
$PG -d "$LIMIT_DB" -c "drop trigger bench_notify on outbound_message; drop function bench_notify()" >/dev/null
pgbench_tps bench/pgbench-lifecycle.sql lifecycle
$PG -d postgres -c "drop database if exists $LIMIT_DB with (force)"
fi

# --- the processes ---------------------------------------------------------------------------------
$PG -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB"
log "sandbox on :$SB_PORT"
# the simulator build runs without a database; it knows the four numbers of phase e2e4 (their tokens). Its own
# per-number limit is set above any sender's: phase send counts the arrivals itself, so a refusal must not hide one.
SENDERS_ENV=(GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=100000000000001 GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=sandbox-token-main
    GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND=1000
    GATEWAY_SENDERS_S2_PHONE_NUMBER_ID=100000000000002 GATEWAY_SENDERS_S2_ACCESS_TOKEN=sandbox-token-s2
    GATEWAY_SENDERS_S2_MESSAGES_PER_SECOND=1000
    GATEWAY_SENDERS_S3_PHONE_NUMBER_ID=100000000000003 GATEWAY_SENDERS_S3_ACCESS_TOKEN=sandbox-token-s3
    GATEWAY_SENDERS_S3_MESSAGES_PER_SECOND=1000
    GATEWAY_SENDERS_S4_PHONE_NUMBER_ID=100000000000004 GATEWAY_SENDERS_S4_ACCESS_TOKEN=sandbox-token-s4
    GATEWAY_SENDERS_S4_MESSAGES_PER_SECOND=1000)
env "${SENDERS_ENV[@]}" \
GATEWAY_SANDBOX_MESSAGES_PER_SECOND=5000 GATEWAY_SANDBOX_PAIR_INTERVAL=PT0S GATEWAY_WEBHOOK_APP_SECRET=$SECRET \
GATEWAY_SANDBOX_WEBHOOK_URL="http://localhost:$GW_PORT/webhooks/whatsapp" QUARKUS_HTTP_PORT=$SB_PORT \
    "$JAVA" -jar target/sandbox-app/quarkus-run.jar >"$OUT/sandbox.log" 2>&1 &
SB_PID=$!
PIDS+=("$SB_PID")

GW_PID=
GW_EXTRA_ENV=()   # more environment for the next start (phase e2e4: the four senders)
start_gateway() { # dispatch-enabled label -> prints start-to-ready ms
    local t0 t1
    t0=$(now_ms)
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
    QUARKUS_HTTP_PORT=$GW_PORT QUARKUS_MANAGEMENT_PORT="$(mgmt "$GW_PORT")" GATEWAY_API_KEYS=$KEY GATEWAY_DEFAULT_SENDER=main \
    GATEWAY_CLOUD_API_BASE_URL="http://localhost:$SB_PORT/sandbox/graph" \
    GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=100000000000001 GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=sandbox-token-main \
    GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND=1000 GATEWAY_WEBHOOK_APP_SECRET=$SECRET \
    GATEWAY_WEBHOOK_VERIFY_TOKEN=bench-verify GATEWAY_CALLBACKS_SECRET=bench-callback-secret \
    GATEWAY_MESSAGING_LIMIT_DAILY_UNIQUE_RECIPIENTS=0 GATEWAY_PAIR_RATE_MIN_INTERVAL=PT0S \
    GATEWAY_DISPATCH_ENABLED=$1 \
        env "${GW_EXTRA_ENV[@]}" "$JAVA" $GW_JAVA_OPTS -jar target/quarkus-app/quarkus-run.jar >>"$OUT/gateway.log" 2>&1 &
    GW_PID=$!
    PIDS+=("$GW_PID")
    until curl -sf "http://localhost:$(mgmt "$GW_PORT")/q/health/ready" 2>/dev/null | grep -q '"UP"'; do
        kill -0 "$GW_PID" 2>/dev/null || { echo "gateway died: $OUT/gateway.log" >&2; tail -30 "$OUT/gateway.log" >&2; exit 1; }
        if (($(now_ms) - t0 > 60000)); then echo "gateway not ready in 60 s" >&2; exit 1; fi
        sleep 0.02
    done
    t1=$(now_ms)
    echo "gateway ($2) ready in $((t1 - t0)) ms"
    raw "{\"section\":\"startup\",\"name\":\"$2\",\"ms\":$((t1 - t0))}"
}
stop_gateway() {
    kill "$GW_PID" 2>/dev/null || true
    wait "$GW_PID" 2>/dev/null || true
}
# Peak RSS of the gateway while a phase runs.
RSS_FILE=$OUT/rss-peak
sample_rss() {
    echo 0 >"$RSS_FILE"
    ( while kill -0 "$GW_PID" 2>/dev/null; do
        r=$(rss_kb "$GW_PID"); (( r > $(cat "$RSS_FILE") )) && echo "$r" >"$RSS_FILE"; sleep 0.5
      done ) &
    SAMPLER=$!
}
stop_rss() { kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; cat "$RSS_FILE"; }

until curl -sf "http://localhost:$SB_PORT/q/health/live" >/dev/null 2>&1; do
    kill -0 "$SB_PID" 2>/dev/null || { echo "sandbox died: $OUT/sandbox.log" >&2; exit 1; }
    sleep 0.1
done

# --- 4. start-up (first start migrates the empty database; the later ones find it migrated) ---------
log "start-up and idle RSS"
start_gateway true "first start, migrates"
stop_gateway
start_gateway false "accept phase"
sleep 3
raw "{\"section\":\"rss\",\"name\":\"idle\",\"kb\":$(rss_kb "$GW_PID")}"
echo "idle RSS $(rss_kb "$GW_PID") kB"

# Recipients: opted in, with an open window, so every message goes (templates to opted-in contacts).
$PG -d "$DB" -c "insert into contact (phone, consent_status, window_open_until, last_inbound_at, created_at, updated_at)
    select '+5511' || (900000000 + i), 'opted_in', now() + interval '30 days', now(), now(), now()
    from generate_series(0, $RECIPIENTS - 1) i on conflict do nothing"
clear_messages() { $PG -d "$DB" -c "truncate outbound_message, event_outbox, webhook_inbox, orphan_status, pair_pacing cascade"; }

# --- 2. accept -------------------------------------------------------------------------------------
if phase accept; then
loadavg accept
log "accept (dispatcher off: the accept path alone)"
sample_rss
accept() { # label driver-args...
    local label=$1; shift
    clear_messages
    driver warmup="$WARMUP" duration="$DURATION" runs="$RUNS" "$@" | tee "$OUT/accept-$label.jsonl" |
        sed -n 's/^{"median":\(.*\)}$/\1/p' | while read -r line; do
            raw "{\"section\":\"accept\",\"name\":\"$label\",\"result\":$line}"
        done
    grep -v median "$OUT/accept-$label.jsonl"
}
accept "closed-c$CONCURRENCY" mode=closed concurrency="$CONCURRENCY"
accept closed-c64 mode=closed concurrency=64
accept open-500 mode=open rate=500
accept open-1000 mode=open rate=1000
accept "batch-$BATCH_SIZE" mode=batch size="$BATCH_SIZE" concurrency=4
raw "{\"section\":\"rss\",\"name\":\"accept load (peak)\",\"kb\":$(stop_rss)}"
# the reference in the same run: the minimal endpoint at the same concurrencies, on the same database
log "reference: the minimal endpoint (plain Vert.x, one INSERT)"
"$JAVA" -cp "target/quarkus-app/lib/main/*:$OUT/classes" wagateway.bench.MinimalEndpoint port="$MIN_PORT" \
    db="postgresql://127.0.0.1:5432/$DB" user="$PG_USER" pool="$CLIENTS" >"$OUT/minimal.log" 2>&1 &
MIN_PID=$!
PIDS+=("$MIN_PID")
until curl -s -o /dev/null "http://localhost:$MIN_PORT/" 2>/dev/null; do sleep 0.1; done
reference() { # label driver-args...
    local label=$1; shift
    clear_messages
    "$JAVA" -Xmx512m -cp "$OUT/classes" wagateway.bench.LoadDriver url="http://localhost:$MIN_PORT" key=$KEY \
        recipients=$RECIPIENTS warmup="$WARMUP" duration="$DURATION" runs="$RUNS" "$@" | tee "$OUT/minimal-$label.jsonl" |
        sed -n 's/^{"median":\(.*\)}$/\1/p' | while read -r line; do
            raw "{\"section\":\"reference\",\"name\":\"$label\",\"result\":$line}"
        done
    grep -v median "$OUT/minimal-$label.jsonl"
}
reference "closed-c$CONCURRENCY" mode=closed concurrency="$CONCURRENCY"
reference closed-c64 mode=closed concurrency=64
kill "$MIN_PID" 2>/dev/null || true
fi

# --- 2'. accept with idle event-stream subscribers (optional phase "sse") ---------------------------
if phase sse; then
loadavg sse
log "accept closed c$CONCURRENCY, alternately without and with $SSE_IDLE idle SSE subscribers"
clear_messages
driver warmup="$WARMUP" duration="$DURATION" runs="$RUNS" mode=closed concurrency="$CONCURRENCY" \
    idle-sse="$SSE_IDLE" | tee "$OUT/accept-sse.jsonl"
for which in Without With; do
    line=$(sed -n "s/^{\"median$which\":\(.*\)}$/\1/p" "$OUT/accept-sse.jsonl")
    raw "{\"section\":\"sse\",\"name\":\"closed-c$CONCURRENCY $which $SSE_IDLE idle SSE\",\"result\":$line}"
done
fi
stop_gateway
clear_messages

e2e_run() { # run-number (0 = warm-up) [label rate driver-args...]
    local since total done_ elapsed label=${2:-one sender} rate=${3:-$E2E_RATE}
    local tag=$1${2:+-${2// /-}}
    shift $(($# < 3 ? $# : 3))
    since=$($PG -d "$DB" -c "select clock_timestamp()")
    driver warmup=0 duration="$([[ ${tag%%-*} == 0 ]] && echo "$WARMUP" || echo "$E2E_SECONDS")" runs=1 mode=open rate="$rate" "$@" \
        >"$OUT/e2e-$tag.jsonl"
    total=$($PG -d "$DB" -c "select count(*) from outbound_message where created_at >= '$since'")
    # bounded: 30 s after the last accept; what is not read by then shows as "not read"
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        done_=$($PG -d "$DB" -c "select count(*) from outbound_message where created_at >= '$since' and status in ('read','failed','rejected','expired')")
        [[ "$done_" -ge "$total" ]] && break
        sleep 0.1
    done
    [[ ${tag%%-*} == 0 ]] && return 0
    $PG -d "$DB" -c "
        with m as (select id, created_at, sent_at, status from outbound_message where created_at >= '$since'),
             r as (select max(e.recorded_at) as last_read from message_event e join m on m.id = e.message_id
                   where e.status = 'read' and e.source = 'webhook')
        select json_build_object('section','e2e','name','$label','offered',$rate,'run',${tag%%-*},'messages',count(*),
            'read', count(*) filter (where status = 'read'),
            'notRead', count(*) filter (where status <> 'read'),
            'seconds', extract(epoch from (select last_read from r) - min(created_at)),
            'msgsPerSecond', count(*) filter (where status = 'read') / nullif(extract(epoch from (select last_read from r) - min(created_at)), 0),
            'sentPerSecond', count(sent_at) / nullif(extract(epoch from max(sent_at) - min(created_at)), 0),
            'sentP50Ms', 1000 * extract(epoch from percentile_cont(0.50) within group (order by sent_at - created_at)),
            'sentP95Ms', 1000 * extract(epoch from percentile_cont(0.95) within group (order by sent_at - created_at)),
            'sentP99Ms', 1000 * extract(epoch from percentile_cont(0.99) within group (order by sent_at - created_at)),
            'sentMaxMs', 1000 * extract(epoch from max(sent_at - created_at)),
            'webhooks', (select count(*) from webhook_inbox where received_at >= '$since'),
            'webhookTransactions', (select count(distinct applied_at) from webhook_inbox where received_at >= '$since'),
            'webhooksDroppedBySandbox', $(grep -c 'dropped after' "$OUT/sandbox.log" || true),
            'acceptP99Ms', $(jq .p99Ms "$OUT/e2e-$tag.jsonl" | head -1),
            'acceptErrors', $(jq .errors "$OUT/e2e-$tag.jsonl" | head -1))
        from m" | tee -a "$RAW"
}

# Queue N messages for sender main straight into the table (the accept path is not what these phases load).
prefill() { # count
    $PG -d "$DB" -c "insert into outbound_message (id, api_key_id, sender, recipient, type, category, priority, content,
        status, next_attempt_at, created_at, updated_at)
        select gen_random_uuid(), 'bench', 'main', '+5511' || (900000000 + i % $RECIPIENTS), 'template', 'utility', 1,
            '{\"type\":\"template\",\"template\":{\"name\":\"hello_world\",\"language\":{\"code\":\"en_US\"}}}'::jsonb,
            'queued', now(), now(), now()
        from generate_series(1, $1) i"
}
sandbox_faults() { # json
    curl -sf -X POST "http://localhost:$SB_PORT/sandbox/reset" >/dev/null
    curl -sf -X PUT "http://localhost:$SB_PORT/sandbox/faults" -H 'Content-Type: application/json' -d "$1" >/dev/null
}

if phase send; then
# --- 2b. sustained send rate: what the Cloud API sees from one sender configured for N mps -----------
# The sandbox answers in 150-250 ms with its status webhooks on; arrivals are its own timestamps (acceptedAt).
# A third run holds the sandbox's webhooks back until after the measurement: the same sends without the 3,000
# webhooks a second a 1,000 mps sender brings back, which on 2 cores compete with the sends for the CPU.
for N in ${BENCH_SEND_RATES:-1000 80 1000-held}; do
    faults='{"latencyMinMs":150,"latencyMaxMs":250}'
    label="one sender at ${N%-held} mps"
    if [[ $N == *-held ]]; then
        faults='{"latencyMinMs":150,"latencyMaxMs":250,"webhookDelayMs":300000}'
        label="$label, webhooks held back"
    fi
    N=${N%-held}
    log "send rate: $label for ${SEND_SECONDS}s, the sandbox answering in 150-250 ms"
    loadavg "send-$N"
    clear_messages
    sandbox_faults "$faults"
    prefill $((N * (SEND_SECONDS + 10)))
    GW_EXTRA_ENV=(GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND=$N)
    start_gateway true "send phase, $N mps"
    sleep $((SEND_SECONDS + 5))
    stop_gateway
    GW_EXTRA_ENV=()
    curl -sf "http://localhost:$SB_PORT/sandbox/messages" >"$OUT/send-$N.json"
    python3 bench/sendrate.py "$OUT/send-$N.json" "$label" "$N" "$SEND_SECONDS" | tee -a "$RAW"
done
fi

if phase dups; then
# --- 2c. duplicates at the Cloud API when its answers time out ----------------------------------------
# The sandbox takes every message but answers 0.3-1.3 s later, the gateway gives up after 1 s (about 30 % time out:
# below the breaker's threshold, so sending goes on); the status webhooks (which carry our id) come 5 s after.
# Without waiting for them (unknown-outcome-wait PT0S) a timed-out message is sent again about a second later;
# with the default wait the webhook settles it first. The breaker is switched off for this phase: a third of the calls
# timing out opens it now and then (50 % of a rolling 20), and its 5 s pause lets the webhooks settle the
# timed-out messages before any retry, hiding the duplicates the wait is there to prevent.
NO_BREAKER='-Dquarkus.fault-tolerance."wagateway.cloudapi.CloudApiClient/send".circuit-breaker.enabled=false'
for WAIT in PT0S PT60S; do
    log "duplicates under timeouts, gateway.dispatch.unknown-outcome-wait=$WAIT"
    loadavg "dups-$WAIT"
    clear_messages
    sandbox_faults '{"latencyMinMs":300,"latencyMaxMs":1300,"webhookDelayMs":5000}'
    prefill 500
    GW_EXTRA_ENV=(GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND=50 GATEWAY_CLOUD_API_TIMEOUT=PT1S
        GATEWAY_DISPATCH_UNKNOWN_OUTCOME_WAIT=$WAIT)
    SAVED_OPTS=$GW_JAVA_OPTS
    GW_JAVA_OPTS="$GW_JAVA_OPTS $NO_BREAKER"
    start_gateway true "duplicates phase, wait $WAIT"
    sleep 40
    stop_gateway
    GW_JAVA_OPTS=$SAVED_OPTS
    GW_EXTRA_ENV=()
    curl -sf "http://localhost:$SB_PORT/sandbox/messages" >"$OUT/dups-$WAIT.json"
    python3 bench/sendrate.py "$OUT/dups-$WAIT.json" "timeouts, unknown-outcome-wait $WAIT" 50 20 |
        sed 's/"section": "send"/"section": "dups"/' | tee -a "$RAW"
done
sandbox_faults '{}'
fi

if phase e2e; then
# --- 3. end to end ---------------------------------------------------------------------------------
log "end to end: ${E2E_RATE} msg/s offered for ${E2E_SECONDS}s, one sender limited to 1000 mps"
loadavg end-to-end
start_gateway true "end-to-end phase"
sample_rss
e2e_run 0
for run in $(seq 1 "$RUNS"); do e2e_run "$run"; done
raw "{\"section\":\"rss\",\"name\":\"end-to-end load (peak)\",\"kb\":$(stop_rss)}"
stop_gateway
fi

if phase e2e4; then
# --- 3'. end to end with four senders: what one replica does when the per-number cap is not the limit --
log "end to end: four senders at 1000 mps each, $((2 * E2E_RATE)) msg/s offered for ${E2E_SECONDS}s"
loadavg end-to-end-4
clear_messages
GW_EXTRA_ENV=("${SENDERS_ENV[@]}")
start_gateway true "end-to-end phase, four senders"
e2e_run 0 "four senders" $((2 * E2E_RATE)) senders=main,s2,s3,s4
for run in $(seq 1 "$RUNS"); do e2e_run "$run" "four senders" $((2 * E2E_RATE)) senders=main,s2,s3,s4; done
stop_gateway
GW_EXTRA_ENV=()
fi

if phase inbound; then
# --- 3c. inbound customer messages applied per second, beside pgbench's insert (bench/inbound.sh) -------
loadavg inbound
log "inbound: customer messages from signed webhooks, applied set-based (bench/inbound.sh)"
BENCH_SKIP_PACKAGE=1 BENCH_RUNS="$RUNS" bash bench/inbound.sh | tee "$OUT/inbound.log"
tps=$(sed -n 's/^pgbench single insert: \([0-9.]*\) tps.*/\1/p' "$OUT/inbound.log")
rate=$(sed -n 's/^inbound applied: \([0-9.]*\) messages.*/\1/p' "$OUT/inbound.log")
backlog=$(sed -n 's/^backlog drained: \([0-9.]*\) messages.*/\1/p' "$OUT/inbound.log")
raw "{\"section\":\"inbound\",\"pgbenchInsertTps\":${tps:-null},\"appliedPerSecond\":${rate:-null},\"ratioToInsert\":$(python3 -c "print(round(${rate:-0}/${tps:-1},2))"),\"backlogDrainedPerSecond\":${backlog:-null}}"
fi

if phase callbacks; then
# --- 3d. callback delivery per second to a fast local receiver, a stalled one beside it (bench/callbacks.sh) --
loadavg callbacks
log "callbacks: delivery rate from a filled outbox (bench/callbacks.sh)"
BENCH_SKIP_PACKAGE=1 BENCH_RAW="$RAW" bash bench/callbacks.sh | tee "$OUT/callbacks.log"
fi

# --- start-up on JDK 17, JDK 25 and JDK 25 with an AOT cache (bench/startup.sh) ---------------------
if phase startup; then
    loadavg startup
    log "start-up variants"
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done   # a quiet machine for the starts
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    PIDS=()
    BENCH_RUNS=$RUNS bash bench/startup.sh
fi

# --- report ----------------------------------------------------------------------------------------
loadavg end
log "report"
python3 bench/report.py "$RAW" "$OUT" "clients=$CLIENTS concurrency=$CONCURRENCY runs=$RUNS duration=${DURATION}s batch=$BATCH_SIZE e2e=${E2E_RATE}/s x ${E2E_SECONDS}s"
cat "$OUT/results.md"
