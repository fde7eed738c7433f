#!/usr/bin/env python3
"""Small helpers for the nexus-router benchmark harness (bench/run.sh). Standard library only.

  sink PORT LOG        HTTP/1.1 upstream that timestamps the first and last body byte of every
                       request (keyed by its X-Bench-Id header) and answers like a registry would
  wait-http URL SINCE  poll URL until any HTTP answer; print milliseconds since SINCE (epoch ns)
  rss OUT PID...       sample the summed VmRSS (KiB) of the PIDs (and their children) every 50 ms
                       until OUT.stop exists; write the peak to OUT
  summarize TSV        medians/min/max and within-run ratios as Markdown on stdout
"""
import os
import socket
import statistics
import sys
import threading
import time
import urllib.request

BUF = 1 << 20


class Conn:
    """A buffered reader over a socket: one big buffer and two indices, so that a body of many
    small chunks costs no copying (the proxy re-chunks uploads into 16 KiB pieces)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray(4 * BUF)
        self.view = memoryview(self.buf)
        self.lo = self.hi = 0

    def fill(self):
        if self.lo == self.hi:
            self.lo = self.hi = 0
        elif self.hi == len(self.buf):  # compact: move the unread tail to the front
            n = self.hi - self.lo
            self.buf[:n] = self.buf[self.lo : self.hi]
            self.lo, self.hi = 0, n
        got = self.sock.recv_into(self.view[self.hi :])
        if not got:
            raise EOFError
        self.hi += got

    def line(self):
        while True:
            i = self.buf.find(b"\r\n", self.lo, self.hi)
            if i >= 0:
                out = bytes(self.buf[self.lo : i])
                self.lo = i + 2
                return out
            if self.hi - self.lo > 65536:
                raise EOFError
            self.fill()

    def head(self):
        while True:
            i = self.buf.find(b"\r\n\r\n", self.lo, self.hi)
            if i >= 0:
                out = bytes(self.buf[self.lo : i])
                self.lo = i + 4
                return out
            if self.hi - self.lo > 65536:
                raise EOFError
            self.fill()

    def skip(self, n, mark):
        """Discards n body bytes, calling mark() as soon as any body byte is here."""
        while n > 0:
            if self.lo == self.hi:
                self.fill()
            mark()
            take = min(n, self.hi - self.lo)
            self.lo += take
            n -= take


def serve_one(sock, log, lock):
    c = Conn(sock)
    try:
        while True:
            head = c.head().decode("latin-1").split("\r\n")
            method, _path, version = head[0].split(" ", 2)
            headers = {}
            for h in head[1:]:
                k, _, v = h.partition(":")
                headers[k.strip().lower()] = v.strip()
            first = [0]

            def mark():
                if not first[0]:
                    first[0] = time.time_ns()

            total = 0
            if "chunked" in headers.get("transfer-encoding", "").lower():
                while True:
                    size = int(c.line().split(b";")[0], 16)
                    if size == 0:
                        while c.line():  # trailers
                            pass
                        break
                    c.skip(size, mark)
                    total += size
                    c.line()
            else:
                total = int(headers.get("content-length", "0") or 0)
                c.skip(total, mark)
            end = time.time_ns()
            if method in ("PATCH", "PUT", "POST"):
                with lock:
                    log.write(f"{headers.get('x-bench-id', '-')} {method} {first[0]} {end} {total}\n")
                    log.flush()
            keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            body = b"{}" if method == "GET" else b""
            status = "200 OK" if method in ("GET", "HEAD") else "201 Created"
            resp = (
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                f"Docker-Distribution-Api-Version: registry/2.0\r\n"
                f"Content-Length: {len(body)}\r\n"
                f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n"
            ).encode() + (b"" if method == "HEAD" else body)
            sock.sendall(resp)
            if not keep:
                return
    except (EOFError, ConnectionError, ValueError):
        return
    finally:
        sock.close()


def sink(port, logpath):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(port)))
    srv.listen(256)
    lock = threading.Lock()
    with open(logpath, "a", encoding="ascii") as log:
        while True:
            s, _ = srv.accept()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            threading.Thread(target=serve_one, args=(s, log, lock), daemon=True).start()


def wait_http(url, since_ns, timeout_s=60.0):
    deadline = time.monotonic() + float(timeout_s)
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            break
        except urllib.error.HTTPError:
            break  # any HTTP answer means the listener is serving
        except OSError:
            time.sleep(0.005)
    else:
        print("timeout")
        return 1
    print(f"{(time.time_ns() - int(since_ns)) / 1e6:.0f}")
    return 0


def tree(pids):
    """The PIDs and all their descendants (nginx workers are children of the master)."""
    out, todo = set(), list(pids)
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out.add(p)
        try:
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as f:
                todo.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return out


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss(out, pids):
    pids = [int(p) for p in pids]
    peak = 0
    while True:  # at least one sample, even if the uploads were over before we started
        peak = max(peak, sum(rss_kib(p) for p in tree(pids)))
        if os.path.exists(out + ".stop"):
            break
        time.sleep(0.05)
    with open(out, "w", encoding="ascii") as f:
        f.write(f"{peak}\n")
    return 0


def fmt(v):
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def summarize(tsv):
    """TSV rows: test contender round metric value load1. Ratios use the medians of this run."""
    rows = {}
    loads = []
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            test, who, _rnd, metric, value, load1 = line.rstrip("\n").split("\t")
            rows.setdefault((test, metric), {}).setdefault(who, []).append(float(value))
            loads.append(float(load1))
    if loads:
        print(f"Load average (1 min) while measuring: median {fmt(statistics.median(loads))}, "
              f"min {fmt(min(loads))}, max {fmt(max(loads))} (n={len(loads)})\n")
    print("| test | metric | contender | median | min | max | n | ÷ nginx | ÷ direct (cred: ÷ Go helper) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (test, metric), by in rows.items():
        med = {w: statistics.median(v) for w, v in by.items()}
        for who, vals in by.items():
            proto = "-tls" if who.endswith("-tls") else "-plain" if who.endswith("-plain") else ""
            ng = med.get("nginx" + proto)
            di = med.get("direct")
            r_ng = f"{med[who] / ng:.2f}" if ng and not who.startswith("nginx") else ""
            r_di = f"{med[who] / di:.2f}" if di and who != "direct" else ""
            print(f"| {test} | {metric} | {who} | {fmt(med[who])} | {fmt(min(vals))} | "
                  f"{fmt(max(vals))} | {len(vals)} | {r_ng} | {r_di} |")
    return 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "sink":
        return sink(argv[2], argv[3])
    if cmd == "wait-http":
        return wait_http(*argv[2:])
    if cmd == "rss":
        return rss(argv[2], argv[3:])
    if cmd == "summarize":
        return summarize(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
