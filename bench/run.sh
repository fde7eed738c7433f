#!/usr/bin/env bash
# Benchmark harness: nexus-router vs nginx (the seed's config) vs direct, on loopback.
# Run by hand (see bench/README.md); not part of CI. Results: $WORK/results-<time>/.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
repo=$(cd -- "$here/.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

WORK=${BENCH_WORK:-/var/tmp/nexus-router-bench}
ROUNDS=${BENCH_ROUNDS:-3}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
SMALL_SECS=${BENCH_SMALL_SECS:-10}
RSS_SIZES=${BENCH_RSS_SIZES:-256 1024}
TESTS=${BENCH_TESTS:-download upload firstbyte small rss startup cred}
PORT=${BENCH_PORT_BASE:-27000}
ROUTER_OPTS=${BENCH_ROUTER_OPTS:-}
# Core scaling: pin both proxies (nginx and the routers) to these CPUs, e.g. 0 or 0,1 (taskset).
PROXY_CPUS=${BENCH_PROXY_CPUS:-}
PIN=()
if [ -n "$PROXY_CPUS" ]; then
  PIN=(taskset -c "$PROXY_CPUS")
fi
# Optional second router build to compare within the same run (contenders alt-plain, alt-tls):
# a directory with bin/nexus-router and lib/nexus-router.jar, e.g. a copy made before a change.
ALT_HOME=${BENCH_ALT_HOME:-}
# The router under test: the launcher of this checkout (the jar on JAVA_HOME or java on PATH), or
# an installed tree such as an unpacked .deb's usr/lib/nexus-router (its runtime and AOT cache).
ROUTER_HOME=${BENCH_ROUTER_HOME:-$repo/packaging}
ALT_OPTS=${BENCH_ALT_OPTS:-$ROUTER_OPTS}
ALT_JAVA_HOME=${BENCH_ALT_JAVA_HOME:-${JAVA_HOME:-}}
# Extra top-level YAML for each router's configuration, e.g. "tls-engine: jdk".
ROUTER_CONFIG=${BENCH_ROUTER_CONFIG:-}
ALT_CONFIG=${BENCH_ALT_CONFIG:-}

P_HOSTED=$((PORT + 1)) P_GROUP=$((PORT + 2)) P_STATIC=$((PORT + 3)) P_SINK=$((PORT + 4))
P_NGX=$((PORT + 10)) P_NGX_TLS=$((PORT + 11)) P_RT=$((PORT + 20)) P_RT_TLS=$((PORT + 21))
P_RT2=$((PORT + 30)) P_RT2_TLS=$((PORT + 31)) P_ALT=$((PORT + 40)) P_ALT_TLS=$((PORT + 41))
BYTES=$((SIZE_MIB * 1024 * 1024))
CONTENDERS=(direct nginx-plain nginx-tls router-plain router-tls)
if [ -n "$ALT_HOME" ]; then
  [ -f "$ALT_HOME/lib/nexus-router.jar" ] || die "no $ALT_HOME/lib/nexus-router.jar"
  CONTENDERS+=(alt-plain alt-tls)
fi
PID_nginx="" PID_router="" PID_alt=""

for tool in nginx docker-registry curl openssl wrk python3 java ${PROXY_CPUS:+taskset}; do
  command -v "$tool" >/dev/null || die "$tool is missing (see bench/README.md)"
done
jar=$repo/router/target/nexus-router.jar
[ -f "$jar" ] || die "$jar is missing: run 'mvn -q -B -DskipTests package' first"

OUT=$WORK/results-$(date +%Y%m%d-%H%M%S)
RESULTS=$OUT/results.tsv
mkdir -p "$WORK/logs" "$WORK/data" "$OUT"
rm -rf "$WORK/registry" "$WORK/nginx" "$WORK/static" "$WORK/router"
mkdir -p "$WORK/registry" "$WORK/nginx/tmp" "$WORK/static" "$WORK/router"
: >"$WORK/logs/sink-bodies.log"
trap cleanup EXIT
trap 'exit 130' INT TERM

CA=$WORK/data/ca.pem
CURL=(curl -sS --cacert "$CA" --connect-to ::127.0.0.1: --max-time 600)

# ---------------------------------------------------------------------------------------------
# Test material: CA + server certificate, the blob, and the configurations.

make_certs() {
  [ -f "$WORK/data/server.pem" ] && return 0
  log "creating a test CA and server certificate (RSA 2048, as a typical nginx certificate)"
  local d=$WORK/data
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=bench-ca \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=registry.bench.test \
    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:registry.bench.test,DNS:sink.bench.test,DNS:static.bench.test,IP:127.0.0.1\n' \
    >"$d/san.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 30 -extfile "$d/san.ext" -out "$d/server.pem" 2>/dev/null
}

make_blob() {
  BIG=$WORK/data/blob-$SIZE_MIB.bin
  if [ ! -f "$BIG.sha256" ]; then
    log "creating a $SIZE_MIB MiB random blob"
    openssl rand -out "$BIG" "$BYTES"
    sha256sum "$BIG" | cut -d' ' -f1 >"$BIG.sha256"
  fi
  DIGEST=sha256:$(cat "$BIG.sha256")
}

registry_config() { # NAME PORT [REMOTE]
  local f=$WORK/registry/$1.yml
  cat >"$f" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $WORK/registry/$1}
  delete: {enabled: true}
  cache: {blobdescriptor: inmemory}
http: {addr: "127.0.0.1:$2", secret: bench-only}
EOF
  if [ -n "${3:-}" ]; then
    printf 'proxy: {remoteurl: "%s"}\n' "$3" >>"$f"
  fi
  echo "$f"
}

static_config() {
  cat >"$WORK/static/nginx.conf" <<EOF
# The fast upstream for small requests: GET /v2/ answered from memory, so the proxy in front of
# it is the bottleneck.
worker_processes 1;
pid $WORK/static/nginx.pid;
error_log $WORK/logs/static-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/static/body;
  proxy_temp_path $WORK/static/proxy;
  fastcgi_temp_path $WORK/static/fastcgi;
  uwsgi_temp_path $WORK/static/uwsgi;
  scgi_temp_path $WORK/static/scgi;
  server {
    listen 127.0.0.1:$P_STATIC;
    location = /v2/ { default_type application/json; return 200 '{}'; }
    location / { return 404; }
  }
}
EOF
}

# One server block of the seed's registry vhost. Changes to the seed, all marked "bench:":
# plain and TLS listeners on loopback ports, access_log off (the router's is off too),
# Host \$http_host (the seed's \$host drops the port: absolute upload Locations then point at
# port 443 and pushes on another port fail), X-Forwarded-Proto \$scheme (the seed's constant
# "https" is wrong only on the plain listener that the bench adds), \`listen ... ssl\` instead of
# the deprecated \`ssl on\`.
nginx_server() { # SERVER_NAME PULL_UPSTREAM PUSH_UPSTREAM [default_server]
  cat <<EOF
    server {
        listen 127.0.0.1:$P_NGX ${4:-};          # bench: plain listener
        listen 127.0.0.1:$P_NGX_TLS ssl ${4:-};  # bench: was "listen 443 ssl" + "ssl on"
        server_name $1;
        access_log off;                           # bench: was a file; router logging is off too
        error_log $WORK/logs/nginx-error.log;
        client_max_body_size 1G;
        chunked_transfer_encoding on;
        ssl_certificate     $WORK/data/server.pem;
        ssl_certificate_key $WORK/data/server.key;
        set \$upstream "$3";
        if ( \$request_method ~* 'GET') {
             set \$upstream "$2";
        }
        if (\$request_uri ~ '/search') {
            set \$upstream "$3";
        }
        location / {
            proxy_pass http://\$upstream;
            proxy_set_header Host \$http_host;              # bench: was \$host (drops the port)
            proxy_send_timeout 3600;
            proxy_read_timeout 3600;
            proxy_connect_timeout 3600;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;    # bench: was "https"
        }
    }
EOF
}

nginx_config() {
  {
    cat <<EOF
# The nginx.conf teams run today in front of Nexus (see docs/migration.md), moved to loopback ports.
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/logs/nginx-error.log;
events {
	worker_connections 768;
}
http {
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	proxy_buffering off;
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	client_body_temp_path $WORK/nginx/tmp/body;
	proxy_temp_path $WORK/nginx/tmp/proxy;
	fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
	uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
	scgi_temp_path $WORK/nginx/tmp/scgi;
	upstream nexus_docker_pull { server 127.0.0.1:$P_GROUP; }
	upstream nexus_docker_push { server 127.0.0.1:$P_HOSTED; }
	upstream bench_sink { server 127.0.0.1:$P_SINK; }
	upstream bench_static { server 127.0.0.1:$P_STATIC; }
EOF
    nginx_server registry.bench.test nexus_docker_pull nexus_docker_push default_server
    nginx_server sink.bench.test bench_static bench_sink
    nginx_server static.bench.test bench_static bench_static
    printf '\tgzip on;\n}\n'
  } >"$WORK/nginx/nginx.conf"
}

router_config() { # FILE PLAIN_PORT TLS_PORT [EXTRA_YAML]
  cat >"$1" <<EOF
# The seed's nginx, as nexus-router configuration (README "Migrating from the nginx config").
listeners:
  - {name: plain, address: 127.0.0.1, port: $2}
  - name: tls
    address: 127.0.0.1
    port: $3
    tls: {cert-file: $WORK/data/server.pem, key-file: $WORK/data/server.key}
upstreams:
  nexus_docker_pull: {servers: ["http://127.0.0.1:$P_GROUP"]}
  nexus_docker_push: {servers: ["http://127.0.0.1:$P_HOSTED"]}
  bench_sink: {servers: ["http://127.0.0.1:$P_SINK"]}
  bench_static: {servers: ["http://127.0.0.1:$P_STATIC"]}
hosts:
  - {server-names: [registry.bench.test], default: true, kind: registry, group: nexus_docker_pull, hosted: nexus_docker_push}
  - {server-names: [sink.bench.test], kind: registry, group: bench_static, hosted: bench_sink}
  - {server-names: [static.bench.test], kind: registry, group: bench_static, hosted: bench_static}
access-log: {path: "off"}
EOF
  [ -z "${4:-}" ] || printf '%s\n' "$4" >>"$1"
}

# ---------------------------------------------------------------------------------------------
# Contenders.

# base WHO VHOST ROLE: the base URL a client uses; VHOST is registry, sink or static, ROLE is
# pull or push (only "direct" needs it: there the client talks to the upstream itself).
base() {
  case $1 in
    direct)
      case $2/$3 in
        registry/pull) echo "http://127.0.0.1:$P_GROUP" ;;
        registry/push) echo "http://127.0.0.1:$P_HOSTED" ;;
        sink/*) echo "http://127.0.0.1:$P_SINK" ;;
        static/*) echo "http://127.0.0.1:$P_STATIC" ;;
      esac
      ;;
    nginx-plain) echo "http://$2.bench.test:$P_NGX" ;;
    nginx-tls) echo "https://$2.bench.test:$P_NGX_TLS" ;;
    router-plain) echo "http://$2.bench.test:$P_RT" ;;
    router-tls) echo "https://$2.bench.test:$P_RT_TLS" ;;
    alt-plain) echo "http://$2.bench.test:$P_ALT" ;;
    alt-tls) echo "https://$2.bench.test:$P_ALT_TLS" ;;
  esac
}

proxy_pid() {
  case $1 in
    nginx-*) echo "$PID_nginx" ;;
    router-*) echo "$PID_router" ;;
    alt-*) echo "$PID_alt" ;;
    *) echo "" ;;
  esac
}

proxy_cpu() {
  local p
  p=$(proxy_pid "$1")
  if [ -n "$p" ]; then cpu_ticks "$p"; else echo 0; fi
}

start_all() {
  start registry-hosted docker-registry serve "$(registry_config hosted "$P_HOSTED")"
  # the group checks its remote at start-up and panics if hosted is not listening yet
  python3 "$here/benchtool.py" wait-http "http://127.0.0.1:$P_HOSTED/v2/" "$(date +%s%N)" 30 \
    >/dev/null || die "hosted registry did not start (logs in $WORK/logs)"
  start registry-group docker-registry serve \
    "$(registry_config group "$P_GROUP" "http://127.0.0.1:$P_HOSTED")"
  static_config
  start static nginx -p "$WORK/static" -c "$WORK/static/nginx.conf" -e "$WORK/logs/static-error.log" \
    -g 'daemon off;'
  start sink python3 "$here/benchtool.py" sink "$P_SINK" "$WORK/logs/sink-bodies.log"
  nginx_config
  nginx -t -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/logs/nginx-error.log" 2>/dev/null ||
    die "nginx config invalid: $(nginx -t -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>&1)"
  start nginx "${PIN[@]}" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/logs/nginx-error.log" \
    -g 'daemon off;'
  PID_nginx=$LAST_PID
  router_config "$WORK/router/router.yml" "$P_RT" "$P_RT_TLS" "$ROUTER_CONFIG"
  start router "${PIN[@]}" env NEXUS_ROUTER_JAVA_OPTS="$ROUTER_OPTS" \
    "$ROUTER_HOME/bin/nexus-router" serve --config "$WORK/router/router.yml"
  PID_router=$LAST_PID # the launcher execs java: this is the JVM
  if [ -n "$ALT_HOME" ]; then
    router_config "$WORK/router/alt.yml" "$P_ALT" "$P_ALT_TLS" "$ALT_CONFIG"
    start alt "${PIN[@]}" env NEXUS_ROUTER_JAVA_OPTS="$ALT_OPTS" JAVA_HOME="$ALT_JAVA_HOME" \
      "$ALT_HOME/bin/nexus-router" \
      serve --config "$WORK/router/alt.yml"
    PID_alt=$LAST_PID
  fi
  local port
  for port in "$P_HOSTED" "$P_GROUP" "$P_STATIC" "$P_SINK" "$P_NGX" "$P_RT" ${ALT_HOME:+"$P_ALT"}; do
    python3 "$here/benchtool.py" wait-http "http://127.0.0.1:$port/v2/" "$(date +%s%N)" 30 \
      >/dev/null || die "nothing answers on port $port (logs in $WORK/logs)"
  done
  log "all up: registries $P_HOSTED/$P_GROUP, static $P_STATIC, sink $P_SINK," \
    "nginx $P_NGX/$P_NGX_TLS (pid $PID_nginx), router $P_RT/$P_RT_TLS (pid $PID_router)"
}

# Pushes the blob to hosted directly, then pulls it through the group once so that the group
# (a pull-through proxy of hosted) serves it from its own storage afterwards.
seed_blob() {
  local code
  code=$(upload put direct registry bench/big | cut -d' ' -f1)
  [ "$code" = 201 ] || die "seeding the blob failed: $code"
  "${CURL[@]}" -o /dev/null "$(base direct registry pull)/v2/bench/big/blobs/$DIGEST"
}

# upload MODE WHO VHOST REPO [ID]: one blob upload (POST, then a chunked PATCH + empty PUT, or
# one monolithic PUT); prints "<status> <seconds of the body request> <bytes>".
upload() {
  local mode=$1 who=$2 vhost=$3 repo=$4 id=${5:-none} b loc path hdr out sep auth
  b=$(base "$who" "$vhost" push)
  hdr=$OUT/headers.$$
  if [ "$vhost" = sink ]; then
    path="/v2/$repo/blobs/uploads/$id?s=1"
  else
    "${CURL[@]}" -X POST -D "$hdr" -o /dev/null "$b/v2/$repo/blobs/uploads/"
    loc=$(tr -d '\r' <"$hdr" | awk 'tolower($1) == "location:" { print $2 }')
    auth=${loc#*://}
    auth=${auth%%/*}
    if [ "$auth" != "${b#*://}" ]; then
      log "WARNING: $who: upload Location names $auth, not ${b#*://} (Host rewritten?)"
    fi
    path=/${loc#*://*/}
  fi
  case $path in *\?*) sep='&' ;; *) sep='?' ;; esac
  if [ "$mode" = patch ]; then
    out=$("${CURL[@]}" -X PATCH -T "$BIG" -H 'Transfer-Encoding: chunked' -H 'Expect:' \
      -H 'Content-Type: application/octet-stream' -H "X-Bench-Id: $id" -D "$hdr" -o /dev/null \
      -w '%{http_code} %{time_total} %{size_upload}' "$b$path")
    if [ "$vhost" != sink ] && [ "${out%% *}" = 202 ]; then
      loc=$(tr -d '\r' <"$hdr" | awk 'tolower($1) == "location:" { print $2 }')
      path=/${loc#*://*/}
      case $path in *\?*) sep='&' ;; *) sep='?' ;; esac
      local commit
      commit=$("${CURL[@]}" -X PUT -H 'Content-Length: 0' -o /dev/null -w '%{http_code}' \
        "$b$path${sep}digest=$DIGEST")
      [ "$commit" = 201 ] || out="commit-$commit ${out#* }"
    fi
  else
    out=$("${CURL[@]}" -X PUT -T "$BIG" -H 'Expect:' -H 'Content-Type: application/octet-stream' \
      -H "X-Bench-Id: $id" -o /dev/null -w '%{http_code} %{time_total} %{size_upload}' \
      "$b$path${sep}digest=$DIGEST")
  fi
  rm -f "$hdr"
  echo "$out"
}

# ---------------------------------------------------------------------------------------------
# Tests. Each loops over rounds and, inside a round, over the contenders in rotated order.

test_download() {
  local r who c0 c1 out code secs size
  for who in "${CONTENDERS[@]}"; do # warm-up (JIT, page cache), not recorded
    "${CURL[@]}" -o /dev/null "$(base "$who" registry pull)/v2/bench/big/blobs/$DIGEST"
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for who in $(rotate "$r" "${CONTENDERS[@]}"); do
      c0=$(proxy_cpu "$who")
      out=$("${CURL[@]}" -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
        "$(base "$who" registry pull)/v2/bench/big/blobs/$DIGEST")
      c1=$(proxy_cpu "$who")
      read -r code secs size <<<"$out"
      if [ "$code" != 200 ] || [ "$size" != "$BYTES" ]; then
        log "download $who round $r failed: $out"
        continue
      fi
      record download "$who" "$r" MB/s "$(mbps "$size" "$secs")"
      [ "$who" = direct ] || record download "$who" "$r" cpu-s/GiB "$(cpu_per_gib $((c1 - c0)) "$size")"
      log "download $who r$r: $(mbps "$size" "$secs") MB/s, cpu $((c1 - c0)) ticks"
    done
  done
}

test_upload() {
  local r who mode c0 c1 out code secs size
  for ((r = 1; r <= ROUNDS; r++)); do
    for mode in patch put; do
      for who in $(rotate "$r" "${CONTENDERS[@]}"); do
        c0=$(proxy_cpu "$who")
        out=$(upload "$mode" "$who" registry bench/up)
        c1=$(proxy_cpu "$who")
        read -r code secs size <<<"$out"
        if [ "$code" != 201 ] && [ "$code" != 202 ]; then
          log "upload $mode $who round $r failed: $out"
          continue
        fi
        record "upload-$mode" "$who" "$r" MB/s "$(mbps "$size" "$secs")"
        [ "$who" = direct ] ||
          record "upload-$mode" "$who" "$r" cpu-s/GiB "$(cpu_per_gib $((c1 - c0)) "$size")"
        log "upload $mode $who r$r: $(mbps "$size" "$secs") MB/s, cpu $((c1 - c0)) ticks"
      done
    done
  done
}

# Upstream first byte: the same uploads against the sink upstream (benchtool.py sink), which
# logs when the first and last body byte of each request arrived; t0 is taken just before curl.
test_firstbyte() {
  local r who mode id t0 out line first end bytes
  for ((r = 1; r <= ROUNDS; r++)); do
    for mode in patch put; do
      for who in $(rotate "$r" "${CONTENDERS[@]}"); do
        id=$who-$mode-$r-$$
        t0=$(date +%s%N)
        out=$(upload "$mode" "$who" sink bench/sink "$id")
        line=$(grep "^$id " "$WORK/logs/sink-bodies.log" || true)
        if [ "${out%% *}" != 201 ] || [ -z "$line" ]; then
          log "first-byte $mode $who round $r failed: $out"
          continue
        fi
        read -r _ _ first end bytes <<<"$line"
        record "sink-$mode" "$who" "$r" first-byte-s "$(awk -v a="$first" -v b="$t0" 'BEGIN { printf "%.3f", (a - b) / 1e9 }')"
        record "sink-$mode" "$who" "$r" MB/s "$(awk -v n="$bytes" -v a="$end" -v b="$t0" 'BEGIN { printf "%.1f", n / ((a - b) / 1e9) / 1e6 }')"
        log "sink $mode $who r$r: first byte after $(((first - t0) / 1000000)) ms"
      done
    done
  done
}

# wrk -c64 --latency on GET /v2/ of the static upstream; the proxy's CPU per request.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }

test_small() {
  local r who url c0 c1 out reqs rps p50 p99 bad
  for who in "${CONTENDERS[@]}"; do # warm-up, not recorded
    wrk -t2 -c64 -d5s -H 'Host: static.bench.test' "$(wrk_url "$who")" >/dev/null
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for who in $(rotate "$r" "${CONTENDERS[@]}"); do
      url=$(wrk_url "$who")
      c0=$(proxy_cpu "$who")
      out=$(wrk -t2 -c64 -d"${SMALL_SECS}s" --latency -H 'Host: static.bench.test' "$url")
      c1=$(proxy_cpu "$who")
      reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
      rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
      p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
      p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
      bad=$(awk '/Non-2xx/ { print $NF } /Socket errors/ { print }' <<<"$out")
      [ -z "$bad" ] || log "small $who round $r: errors: $bad"
      record small "$who" "$r" req/s "$rps"
      record small "$who" "$r" p50-ms "$p50"
      record small "$who" "$r" p99-ms "$p99"
      [ "$who" = direct ] ||
        record small "$who" "$r" cpu-us/req "$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')"
      log "small $who r$r: $rps req/s, p50 $p50 ms, p99 $p99 ms, cpu $((c1 - c0)) ticks"
    done
  done
}

wrk_url() {
  case $1 in
    direct) echo "http://127.0.0.1:$P_STATIC/v2/" ;;
    nginx-plain) echo "http://127.0.0.1:$P_NGX/v2/" ;;
    nginx-tls) echo "https://127.0.0.1:$P_NGX_TLS/v2/" ;;
    router-plain) echo "http://127.0.0.1:$P_RT/v2/" ;;
    router-tls) echo "https://127.0.0.1:$P_RT_TLS/v2/" ;;
    alt-plain) echo "http://127.0.0.1:$P_ALT/v2/" ;;
    alt-tls) echo "https://127.0.0.1:$P_ALT_TLS/v2/" ;;
  esac
}

# Peak RSS of the proxy (all its processes) during 4 concurrent chunked uploads over TLS to the
# sink, for each body size: flat means the body is streamed, not held.
test_rss() {
  local r who mib p i rss
  for ((r = 1; r <= ROUNDS; r++)); do
    for mib in $RSS_SIZES; do
      for who in $(rotate "$r" nginx-tls router-tls ${ALT_HOME:+alt-tls}); do
        p=$(proxy_pid "$who")
        rm -f "$OUT/rss" "$OUT/rss.stop"
        python3 "$here/benchtool.py" rss "$OUT/rss" "$p" &
        local sampler=$! pids=()
        for i in 1 2 3 4; do
          head -c "${mib}M" /dev/zero | "${CURL[@]}" -X PATCH -T - -H 'Expect:' -o /dev/null \
            "$(base "$who" sink push)/v2/bench/rss/blobs/uploads/rss-$i" &
          pids+=("$!")
        done
        wait "${pids[@]}" || log "rss $who $mib MiB: an upload failed"
        touch "$OUT/rss.stop"
        wait "$sampler"
        rss=$(awk '{ printf "%.1f", $1 / 1024 }' "$OUT/rss")
        record "rss-4x${mib}MiB" "$who" "$r" peak-RSS-MiB "$rss"
        log "rss $who 4x$mib MiB r$r: peak $rss MiB"
      done
    done
  done
}

sh_quote() { # WORD: WORD in single quotes for /bin/sh, any quote inside it escaped
  local squote="'"
  printf "'%s'" "${1//$squote/$squote\\$squote$squote}"
}

# Router start-to-ready: from exec of the launcher until the plain listener answers HTTP, and the
# CPU the process had used by then (startup-ab.py: the poller runs before the start, every 2 ms).
# BENCH_STARTUP_HOME (default BENCH_ROUTER_HOME): another installed tree (bin/nexus-router, lib/,
# runtime/), e.g. the usr/lib/nexus-router of an unpacked .deb, whose launcher uses its runtime
# and AOT cache.
test_startup() {
  local cfg=$WORK/router/router2.yml round wall cpu rss
  local launcher=${BENCH_STARTUP_HOME:-$ROUTER_HOME}/bin/nexus-router
  router_config "$cfg" "$P_RT2" "$P_RT2_TLS"
  # startup-ab.py runs the command with /bin/sh -c: each word single-quoted for it
  python3 "$here/startup-ab.py" $((ROUNDS + 2)) "http://127.0.0.1:$P_RT2/v2/" \
    "router=env NEXUS_ROUTER_JAVA_OPTS=$(sh_quote "$ROUTER_OPTS") $(sh_quote "$launcher") serve --config $(sh_quote "$cfg")" \
    >"$WORK/logs/router-startup.tsv" 2>&1 || die "startup-ab.py failed: $(tail -3 "$WORK/logs/router-startup.tsv")"
  while IFS=$'\t' read -r round _ wall cpu rss; do
    case $round in '#'* | round) continue ;; esac
    [ "$wall" != failed ] || die "the router did not start (startup r$round; its output: $WORK/logs/router-startup.tsv)"
    record startup router "$round" ready-ms "$wall"
    record startup router "$round" cpu-ms-at-ready "$cpu"
    log "startup r$round: $wall ms, $cpu ms CPU, RSS $((rss / 1024)) MiB"
  done <"$WORK/logs/router-startup.tsv"
}

# Keeps the stack up for manual runs or profiling (jcmd, perf) until interrupted.
test_serve() {
  log "serving until Ctrl-C; router pid $PID_router, nginx pid $PID_nginx, work dir $WORK"
  while sleep 3600; do :; done
}

test_cred() {
  local helper_dir=${BENCH_CRED_HELPER_DIR:-$repo/credential-helper}
  if [ ! -f "$helper_dir/target/docker-credential-java.jar" ]; then
    log "credential helper not built ($helper_dir/target/docker-credential-java.jar): skipped"
    echo "# cred: skipped, no docker-credential-java.jar" >>"$RESULTS"
    return 0
  fi
  "$here/cred.sh" "$helper_dir" "$OUT" "$ROUNDS" >>"$WORK/logs/cred.log" 2>&1 ||
    log "credential helper benchmark failed (see $WORK/logs/cred.log)"
  if [ -f "$OUT/cred.tsv" ]; then
    cat "$OUT/cred.tsv" >>"$RESULTS"
  fi
}

# ---------------------------------------------------------------------------------------------

{
  echo "# date: $(date -Is)"
  echo "# machine: $(nproc) cores, kernel $(uname -r), $(java -version 2>&1 | head -1)," \
    "$(nginx -v 2>&1), $(curl --version | head -1 | cut -d' ' -f1-2), wrk, $(docker-registry --version 2>/dev/null | head -1)"
  echo "# router JVM options: NEXUS_ROUTER_JAVA_OPTS='$ROUTER_OPTS'; rounds: $ROUNDS; blob: $SIZE_MIB MiB"
  echo "# proxies pinned to CPUs: ${PROXY_CPUS:-none (all)}"
  [ -z "$ALT_HOME" ] || echo "# alt router: $ALT_HOME, NEXUS_ROUTER_JAVA_OPTS='$ALT_OPTS', JAVA_HOME='$ALT_JAVA_HOME'"
  [ -z "$ROUTER_CONFIG$ALT_CONFIG" ] || echo "# extra config: router '$ROUTER_CONFIG', alt '$ALT_CONFIG'"
  echo "# commit: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet -- router packaging || echo ' (+local changes)')"
  echo "# load at start: $(cat /proc/loadavg)"
} >"$RESULTS"

wait_quiet # once, up to BENCH_WAIT_QUIET; before each test at most a minute more
make_certs
make_blob
case " $TESTS " in
  *" download "* | *" upload "* | *" firstbyte "* | *" small "* | *" rss "* | *" serve "*)
    start_all
    seed_blob
    ;;
esac
for t in $TESTS; do
  case $t in
    download | upload | firstbyte | small | rss | startup | cred | serve) ;;
    *) die "unknown test $t" ;;
  esac
  BENCH_WAIT_QUIET=60 wait_quiet
  log "test $t"
  echo "# test $t starts at load $(load1)" >>"$RESULTS"
  "test_$t"
done
{
  echo "# load at end: $(cat /proc/loadavg)"
  echo "# router peak RSS over the whole run (VmHWM): $(awk '/VmHWM/ { print $2, $3 }' "/proc/${PID_router:-0}/status" 2>/dev/null || echo n/a)"
} >>"$RESULTS"
python3 "$here/benchtool.py" summarize "$RESULTS" >"$OUT/summary.md"
grep '^#' "$RESULTS" >>"$OUT/summary.md" || true
log "done: $OUT/summary.md"
cat "$OUT/summary.md"
