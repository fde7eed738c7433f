# Shared by the packaging scripts (sourced, not run): messages, the project version, paths.
# shellcheck shell=sh

say() { printf '%s: %s\n' "${prog:-packaging}" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "${prog:-packaging}" "$*" >&2; exit 1; }

# The sourcing script sets packaging_dir (the absolute path of packaging/) first.
: "${packaging_dir:?set packaging_dir before sourcing common.sh}"
repo_dir=$(dirname "$packaging_dir")
# shellcheck disable=SC2034 # used by the scripts that source this file
target_dir=${PACKAGING_TARGET:-$packaging_dir/target}

# Maven version of the project (first <version> after the parent pom's artifactId) and its Debian
# form: '-SNAPSHOT' sorts before the release in Maven, '~' does the same in dpkg.
project_version() {
  sed -n '/<artifactId>nexus-router-parent<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' \
    "$repo_dir/pom.xml" | head -n 1
}
debian_version() { project_version | sed 's/-/~/g'; }

# Reproducible timestamps inside archives: the last commit's time, else a fixed date.
source_date_epoch() {
  git -C "$repo_dir" log -1 --format=%ct 2>/dev/null || echo 1700000000
}

# A TCP port nobody listens on at the moment (tests bind loopback only).
free_port() {
  fp_port=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 + 20000 ))
  while ss -Htln "sport = :$fp_port" | grep -q .; do
    fp_port=$((fp_port + 1))
  done
  echo "$fp_port"
}

# Waits until URL answers 2xx: wait_http URL SECONDS
wait_http() {
  wh_deadline=$(( $(date +%s) + $2 ))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    [ "$(date +%s)" -lt "$wh_deadline" ] || return 1
    sleep 0.2
  done
}

# Starts a router on free loopback ports and waits (60 s) until its admin /healthz answers; when
# another process takes one of the ports between the choice and the bind, starts it again on new
# ones (3 tries in all):
#   start_router LOG WHAT START_FUNCTION [ARG...]
# START_FUNCTION ARG... (the caller's) picks the ports with free_port, writes the config, sets admin
# to the admin port and starts the router in the background with its output in LOG. Sets
# router_pid; when the router does not come up, prints LOG and dies with "WHAT did not start".
start_router() {
  sr_log=$1
  sr_what=$2
  shift 2
  sr_attempt=1
  while :; do
    "$@"
    router_pid=$!
    # shellcheck disable=SC2154 # admin is set by START_FUNCTION
    if wait_http "http://127.0.0.1:$admin/healthz" 60; then
      return 0
    fi
    kill "$router_pid" 2>/dev/null || true
    wait "$router_pid" 2>/dev/null || true
    router_pid=""
    if [ "$sr_attempt" -lt 3 ] && grep -qi 'address already in use' "$sr_log"; then
      sr_attempt=$((sr_attempt + 1))
      continue
    fi
    cat "$sr_log" >&2
    die "$sr_what did not start"
  done
}

# The project's .deb packages. deb_copyright ROOT NAME writes the copyright notice of package
# NAME; deb_control_head NAME VERSION INSTALLED_KB prints the DEBIAN/control fields every package
# starts with (the caller adds Section, Depends and Description).
deb_copyright() {
  cat >"$1/usr/share/doc/$2/copyright" <<TXT
$2: see the project's LICENSE. The bundled Java runtime is OpenJDK
(GPLv2 with the Classpath Exception); its notices are in /usr/lib/$2/runtime/legal/.
TXT
}
deb_control_head() {
  cat <<CTL
Package: $1
Version: $2
Architecture: amd64
Maintainer: nexus-router developers <nexus-router@users.noreply.invalid>
Installed-Size: $3
CTL
}

# Checksums, reproducible file times (SOURCE_DATE_EPOCH) and the .deb itself:
#   build_deb ROOT NAME VERSION DIR...
# DIR... are the top-level folders of ROOT the package installs. Sets deb to the file built.
build_deb() {
  bd_root=$1
  bd_name=$2
  bd_version=$3
  shift 3
  (cd "$bd_root" && find "$@" -type f -print0 | sort -z | xargs -0 md5sum) >"$bd_root/DEBIAN/md5sums"
  find "$bd_root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  mkdir -p "$target_dir"
  deb=$target_dir/${bd_name}_${bd_version}_amd64.deb
  dpkg-deb --root-owner-group -Zzstd --build "$bd_root" "$deb" >/dev/null
  say "built $deb ($(du -h "$deb" | cut -f1))"
}
