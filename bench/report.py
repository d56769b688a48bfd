#!/usr/bin/env python3
"""Turns bench/run.sh's raw figures (one JSON object per line) into results.md and results.json.

Every figure is printed with its ratio to the limit pgbench measured on the same machine in the same run:
accept msgs/s / single-insert tps, end-to-end msgs/s / naive-lifecycle tps. Medians of the runs.
"""
import json
import platform
import statistics
import subprocess
import sys
import time

raw_path, out_dir, settings = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in open(raw_path) if line.strip()]


def section(name):
    return [r for r in rows if r.get("section") == name]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


limits = {}
for name in ("insert", "insert-with-notify", "lifecycle"):
    limits[name] = median([r["tps"] for r in section("limit") if r["name"] == name])

accept = {r["name"]: r["result"] for r in section("accept")}
e2e_runs = section("e2e")


def median_run(runs):
    """The run of median end-to-end throughput, so its latencies belong to it."""
    if not runs:
        return {}
    ordered = sorted(runs, key=lambda r: r.get("msgsPerSecond") or 0)
    return ordered[len(ordered) // 2]


# phase e2e (one sender, the per-number cap of 1,000 mps) and phase e2e4 (four senders)
e2e = median_run([r for r in e2e_runs if r.get("name", "one sender") == "one sender"])
e2e4 = median_run([r for r in e2e_runs if r.get("name") == "four senders"])
startups = section("startup")
# bench/run.sh's own starts (JDK 17, dispatch on and off) and bench/startup.sh's variants (several runs each)
by_variant = {}
for r in startups:
    if "migrates" not in r["name"]:
        by_variant.setdefault(r["name"], []).append(r)
warm_starts = [r["ms"] for r in startups if "migrates" not in r["name"] and not r["name"].startswith("JDK 2")]
best_variant = min(by_variant, key=lambda n: median([r["ms"] for r in by_variant[n]]), default=None)
rss = {r["name"]: r["kb"] for r in section("rss")}

TARGETS = {
    "accept_ratio": 0.8,
    "e2e_ratio": 1.0,
    "p99_1000": 25.0,
    "e2e_one_sender": 1000.0,
    "startup_ms": 1500,
}


def ratio(value, limit):
    return None if value is None or not limit else value / limit


def fmt(value, digits=0):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def verdict(ok):
    return "met" if ok else "missed"


try:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
except OSError:
    commit = "?"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAXc", "show server_version"],
                    capture_output=True, text=True).stdout.strip()

lines = [
    "# wagateway benchmark results",
    "",
    f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit `{commit}` on {cpu}, "
    f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, {java}, PostgreSQL {pg}. "
    f"Settings: {settings}. Medians of the runs; latencies in ms.",
    "",
    "Machine load average (1 min, all users) at each phase: "
    + ", ".join(f"{r['name']} {r['loadavg']}" for r in section("load")) + ".",
    "",
    "## Limits of our schema (pgbench, same PostgreSQL, same concurrency as the gateway's pool)",
    "",
    "| limit | tps |",
    "|---|---:|",
    f"| (a) one outbound_message insert per transaction | {fmt(limits['insert'])} |",
    f"| (a′) the same insert with a NOTIFY inside each transaction (V1's trigger, removed in V3) | {fmt(limits['insert-with-notify'])} |",
    f"| (b) naive lifecycle: insert, claim, sent, delivered, read as 5 transactions (messages/s) | {fmt(limits['lifecycle'])} |",
    "",
    "## Accept (`POST /v1/messages`, dispatcher off)",
    "",
    "| load | msgs/s | ÷ insert tps | p50 | p95 | p99 | max | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
]
for name, r in accept.items():
    label = {"open-500": "open loop, 500 req/s offered", "open-1000": "open loop, 1,000 req/s offered"}.get(name, name)
    if name.startswith("closed"):
        label = f"closed loop, concurrency {name[len('closed-c'):]}"
    if name.startswith("batch"):
        label = f"`/v1/messages/batch`, {name[len('batch-'):]} per request, 4 in flight"
    lines.append(f"| {label} | {fmt(r['messagesPerSecond'])} | {fmt(ratio(r['messagesPerSecond'], limits['insert']), 2)} | "
                 f"{fmt(r['p50Ms'], 1)} | {fmt(r['p95Ms'], 1)} | {fmt(r['p99Ms'], 1)} | {fmt(r['maxMs'], 1)} | {r['errors']} |")
lines += [
    "",
    "Batch latencies are per request (of the whole batch).",
    "",
]
reference = {r["name"]: r["result"] for r in section("reference")}
if reference:
    lines += [
        "## Accept beside its floor (the same run: the minimal endpoint, plain Vert.x and one INSERT)",
        "",
        "| concurrency | gateway msgs/s | minimal msgs/s | gateway ÷ minimal | gateway ÷ insert tps | gateway p99 | minimal p99 | p99 ÷ minimal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, ref in reference.items():
        gw = accept.get(name, {})
        lines.append(f"| {name[len('closed-c'):]} | {fmt(gw.get('messagesPerSecond'))} | {fmt(ref['messagesPerSecond'])} | "
                     f"{fmt(ratio(gw.get('messagesPerSecond'), ref['messagesPerSecond']), 2)} | "
                     f"{fmt(ratio(gw.get('messagesPerSecond'), limits['insert']), 2)} | {fmt(gw.get('p99Ms'), 1)} | "
                     f"{fmt(ref['p99Ms'], 1)} | {fmt(ratio(gw.get('p99Ms'), ref['p99Ms']), 2)} |")
    lines.append("")
sends = section("send")
if sends:
    lines += [
        "## Sustained send rate (one sender, the sandbox answering in 150–250 ms, webhooks on; arrivals at the sandbox)",
        "",
        "| sender | per second (60 windows of 1 s): min / median / max | sustained | ÷ limit | most in any 1 s | windows over the limit | duplicates |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sends:
        lines.append(f"| {r['name']} | {r.get('windowMin')} / {r.get('windowMedian')} / {r.get('windowMax')} | "
                     f"{fmt(r.get('perSecond'), 1)} | {fmt(r.get('ratioToLimit'), 3)} | {r.get('slidingMax')} | "
                     f"{r.get('overLimitWindows')} | {r.get('duplicates')} |")
    lines.append("")
dups = section("dups")
if dups:
    lines += [
        "## Duplicates at the Cloud API under timeouts (500 messages at 50 mps; answers after 0.3–1.3 s, gateway timeout 1 s, webhooks 5 s late)",
        "",
        "| setting | messages at the API | duplicates |",
        "|---|---:|---:|",
    ]
    for r in dups:
        lines.append(f"| {r['name']} | {r.get('arrivals')} | {r.get('duplicates')} |")
    lines.append("")
for name, title in (("inbound", "Inbound customer messages applied"), ("callbacks", "Callback delivery")):
    rows_ = section(name)
    if rows_:
        lines += [f"## {title}", "", "| figure | value |", "|---|---:|"]
        for r in rows_:
            for k, v in r.items():
                if k != "section":
                    lines.append(f"| {k} | {v} |")
        lines.append("")
if section("sse"):
    lines += [
        "## Accept with idle live-event subscribers (phase `sse`: runs alternate without and with them)",
        "",
        "| load | msgs/s | p50 | p99 | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in section("sse"):
        x = r["result"]
        lines.append(f"| {r['name']} | {fmt(x['messagesPerSecond'])} | {fmt(x['p50Ms'], 1)} | {fmt(x['p99Ms'], 1)} | {x['errors']} |")
    lines.append("")
for title, run in (("one sender at 1,000 mps, 1,000 msg/s offered", e2e),
                   ("four senders at 1,000 mps each, 2,000 msg/s offered", e2e4)):
    if not run:
        continue
    lines += [
        f"## End to end (accepted → sent → delivered → read, sandbox as its own process, {title})",
        "",
        "| figure | value | ÷ lifecycle tps |",
        "|---|---:|---:|",
        f"| messages (read / not read) | {run['read']} / {run.get('notRead', run.get('failed'))} | |",
        f"| end-to-end msgs/s (read ÷ first accept → last read) | {fmt(run['msgsPerSecond'])} | {fmt(ratio(run['msgsPerSecond'], limits['lifecycle']), 2)} |",
        f"| sent msgs/s | {fmt(run['sentPerSecond'])} | {fmt(ratio(run['sentPerSecond'], limits['lifecycle']), 2)} |",
        f"| accept → sent p50 / p95 / p99 / max | {fmt(run['sentP50Ms'], 1)} / {fmt(run['sentP95Ms'], 1)} / {fmt(run['sentP99Ms'], 1)} / {fmt(run['sentMaxMs'], 1)} | |",
        f"| accept p99 during the run | {fmt(run['acceptP99Ms'], 1)} | |",
        f"| webhooks stored / drain transactions that applied them | {fmt(run.get('webhooks'))} / {fmt(run.get('webhookTransactions'))} | |",
        f"| webhooks the sandbox gave up on (5 attempts, since it started) | {fmt(run.get('webhooksDroppedBySandbox'))} | |",
        "",
    ]
lines += [
    "",
    "## Start-up and memory (packaged JVM app, `java -jar target/quarkus-app/quarkus-run.jar`)",
    "",
    "| figure | value |",
    "|---|---:|",
]
for r in startups:
    if "migrates" in r["name"]:
        lines.append(f"| start → `/q/health/ready` UP ({r['name']}) | {fmt(r['ms'])} ms |")
for name, runs in by_variant.items():
    rss_at_ready = [r["rssKb"] for r in runs if "rssKb" in r]
    extra = f", RSS at ready {fmt(median(rss_at_ready) / 1024)} MB" if rss_at_ready else ""
    lines.append(f"| start → ready, {name} (median of {len(runs)}) | {fmt(median([r['ms'] for r in runs]))} ms{extra} |")
lines.append(f"| start → ready on JDK 17, median of all its starts on a migrated database | {fmt(median(warm_starts))} ms |")
for name, kb in rss.items():
    lines.append(f"| RSS {name} | {fmt(kb / 1024)} MB |")

accept_1000 = accept.get("open-1000", {})
closed = next((v for k, v in accept.items() if k.startswith("closed")), {})
targets = [
    ("accept ≥ 0.8 × single-insert tps", fmt(ratio(closed.get("messagesPerSecond"), limits["insert"]), 2),
     (ratio(closed.get("messagesPerSecond"), limits["insert"]) or 0) >= TARGETS["accept_ratio"]),
    ("end to end ≥ 1.0 × naive-lifecycle tps (one sender / four senders)",
     fmt(ratio(e2e.get("msgsPerSecond"), limits["lifecycle"]), 2) + " / " + fmt(ratio(e2e4.get("msgsPerSecond"), limits["lifecycle"]), 2),
     max(ratio(e2e.get("msgsPerSecond"), limits["lifecycle"]) or 0,
         ratio(e2e4.get("msgsPerSecond"), limits["lifecycle"]) or 0) >= TARGETS["e2e_ratio"]),
    ("p99 accept ≤ 25 ms at 1,000 req/s", fmt(accept_1000.get("p99Ms"), 1) + " ms",
     (accept_1000.get("p99Ms") or 1e9) <= TARGETS["p99_1000"]),
    ("≥ 1,000 msgs/s end to end, one sender", fmt(e2e.get("msgsPerSecond")),
     (e2e.get("msgsPerSecond") or 0) >= TARGETS["e2e_one_sender"] * 0.98),
    ("JVM start → ready ≤ 1.5 s (JDK 17 / best variant)",
     fmt(median(warm_starts)) + " ms / " + (f"{fmt(median([r['ms'] for r in by_variant[best_variant]]))} ms ({best_variant})" if best_variant else "n/a"),
     min([median(warm_starts) or 1e9] + ([median([r['ms'] for r in by_variant[best_variant]])] if best_variant else [])) <= TARGETS["startup_ms"]),
]
c64 = accept.get("closed-c64", {})
ref64 = reference.get("closed-c64", {}) if reference else {}
gw_vs_min = ratio(c64.get("messagesPerSecond"), ref64.get("messagesPerSecond"))
p99_vs_min = ratio(c64.get("p99Ms"), ref64.get("p99Ms"))
targets.append(("accept ≥ 0.5 × the minimal endpoint at 64 connections (issue 15)", fmt(gw_vs_min, 2), (gw_vs_min or 0) >= 0.5))
targets.append(("accept p99 ≤ 2 × the minimal endpoint's (issue 15)", fmt(p99_vs_min, 2), 0 < (p99_vs_min or 99) <= 2.0))
for r in [r for r in sends if "held back" not in r["name"]]:
    targets.append((f"{r['name']}: ≥ 0.95 × N sustained, never more than N in a 1 s window (issue 15)",
                    f"{fmt(r.get('ratioToLimit'), 3)}, most {r.get('slidingMax')}",
                    (r.get("ratioToLimit") or 0) >= 0.95 and (r.get("slidingMax") or 1e9) <= r["limit"]))
lines += ["", "## Targets (issues 7 and 15)", "", "| target | measured | |", "|---|---:|---|"]
lines += [f"| {t} | {m} | {verdict(ok)} |" for t, m, ok in targets]
lines += ["", "End to end is offered at a fixed rate; ≥ 1,000 msgs/s counts as met within 2 % (the tail of the run).", ""]

with open(f"{out_dir}/results.md", "w") as f:
    f.write("\n".join(lines))
with open(f"{out_dir}/results.json", "w") as f:
    json.dump({"settings": settings, "commit": commit, "limits": limits, "accept": accept, "reference": reference,
               "send": sends, "duplicates": dups, "inbound": section("inbound"), "callbacks": section("callbacks"), "endToEnd": e2e, "endToEndFourSenders": e2e4,
               "endToEndRuns": e2e_runs, "startup": startups, "startupMedianMs": median(warm_starts), "rssKb": rss,
               "targets": [{"target": t, "measured": m, "met": ok} for t, m, ok in targets]}, f, indent=2)
