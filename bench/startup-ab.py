#!/usr/bin/env python3
"""Interleaved A/B start-up runs of the router (loopback only, bounded).

  startup-ab.py ROUNDS URL NAME=COMMAND [NAME=COMMAND ...]

Each round starts every contender once, in an order that alternates between rounds, so load drift
on a shared machine lands on all of them alike. For each start it records the wall time from just
before exec until URL gives any HTTP answer, and the CPU time (user + system, all threads) the
process had used at that moment, which is the fairer number when other work shares the cores.
COMMAND is run by /bin/sh and must exec the JVM (the packaged launchers do), so that its PID is the
JVM's. Prints one TSV line per start, then medians (min-max) per contender.
"""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def answered(url):
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the listener is serving
    except OSError:
        return False


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK  # utime, stime


def rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one(command, url, timeout_s=60.0):
    """One start; None if it never answered, after printing the end of its output to stderr."""
    with tempfile.TemporaryFile() as out:
        t0 = time.monotonic_ns()
        p = subprocess.Popen(["/bin/sh", "-c", "exec " + command], stdout=out, stderr=out)
        deadline = time.monotonic() + timeout_s
        try:
            while not answered(url):
                if p.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    tail = out.read()[-2000:].decode("utf-8", "replace")
                    print(f"# no answer from {url}; the start's output ends with:\n{tail}",
                          file=sys.stderr)
                    return None
                time.sleep(0.002)
            wall = (time.monotonic_ns() - t0) / 1e6
            return wall, cpu_ms(p.pid), rss_kib(p.pid)
        finally:
            stop(p)


def stop(p, timeout_s=30):
    """SIGTERM (the router drains and exits), SIGKILL if it has not exited within timeout_s."""
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def main(argv):
    rounds, url = int(argv[1]), argv[2]
    contenders = [a.split("=", 1) for a in argv[3:]]
    results = {name: [] for name, _ in contenders}
    if answered(url):
        print(f"{url} answers before any start: stop whatever listens there first", file=sys.stderr)
        return 2
    print("# load at start: " + open("/proc/loadavg", encoding="ascii").read().strip())
    print("round\tcontender\twall_ms\tcpu_ms\trss_kib")
    for r in range(rounds):
        order = contenders if r % 2 == 0 else list(reversed(contenders))
        for name, command in order:
            res = one(command, url)
            if res is None:
                print(f"{r + 1}\t{name}\tfailed", flush=True)
                continue
            results[name].append(res)
            print(f"{r + 1}\t{name}\t{res[0]:.0f}\t{res[1]:.0f}\t{res[2]}", flush=True)
    print("# load at end: " + open("/proc/loadavg", encoding="ascii").read().strip())
    for name, rs in results.items():
        if not rs:
            print(f"# {name}: no successful start")
            continue
        parts = []
        for i, label in ((0, "wall ms"), (1, "cpu ms"), (2, "rss KiB")):
            v = [x[i] for x in rs]
            parts.append(f"{label} {statistics.median(v):.0f} ({min(v):.0f}-{max(v):.0f})")
        print(f"# {name} (n={len(rs)}): " + ", ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
