#!/usr/bin/env bash
# Inbound benchmark: how fast does the gateway apply customer messages from Meta's webhooks? (issue 15)
#
#   bench/inbound.sh                        # package, then measure (about 3 minutes)
#   BENCH_SKIP_PACKAGE=1 bench/inbound.sh   # reuse target/quarkus-app
#   BENCH_APP=/tmp/before/quarkus-app bench/inbound.sh   # measure another build (no packaging)
#
# Reference first, in the same run: pgbench's single insert (bench/pgbench-insert.sql, as bench/run.sh runs it:
# as many clients as the gateway's reactive pool, median of BENCH_RUNS runs) on a fresh copy of our schema.
# Then the gateway starts on a fresh database (dispatch off: nothing goes out). After BENCH_WARMUP_ROUNDS (2) rounds
# for the JIT, BENCH_RUNS (3) rounds: BENCH_MESSAGES (10,000) text messages from BENCH_CUSTOMERS (1,000) customers,
# each customer writing once per BENCH_CUSTOMERS messages (so a drain batch of several webhooks holds customers
# more than once), are POSTed as signed webhooks of BENCH_PER_WEBHOOK (100) messages, one after the other over one
# keep-alive connection; measured: from the first POST until `select count(*) from inbound_message` reaches
# BENCH_MESSAGES (each round starts on emptied tables). Then a backlog round: the same webhooks stored at once in
# webhook_inbox and drained after one nudge (the drain alone). Prints messages/s per round, the median, their
# ratios to pgbench's inserts/s, and the machine's load (/proc/loadavg).
# Loopback only; bounded (BENCH_TIMEOUT seconds per round); every process it starts is killed on exit and its
# databases are dropped (BENCH_KEEP_DB=1 keeps them).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/bench-inbound
DB=${BENCH_DB:-wagateway_bench_inbound}
LIMIT_DB=${DB}_limit
PG_USER=${BENCH_PG_USER:-postgres}
PG="psql -h 127.0.0.1 -U $PG_USER -v ON_ERROR_STOP=1 -qtAX"
export PGOPTIONS="-c client_min_messages=warning"
PGBENCH=${BENCH_PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
GW_PORT=${BENCH_GATEWAY_PORT:-28180}
mgmt() { echo $(($1 + 1000)); }  # a gateway's management port (health, metrics): its HTTP port + 1000
JAVA=${BENCH_JAVA:-java}
APP=${BENCH_APP:-target/quarkus-app}
RUNS=${BENCH_RUNS:-3}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-5}
MESSAGES=${BENCH_MESSAGES:-10000}
CUSTOMERS=${BENCH_CUSTOMERS:-1000}
PER_WEBHOOK=${BENCH_PER_WEBHOOK:-100}
TIMEOUT=${BENCH_TIMEOUT:-120}
WARMUP_ROUNDS=${BENCH_WARMUP_ROUNDS:-2}
CLIENTS=$(sed -n 's/^quarkus.datasource.reactive.max-size=//p' src/main/resources/application.properties)
SECRET=bench-app-secret
PHONE_NUMBER_ID=100000000000001

mkdir -p "$OUT"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [[ "${BENCH_KEEP_DB:-0}" != 1 ]]; then
        $PG -d postgres -c "drop database if exists $DB with (force)" -c "drop database if exists $LIMIT_DB with (force)" \
            2>/dev/null || true
    fi
}
trap cleanup EXIT
log() { printf '== %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"; }

if (exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null; then
    echo "port $GW_PORT is in use: set BENCH_GATEWAY_PORT" >&2
    exit 1
fi
log "${BENCH_APP:-this tree at $(git rev-parse --short HEAD 2>/dev/null || echo "?")}: $MESSAGES messages from $CUSTOMERS customers, $PER_WEBHOOK per webhook"
log "$(load)"
if [[ "${BENCH_SKIP_PACKAGE:-0}" != 1 && -z "${BENCH_APP:-}" ]]; then
    log "package"
    ./mvnw -B -q package -DskipTests
fi
[[ -f "$APP/quarkus-run.jar" ]] || { echo "no $APP/quarkus-run.jar: package first" >&2; exit 1; }

# --- the reference: pgbench's single insert on our schema ------------------------------------------
log "pgbench single insert ($CLIENTS clients, ${RUNS}x${DURATION}s after ${WARMUP}s warm-up, median)"
$PG -d postgres -c "drop database if exists $LIMIT_DB with (force)" -c "create database $LIMIT_DB"
for f in $(ls src/main/resources/db/migration/V*.sql | sort -V); do
    $PG -d "$LIMIT_DB" -f "$f" >/dev/null
done
"$PGBENCH" -h 127.0.0.1 -U "$PG_USER" -n -M prepared -c "$CLIENTS" -j 2 -T "$WARMUP" -f bench/pgbench-insert.sql "$LIMIT_DB" >/dev/null
TPS=()
for run in $(seq 1 "$RUNS"); do
    $PG -d "$LIMIT_DB" -c "truncate outbound_message cascade" -c "checkpoint"
    tps=$("$PGBENCH" -h 127.0.0.1 -U "$PG_USER" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" \
        -f bench/pgbench-insert.sql "$LIMIT_DB" | sed -n 's/^tps = \([0-9.]*\).*without initial.*/\1/p')
    echo "pgbench insert run $run: $tps tps"
    TPS+=("$tps")
done
$PG -d postgres -c "drop database if exists $LIMIT_DB with (force)"
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
PGBENCH_TPS=$(median "${TPS[@]}")

# --- the gateway -----------------------------------------------------------------------------------
$PG -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB"
log "gateway on :$GW_PORT (dispatch off)"
QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
QUARKUS_HTTP_PORT=$GW_PORT QUARKUS_MANAGEMENT_PORT="$(mgmt "$GW_PORT")" GATEWAY_API_KEYS=bench-key GATEWAY_DEFAULT_SENDER=main \
GATEWAY_CLOUD_API_BASE_URL="http://127.0.0.1:9/unused" \
GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=$PHONE_NUMBER_ID GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=bench-token \
GATEWAY_WEBHOOK_APP_SECRET=$SECRET GATEWAY_WEBHOOK_VERIFY_TOKEN=bench-verify GATEWAY_CALLBACKS_SECRET=bench-callback \
GATEWAY_DISPATCH_ENABLED=false \
    "$JAVA" -jar "$APP/quarkus-run.jar" >"$OUT/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
t0=$(now_ms)
until curl -sf "http://127.0.0.1:$(mgmt "$GW_PORT")/q/health/ready" 2>/dev/null | grep -q '"UP"'; do
    kill -0 "$GW_PID" 2>/dev/null || { echo "gateway died: $OUT/gateway.log" >&2; tail -30 "$OUT/gateway.log" >&2; exit 1; }
    (($(now_ms) - t0 > 90000)) && { echo "gateway not ready in 90 s" >&2; exit 1; }
    sleep 0.1
done

# Signed webhooks, written once per round: bodies and signatures (sha256=HMAC-SHA256(app secret, body)).
webhooks() { # round messages -> directory
    local dir=$OUT/round-$1
    rm -rf "$dir" && mkdir -p "$dir"
    python3 - "$dir" "$1" "$2" "$CUSTOMERS" "$PER_WEBHOOK" "$SECRET" "$PHONE_NUMBER_ID" <<'EOF'
import hashlib, hmac, json, sys, time
out, round_, messages, customers, per, secret, pnid = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6]), sys.argv[6], sys.argv[7]
now = str(int(time.time()))
for w in range(0, messages, per):
    items, contacts = [], {}
    for i in range(w, min(w + per, messages)):
        wa_id = str(5511900000000 + i % customers)
        contacts[wa_id] = {"profile": {"name": "Customer %d" % (i % customers)}, "wa_id": wa_id}
        items.append({"from": wa_id, "id": "wamid.BENCH%s.%s.%d" % (round_, now, i), "timestamp": now,
                      "type": "text", "text": {"body": "message %d" % i}})
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "880480571844883", "changes": [{
        "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550000001",
                  "phone_number_id": pnid}, "contacts": list(contacts.values()), "messages": items},
        "field": "messages"}]}]}, separators=(",", ":")).encode()
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    with open("%s/%06d.json" % (out, w), "wb") as f:
        f.write(body)
    with open("%s/%06d.sig" % (out, w), "w") as f:
        f.write(sig)
EOF
    echo "$dir"
}
# POSTs every webhook of a directory in order over one keep-alive connection; fails on any answer but 200.
post_all() {
    python3 - "$1" "$GW_PORT" "$OUT/posted-at" <<'EOF'
import glob, http.client, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]), timeout=30)
for path in sorted(glob.glob(sys.argv[1] + "/*.json")):
    body = open(path, "rb").read()
    sig = open(path[:-5] + ".sig").read()
    conn.request("POST", "/webhooks/whatsapp", body, {"Content-Type": "application/json", "X-Hub-Signature-256": sig})
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("POST %s answered %d" % (path, r.status))
open(sys.argv[3], "w").write(str(time.time_ns() // 1000000))
EOF
}
clear_tables() {
    $PG -d "$DB" -c "truncate inbound_message, contact, contact_window, consent_event, event_outbox, webhook_inbox, webhook_digest" \
        -c "checkpoint"
}
# One round: POST, then poll until every message is stored and the inbox is drained -> ROUND_MS
ROUND_MS=
POSTED_MS=
round() { # name messages
    local dir t0 t1 stored pending deadline poster
    dir=$(webhooks "$1" "$2")
    clear_tables
    t0=$(now_ms)
    post_all "$dir" &
    poster=$!
    PIDS+=("$poster")
    deadline=$((t0 + TIMEOUT * 1000))
    while :; do
        stored=$($PG -d "$DB" -c "select count(*) from inbound_message")
        if [[ "$stored" -ge "$2" ]]; then
            t1=$(now_ms)
            break
        fi
        if (($(now_ms) > deadline)); then
            echo "round $1: only $stored of $2 stored after ${TIMEOUT}s" >&2
            exit 1
        fi
        sleep 0.02
    done
    wait "$poster" || { echo "round $1: posting failed" >&2; exit 1; }
    POSTED_MS=$(($(cat "$OUT/posted-at") - t0))
    local kept=() p
    for p in "${PIDS[@]}"; do [[ "$p" == "$poster" ]] || kept+=("$p"); done
    PIDS=("${kept[@]}")
    pending=$($PG -d "$DB" -c "select count(*) from webhook_inbox where state <> 'applied'")
    [[ "$pending" == 0 ]] || { echo "round $1: $pending webhooks not applied" >&2; exit 1; }
    rm -rf "$dir"
    ROUND_MS=$((t1 - t0))
}

log "warm-up: $WARMUP_ROUNDS rounds, not counted (the JIT)"
for w in $(seq 1 "$WARMUP_ROUNDS"); do round "warmup$w" "$MESSAGES"; done
RATES=()
for run in $(seq 1 "$RUNS"); do
    round "$run" "$MESSAGES"
    ms=$ROUND_MS
    rate=$(python3 -c "print(round($MESSAGES * 1000 / max($ms, 1)))")
    # what the round left: one contact per customer, one message.received event per message, no failure
    facts=$($PG -d "$DB" -c "select (select count(*) from contact) || ' contacts, ' ||
        (select count(*) from event_outbox where type = 'message.received') || ' events, ' ||
        (select count(*) from webhook_inbox) || ' webhooks in ' ||
        (select count(distinct applied_at) from webhook_inbox) || ' transactions'")
    echo "run $run: $MESSAGES messages applied in $ms ms = $rate messages/s (the last POST answered after $POSTED_MS ms; $facts; $(load))"
    RATES+=("$rate")
done
# The drain alone: the same webhooks stored at once (as after an outage), then one signed POST nudges the drain.
log "backlog: $MESSAGES messages stored at once, then drained"
dir=$(webhooks backlog "$MESSAGES")
python3 - "$dir" <<'EOF'
import csv, datetime, glob, sys
now = datetime.datetime.now(datetime.timezone.utc).isoformat()
with open(sys.argv[1] + "/inbox.csv", "w", newline="") as out:
    rows = csv.writer(out)
    for path in sorted(glob.glob(sys.argv[1] + "/*.json")):
        rows.writerow([now, open(path).read()])
EOF
mkdir -p "$dir/nudge"
printf '{"object":"whatsapp_business_account","entry":[]}' >"$dir/nudge/000000.json"
python3 -c "import hashlib, hmac, sys; print('sha256=' + hmac.new(sys.argv[1].encode(), open(sys.argv[2], 'rb').read(), hashlib.sha256).hexdigest(), end='')" \
    "$SECRET" "$dir/nudge/000000.json" >"$dir/nudge/000000.sig"
clear_tables
t0=$(now_ms)
$PG -d "$DB" -c "\\copy webhook_inbox (received_at, body) from '$dir/inbox.csv' with (format csv)"
post_all "$dir/nudge"
deadline=$((t0 + TIMEOUT * 1000))
until [[ $($PG -d "$DB" -c "select count(*) from inbound_message") -ge "$MESSAGES" ]]; do
    (($(now_ms) > deadline)) && { echo "backlog: not drained after ${TIMEOUT}s" >&2; exit 1; }
    sleep 0.02
done
t1=$(now_ms)
BACKLOG_RATE=$(python3 -c "print(round($MESSAGES * 1000 / max($((t1 - t0)), 1)))")
echo "backlog: $MESSAGES messages drained in $((t1 - t0)) ms = $BACKLOG_RATE messages/s ($($PG -d "$DB" -c \
    "select count(*) || ' webhooks in ' || count(distinct applied_at) || ' transactions' from webhook_inbox"); $(load))"
rm -rf "$dir"

MEDIAN=$(median "${RATES[@]}")
RATIO=$(python3 -c "print('%.2f' % ($MEDIAN / $PGBENCH_TPS))")
log "$(load)"
echo "pgbench single insert: $PGBENCH_TPS tps (median of $RUNS)"
echo "inbound applied: $MEDIAN messages/s (median of $RUNS) = ${RATIO}x pgbench's insert rate (target >= 0.35x)"
echo "backlog drained: $BACKLOG_RATE messages/s = $(python3 -c "print('%.2f' % ($BACKLOG_RATE / $PGBENCH_TPS))")x pgbench's insert rate"
