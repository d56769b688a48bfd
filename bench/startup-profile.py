#!/usr/bin/env python3
"""Where a start spends its time, from a JFR recording of it (docs/performance.md, "Issue 19: start-up").

    java -XX:StartFlightRecording=filename=target/jfr/start.jfr,settings=profile -jar target/quarkus-app/quarkus-run.jar
    (stop it once /q/health/ready is UP)
    bench/startup-profile.py target/jfr/start.jfr [java-home-with-jfr]

Each CPU sample of the main thread is charged to the Quarkus start-up step on its stack (the generated
io.quarkus.runner.recorded.<Processor>$<step> classes: one per extension's run-time work), or inside the
StartupEvent step to the observer's class; samples before the first step are the JVM and the runner's class
loading. Prints samples and their share per step, largest first.
"""
import collections
import json
import os
import subprocess
import sys

jfr_file = sys.argv[1]
java_home = sys.argv[2] if len(sys.argv) > 2 else "/usr/lib/jvm/temurin-25-jdk-amd64"
raw = subprocess.run([os.path.join(java_home, "bin", "jfr"), "print", "--json", "--stack-depth", "200", "--events",
                      "jdk.ExecutionSample", jfr_file], check=True, capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]
by_step = collections.Counter()
threads = collections.Counter()
for event in events:
    values = event["values"]
    thread = (values.get("sampledThread") or {}).get("javaName") or "?"
    frames = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"]
              for f in values["stackTrace"]["frames"]]
    threads[thread] += 1
    if thread != "main":
        continue
    step = None
    for frame in frames:  # innermost first
        if frame.startswith("wagateway.") and step is None:
            step = "app: " + frame.rsplit(".", 1)[0].split("$")[0]
        if frame.startswith("io.quarkus.runtime.generated.") and step is None:
            step = "config: " + frame.rsplit(".", 1)[0]
        if frame.startswith("io.quarkus.runner.recorded."):
            name = frame[len("io.quarkus.runner.recorded."):].rsplit(".", 1)[0]
            name = name.rstrip("0123456789")
            step = name + (" / " + step if step else "")
            break
        if frame.startswith("io.quarkus.runner.ApplicationImpl.") and step is not None:
            step = "ApplicationImpl / " + step
            break
    if step is None:
        step = "before the steps (JVM, runner, config)" if not any("ApplicationImpl" in f for f in frames) \
            else "ApplicationImpl (outside the steps)"
    by_step[step] += 1
total = sum(by_step.values())
print(f"main-thread samples: {total}; all threads: {dict(threads.most_common(6))}")
for step, n in by_step.most_common(30):
    print(f"{n:5d}  {100 * n / total:5.1f}%  {step}")
