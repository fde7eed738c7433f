#!/usr/bin/env bash
# What a status page open in a browser costs the proxy: downloads of one blob through the router,
# alternating rounds without and with a 1 Hz poll of /status.json (what the page's script fetches)
# plus /status every 5 s. Prints MB/s and router CPU per GiB for both. Run by hand:
#   mvn -q -B -DskipTests package && bench/status-refresh.sh
# Variables: BENCH_WORK (default /var/tmp/nexus-router-bench-status), BENCH_SIZE_MIB (512),
# BENCH_ROUNDS (5), BENCH_LIMIT (curl --limit-rate for the download, e.g. 200M, so that a
# download spans several polls; default none). Ports are chosen free by the system; everything started is stopped by PID.
set -euo pipefail
here=$(cd -- "$(dirname -- "$0")" && pwd)
repo=$(cd -- "$here/.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

WORK=${BENCH_WORK:-/var/tmp/nexus-router-bench-status}
SIZE_MIB=${BENCH_SIZE_MIB:-512}
ROUNDS=${BENCH_ROUNDS:-5}
LIMIT=()
if [ -n "${BENCH_LIMIT:-}" ]; then LIMIT=(--limit-rate "$BENCH_LIMIT"); fi
BYTES=$((SIZE_MIB * 1024 * 1024))
jar=$repo/router/target/nexus-router.jar
[ -f "$jar" ] || die "$jar is missing: run 'mvn -q -B -DskipTests package' first"
for tool in docker-registry curl python3 java openssl; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK/registry" && mkdir -p "$WORK/logs" "$WORK/registry" "$WORK/data"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P_REG=$(free_port) P_RT=$(free_port) P_ADMIN=$(free_port)

cat >"$WORK/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $WORK/registry}}
http: {addr: 127.0.0.1:$P_REG, secret: bench}
YAML
start registry docker-registry serve "$WORK/registry.yml"
cat >"$WORK/router.yaml" <<YAML
listeners: [{address: 127.0.0.1, port: $P_RT}]
upstreams:
  group: {servers: ["http://127.0.0.1:$P_REG"]}
  hosted: {servers: ["http://127.0.0.1:$P_REG"]}
hosts: [{server-names: [localhost], default: true, group: group, hosted: hosted}]
access-log: {path: "off"}
admin: {address: 127.0.0.1, port: $P_ADMIN}
YAML
start router java -Xmx256m -XX:+UseSerialGC -jar "$jar" serve --config "$WORK/router.yaml"
ROUTER=$LAST_PID
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$P_ADMIN/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

BLOB=$WORK/data/blob-$SIZE_MIB.bin
[ -f "$BLOB" ] || openssl rand -out "$BLOB" "$BYTES"
DIGEST=sha256:$(sha256sum "$BLOB" | cut -d' ' -f1)
loc=$(curl -fsS -X POST -D - -o /dev/null "http://127.0.0.1:$P_REG/v2/bench/big/blobs/uploads/" |
  tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
case $loc in http*) ;; *) loc=http://127.0.0.1:$P_REG$loc ;; esac
sep='?'; case $loc in *\?*) sep='&' ;; esac
curl -fsS -X PUT -H 'Content-Type: application/octet-stream' -T "$BLOB" \
  "$loc${sep}digest=$DIGEST" -o /dev/null
URL=http://127.0.0.1:$P_RT/v2/bench/big/blobs/$DIGEST
curl -fsS -o /dev/null "$URL" # warm-up

poller() { # the page: status.json every second, the HTML every fifth
  local i=0
  while :; do
    curl -fsS -o /dev/null "http://127.0.0.1:$P_ADMIN/status.json" || true
    if ((i++ % 5 == 0)); then curl -fsS -o /dev/null "http://127.0.0.1:$P_ADMIN/status" || true; fi
    sleep 1
  done
}

printf 'round\tpage\tMB/s\trouter-cpu-s/GiB\tload1\n'
for ((r = 1; r <= ROUNDS; r++)); do
  for page in off on; do
    poll=""
    if [ "$page" = on ]; then
      poller & poll=$!
      sleep 1.1
    fi
    c0=$(cpu_ticks "$ROUTER")
    out=$(curl -sS "${LIMIT[@]}" -o /dev/null -w '%{http_code} %{time_total} %{size_download}' "$URL")
    c1=$(cpu_ticks "$ROUTER")
    if [ -n "$poll" ]; then
      kill "$poll"
      wait "$poll" 2>/dev/null || true
    fi
    read -r code secs size <<<"$out"
    if [ "$code" != 200 ] || [ "$size" != "$BYTES" ]; then
      die "download failed: $out"
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$page" "$(mbps "$size" "$secs")" \
      "$(cpu_per_gib $((c1 - c0)) "$size")" "$(load1)"
  done
done

# the cost of one poll on its own: 200 sequential status.json requests
c0=$(cpu_ticks "$ROUTER")
t0=$(date +%s%N)
for _ in $(seq 200); do curl -fsS -o /dev/null "http://127.0.0.1:$P_ADMIN/status.json"; done
t1=$(date +%s%N)
c1=$(cpu_ticks "$ROUTER")
awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v t=$((t1 - t0)) 'BEGIN {
  printf "status.json: %.2f ms router CPU and %.2f ms wall per request (200 in a row)\n",
    d / hz * 1000 / 200, t / 1e6 / 200 }'
