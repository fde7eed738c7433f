#!/usr/bin/env python3
"""Fault-injection soak for nexus-router, run by hand (see docs/soak.md).

One real registry (Debian docker-registry) behind the packaged router (plain and TLS listeners,
admin listener, access log). Clients push and pull blobs and send small requests for DURATION
seconds while a chaos thread kills the registry with SIGKILL and restarts it, rewrites the router
config (valid and broken variants) with and without SIGHUP, and rotates the TLS files. A sampler
records the router's RSS, threads, fds and heap after a full GC.

Pass: the router never exits; RSS, heap-after-GC, threads and fds end near where they started;
every blob that was committed reads back with its digest; every transfer the client saw cut is
counted by the router as an upstream error. Only loopback addresses are used.

With --no-chaos it is the performance soak of BENCHMARKS.md instead: the same mixed traffic with
no faults, through the packaged launcher (--launcher) with its own heap settings (--heap default),
and --plot draws RSS, fds, threads and upstream connections over time into a PNG (gnuplot).

Usage: soak.py --jar router/target/nexus-router.jar --out DIR [--duration 600] [--heap 128m]
               [--launcher packaging/bin/nexus-router] [--no-chaos] [--plot FILE.png]
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ok(proc, port, path, seconds, name):
    """Until GET path on 127.0.0.1:port answers 200; fails if proc exits first or time runs out."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited at start; see its log in the output folder")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not start")


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, file=sys.stderr, flush=True)


class Registry:
    """docker-registry on a fixed loopback port and storage, killed and restarted by the chaos."""

    def __init__(self, work):
        self.port = free_port()
        self.storage = os.path.join(work, "registry-storage")
        os.makedirs(self.storage, exist_ok=True)
        self.config = os.path.join(work, "registry.yml")
        with open(self.config, "w") as f:
            f.write(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
                f"    rootdirectory: {self.storage}\n  delete:\n    enabled: true\n"
                "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                f"http:\n  addr: 127.0.0.1:{self.port}\n  secret: soak\n  relativeurls: false\n")
        self.log = open(os.path.join(work, "registry.log"), "ab")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["docker-registry", "serve", self.config],
                                     stdout=self.log, stderr=self.log)
        wait_ok(self.proc, self.port, "/v2/", 30, "registry")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        self.kill()


class Router:
    def __init__(self, jar, work, heap, registry, launcher=None):
        self.work = work
        self.jar = jar
        self.heap = heap
        self.launcher = launcher
        self.registry = registry
        self.tls_dir = os.path.join(work, "tls")
        os.makedirs(self.tls_dir, exist_ok=True)
        self.config = os.path.join(work, "router.yaml")
        self.access_log = os.path.join(work, "logs", "access.log")
        self.port = free_port()
        self.tls_port = free_port()
        self.admin_port = free_port()
        self.rotate_tls()
        self.write_config(0)
        self.stderr = open(os.path.join(work, "router.stderr"), "ab")
        self.proc = None

    def rotate_tls(self):
        key = os.path.join(self.tls_dir, "server.key.new")
        crt = os.path.join(self.tls_dir, "server.crt.new")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", key, "-out", crt], check=True, capture_output=True)
        os.replace(key, os.path.join(self.tls_dir, "server.key"))
        os.replace(crt, os.path.join(self.tls_dir, "server.crt"))

    def yaml(self, variant):
        up = f"http://127.0.0.1:{self.registry.port}"
        read = ["30s", "60s"][variant % 2]
        return (
            f"access-log: {{path: \"{self.access_log}\", max-size: 8m, max-files: 2}}\n"
            f"admin: {{address: 127.0.0.1, port: {self.admin_port}}}\n"
            f"data-dir: \"{os.path.join(self.work, 'data')}\"\n"
            "listeners:\n"
            f"  - {{name: plain, address: 127.0.0.1, port: {self.port}}}\n"
            f"  - {{name: tls, address: 127.0.0.1, port: {self.tls_port}, tls: "
            f"{{cert-file: \"{self.tls_dir}/server.crt\", key-file: \"{self.tls_dir}/server.key\"}}}}\n"
            "upstreams:\n"
            f"  group: {{servers: [\"{up}\"], read-timeout: {read}}}\n"
            f"  hosted: {{servers: [\"{up}\"], read-timeout: {read}}}\n"
            "hosts:\n"
            "  - {server-names: [localhost], default: true, kind: registry, group: group,"
            " hosted: hosted}\n")

    BROKEN = [
        "listeners: [\n",
        "max-body-size: 999999999999999t\n",
        "  - {server-names: [ui.local], kind: ui, upstream: hosted, download-dir: /no/such/dir}\n",
    ]

    def write_config(self, variant, broken=None):
        text = self.yaml(variant)
        if broken is not None:
            text = broken if broken.startswith("listeners") else text + broken
        tmp = self.config + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config)

    def start(self):
        heap = [] if self.heap == "default" else [f"-Xmx{self.heap}"]
        if self.launcher:
            # the launcher execs java: same pid, the packaged flags, the heap cap (if any) added
            env = dict(os.environ, NEXUS_ROUTER_JAVA_OPTS=" ".join(heap))
            cmd = [self.launcher, "serve", "--config", self.config]
        else:
            env = None
            cmd = ["java", *heap, "-XX:+ExitOnOutOfMemoryError", "-jar", self.jar,
                   "serve", "--config", self.config]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.stderr, env=env)
        wait_ok(self.proc, self.admin_port, "/healthz", 60, "router")

    def alive(self):
        return self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def metrics(self):
        c = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        c.request("GET", "/metrics")
        return c.getresponse().read().decode()

    def proc_status(self):
        out = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "Threads"):
                    out[k] = int(v.split()[0])
        out["fds"] = len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        out["upstream_conns"] = self.upstream_connections()
        return out

    def upstream_connections(self):
        """Established TCP connections of the router to the registry (its upstream pool)."""
        inodes = set()
        fd_dir = f"/proc/{self.proc.pid}/fd"
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        port = f"{self.registry.port:04X}"
        n = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    next(f)
                    for line in f:
                        cols = line.split()
                        # remote address:port, state 01 = ESTABLISHED, inode
                        if cols[2].endswith(":" + port) and cols[3] == "01" and cols[9] in inodes:
                            n += 1
            except OSError:
                pass
        return n

    def heap_after_gc_kib(self):
        subprocess.run(["jcmd", str(self.proc.pid), "GC.run"], capture_output=True, timeout=60)
        out = subprocess.run(["jcmd", str(self.proc.pid), "GC.heap_info"], capture_output=True,
                             text=True, timeout=60).stdout
        return sum(int(m) for m in re.findall(r"total \d+K, used (\d+)K", out))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {}

    def add(self, key, n=1):
        with self.lock:
            self.c[key] = self.c.get(key, 0) + n


def connection(router, use_tls):
    if use_tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection("127.0.0.1", router.tls_port, timeout=60, context=ctx)
    return http.client.HTTPConnection("127.0.0.1", router.port, timeout=60)


def push_blob(router, stats, committed, lock, use_tls):
    size = random.choice([1 << 10, 64 << 10, 1 << 20, 8 << 20])
    data = os.urandom(size)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    repo = f"soak/r{random.randrange(4)}"
    c = connection(router, use_tls)
    try:
        c.request("POST", f"/v2/{repo}/blobs/uploads/", headers={"Host": "localhost",
                                                                 "Content-Length": "0"})
        r = c.getresponse()
        r.read()
        if r.status != 202:
            stats.add(f"push_start_{r.status}")
            return
        loc = r.getheader("Location")
        path = re.sub(r"^https?://[^/]+", "", loc)
        sep = "&" if "?" in path else "?"
        c.request("PUT", f"{path}{sep}digest={digest}", body=data,
                  headers={"Host": "localhost", "Content-Type": "application/octet-stream"})
        r = c.getresponse()
        r.read()
        if r.status == 201:
            stats.add("push_ok")
            with lock:
                committed.append((repo, digest, size))
        else:
            stats.add(f"push_{r.status}")
    except (OSError, http.client.HTTPException) as e:
        stats.add("push_error_" + type(e).__name__)
    finally:
        c.close()


def pull_blob(router, stats, committed, lock, use_tls):
    with lock:
        if not committed:
            return
        repo, digest, size = random.choice(committed)
    c = connection(router, use_tls)
    try:
        c.request("GET", f"/v2/{repo}/blobs/{digest}", headers={"Host": "localhost"})
        r = c.getresponse()
        if r.status != 200:
            r.read()
            stats.add(f"pull_{r.status}")
            return
        h = hashlib.sha256()
        got = 0
        try:
            while True:
                chunk = r.read(65536)
                if not chunk:
                    break
                h.update(chunk)
                got += len(chunk)
        except (OSError, http.client.HTTPException):
            pass
        if got < size:
            stats.add("pull_cut")
        elif "sha256:" + h.hexdigest() == digest:
            stats.add("pull_ok")
        else:
            stats.add("pull_digest_mismatch")
    except (OSError, http.client.HTTPException) as e:
        stats.add("pull_error_" + type(e).__name__)
    finally:
        c.close()


def small(router, stats):
    c = connection(router, False)
    try:
        for _ in range(50):
            c.request("GET", "/v2/", headers={"Host": "localhost"})
            r = c.getresponse()
            r.read()
            stats.add(f"small_{r.status}")
    except (OSError, http.client.HTTPException) as e:
        stats.add("small_error_" + type(e).__name__)
    finally:
        c.close()


def verify_all(router, committed):
    """After the run: every committed blob reads back with its digest (registry up, no chaos)."""
    bad = []
    for repo, digest, size in committed:
        c = connection(router, False)
        c.request("GET", f"/v2/{repo}/blobs/{digest}", headers={"Host": "localhost"})
        r = c.getresponse()
        body = r.read()
        c.close()
        if r.status != 200 or "sha256:" + hashlib.sha256(body).hexdigest() != digest:
            bad.append((repo, digest, r.status, len(body), size))
    return bad


def counter(metrics, name, **labels):
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def halves_flat(samples, key, slack):
    """The second half of the run never goes above the first half's peak (+ slack)."""
    values = [s.get(key, 0) for s in samples]
    if len(values) < 4:
        return True
    mid = len(values) // 2
    return max(values[mid:]) <= max(values[:mid]) + slack


def plot(samples, base, a, png, work):
    """RSS, fds, threads and upstream connections against time, one panel each (gnuplot)."""
    data = os.path.join(work, "samples.tsv")
    with open(data, "w") as f:
        f.write("t\trss_mib\tfds\tthreads\tupstream_conns\n")
        for s in [dict(base, t=0)] + samples:
            f.write(f"{s['t']}\t{s['VmRSS'] / 1024:.1f}\t{s['fds']}\t{s['Threads']}\t"
                    f"{s.get('upstream_conns', 0)}\n")
    mode = "no faults" if a.no_chaos else "with faults"
    heap = "launcher defaults" if a.heap == "default" else f"-Xmx{a.heap}"
    script = f"""
set terminal pngcairo size 1000,900 font ",10"
set output "{png}"
set datafile separator "\t"
set key autotitle columnhead left top
set xlabel "seconds"
set grid
set multiplot layout 3,1 title "nexus-router soak: {a.duration} s, {a.workers} workers, {mode}, {heap}"
set ylabel "MiB"; set yrange [0:*]
plot "{data}" using 1:2 with linespoints title "RSS"
set ylabel "count"
plot "{data}" using 1:3 with linespoints title "open fds", "" using 1:4 with linespoints title "threads"
plot "{data}" using 1:5 with linespoints title "upstream connections"
unset multiplot
"""
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        log("gnuplot failed: " + r.stderr.strip())
    else:
        log(f"plot: {png}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--duration", type=int, default=600)
    ap.add_argument("--heap", default="128m")
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument("--launcher", help="start the router through this launcher script")
    ap.add_argument("--no-chaos", action="store_true", help="no faults: the performance soak")
    ap.add_argument("--plot", help="write a PNG of the samples (needs gnuplot)")
    ap.add_argument("--sample-every", type=int, default=10)
    a = ap.parse_args()
    tools = ["docker-registry", "openssl", "java", "jcmd"] + (["gnuplot"] if a.plot else [])
    for tool in tools:
        if shutil.which(tool) is None:
            sys.exit(f"soak.py: {tool} is missing")
    work = os.path.abspath(a.out)
    os.makedirs(work, exist_ok=True)
    registry = Registry(work)
    registry.start()
    launcher = os.path.abspath(a.launcher) if a.launcher else None
    router = Router(os.path.abspath(a.jar), work, a.heap, registry, launcher)
    router.start()
    stats = Stats()
    committed, lock = [], threading.Lock()
    stop = threading.Event()
    samples = []
    events = []

    def worker(i):
        rnd = random.Random(i)
        while not stop.is_set():
            k = rnd.random()
            use_tls = rnd.random() < 0.3
            if k < 0.3:
                push_blob(router, stats, committed, lock, use_tls)
            elif k < 0.7:
                pull_blob(router, stats, committed, lock, use_tls)
            else:
                small(router, stats)

    def chaos():
        variant = 0
        next_kill = time.time() + random.uniform(20, 40)
        next_reload = time.time() + 10
        next_tls = time.time() + 30
        while not stop.wait(0.5):
            now = time.time()
            if now >= next_kill:
                registry.kill()
                events.append((round(now), "registry SIGKILL"))
                stop.wait(random.uniform(2, 5))
                registry.start()
                events.append((round(time.time()), "registry restarted"))
                next_kill = time.time() + random.uniform(20, 40)
            if now >= next_reload:
                variant += 1
                if variant % 3 == 0:
                    router.write_config(variant, random.choice(Router.BROKEN))
                    events.append((round(now), "broken config written"))
                else:
                    router.write_config(variant)
                    events.append((round(now), "config rewritten"))
                if variant % 2 == 0:
                    router.signal(signal.SIGHUP)
                next_reload = now + random.uniform(8, 15)
            if now >= next_tls:
                router.rotate_tls()
                events.append((round(now), "TLS files rotated"))
                next_tls = now + random.uniform(25, 40)

    def sampler():
        t0 = time.time()
        while not stop.wait(a.sample_every):
            if not router.alive():
                return
            s = router.proc_status()
            s["t"] = round(time.time() - t0)
            if len(samples) % 3 == 0:
                s["heap_after_gc_kib"] = router.heap_after_gc_kib()
            samples.append(s)

    log(f"soak: {a.duration}s, router {router.port}/{router.tls_port}, registry {registry.port}")
    base = router.proc_status()
    base["heap_after_gc_kib"] = router.heap_after_gc_kib()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(a.workers)]
    threads += [threading.Thread(target=sampler, daemon=True)]
    if not a.no_chaos:
        threads.append(threading.Thread(target=chaos, daemon=True))
    for t in threads:
        t.start()
    started = time.time()
    while time.time() - started < a.duration and router.alive():
        time.sleep(1)
    stop.set()
    for t in threads:
        t.join(120)
    elapsed = round(time.time() - started)
    result = {"duration_s": elapsed, "heap": a.heap, "workers": a.workers, "router_alive":
              router.alive()}
    if router.alive():
        if registry.proc.poll() is not None:
            registry.start()
        router.write_config(0)
        router.signal(signal.SIGHUP)
        time.sleep(5)
        bad = verify_all(router, committed)
        # idle upstream connections close after the pool's idle timeout (20 s); the baseline was
        # taken before any traffic, so wait for them before comparing fds
        time.sleep(30)
        end = router.proc_status()
        end["heap_after_gc_kib"] = router.heap_after_gc_kib()
        m = router.metrics()
        result.update({
            "start": base, "end": end,
            "max_rss_kib": max([s["VmRSS"] for s in samples] + [base["VmRSS"]]),
            "committed_blobs": len(committed), "committed_blobs_bad": bad[:10],
            "client_cut_pulls": stats.c.get("pull_cut", 0),
            "router_cut_errors": counter(m, "nexus_router_upstream_errors_total", kind="cut"),
            "router_upstream_errors": counter(m, "nexus_router_upstream_errors_total"),
            "reloads_rejected": open(os.path.join(work, "router.stderr"),
                                     errors="replace").read().count("reload rejected"),
        })
    result["counts"] = dict(sorted(stats.c.items()))
    result["events"] = events
    result["samples"] = samples
    checks = {
        "router alive": result["router_alive"],
        "digests correct": result.get("committed_blobs_bad") == [],
        "no digest mismatch on pulls": stats.c.get("pull_digest_mismatch", 0) == 0,
        "cut pulls counted": result.get("router_cut_errors", 0) >= result.get("client_cut_pulls", 1),
        # the pool may fill up early; after that the count must not keep growing
        "upstream connections flat": halves_flat(samples, "upstream_conns", slack=2),
        "threads flat": result.get("end", {}).get("Threads", 1 << 30)
        <= base["Threads"] + 8,
        "fds flat": result.get("end", {}).get("fds", 1 << 30) <= base["fds"] + 16,
        "heap after GC flat": result.get("end", {}).get("heap_after_gc_kib", 1 << 30)
        <= base["heap_after_gc_kib"] + 8192,
    }
    result["checks"] = checks
    with open(os.path.join(work, "soak-result.json"), "w") as f:
        json.dump(result, f, indent=2)
    router.stop()
    registry.stop()
    if a.plot:
        plot(samples, base, a, os.path.abspath(a.plot), work)
    summary = {k: v for k, v in result.items() if k not in ("samples",)}
    print(json.dumps(summary, indent=2))
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
