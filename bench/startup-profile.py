#!/usr/bin/env python3
"""Where a router start spends its CPU, from async-profiler samples over several starts.

  startup-profile.py [--runs N] [--url URL] [--out FILE] [--agent LIB] COMMAND...

Starts COMMAND (which must exec the router's JVM and pass NEXUS_ROUTER_JAVA_OPTS to it, as the
packaged launchers do) N times with async-profiler loaded as an agent (itimer sampling, per
thread), waits until URL gives any HTTP answer, records each thread's CPU time at that moment from
/proc, then stops the router with SIGTERM (the agent writes its samples on exit). Prints the CPU
per thread at ready and the main thread's samples by start-up phase: the frames right below the
router's own phase methods (Main, ConfigLoader, RouterServer), so a cost can be followed down.

async-profiler comes from Maven Central (tools.profiler:async-profiler, e.g. 4.1): by default the
native library is unpacked from that jar in ~/.m2 (mvn dependency:get
-Dartifact=tools.profiler:async-profiler:4.1 fetches it). Loopback only, bounded waits.
"""

import argparse
import collections
import glob
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import zipfile

# startup-ab.py's readiness probe and stop, loaded by path (its name is not a module name)
_SPEC = importlib.util.spec_from_file_location(
    "startup_ab", os.path.join(os.path.dirname(os.path.abspath(__file__)), "startup-ab.py"))
AB = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(AB)

PHASES = [  # (label, frame that starts the phase); the deepest match wins
    ("command line (picocli)", "dev/nexusrouter/router/Main.commandLine"),
    ("config: read and check", "dev/nexusrouter/router/config/ConfigLoader.loadOrBuiltIn"),
    ("server: build and bind", "dev/nexusrouter/router/server/RouterServer.start"),
    ("reload watchers", "dev/nexusrouter/router/server/ReloadControl.start"),
]


def agent_library(path):
    if path:
        return path
    jars = sorted(glob.glob(os.path.expanduser(
        "~/.m2/repository/tools/profiler/async-profiler/*/async-profiler-*.jar")))
    if not jars:
        sys.exit("async-profiler not found: mvn dependency:get "
                 "-Dartifact=tools.profiler:async-profiler:4.1, or pass --agent")
    out = os.path.join(tempfile.gettempdir(), "startup-profile-agent")
    with zipfile.ZipFile(jars[-1]) as z:
        z.extract("linux-x64/libasyncProfiler.so", out)
    return os.path.join(out, "linux-x64/libasyncProfiler.so")


def thread_cpu_ms(pid):
    tick = os.sysconf("SC_CLK_TCK")
    per = collections.Counter()
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", encoding="ascii", errors="replace") as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index("(") + 1:s.rindex(")")]
        fields = s.rsplit(")", 1)[1].split()
        per[name] += (int(fields[11]) + int(fields[12])) * 1000 / tick
    return per


def one(command, url, agent, samples, timeout_s=60.0):
    env = dict(os.environ)
    env["NEXUS_ROUTER_JAVA_OPTS"] = (env.get("NEXUS_ROUTER_JAVA_OPTS", "") + " -agentpath:" + agent
                                     + "=start,event=itimer,interval=1ms,threads,collapsed,file="
                                     + samples).strip()
    t0 = time.monotonic()
    p = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = t0 + timeout_s
    try:
        while not AB.answered(url):
            if p.poll() is not None or time.monotonic() > deadline:
                sys.exit("the router did not answer on " + url)
            time.sleep(0.002)
        wall = (time.monotonic() - t0) * 1000
        cpu = thread_cpu_ms(p.pid)
    finally:
        AB.stop(p)
    return wall, cpu


def phases(files):
    """Main-thread samples: per phase, the frame below the phase method; outside any phase, the
    first frames (JVM start, launcher, class initialisers before main)."""
    total = 0
    by_phase = collections.Counter()
    below = collections.defaultdict(collections.Counter)
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as f:
            for line in f:
                stack, count = line.rstrip("\n").rsplit(" ", 1)
                frames = stack.split(";")
                if not frames[0].startswith("[main"):
                    continue
                count = int(count)
                total += count
                hit = None
                for label, frame in PHASES:
                    idx = [i for i, x in enumerate(frames) if x.startswith(frame)]
                    if idx and (hit is None or idx[-1] > hit[1]):
                        hit = (label, idx[-1])
                if hit is None:
                    label, nxt = "outside the phases", frames[1:3]
                else:
                    label, nxt = hit[0], frames[hit[1] + 1:hit[1] + 3]
                by_phase[label] += count
                below[label][" > ".join(x[:70] for x in nxt) or "(itself)"] += count
    return total, by_phase, below


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--url", default="http://127.0.0.1:18080/v2/")
    ap.add_argument("--agent")
    ap.add_argument("--keep", help="directory for the collapsed stacks of each run")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if not a.command:
        ap.error("COMMAND is required")
    agent = agent_library(a.agent)
    keep = a.keep or tempfile.mkdtemp(prefix="startup-profile.")
    os.makedirs(keep, exist_ok=True)
    files, walls, cpus = [], [], collections.Counter()
    for r in range(1, a.runs + 1):
        out = os.path.join(keep, f"run{r}.collapsed")
        wall, cpu = one(a.command, a.url, agent, out)
        walls.append(wall)
        cpus.update(cpu)
        files.append(out)
        print(f"run {r}: wall {wall:.0f} ms (with the profiler), CPU {sum(cpu.values()):.0f} ms")
    print(f"\nCPU per thread at ready, mean of {a.runs} runs:")
    for name, ms in cpus.most_common(8):
        print(f"  {ms / a.runs:6.0f} ms  {name}")
    total, by_phase, below = phases(files)
    print(f"\nmain thread: {total} samples; by phase (share of the main thread's samples):")
    for label, n in by_phase.most_common():
        print(f"  {100 * n / total:5.1f} %  {label}")
        for frame, m in below[label].most_common(6):
            print(f"      {100 * m / total:5.1f} %  {frame}")
    print(f"\ncollapsed stacks: {keep}")


if __name__ == "__main__":
    main()
