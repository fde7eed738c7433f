#!/bin/sh
# Records the router's AOT cache (JEP 483/514/515, JDK 25+) from a real start and real requests:
#   router-aot.sh CACHE_FILE COMMAND [ARG...]
# COMMAND [ARG...] must start the JVM with the flags the packaged router runs with (the .deb's
# launcher, or the container's java and entrypoint flags) and take `serve --config FILE` after
# them; the recording flag reaches the JVM through JDK_JAVA_OPTIONS. The training run serves a
# plain, a TLS (certificate from `certs init`) and the admin listener on free loopback ports, with
# the admin listener as the upstream, and takes the requests a pull and a monitor make: /v2/ and a
# manifest HEAD over both listeners (through the proxy), /healthz, /readyz, /metrics. SIGTERM then
# drains and exits 0, and the JVM writes CACHE_FILE on exit.
set -eu
prog=router-aot
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=common.sh
. "$packaging_dir/lib/common.sh"

cache=${1:?usage: router-aot.sh CACHE_FILE COMMAND [ARG...]}
shift
[ $# -gt 0 ] || die "usage: router-aot.sh CACHE_FILE COMMAND [ARG...]"
command -v curl >/dev/null || die "curl not found (the training requests use it)"

work=$(mktemp -d "${TMPDIR:-/tmp}/router-aot.XXXXXX")
chmod 755 "$work"
router_pid=""
cleanup() {
  [ -z "$router_pid" ] || kill "$router_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The certificate, made by a run without recording (certs init is not part of a serve).
"$@" certs init --domain aot-training.invalid --ip 127.0.0.1 --out "$work/tls" >/dev/null ||
  die "training: certs init failed"
chmod 644 "$work/tls/server.key"

rm -f "$cache"
# serve_recording COMMAND [ARG...], run by start_router: new free ports, a config for them, and the
# recording router in the background
serve_recording() {
  plain=$(free_port)
  tls=$(free_port)
  admin=$(free_port)
  cat >"$work/config.yaml" <<CONF
listeners:
  - {name: plain, address: 127.0.0.1, port: $plain}
  - name: tls
    address: 127.0.0.1
    port: $tls
    tls: {cert-file: $work/tls/server.crt, key-file: $work/tls/server.key}
upstreams:
  group:  {servers: ["http://127.0.0.1:$admin"]}
  hosted: {servers: ["http://127.0.0.1:$admin"]}
hosts:
  - {server-names: ["*"], default: true, kind: registry, group: group, hosted: hosted}
admin: {enabled: true, address: 127.0.0.1, port: $admin}
access-log: {path: "off"}
shutdown-timeout: 5s
CONF
  chmod 644 "$work/config.yaml"
  (cd "$work" && JDK_JAVA_OPTIONS="-XX:AOTCacheOutput=$cache" exec "$@" serve \
    --config "$work/config.yaml") >"$work/serve.log" 2>&1 &
}
start_router "$work/serve.log" "training: the router" serve_recording "$@"

request() { # URL [CURL_ARG...]: any HTTP status will do, a transport failure will not
  rq_url=$1
  shift
  curl -s -o /dev/null --max-time 10 "$@" "$rq_url" || die "training: no answer from $rq_url"
}
round=1
while [ "$round" -le 3 ]; do
  for base in "http://127.0.0.1:$plain" "https://127.0.0.1:$tls"; do
    request "$base/v2/" --cacert "$work/tls/ca.crt"
    request "$base/v2/library/alpine/manifests/latest" --cacert "$work/tls/ca.crt" -I \
      -H 'Accept: application/vnd.oci.image.index.v1+json'
  done
  for path in healthz readyz metrics; do
    request "http://127.0.0.1:$admin/$path"
  done
  round=$((round + 1))
done

kill -TERM "$router_pid"
code=0
wait "$router_pid" || code=$?
router_pid=""
[ "$code" = 0 ] || { cat "$work/serve.log" >&2; die "training: exit code $code after SIGTERM"; }
[ -s "$cache" ] || { cat "$work/serve.log" >&2; die "training: $cache was not written"; }
say "recorded $cache ($(du -h "$cache" | cut -f1))"
