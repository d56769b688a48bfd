#!/usr/bin/env bash
# The callback benchmark (docs/performance.md "Callbacks"): how many events per second one gateway delivers
# from a pre-filled outbox to a fast local receiver, while a second receiver (another destination) answers 200,
# then dribbles its body a blank a second without end.
#
#   bench/callbacks.sh                            # package, then 3 runs (about 3 minutes after the build)
#   BENCH_SKIP_PACKAGE=1 bench/callbacks.sh       # reuse target/quarkus-app
#   BENCH_CB_MESSAGES=2000 BENCH_CB_RUNS=1 bench/callbacks.sh
#   BENCH_CB_LOG_MS=20 ...                        # log statements slower than 20 ms, with plans (auto_explain),
#                                                 # to PostgreSQL's server log
#
# Per run: the outbox is emptied, then one transaction appends BENCH_CB_STALLED_MESSAGES messages x 3 events
# (sent, delivered, read) for the stalled receiver, then BENCH_CB_MESSAGES x 3 for the fast one (all due at
# once, each message's events in order, so a message's second event goes only after its first is recorded).
# The fast receiver notes the first and last arrival of a new event id: the rate is events / (last - first);
# "from commit" counts from the end of the inserting transaction (it includes the poll that finds them, at most
# gateway.callbacks.poll-interval). Run 1 includes the gateway's JIT warm-up. The stalled destination holds its
# 16 slots until gateway.callbacks.timeout in run 1, is paused after its failures, and is only probed later.
# Gateway and receiver CPU times are per run (/proc). The reference: pgbench, one event_outbox insert per
# transaction (bench/pgbench-event-insert.sql), the same database a moment before. Before issue 15 the ceiling
# was gateway.callbacks.batch-size per poll-interval: 50 events/s.
# Figures go to target/bench/callbacks.md and callbacks.jsonl (and, when BENCH_RAW names a file, its lines are
# appended there too, as {"section":"callbacks",...}). Ports 28090-28092 by default (BENCH_CB_*_PORT), below the
# kernel's ephemeral range (32768-60999), where an outgoing socket can hold a port. Loopback only; every process
# it starts is killed on exit; each run is bounded by BENCH_CB_RUN_TIMEOUT seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/bench
DB=${BENCH_CB_DB:-wagateway_bench_callbacks}
PG_USER=${BENCH_PG_USER:-postgres}
PG="psql -h 127.0.0.1 -U $PG_USER -v ON_ERROR_STOP=1 -qtAX"
PGBENCH=${BENCH_PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
JAVA=${BENCH_JAVA:-java}
GW_PORT=${BENCH_CB_GATEWAY_PORT:-28090}
FAST_PORT=${BENCH_CB_FAST_PORT:-28091}
STALL_PORT=${BENCH_CB_STALL_PORT:-28092}
mgmt() { echo $(($1 + 1000)); }  # a gateway's management port (health, metrics): its HTTP port + 1000
MESSAGES=${BENCH_CB_MESSAGES:-6000}
STALLED_MESSAGES=${BENCH_CB_STALLED_MESSAGES:-200}
RUNS=${BENCH_CB_RUNS:-3}
RUN_TIMEOUT=${BENCH_CB_RUN_TIMEOUT:-180}
CLIENTS=$(sed -n 's/^quarkus.datasource.reactive.max-size=//p' src/main/resources/application.properties)
KEY=bench-key
EVENTS=$((MESSAGES * 3))

mkdir -p "$OUT/classes"
JSONL=$OUT/callbacks.jsonl
REPORT=$OUT/callbacks.md
rm -f "$JSONL" "$REPORT" "$OUT"/callbacks-*.log
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
log() { printf '\n== %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_ms() { # user + system CPU time of a process so far, in ms
    awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat" 2>/dev/null || echo 0
}
emit() { # one JSON line: to callbacks.jsonl, and to $BENCH_RAW when set
    echo "$1" >>"$JSONL"
    if [[ -n "${BENCH_RAW:-}" ]]; then echo "$1" >>"$BENCH_RAW"; fi
}

for port in "$GW_PORT" "$FAST_PORT" "$STALL_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port is in use: set BENCH_CB_GATEWAY_PORT / BENCH_CB_FAST_PORT / BENCH_CB_STALL_PORT" >&2
        exit 1
    fi
done

if [[ "${BENCH_SKIP_PACKAGE:-0}" != 1 ]]; then
    log "package"
    ./mvnw -B -q package -DskipTests
fi
[[ -f target/quarkus-app/quarkus-run.jar ]] || { echo "no target/quarkus-app: run ./mvnw package -DskipTests" >&2; exit 1; }

log "receivers: fast on :$FAST_PORT, stalled on :$STALL_PORT"
javac --release 17 -d "$OUT/classes" src/test/java/wagateway/bench/CallbackReceiver.java
"$JAVA" -Xmx128m -cp "$OUT/classes" wagateway.bench.CallbackReceiver port="$FAST_PORT" mode=ok >"$OUT/callbacks-fast.log" 2>&1 &
PIDS+=($!)
"$JAVA" -Xmx128m -cp "$OUT/classes" wagateway.bench.CallbackReceiver port="$STALL_PORT" mode=stall >"$OUT/callbacks-stall.log" 2>&1 &
PIDS+=($!)
stats() { curl -sf "http://127.0.0.1:$1/stats"; }
for port in "$FAST_PORT" "$STALL_PORT"; do
    for _ in $(seq 1 100); do stats "$port" >/dev/null 2>&1 && break; sleep 0.1; done
    stats "$port" >/dev/null || { echo "receiver on :$port did not start" >&2; exit 1; }
done

log "gateway on :$GW_PORT (database $DB, dispatch off: callbacks only)"
$PG -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB"
if [[ -n "${BENCH_CB_LOG_MS:-}" ]]; then # statements slower than this many ms go to PostgreSQL's log, with their plan
    $PG -d postgres -c "alter database $DB set log_min_duration_statement = $BENCH_CB_LOG_MS" \
        -c "alter database $DB set session_preload_libraries = 'auto_explain'" \
        -c "alter database $DB set auto_explain.log_min_duration = $BENCH_CB_LOG_MS" \
        -c "alter database $DB set auto_explain.log_analyze = on"
fi
QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
QUARKUS_HTTP_PORT=$GW_PORT QUARKUS_MANAGEMENT_PORT="$(mgmt "$GW_PORT")" GATEWAY_API_KEYS=$KEY GATEWAY_DEFAULT_SENDER=main \
GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=100000000000001 GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=unused \
GATEWAY_CLOUD_API_BASE_URL="http://127.0.0.1:9/unused" GATEWAY_WEBHOOK_APP_SECRET=bench-app-secret \
GATEWAY_WEBHOOK_VERIFY_TOKEN=bench-verify GATEWAY_CALLBACKS_SECRET=bench-callback-secret GATEWAY_DISPATCH_ENABLED=false \
GATEWAY_CALLBACKS_ALLOWED_HOSTS=127.0.0.1 \
    "$JAVA" ${BENCH_GATEWAY_JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar >"$OUT/callbacks-gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
FAST_PID=${PIDS[0]}
t0=$(now_ms)
until curl -sf "http://127.0.0.1:$(mgmt "$GW_PORT")/q/health/ready" 2>/dev/null | grep -q '"UP"'; do
    kill -0 "$GW_PID" 2>/dev/null || { echo "gateway died: $OUT/callbacks-gateway.log" >&2; tail -30 "$OUT/callbacks-gateway.log" >&2; exit 1; }
    if (($(now_ms) - t0 > 90000)); then echo "gateway not ready in 90 s" >&2; exit 1; fi
    sleep 0.1
done
CONCURRENCY=${GATEWAY_CALLBACKS_MAX_CONCURRENCY_PER_DESTINATION:-16}

log "reference: pgbench, one event_outbox insert per transaction ($CLIENTS clients, 5 s)"
REF_LOAD=$(loadavg)
REF_TPS=$("$PGBENCH" -h 127.0.0.1 -U "$PG_USER" -n -M prepared -c "$CLIENTS" -j 2 -T 5 -f bench/pgbench-event-insert.sql "$DB" \
    | sed -n 's/^tps = \([0-9.]*\).*without initial.*/\1/p')
echo "single-insert rate: $REF_TPS tps (load $REF_LOAD)"
emit "{\"section\":\"callbacks\",\"name\":\"pgbench event insert\",\"tps\":$REF_TPS,\"loadavg\":\"$REF_LOAD\"}"

append_events() { # messages url -- 3 events per message, in order, in one statement
    echo "insert into event_outbox (type, message_id, contact_phone, url, payload, state, next_attempt_at, created_at)
        select 'message.status', m.id, m.phone, '$2',
               jsonb_build_object('messageId', m.id::text, 'status', s.status, 'to', m.phone, 'from', 'main',
                                  'timestamp', now(), 'metadata', '{}'::jsonb),
               'pending', now(), now()
        from (select gen_random_uuid() as id, '+5511' || (900000000 + n) as phone, n from generate_series(1, $1) n) m,
             (values (1, 'sent'), (2, 'delivered'), (3, 'read')) s(k, status)
        order by s.k, m.n;"
}

RATES=()
for run in $(seq 1 "$RUNS"); do
    log "run $run: $EVENTS events to the fast receiver, $((STALLED_MESSAGES * 3)) to the stalled one"
    curl -sf -X POST "http://127.0.0.1:$FAST_PORT/reset" >/dev/null
    curl -sf -X POST "http://127.0.0.1:$STALL_PORT/reset" >/dev/null
    $PG -d "$DB" -c "truncate event_outbox"
    sleep 6 # the stalled receiver's last exchanges time out (gateway.callbacks.timeout) before the run starts
    LOAD_BEFORE=$(loadavg)
    GW_CPU0=$(cpu_ms "$GW_PID")
    RX_CPU0=$(cpu_ms "$FAST_PID")
    { echo "begin;"; append_events "$STALLED_MESSAGES" "http://127.0.0.1:$STALL_PORT/events"
      append_events "$MESSAGES" "http://127.0.0.1:$FAST_PORT/events"; echo "commit;"
      # a table emptied and refilled a moment ago has no statistics yet (autovacuum would analyze it soon)
      echo "analyze event_outbox;"; } | $PG -d "$DB" >/dev/null
    committed=$(now_ms)
    while :; do
        s=$(stats "$FAST_PORT")
        got=$(jq -r .events <<<"$s")
        ((got >= EVENTS)) && break
        if (($(now_ms) - committed > RUN_TIMEOUT * 1000)); then
            echo "run $run: only $got of $EVENTS events arrived in $RUN_TIMEOUT s" >&2
            break
        fi
        sleep 0.2
    done
    LOAD_AFTER=$(loadavg)
    GW_CPU=$(($(cpu_ms "$GW_PID") - GW_CPU0))
    RX_CPU=$(($(cpu_ms "$FAST_PID") - RX_CPU0))
    s=$(stats "$FAST_PORT")
    stall=$(stats "$STALL_PORT")
    got=$(jq -r .events <<<"$s")
    first=$(jq -r .firstMs <<<"$s")
    last=$(jq -r .lastMs <<<"$s")
    span=$((last - first))
    rate=$(awk -v n="$got" -v ms="$span" 'BEGIN { printf "%.0f", (ms > 0 ? n * 1000 / ms : 0) }')
    from_commit=$(awk -v n="$got" -v ms="$((last - committed))" 'BEGIN { printf "%.0f", (ms > 0 ? n * 1000 / ms : 0) }')
    requests=$(jq -r .requests <<<"$s")
    peak=$(jq -r .maxConcurrent <<<"$s")
    stalled_requests=$(jq -r .requests <<<"$stall")
    delivered=$($PG -d "$DB" -c "select count(*) from event_outbox where state = 'delivered'")
    echo "run $run: $got/$EVENTS events in $span ms: $rate events/s ($from_commit/s from commit); $requests requests" \
        "(duplicates: $((requests - got))), peak $peak at once; stalled receiver: $stalled_requests requests;" \
        "CPU: gateway $GW_CPU ms, receiver $RX_CPU ms; load $LOAD_BEFORE -> $LOAD_AFTER"
    emit "{\"section\":\"callbacks\",\"name\":\"fast receiver, one stalled\",\"run\":$run,\"events\":$got,\"expected\":$EVENTS,\"ms\":$span,\"perSecond\":$rate,\"perSecondFromCommit\":$from_commit,\"requests\":$requests,\"peakConcurrent\":$peak,\"stalledRequests\":$stalled_requests,\"gatewayCpuMs\":$GW_CPU,\"receiverCpuMs\":$RX_CPU,\"deliveredInDb\":$delivered,\"loadBefore\":\"$LOAD_BEFORE\",\"loadAfter\":\"$LOAD_AFTER\"}"
    RATES+=("$rate")
done

MEDIAN=$(printf '%s\n' "${RATES[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
emit "{\"section\":\"callbacks\",\"name\":\"median\",\"perSecond\":$MEDIAN,\"runs\":$RUNS,\"events\":$EVENTS}"
{
    echo "# Callback delivery"
    echo
    echo "One gateway, callbacks only, $EVENTS events ($MESSAGES messages x sent/delivered/read) to a fast local"
    echo "receiver while $((STALLED_MESSAGES * 3)) events wait for a receiver that stalls mid-body;"
    echo "max-concurrency-per-destination ${CONCURRENCY:-16}. $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)."
    echo
    echo "| run | events/s (first to last arrival) | events/s (from commit) | peak at the receiver | stalled receiver requests | gateway CPU ms / 1,000 events | load (1/5/15 min) before → after |"
    echo "|---|---|---|---|---|---|---|"
    jq -r 'select(.run != null) | "| \(.run) | \(.perSecond) | \(.perSecondFromCommit) | \(.peakConcurrent) | \(.stalledRequests) | \(.gatewayCpuMs * 1000 / .events | floor) | \(.loadBefore) → \(.loadAfter) |"' "$JSONL"
    echo
    echo "Median: **$MEDIAN events/s**. Reference: pgbench single event_outbox insert, $CLIENTS clients: $REF_TPS tps (load $REF_LOAD)."
} >"$REPORT"
cat "$REPORT"
