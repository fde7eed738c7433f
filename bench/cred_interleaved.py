#!/usr/bin/env python3
"""Interleaved timing of two credential helpers on the same keyring (bench/cred-helpers.sh).

Each round runs every case once for both helpers, alternating which goes first, so both see the
same machine load. Prints a Markdown table: median and p90 wall time per case, and the ratio of
the medians (A / B). Usage: cred_interleaved.py ROUNDS LABEL NAME_A HELPER_A NAME_B HELPER_B
"""
import json
import resource
import os
import statistics
import subprocess
import sys
import time

rounds, label = int(sys.argv[1]), sys.argv[2]
name_a, java, name_b, go = sys.argv[3:7]
CASES = [
    ("get (found)", "get", b"https://registry.bench.test"),
    ("get (not found)", "get", b"https://absent.bench.test"),
    ("list", "list", b"unused"),
    ("store", "store", b'{"ServerURL":"https://store.bench.test","Username":"u","Secret":"s2"}'),
]


def once(helper, action, stdin):
    """Wall ms, and the helper's own CPU ms (user + sys): CPU time hardly depends on the load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([helper, action], input=stdin, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


times = {(c[0], h): [] for c in CASES for h in ("java", "go")}
cpus = {(c[0], h): [] for c in CASES for h in ("java", "go")}
for r in range(rounds):
    for name, action, stdin in CASES:
        order = [("java", java), ("go", go)] if r % 2 == 0 else [("go", go), ("java", java)]
        for who, helper in order:
            wall, cpu = once(helper, action, stdin)
            times[(name, who)].append(wall)
            cpus[(name, who)].append(cpu)


def p90(values):
    return sorted(values)[int(0.9 * (len(values) - 1))]


load = os.getloadavg()
print(f"\n{label}: {rounds} interleaved rounds, load average after: "
      f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
print(f"| call | {name_a} wall median (p90) ms | {name_b} wall median (p90) ms | "
      f"{name_a} / {name_b} wall | {name_a} / {name_b} CPU (ms) |")
print("|---|---|---|---|---|")
for name, _, _ in CASES:
    j, g = times[(name, "java")], times[(name, "go")]
    jc, gc = statistics.median(cpus[(name, "java")]), statistics.median(cpus[(name, "go")])
    print(f"| {name} | {statistics.median(j):.1f} ({p90(j):.1f}) | "
          f"{statistics.median(g):.1f} ({p90(g):.1f}) | "
          f"{statistics.median(j) / statistics.median(g):.2f}x | "
          f"{jc / gc:.2f}x ({jc:.0f} / {gc:.0f}) |")
json.dump({f"{k[0]}|{k[1]}": v for k, v in times.items()},
          open(os.environ.get("RAW", "/dev/null"), "w"))
