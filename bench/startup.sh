#!/usr/bin/env bash
# Start-up of the packaged JVM gateway beside its floor: time from process start to /q/health/ready = UP and RSS
# at that moment, on JDK 17 (what we build for), on JDK 25, and on JDK 25 with a Leyden AOT cache (JEP 483/515)
# recorded by a training run. The bytecode stays Java 17 in every variant. Median of BENCH_RUNS starts.
#
# The floor (issue 19): a minimal Quarkus application, bench/minimal-quarkus (quarkus-rest, the reactive
# PostgreSQL client, smallrye-health, one endpoint that inserts a row; same Quarkus platform), built here,
# started in the same run with the same JVM and the same options, probed the same way. Gateway and floor starts
# alternate, so load from elsewhere on the machine falls on both. The last line is
#   startup ratio (gateway ÷ minimal, JDK 25 + AOT cache): X.XX
# A third application, bench/stack-quarkus, is the decided stack with none of the gateway's code (every extension
# of the brief, each used once as the gateway uses it): it splits the ratio into what the stack costs
# (stack ÷ minimal) and what the gateway's own code adds (gateway ÷ stack). BENCH_STACK=0 leaves it out.
#
#   bench/startup.sh                       # after ./mvnw package -DskipTests
#   BENCH_JAVA25=/path/to/jdk25/bin/java bench/startup.sh
#   BENCH_STARTUP_MIGRATION=at-start bench/startup.sh   # every start migrates (quarkus.flyway.migrate-at-start=true)
#
# The gateway runs as production does after the migration Job (kubernetes/base/migration-job.yaml): one run
# with gateway.migrate-and-exit=true migrates the empty database and exits, then every measured start has
# quarkus.flyway.migrate-at-start=false (it checks the schema version in one query).
#
# Prints a table and appends {"section":"startup",...} lines (the floor's: "startup-floor") to
# target/bench/raw.jsonl (bench/run.sh calls it and reports them). Uses a database of its own on the local
# PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/bench
RAW=$OUT/raw.jsonl
RUNS=${BENCH_RUNS:-3}
PORT=${BENCH_STARTUP_PORT:-18280}
MGMT_PORT=$((PORT + 1000))  # the management port (health): the HTTP port + 1000
MIN_PORT=$((PORT + 2))      # the floor has no management interface: health on its HTTP port
DB=wagateway_startup
MIN_DB=wagateway_startup_minimal  # the floor's own database: Flyway wants an empty one for the gateway
PG_USER=${BENCH_PG_USER:-postgres}
PG="psql -h 127.0.0.1 -U $PG_USER -v ON_ERROR_STOP=1 -qtAX"
JAVA17=${BENCH_JAVA:-java}
JAVA25=${BENCH_JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
MIGRATION=${BENCH_STARTUP_MIGRATION:-job}
AOT=$OUT/app.aot
MIN_AOT=$OUT/minimal.aot
MIN_DIR=bench/minimal-quarkus
MIN_JAR=$MIN_DIR/target/quarkus-app/quarkus-run.jar
STACK_AOT=$OUT/stack.aot
STACK_DIR=bench/stack-quarkus
STACK_JAR=$STACK_DIR/target/quarkus-app/quarkus-run.jar
STACK_PORT=$((PORT + 4))
STACK_MGMT_PORT=$((PORT + 5))
STACK_DB=wagateway_startup_stack
APPS="gateway minimal"
[[ ${BENCH_STACK:-1} == 1 ]] && APPS="gateway minimal stack"
mkdir -p "$OUT"

[[ -f target/quarkus-app/quarkus-run.jar ]] || { echo "no target/quarkus-app: run ./mvnw package -DskipTests" >&2; exit 1; }
# The floor is built here, and again whenever one of its sources is newer than its jar.
if [[ ! -f $MIN_JAR ]] || [[ -n $(find "$MIN_DIR/pom.xml" "$MIN_DIR/src" -newer "$MIN_JAR" -type f) ]]; then
    echo "building the floor ($MIN_DIR)"
    ./mvnw -B -q -f "$MIN_DIR/pom.xml" package -DskipTests >"$OUT/minimal-build.log" 2>&1 \
        || { echo "the floor did not build: $OUT/minimal-build.log" >&2; tail -20 "$OUT/minimal-build.log" >&2; exit 1; }
fi
if [[ $APPS == *stack* ]] && { [[ ! -f $STACK_JAR ]] || [[ -n $(find "$STACK_DIR/pom.xml" "$STACK_DIR/src" -newer "$STACK_JAR" -type f) ]]; }; then
    echo "building the decided stack without the gateway ($STACK_DIR)"
    ./mvnw -B -q -f "$STACK_DIR/pom.xml" package -DskipTests >"$OUT/stack-build.log" 2>&1 \
        || { echo "the stack app did not build: $OUT/stack-build.log" >&2; tail -20 "$OUT/stack-build.log" >&2; exit 1; }
fi
$PG -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB" \
    -c "drop database if exists $MIN_DB with (force)" -c "create database $MIN_DB" \
    -c "drop database if exists $STACK_DB with (force)" -c "create database $STACK_DB"
PID=
# a failed run leaves no process behind (it would hold the ports) and no database
trap '{ [[ -n $PID ]] && kill "$PID" 2>/dev/null; } || true; $PG -d postgres -c "drop database if exists $DB with (force)" -c "drop database if exists $MIN_DB with (force)" -c "drop database if exists $STACK_DB with (force)" >/dev/null 2>&1 || true' EXIT
# the floor's one table
$PG -d "$MIN_DB" -c "create table minimal_message (id uuid primary key, body text not null, created_at timestamptz not null default now())"
# the stack app's one entity (its schema is made here, as the gateway's is by the migration Job)
$PG -d "$STACK_DB" -c "create table stack_message (id uuid primary key, body text, createdat timestamptz)"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
READY_URL=
MIGRATING=
launch() { # gateway|minimal java [jvm options...]
    local app=$1 java=$2; shift 2
    if [[ $app == minimal ]]; then
        READY_URL="http://localhost:$MIN_PORT/q/health/ready"
        QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$MIN_DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
        QUARKUS_HTTP_PORT=$MIN_PORT \
            "$java" "$@" -jar "$MIN_JAR" >>"$OUT/startup-minimal.log" 2>&1 &
        PID=$!
        return
    fi
    if [[ $app == stack ]]; then
        READY_URL="http://localhost:$STACK_MGMT_PORT/q/health/ready"
        QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$STACK_DB" \
        QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$STACK_DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
        QUARKUS_HTTP_PORT=$STACK_PORT QUARKUS_MANAGEMENT_PORT=$STACK_MGMT_PORT \
            "$java" "$@" -jar "$STACK_JAR" >>"$OUT/startup-stack.log" 2>&1 &
        PID=$!
        return
    fi
    READY_URL="http://localhost:$MGMT_PORT/q/health/ready"
    # the measured starts: as the replicas run after the migration Job (or, at-start, as every start did before)
    local migrate_at_start=false
    [[ $MIGRATION == at-start ]] && migrate_at_start=true
    [[ -n $MIGRATING ]] && migrate_at_start=true
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$PG_USER \
    QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT_PORT GATEWAY_API_KEYS=startup-key GATEWAY_DEFAULT_SENDER=main \
    GATEWAY_CLOUD_API_BASE_URL="http://localhost:1/unused" \
    GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID=100000000000001 GATEWAY_SENDERS_MAIN_ACCESS_TOKEN=startup-token \
    GATEWAY_WEBHOOK_APP_SECRET=startup-secret GATEWAY_WEBHOOK_VERIFY_TOKEN=startup-verify \
    GATEWAY_CALLBACKS_SECRET=startup-callback-secret QUARKUS_FLYWAY_MIGRATE_AT_START=$migrate_at_start \
    GATEWAY_MIGRATE_AND_EXIT=${MIGRATING:-false} \
        "$java" "$@" ${BENCH_GATEWAY_JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar >>"$OUT/startup.log" 2>&1 &
    PID=$!
}
wait_ready() { # start-ms -> prints ms to ready
    until curl -sf "$READY_URL" 2>/dev/null | grep -q '"UP"'; do
        kill -0 "$PID" 2>/dev/null || { echo "process died: $OUT/startup*.log" >&2; tail -20 "$OUT/startup.log" >&2; exit 1; }
        if (($(now_ms) - $1 > ${BENCH_STARTUP_TIMEOUT_S:-180} * 1000)); then echo "not ready in ${BENCH_STARTUP_TIMEOUT_S:-180} s" >&2; exit 1; fi
        sleep 0.01
    done
    echo $(($(now_ms) - $1))
}
stop() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A MEDIAN_MS
ratio() { awk -v a="${MEDIAN_MS["$1 $3"]}" -v b="${MEDIAN_MS["$2 $3"]}" 'BEGIN {printf "%.2f", a / b}'; }
# measure label java: each app with the JVM options in GATEWAY_OPTS / MINIMAL_OPTS / STACK_OPTS; the apps' starts
# alternate within each round
GATEWAY_OPTS=() MINIMAL_OPTS=() STACK_OPTS=()
measure() {
    local label=$1 java=$2 ms rss t0 app
    declare -A all_ms=() all_rss=()
    for run in $(seq 1 "$RUNS"); do
        for app in $APPS; do
            t0=$(now_ms)
            case $app in
                gateway) launch gateway "$java" "${GATEWAY_OPTS[@]}" ;;
                minimal) launch minimal "$java" "${MINIMAL_OPTS[@]}" ;;
                stack) launch stack "$java" "${STACK_OPTS[@]}" ;;
            esac
            ms=$(wait_ready "$t0")
            rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
            stop
            all_ms[$app]+="$ms"$'\n'; all_rss[$app]+="$rss"$'\n'
            case $app in
                gateway) echo "{\"section\":\"startup\",\"name\":\"$label\",\"run\":$run,\"ms\":$ms,\"rssKb\":$rss}" >>"$RAW" ;;
                minimal) echo "{\"section\":\"startup-floor\",\"name\":\"minimal Quarkus, $label\",\"run\":$run,\"ms\":$ms,\"rssKb\":$rss}" >>"$RAW" ;;
                stack) echo "{\"section\":\"startup-floor\",\"name\":\"decided stack without the gateway, $label\",\"run\":$run,\"ms\":$ms,\"rssKb\":$rss}" >>"$RAW" ;;
            esac
        done
    done
    for app in $APPS; do
        MEDIAN_MS["$app $label"]=$(printf '%s' "${all_ms[$app]}" | median)
        printf '%-8s %-20s ready in %5s ms (median of %s: %s)   RSS at ready %s MB\n' "$app" "$label" \
            "${MEDIAN_MS["$app $label"]}" "$RUNS" "$(printf '%s' "${all_ms[$app]}" | tr '\n' ' ')" \
            "$(( $(printf '%s' "${all_rss[$app]}" | median) / 1024 ))"
    done
    printf '         %-20s gateway ÷ minimal: %s\n' "$label" "$(ratio gateway minimal "$label")"
    if [[ $APPS == *stack* ]]; then
        printf '         %-20s stack ÷ minimal: %s   gateway ÷ stack: %s\n' "$label" "$(ratio stack minimal "$label")" \
            "$(ratio gateway stack "$label")"
    fi
}

# The schema, as the migration Job makes it: not a start-up figure.
if [[ $MIGRATION == at-start ]]; then
    t0=$(now_ms); launch gateway "$JAVA17"; ms=$(wait_ready "$t0"); echo "first start (migrates the schema): $ms ms"; stop
else
    t0=$(now_ms)
    MIGRATING=true; launch gateway "$JAVA17"; MIGRATING=
    wait "$PID" || { echo "the migration run failed: $OUT/startup.log" >&2; tail -20 "$OUT/startup.log" >&2; exit 1; }
    echo "migration run (gateway.migrate-and-exit=true, empty database): exit 0 after $(($(now_ms) - t0)) ms"
fi

measure "JDK 17" "$JAVA17"
if [[ -x "$JAVA25" ]]; then
    measure "JDK 25" "$JAVA25"
    # Training runs: start, serve a little traffic, stop; the JVM writes the cache as it exits.
    train() { # app cache accept-url health-url body [curl headers...]
        local app=$1 cache=$2 url=$3 health=$4 body=$5 t0
        shift 5
        t0=$(now_ms); launch "$app" "$JAVA25" -XX:AOTCacheOutput="$cache"; wait_ready "$t0" >/dev/null
        for _ in $(seq 1 20); do
            curl -s -o /dev/null "$url" -H 'Content-Type: application/json' "$@" -d "$body"
            curl -s -o /dev/null "$health"
        done
        stop
    }
    rm -f "$AOT" "$MIN_AOT" "$STACK_AOT"
    train gateway "$AOT" "http://localhost:$PORT/v1/messages" "http://localhost:$MGMT_PORT/q/health/ready" \
        '{"to":"+5511900000000","type":"template","category":"utility","template":{"name":"hello_world","language":{"code":"en_US"}}}' \
        -H 'Authorization: Bearer startup-key'
    train minimal "$MIN_AOT" "http://localhost:$MIN_PORT/messages" "http://localhost:$MIN_PORT/q/health/ready" \
        '{"to":"+5511900000000","type":"template"}'
    if [[ $APPS == *stack* ]]; then
        train stack "$STACK_AOT" "http://localhost:$STACK_PORT/messages" "http://localhost:$STACK_MGMT_PORT/q/health/ready" \
            '{"to":"+5511900000000","type":"template"}'
    fi
    [[ -f "$AOT" && -f "$MIN_AOT" ]] || { echo "a training run wrote no AOT cache ($OUT/startup*.log)" >&2; exit 1; }
    echo "AOT cache: gateway $(( $(stat -c %s "$AOT") / 1024 / 1024 )) MB, minimal $(( $(stat -c %s "$MIN_AOT") / 1024 / 1024 )) MB"
    GATEWAY_OPTS=(-XX:AOTCache="$AOT") MINIMAL_OPTS=(-XX:AOTCache="$MIN_AOT") STACK_OPTS=(-XX:AOTCache="$STACK_AOT")
    measure "JDK 25 + AOT cache" "$JAVA25"
    # The same with the cache Quarkus builds itself, trained by our @QuarkusIntegrationTest suite:
    # JAVA_HOME=<jdk 25> ./mvnw verify -Dquarkus.package.jar.aot.enabled=true (README "Start-up")
    if [[ -f target/quarkus-app/app.aot ]]; then
        GATEWAY_OPTS=(-XX:AOTCache=target/quarkus-app/app.aot)
        measure "JDK 25 + AOT cache (Quarkus, ITs)" "$JAVA25"
    fi
    if [[ $APPS == *stack* ]]; then
        echo "decided stack without the gateway ÷ minimal, JDK 25 + AOT cache: $(ratio stack minimal "JDK 25 + AOT cache")"
    fi
    echo "startup ratio (gateway ÷ minimal, JDK 25 + AOT cache): $(awk -v g="${MEDIAN_MS["gateway JDK 25 + AOT cache"]}" \
        -v m="${MEDIAN_MS["minimal JDK 25 + AOT cache"]}" 'BEGIN {printf "%.2f", g / m}')"
else
    echo "no JDK 25 at $JAVA25: set BENCH_JAVA25 (skipping the JDK 25 variants and the ratio line)"
fi
