#!/usr/bin/env python3
"""Sustained send rate as the Cloud API saw it, from the sandbox's GET /sandbox/messages (bench/run.sh).

Usage: sendrate.py messages.json label limit seconds [warmup-seconds]
Prints one JSON line: arrivals per fixed 1 s window over `seconds` after `warmup` (min / median / max), the most
arrivals in any sliding 1 s window over the whole run, the sustained rate and its ratio to the limit, and how many
messages arrived more than once (the same biz_opaque_callback_data: a duplicate send).
"""
import bisect
import collections
import datetime
import json
import statistics
import sys

path, label, limit, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
warmup = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
messages = json.load(open(path))


def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


arrivals = sorted(instant(m["acceptedAt"]) for m in messages)
copies = collections.Counter((m.get("request") or {}).get("biz_opaque_callback_data") for m in messages)
copies.pop(None, None)
duplicates = sum(n - 1 for n in copies.values() if n > 1)
result = {"section": "send", "name": label, "limit": limit, "arrivals": len(arrivals), "duplicates": duplicates}
if arrivals:
    start = arrivals[0] + warmup
    windows = []
    for i in range(seconds):
        lo = bisect.bisect_left(arrivals, start + i)
        hi = bisect.bisect_left(arrivals, start + i + 1)
        windows.append(hi - lo)
    # the most arrivals in any half-open 1 s window, whichever instant it starts at
    most, j = 0, 0
    for i, t in enumerate(arrivals):
        while arrivals[j] <= t - 1.0:
            j += 1
        most = max(most, i - j + 1)
    sustained = sum(windows) / seconds
    result.update({"windowMin": min(windows), "windowMedian": statistics.median(windows), "windowMax": max(windows),
                   "slidingMax": most, "perSecond": round(sustained, 1), "ratioToLimit": round(sustained / limit, 3),
                   "overLimitWindows": sum(1 for w in windows if w > limit)})
print(json.dumps(result))
