#!/bin/sh
# Installs the nexus-router .deb (root), verifies the systemd unit with systemd-analyze, runs the
# installed router as the service user the way the unit does (config check, serve, SIGHUP reload,
# SIGTERM drain with exit 0), then purges and checks the user, data directory and files are gone.
set -eu
prog=test-router-deb
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"

name=nexus-router
deb=${1:-$target_dir/${name}_$(debian_version)_amd64.deb}
[ -f "$deb" ] || die "$deb not found: run packaging/router-deb/build.sh"
[ "$(id -u)" = 0 ] || { say "SKIPPED the nexus-router .deb test (needs root)"; exit 0; }
dpkg -s "$name" >/dev/null 2>&1 && die "$name is already installed; remove it first"
getent passwd "$name" >/dev/null && die "a user $name exists already; the test would remove it"

work=$(mktemp -d "${TMPDIR:-/tmp}/$name-debtest.XXXXXX")
chmod 755 "$work"
router_pid=""
cleanup() {
  [ -z "$router_pid" ] || kill "$router_pid" 2>/dev/null || true
  dpkg -P "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

dpkg -i "$deb" >/dev/null || die "dpkg -i failed"
dpkg -L "$name" >"$work/files"
getent passwd "$name" | grep -q ':/usr/sbin/nologin$' || die "postinst did not create a nologin user"
[ "$(stat -c %U:%a /var/lib/$name)" = "$name:750" ] || die "/var/lib/$name is $(stat -c %U:%a /var/lib/$name)"
[ "$(stat -c %G:%a /etc/$name/config.yaml)" = "$name:640" ] || die "config.yaml is not 640 root:$name"
grep -qx /etc/$name/config.yaml /var/lib/dpkg/info/$name.conffiles || die "config.yaml is not a conffile"
unit=/lib/systemd/system/$name.service
# shellcheck disable=SC2016 # a literal $MAINPID
for want in 'AmbientCapabilities=CAP_NET_BIND_SERVICE' 'Restart=on-failure' 'User=nexus-router' \
  'ExecReload=/bin/kill -HUP $MAINPID' 'NoNewPrivileges=yes' 'ProtectSystem=strict'; do
  grep -qxF "$want" "$unit" || die "$unit lacks $want"
done
# systemd-analyze verify checks the syntax, every directive, and that the executables exist.
systemd-analyze verify "$unit" >"$work/verify.out" 2>&1 || { cat "$work/verify.out" >&2; die "systemd-analyze verify failed"; }
if grep -v -e 'Failed to set fd limit' -e '^$' "$work/verify.out" | grep -q .; then
  cat "$work/verify.out" >&2
  die "systemd-analyze verify reported problems"
fi
say "systemd-analyze verify $unit: clean"
[ "$(nexus-router --version)" = "nexus-router $(project_version)" ] || die "nexus-router --version: $(nexus-router --version)"
# the completion script completes a sub-command of the installed binary
completion=/usr/share/bash-completion/completions/nexus-router
[ "$(bash -c ". $completion; COMP_WORDS=(nexus-router nexus pro); COMP_CWORD=2; _complete_nexus-router 2>/dev/null; echo \"\${COMPREPLY[*]}\"")" = provision ] \
  || die "$completion does not complete 'nexus-router nexus pro'"
runuser -u "$name" -- nexus-router check /etc/$name/config.yaml >/dev/null || die "the shipped config fails check"
# The AOT cache, when the package has one, must load where it was installed (AOTMode=on fails the
# JVM otherwise, where the default mode would silently start without it).
if [ -f /usr/lib/$name/lib/$name.aot ]; then
  NEXUS_ROUTER_JAVA_OPTS=-XX:AOTMode=on nexus-router --version >"$work/aot.out" 2>&1 ||
    die "the AOT cache does not load: $(cat "$work/aot.out")"
  say "the AOT cache loads from /usr/lib/$name/lib"
else
  say "the package has no AOT cache (built with a JDK older than 25)"
fi

# An RSA certificate and tls-engine: auto (set in the config below), so the TLS listener runs on
# OpenSSL: the packaged runtime must find libssl and the JNI library (docs/tls.md#tls-engine).
nexus-router certs init --domain localhost --ip 127.0.0.1 --key-type rsa --out "$work/tls" >/dev/null ||
  die "certs init failed"
chmod 755 "$work/tls"
chmod 644 "$work/tls/server.key"

# Serve as the service user, from the data directory, with a config on free loopback ports (a new
# pair if another process takes one between the choice and the bind).
serve_installed() {
  port=$(free_port)
  tls_port=$(free_port)
  admin=$(free_port)
  say "router on 127.0.0.1:$port and :$tls_port (TLS), admin on 127.0.0.1:$admin"
  cat >"$work/config.yaml" <<CONF
tls-engine: auto
listeners:
  - {name: main, address: 127.0.0.1, port: $port}
  - {name: tls, address: 127.0.0.1, port: $tls_port, tls: {cert-file: $work/tls/server.crt, key-file: $work/tls/server.key}}
upstreams:
  group:  {servers: [http://127.0.0.1:9]}
  hosted: {servers: [http://127.0.0.1:9]}
hosts:
  - {server-names: ["*"], default: true, kind: registry, group: group, hosted: hosted}
admin: {enabled: true, address: 127.0.0.1, port: $admin}
shutdown-timeout: 5s
CONF
  chmod 644 "$work/config.yaml"
  (cd /var/lib/$name && exec runuser -u "$name" -- /usr/bin/$name serve --config "$work/config.yaml") \
    >"$work/serve.log" 2>&1 &
}
start_router "$work/serve.log" "the installed router" serve_installed
[ "$(ps -o user= -p "$(pgrep -P "$router_pid" | head -n 1 || echo "$router_pid")" | tr -d ' ')" != root ] ||
  die "the router runs as root"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")
[ "$status" = 503 ] || die "GET /v2/ with no upstream gave $status, wanted the router's 503"
status=$(curl -s --cacert "$work/tls/ca.crt" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$tls_port/v2/")
[ "$status" = 503 ] || die "GET /v2/ over TLS gave $status, wanted the router's 503"
grep -q 'listener tls: TLS engine openssl$' "$work/serve.log" ||
  { cat "$work/serve.log" >&2; die "the packaged router does not run TLS on OpenSSL"; }
! grep -q '^WARNING' "$work/serve.log" || { cat "$work/serve.log" >&2; die "the JVM printed warnings"; }
say "TLS on the OpenSSL engine, no JVM warnings"
java_pid=$(pgrep -f "serve --config $work/config.yaml" | while read -r p; do
  [ "$(ps -o comm= -p "$p")" = java ] && echo "$p"; done | head -n 1)
[ -n "$java_pid" ] || die "no java process found for the router"
kill -HUP "$java_pid"
sleep 1
kill -0 "$java_pid" 2>/dev/null || die "SIGHUP stopped the router"
curl -fsS -o /dev/null "http://127.0.0.1:$admin/healthz" || die "not serving after SIGHUP"
kill -TERM "$java_pid"
code=0
wait "$router_pid" || code=$?
router_pid=""
[ "$code" = 0 ] || { cat "$work/serve.log" >&2; die "exit code after SIGTERM: $code"; }
say "installed router: check, serve as $name, reload (HUP), drain (TERM) with exit 0"

dpkg -r "$name" >/dev/null || die "dpkg -r failed"
[ -f /etc/$name/config.yaml ] || die "dpkg -r removed the conffile (only purge should)"
dpkg -P "$name" >/dev/null 2>&1 || die "dpkg -P failed"
for gone in /etc/$name /var/lib/$name /var/log/$name /usr/lib/$name /usr/bin/$name "$unit"; do
  [ ! -e "$gone" ] || die "$gone is left after purge"
done
getent passwd "$name" >/dev/null && die "the $name user is left after purge"
say "remove keeps the config, purge removes config, data, logs and the user"
