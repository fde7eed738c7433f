#!/bin/bash
# Where the router's resident memory goes under small requests (loopback only, bounded):
#   nmt-small.sh LABEL [SECONDS] [ENV=VALUE ...]
# Starts a static nginx (GET /v2/ from memory) and the router (packaging/bin/nexus-router, or the
# launcher in $ROUTER_LAUNCHER, e.g. an unpacked .deb's) with -XX:NativeMemoryTracking=summary and
# the given environment (MALLOC_ARENA_MAX=2, NEXUS_ROUTER_JAVA_OPTS=...), then runs
# `wrk -t2 -c64 -dSECONDS` plain and then over TLS, and after each phase prints the RSS and
# `jcmd VM.native_memory summary` (committed KiB per category). jcmd is the runtime's own, else
# $JCMD (a jlinked runtime has none).
set -euo pipefail
label=${1:?usage: nmt-small.sh LABEL [SECONDS] [ENV=VALUE ...]}
secs=${2:-8}
shift $(($# >= 2 ? 2 : 1))
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
launcher=${ROUTER_LAUNCHER:-$repo/packaging/bin/nexus-router}
jcmd=${JCMD:-jcmd}
for t in nginx wrk curl "$jcmd"; do command -v "$t" >/dev/null || { echo "$t not found" >&2; exit 1; }; done
work=$(mktemp -d "${TMPDIR:-/tmp}/nmt-small.XXXXXX")
router_pid=""
cleanup() {
  [ -z "$router_pid" ] || kill "$router_pid" 2>/dev/null || true
  [ ! -f "$work/nginx.pid" ] || kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() {
  local p
  p=$((RANDOM % 20000 + 20000))
  while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}
p_static=$(free_port)
p_plain=$(free_port)
p_tls=$(free_port)
mkdir -p "$work/tmp"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$p_static;
    location = /v2/ { default_type application/json; return 200 '{}'; }
  }
}
EOF
nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log"
"$launcher" certs init --domain bench.test --ip 127.0.0.1 --out "$work/tls" >/dev/null
cat >"$work/router.yaml" <<EOF
listeners:
  - {name: plain, address: 127.0.0.1, port: $p_plain}
  - name: tls
    address: 127.0.0.1
    port: $p_tls
    tls: {cert-file: $work/tls/server.crt, key-file: $work/tls/server.key}
upstreams:
  static: {servers: ["http://127.0.0.1:$p_static"]}
hosts:
  - {server-names: ["*"], default: true, kind: registry, group: static, hosted: static}
access-log: {path: "off"}
EOF
env "$@" NEXUS_ROUTER_JAVA_OPTS="-XX:NativeMemoryTracking=summary -XX:+UsePerfData ${NEXUS_ROUTER_JAVA_OPTS:-}" \
  "$launcher" serve --config "$work/router.yaml" >"$work/router.log" 2>&1 &
router_pid=$!
for _ in $(seq 300); do
  curl -fs -o /dev/null "http://127.0.0.1:$p_plain/v2/" && break
  sleep 0.2
done
report() { # PHASE
  local rss
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$router_pid/status")
  echo "## $label / $1: RSS $((rss / 1024)) MiB, load $(cut -d' ' -f1 /proc/loadavg)"
  "$jcmd" "$router_pid" VM.native_memory summary scale=KB |
    sed -n 's/^Total: reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/  total committed \1 KiB/p;
      s/^-  *\([A-Za-z ]*[a-z]\) (reserved=[0-9]*KB, committed=\([0-9]*\)KB).*/  \1 \2 KiB/p' |
    awk '$NF+0 >= 0' | grep -v ' 0 KiB$' || true
}
report ready
wrk -t2 -c64 -d"${secs}s" "http://127.0.0.1:$p_plain/v2/" | grep -E 'Requests/sec|Latency '
report "after plain wrk"
wrk -t2 -c64 -d"${secs}s" "https://127.0.0.1:$p_tls/v2/" | grep -E 'Requests/sec|Latency '
report "after TLS wrk"
