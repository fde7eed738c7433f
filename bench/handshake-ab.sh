#!/bin/bash
# Server CPU per full TLS handshake, RSA 2048 against ECDSA P-256 server keys (loopback only):
#   handshake-ab.sh [ROUNDS] [SECONDS] [PROTOCOL]     defaults: 4 rounds, 8 s, tls1_3
# Starts two routers side by side (packaging/bin/nexus-router; NEXUS_ROUTER_JAVA picks the JVM),
# each with a certificate from `certs init` (--key-type rsa / the ECDSA default), warms both up,
# then alternates `openssl s_time -new` (a full handshake per connection, no resumption) between
# them. It prints the router's CPU time (user + system, from /proc) per handshake: on a shared
# machine the connection rate says little, CPU per handshake is still comparable.
# HS_VARIANTS="NAME:KEY_TYPE:TLS_ENGINE ..." measures other routers (default: RSA and ECDSA on the
# JDK engine), e.g. "rsa-openssl:rsa:openssl rsa-jdk:rsa:jdk ecdsa-jdk:ecdsa:jdk".
set -euo pipefail
rounds=${1:-4}
secs=${2:-8}
proto=${3:-tls1_3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
launcher=$repo/packaging/bin/nexus-router
work=$(mktemp -d "${TMPDIR:-/tmp}/handshake-ab.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
  local p
  p=$((RANDOM % 20000 + 20000))
  while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

read -r -a variants <<<"${HS_VARIANTS:-rsa:rsa:jdk ecdsa:ecdsa:jdk}"
names=()
declare -A port pid
for v in "${variants[@]}"; do
  IFS=: read -r k key_type engine <<<"$v"
  names+=("$k")
  "$launcher" certs init --domain bench.test --ip 127.0.0.1 --key-type "$key_type" --out "$work/$k" >/dev/null
  port[$k]=$(free_port)
  cat >"$work/$k.yaml" <<EOF
listeners:
  - name: tls
    address: 127.0.0.1
    port: ${port[$k]}
    tls: {cert-file: $work/$k/server.crt, key-file: $work/$k/server.key}
upstreams:
  group:  {servers: ["http://127.0.0.1:9"]}
  hosted: {servers: ["http://127.0.0.1:9"]}
hosts:
  - {server-names: ["*"], default: true, kind: registry, group: group, hosted: hosted}
access-log: {path: "off"}
tls-engine: $engine
EOF
  "$launcher" serve --config "$work/$k.yaml" >"$work/$k.log" 2>&1 &
  pid[$k]=$!
  pids+=("$!")
done
for k in "${names[@]}"; do
  for _ in $(seq 300); do
    curl -s -o /dev/null --cacert "$work/$k/ca.crt" "https://127.0.0.1:${port[$k]}/v2/" && break
    sleep 0.2
  done
done

measure() { # KEY SECONDS -> "connections cpu_ms"
  local k=$1 t0 t1 n
  t0=$(cpu_ticks "${pid[$k]}")
  n=$(openssl s_time -connect "127.0.0.1:${port[$k]}" -new "-$proto" -time "$2" 2>/dev/null |
    sed -n 's/^\([0-9]*\) connections in .* real seconds.*/\1/p' | head -n 1)
  t1=$(cpu_ticks "${pid[$k]}")
  echo "$n $(((t1 - t0) * 1000 / $(getconf CLK_TCK)))"
}

echo "# load at start: $(cat /proc/loadavg); $proto, $secs s per run, $rounds rounds"
for k in "${names[@]}"; do measure "$k" 5 >/dev/null; done # warm-up: JIT, session caches
echo -e "round\tkey\thandshakes\tcpu_ms\tcpu_us_per_handshake"
declare -A tot_n tot_cpu
for ((r = 1; r <= rounds; r++)); do
  # rotate the order each round
  order=("${names[@]:$(((r - 1) % ${#names[@]}))}" "${names[@]:0:$(((r - 1) % ${#names[@]}))}")
  for k in "${order[@]}"; do
    read -r n c < <(measure "$k" "$secs")
    echo -e "$r\t$k\t$n\t$c\t$((c * 1000 / (n > 0 ? n : 1)))"
    tot_n[$k]=$((${tot_n[$k]:-0} + n))
    tot_cpu[$k]=$((${tot_cpu[$k]:-0} + c))
  done
done
echo "# load at end: $(cat /proc/loadavg)"
for k in "${names[@]}"; do
  echo "# $k: ${tot_n[$k]} handshakes, router CPU $((tot_cpu[$k] * 1000 / tot_n[$k])) us per handshake"
done
