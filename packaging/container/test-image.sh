#!/bin/sh
# Builds the image with buildah (chroot isolation, no daemon), runs it with podman on the host
# network, read-only, with config from a volume, and pushes and inspects a real image through it to
# a docker-registry (CNCF distribution) upstream. Everything lives in a private podman storage and
# configuration under a temporary directory, which is removed at the end. Needs root.
set -eu
prog=test-image
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"

for tool in buildah podman runc skopeo docker-registry curl jq; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install podman buildah runc skopeo docker-registry curl)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/nexus-router-image.XXXXXX")
tag=localhost/nexus-router:ci
name=nexus-router-ci-$$
registry_pid=""
# Private storage and engine settings: never the machine's (other users may run podman too).
cat >"$work/storage.conf" <<CONF
[storage]
driver = "vfs"
runroot = "$work/storage/run"
graphroot = "$work/storage/graph"
CONF
cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=16384:16384", "nproc=8192:8192"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$work/storage/tmp"
CONF
CONTAINERS_STORAGE_CONF=$work/storage.conf
CONTAINERS_CONF=$work/containers.conf
export CONTAINERS_STORAGE_CONF CONTAINERS_CONF

cleanup() {
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  podman volume rm -f "$name-data" >/dev/null 2>&1 || true
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  buildah rm --all >/dev/null 2>&1 || true
  buildah rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

start=$(date +%s)
"$packaging_dir/container/build-image.sh" --builder buildah --tag "$tag"
say "image built in $(( $(date +%s) - start )) s: $(podman image inspect --format '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1000000}')"
podman image inspect "$tag" >"$work/inspect.json"
health=$(jq -c '.[0].Healthcheck.Test' "$work/inspect.json")
echo "$health" | grep -q /healthz || die "the image has no HEALTHCHECK on /healthz: $health"
[ "$(jq -r '.[0].Config.User' "$work/inspect.json")" = 10001:10001 ] || die "the image does not run as 10001"

# The upstream: a real registry on loopback, one for both group and hosted.
registry_port=$(free_port)
mkdir -p "$work/registry"
cat >"$work/registry.yml" <<CONF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$registry_port}
CONF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
wait_http "http://127.0.0.1:$registry_port/v2/" 20 || die "docker-registry did not start: $(cat "$work/registry.log")"

router_port=$(free_port)
tls_port=$(free_port)
admin_port=$(free_port)
mkdir -p "$work/config"
# An RSA certificate and tls-engine: auto (set in the config below), so the TLS listener runs on
# OpenSSL: the packaged runtime must find libssl and the JNI library (docs/tls.md#tls-engine).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/config/server.key" -out "$work/config/server.crt" \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 2 >/dev/null 2>&1 ||
  die "openssl req failed"
cat >"$work/config/config.yaml" <<CONF
tls-engine: auto
listeners:
  - {name: http, address: 127.0.0.1, port: $router_port}
  - {name: tls, address: 127.0.0.1, port: $tls_port, tls: {cert-file: /etc/nexus-router/server.crt, key-file: /etc/nexus-router/server.key}}
upstreams:
  group:  {servers: ["http://127.0.0.1:$registry_port"]}
  hosted: {servers: ["http://127.0.0.1:$registry_port"]}
hosts:
  - {server-names: ["*"], default: true, kind: registry, group: group, hosted: hosted}
admin: {enabled: true, address: 127.0.0.1, port: $admin_port}
shutdown-timeout: 10s
CONF
chmod -R a+rX "$work/config"

podman run -d --name "$name" --network host --read-only --tmpfs /tmp:rw,size=64m \
  -v "$work/config:/etc/nexus-router:ro" -v "$name-data:/var/lib/nexus-router" \
  -e NEXUS_ROUTER_ADMIN_PORT="$admin_port" --health-interval disable --memory 512m "$tag" >/dev/null 2>"$work/run.err" ||
  die "podman run failed: $(cat "$work/run.err")"
if ! wait_http "http://127.0.0.1:$admin_port/readyz" 60; then
  podman logs "$name" >&2 || true
  die "the router in the container did not become ready"
fi
say "container ready in $(( $(date +%s) - start )) s since the build started"
# The AOT cache, when the image has one, must load where it was installed (AOTMode=on fails the
# JVM otherwise, where the default mode would silently start without it).
if jq -r '.[0].Config.Entrypoint[]' "$work/inspect.json" | grep -q '^-XX:AOTCache='; then
  podman run --rm --network none --read-only -e JDK_JAVA_OPTIONS=-XX:AOTMode=on "$tag" --version \
    >"$work/aot.out" 2>&1 || die "the image's AOT cache does not load: $(cat "$work/aot.out")"
  say "the image's AOT cache loads"
else
  say "the image has no AOT cache (built with a JDK older than 25)"
fi
status=$(curl -s --cacert "$work/config/server.crt" -o /dev/null -w '%{http_code}' "https://localhost:$tls_port/v2/")
[ "$status" = 200 ] || die "GET /v2/ over TLS gave $status"
podman logs "$name" >"$work/router.log" 2>&1 || true
grep -q 'listener tls: TLS engine openssl$' "$work/router.log" ||
  { cat "$work/router.log" >&2; die "the image does not run TLS on OpenSSL"; }
! grep -q '^WARNING' "$work/router.log" || { cat "$work/router.log" >&2; die "the JVM printed warnings"; }
say "TLS on the OpenSSL engine, no JVM warnings"
# No systemd here to schedule health checks: run the image's HEALTHCHECK command on demand.
if ! podman healthcheck run "$name"; then
  podman exec "$name" /bin/sh -c "/bin/busybox wget -O - http://127.0.0.1:\$NEXUS_ROUTER_ADMIN_PORT/healthz" >&2 || true
  die "podman healthcheck run failed"
fi
[ "$(podman exec "$name" /bin/busybox id -u)" = 10001 ] || die "the router does not run as uid 10001"
if podman exec "$name" /bin/busybox touch /opt/nexus-router/x 2>/dev/null; then
  die "the root filesystem is writable"
fi
podman exec "$name" /bin/busybox touch /var/lib/nexus-router/x /tmp/x ||
  die "the data volume or /tmp is not writable"

# Real registry traffic through the router: a push, then a pull-side inspect and the /v2/ probe.
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$router_port/v2/")
[ "$status" = 200 ] || die "GET /v2/ through the router gave $status"
buildah push --quiet --tls-verify=false "$tag" "docker://127.0.0.1:$router_port/ci/nexus-router:pushed" ||
  die "push through the router failed"
digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' \
  "docker://127.0.0.1:$router_port/ci/nexus-router:pushed") || die "skopeo inspect through the router failed"
direct=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' \
  "docker://127.0.0.1:$registry_port/ci/nexus-router:pushed")
[ "$digest" = "$direct" ] || die "digest through the router $digest != direct $direct"
podman logs "$name" 2>&1 | grep -q 'PUT /v2/ci/nexus-router/manifests/pushed' ||
  die "the access log has no manifest PUT"
say "push + inspect through the container OK ($digest)"

# SIGTERM drains and exits 0.
podman stop -t 20 "$name" >/dev/null 2>&1
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || { podman logs "$name" | tail -n 20 >&2; die "exit code after SIGTERM: $code"; }
say "stopped with exit code 0; total $(( $(date +%s) - start )) s"
