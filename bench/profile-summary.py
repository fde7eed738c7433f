#!/usr/bin/env python3
"""Sorts async-profiler samples (collapsed stacks, `threads` on) into the costs of a proxy.

  profile-summary.py FILE.collapsed [INCLUDE_REGEX [EXCLUDE_REGEX]]

Each sample is charged to the first category, walking from the leaf frame towards the root, whose
pattern matches a frame: the TLS cipher itself, the rest of the TLS engine, socket system calls,
memory copies, the router's and Undertow/XNIO's own code. JIT compiler and GC threads are counted
by thread. INCLUDE_REGEX keeps only samples whose stack matches it (e.g. 'SslConduit' for TLS
connections), EXCLUDE_REGEX drops those whose stack matches it (plain transfers: 'I/O' and
'SslConduit'). Prints the share of each category, then the top leaf frames of the biggest ones.
"""

import collections
import re
import sys

CATEGORIES = [  # (name, regex on one frame); the leafmost match wins
    ("cipher (AES-GCM, ChaCha20)", r"GaloisCounterMode|AESCrypt|GHASH|ChaCha20|galoisCounterMode"
     r"|aescrypt|ghash|_gcm_|aes_gcm|AES_|EVP_(En|De)crypt|gcm_|aesni"),
    ("TLS engine (JSSE or OpenSSL record layer)", r"sun/security/ssl/|org/wildfly/openssl/"
     r"|SSL_(read|write)|ssl3_|tls1_|libssl"),
    ("socket system calls", r"^(__)?(libc_)?(write|read|writev|readv|send|recv|sendto|recvfrom"
     r"|epoll_wait|epoll_ctl|__GI___libc_write|__GI___libc_read)(@plt)?$|SocketDispatcher\."
     r"|IOUtil\.(read|write)|FileDispatcherImpl\.(read|write)|EPoll\.wait|EPoll\.ctl"),
    ("memory copies", r"arraycopy|copyMemory|Copy::|memcpy|memmove|__memmove|"
     r"ByteBuffer\.put|ByteBuffer\.get"),
    ("router code", r"dev/nexusrouter/"),
    ("Undertow and XNIO", r"io/undertow/|org/xnio/"),
]
COMPILED = [(n, re.compile(p)) for n, p in CATEGORIES]


def category(thread, frames):
    if "Compiler" in thread:
        return "JIT compiler threads"
    if thread.startswith("[GC") or "VM Thread" in thread:
        return "GC and VM thread"
    for frame in reversed(frames):
        for name, rx in COMPILED:
            if rx.search(frame):
                return name
    return "other"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    keep = re.compile(sys.argv[2]) if len(sys.argv) > 2 else None
    drop = re.compile(sys.argv[3]) if len(sys.argv) > 3 else None
    total = 0
    by_cat = collections.Counter()
    leaves = collections.defaultdict(collections.Counter)
    threads = collections.Counter()
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        for line in f:
            stack, count = line.rstrip("\n").rsplit(" ", 1)
            if keep and not keep.search(stack) or drop and drop.search(stack):
                continue
            frames = stack.split(";")
            thread = re.sub(r" tid=\d+", "", frames[0])
            thread = re.sub(r"-\d+\]$", "-N]", thread)
            count = int(count)
            total += count
            cat = category(thread, frames[1:])
            by_cat[cat] += count
            leaves[cat][frames[-1][:90]] += count
            threads[thread] += count
    if not total:
        sys.exit("no samples")
    print(f"{total} samples" + (f" matching {sys.argv[2]}" if keep else "")
          + (f", not {sys.argv[3]}" if drop else ""))
    print("\nby thread:")
    for t, n in threads.most_common(6):
        print(f"  {100 * n / total:5.1f} %  {t}")
    print("\nby cost:")
    for cat, n in by_cat.most_common():
        print(f"  {100 * n / total:5.1f} %  {cat}")
    for cat, _ in by_cat.most_common(4):
        print(f"\ntop leaf frames, {cat}:")
        for leaf, n in leaves[cat].most_common(5):
            print(f"  {100 * n / total:5.1f} %  {leaf}")


if __name__ == "__main__":
    main()
