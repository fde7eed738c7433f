#!/bin/sh
# Validates packaging/compose: the Compose file against the Compose schema (`docker compose config`
# or docker-compose, which need no engine), its shape (the seed's ports and volumes, the router as a
# read-only sidecar in Nexus's network namespace), and the router config with `nexus-router check`
# (certificate paths pointed at a throw-away pair).
set -eu
prog=test-compose
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"
compose_dir=$packaging_dir/compose

work=$(mktemp -d "${TMPDIR:-/tmp}/nexus-router-compose.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if docker compose version >/dev/null 2>&1; then
  compose="docker compose"
elif command -v docker-compose >/dev/null 2>&1; then
  compose=docker-compose
else
  die "neither 'docker compose' nor docker-compose is installed (apt-get install docker-compose)"
fi
# shellcheck disable=SC2086 # "docker compose" is two words
$compose -f "$compose_dir/docker-compose.yml" config >"$work/config.yml" 2>"$work/err" ||
  die "$compose config rejects docker-compose.yml: $(cat "$work/err")"
say "$compose config: valid"

normalized=$work/config.yml
expect() { grep -Eq "$1" "$normalized" || die "docker-compose.yml: $2"; }
expect 'image: sonatype/nexus3:[0-9]' "Nexus image is not pinned"
expect 'image: nexus-router:[0-9]' "router image is not pinned"
for port in 8081 8082 8083 8084 8085 8086; do
  expect "published: \"?$port\"?\$" "Nexus port $port is not published"
done
expect 'published: "?443"?$' "443 is not published"
expect 'target: 8443' "443 does not go to the router's 8443"
expect 'network_mode: service:nexus' "the router does not share Nexus's network namespace"
expect 'read_only: true' "the router's root filesystem is writable"
expect '/nexus-data:/nexus-data|source: /nexus-data' "/nexus-data is not mounted"
expect '/etc/nexus-router' "the router config is not mounted"

# The router config as the container sees it.
cp -R "$compose_dir/router" "$work/router"
mkdir -p "$work/router/tls" "$work/download"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=registry.acqua.com \
  -addext 'subjectAltName=DNS:registry.acqua.com,DNS:nexus.cs.acqua.com' \
  -keyout "$work/router/tls/acqua.com.key.pem" -out "$work/router/tls/acqua.com.bundle.crt" 2>/dev/null ||
  die "openssl could not make a test certificate"
sed -e "s|/etc/nexus-router/|$work/router/|g" -e "s|/data/wwwroot/download|$work/download|g" \
  "$compose_dir/router/config.yaml" >"$work/config.yaml"
"$packaging_dir/bin/nexus-router" check "$work/config.yaml" >"$work/check.out" 2>&1 ||
  die "nexus-router check rejects compose/router/config.yaml: $(cat "$work/check.out")"
say "nexus-router check: compose/router/config.yaml OK"
