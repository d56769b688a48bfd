#!/usr/bin/env bash
# Start-up of the packaged JVM gateway: time from process start to /q/health/ready = UP and RSS at that
# moment, on JDK 17 (what we build for), on JDK 25, and on JDK 25 with a Leyden AOT cache (JEP 483/515)
# recorded by a training run. The bytecode stays Java 17 in every variant. Median of BENCH_RUNS starts.
#
#   bench/startup.sh                       # after ./mvnw package -DskipTests
#   BENCH_JAVA25=/path/to/jdk25/bin/java bench/startup.sh
#
# Prints a table and appends {"section":"startup",...} lines to target/bench/raw.jsonl (bench/run.sh calls
# it and reports them). Uses a database of its own on the local PostgreSQL, migrated before the first
# measured start so that every variant finds the same schema.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/bench
RAW=$OUT/raw.jsonl
RUNS=${BENCH_RUNS:-3}
PORT=${BENCH_STARTUP_PORT:-18280}
MGMT_PORT=$((PORT + 1000))  # the management port (health): the HTTP port + 1000
DB=wagateway_startup
PG_USER=${BENCH_PG_USER:-postgres}
PG="psql -h 127.0.0.1 -U $PG_USER -v ON_ERROR_STOP=1 -qtAX"
JAVA17=${BENCH_JAVA:-java}
JAVA25=${BENCH_JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
AOT=$OUT/app.aot
mkdir -p "$OUT"

[[ -f target/quarkus-app/quarkus-run.jar ]] || { echo "no target/quarkus-app: run ./mvnw package -DskipTests" >&2; exit 1; }
$PG -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB"
trap '$PG -d postgres -c "drop database if exists $DB with (force)" >/dev/null 2>&1 || true' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
PID=
launch() { # java [jvm options...]
    local java=$1; shift
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
    QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT_PORT GATEWAY_API_KEYS=startup-key GATEWAY_DEFAULT_SENDER=main \
    GATEWAY_CLOUD_API_BASE_URL="http://localhost:1/unused" \
    GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=100000000000001 GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=startup-token \
    GATEWAY_WEBHOOK_APP_SECRET=startup-secret GATEWAY_WEBHOOK_VERIFY_TOKEN=startup-verify \
    GATEWAY_CALLBACKS_SECRET=startup-callback-secret \
        "$java" "$@" -jar target/quarkus-app/quarkus-run.jar >>"$OUT/startup.log" 2>&1 &
    PID=$!
}
wait_ready() { # start-ms -> prints ms to ready
    until curl -sf "http://localhost:$MGMT_PORT/q/health/ready" 2>/dev/null | grep -q '"UP"'; do
        kill -0 "$PID" 2>/dev/null || { echo "gateway died: $OUT/startup.log" >&2; tail -20 "$OUT/startup.log" >&2; exit 1; }
        if (($(now_ms) - $1 > 60000)); then echo "not ready in 60 s" >&2; exit 1; fi
        sleep 0.01
    done
    echo $(($(now_ms) - $1))
}
stop() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

measure() { # label java [jvm options...]
    local label=$1 ms rss t0 all_ms="" all_rss=""
    shift
    for run in $(seq 1 "$RUNS"); do
        t0=$(now_ms)
        launch "$@"
        ms=$(wait_ready "$t0")
        rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
        stop
        all_ms+="$ms"$'\n'; all_rss+="$rss"$'\n'
        echo "{\"section\":\"startup\",\"name\":\"$label\",\"run\":$run,\"ms\":$ms,\"rssKb\":$rss}" >>"$RAW"
    done
    printf '%-34s ready in %5s ms (median of %s: %s)   RSS at ready %s MB\n' "$label" \
        "$(printf '%s' "$all_ms" | median)" "$RUNS" "$(printf '%s' "$all_ms" | tr '\n' ' ')" \
        "$(( $(printf '%s' "$all_rss" | median) / 1024 ))"
}

# the first start migrates the empty database: not a start-up figure
t0=$(now_ms); launch "$JAVA17"; echo "first start (migrates the schema): $(wait_ready "$t0") ms"; stop

measure "JDK 17" "$JAVA17"
if [[ -x "$JAVA25" ]]; then
    measure "JDK 25" "$JAVA25"
    # Training run: start, serve a little traffic, stop; the JVM writes the cache as it exits.
    rm -f "$AOT"
    t0=$(now_ms); launch "$JAVA25" -XX:AOTCacheOutput="$AOT"; wait_ready "$t0" >/dev/null
    for _ in $(seq 1 20); do
        curl -s -o /dev/null "http://localhost:$PORT/v1/messages" -H 'Authorization: Bearer startup-key' \
            -H 'Content-Type: application/json' \
            -d '{"to":"+5511900000000","type":"template","category":"utility","template":{"name":"hello_world","language":{"code":"en_US"}}}'
        curl -s -o /dev/null "http://localhost:$MGMT_PORT/q/health/ready"
    done
    stop
    [[ -f "$AOT" ]] || { echo "the training run wrote no AOT cache ($OUT/startup.log)" >&2; exit 1; }
    echo "AOT cache: $(( $(stat -c %s "$AOT") / 1024 / 1024 )) MB"
    measure "JDK 25 + AOT cache" "$JAVA25" -XX:AOTCache="$AOT"
    # The same with the cache Quarkus builds itself, trained by our @QuarkusIntegrationTest suite:
    # JAVA_HOME=<jdk 25> ./mvnw verify -Dquarkus.package.jar.aot.enabled=true (README "Start-up")
    if [[ -f target/quarkus-app/app.aot ]]; then
        measure "JDK 25 + AOT cache (Quarkus, ITs)" "$JAVA25" -XX:AOTCache=target/quarkus-app/app.aot
    fi
else
    echo "no JDK 25 at $JAVA25: set BENCH_JAVA25 (skipping the JDK 25 variants)"
fi
