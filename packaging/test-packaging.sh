#!/bin/sh
# The packaging checks, in one command (test.sh runs it after `mvn verify` has built the jars):
#   1 shellcheck      every shell script in the repository
#   2 kubernetes      kubectl kustomize of base and overlays, schema validation, router config check
#   3 compose         docker-compose.yml schema and shape, router config check
#   4 credential-deb  docker-credential-java .deb + tarball: build, install, protocol on a real
#                     keyring, remove/purge, nothing left (install part needs root)
#   5 router-deb      nexus-router .deb: build, install, systemd-analyze verify, serve as the
#                     service user, reload, drain, purge (needs root)
#   6 container       image built by buildah (chroot, FROM scratch), run by podman, real registry
#                     push/inspect through it (needs root)
# Stops at the first failure. With CI=true every check must run: a missing tool or not being root
# is a failure. Otherwise such checks are skipped and listed. Each check is bounded by
# PACKAGING_STEP_TIMEOUT seconds (default 420). Only checks named in PACKAGING_ONLY (space
# separated) run, when it is set.
set -eu
prog=test-packaging
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$packaging_dir/lib/common.sh"

ci=${CI:-false}
step_timeout=${PACKAGING_STEP_TIMEOUT:-420}
root=false
[ "$(id -u)" = 0 ] && root=true
passed=0
failed=0
skipped=0
skipped_names=""
started=$(date +%s)

summary() {
  say "$((passed)) passed, $failed failed, $skipped skipped in $(( $(date +%s) - started )) s${skipped_names:+ (skipped:$skipped_names)}"
  echo "packaging: $passed passed, $failed failed, $skipped skipped"
}

skip() {
  if [ "$ci" = true ]; then
    failed=$((failed + 1))
    say "FAILED $1: $2 (CI=true: nothing may be skipped)"
    summary
    exit 1
  fi
  skipped=$((skipped + 1))
  skipped_names="$skipped_names $1"
  say "SKIPPED $1: $2"
}

# run NAME NEEDS_ROOT(yes|no) "TOOLS" COMMAND...
run() {
  name=$1 needs_root=$2 tools=$3
  shift 3
  if [ -n "${PACKAGING_ONLY:-}" ] && ! echo " $PACKAGING_ONLY " | grep -q " $name "; then
    return 0
  fi
  if [ "$needs_root" = yes ] && [ "$root" = false ]; then
    skip "$name" "needs root"
    return 0
  fi
  missing=""
  for tool in $tools; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
  done
  if [ -n "$missing" ]; then
    skip "$name" "missing:$missing"
    return 0
  fi
  say "---- $name"
  step_start=$(date +%s)
  if timeout --kill-after=20 "$step_timeout" "$@"; then
    passed=$((passed + 1))
    say "---- $name passed ($(( $(date +%s) - step_start )) s)"
  else
    rc=$?
    failed=$((failed + 1))
    [ "$rc" = 124 ] && say "$name timed out after $step_timeout s"
    say "---- $name FAILED (exit $rc)"
    summary
    exit 1
  fi
}

for jar in router/target/nexus-router.jar credential-helper/target/docker-credential-java.jar; do
  [ -f "$repo_dir/$jar" ] || die "$jar is missing: build first (mvn -B -DskipTests package, or ./test.sh)"
done

run shellcheck no "shellcheck git" "$packaging_dir/shellcheck-all.sh"
run kubernetes no "kubectl node npm openssl java" "$packaging_dir/k8s/test-k8s.sh"
run compose no "openssl java" "$packaging_dir/compose/test-compose.sh"
# Building the .deb files needs no root; installing them does (tested inside, tarball either way).
# shellcheck disable=SC2016 # $1 expands in the inner shell
run credential-deb no "dpkg-deb gnome-keyring-daemon dbus-daemon dbus-send secret-tool" \
  sh -c '"$1/credential-helper/build.sh" && "$1/credential-helper/test.sh"' sh "$packaging_dir"
# shellcheck disable=SC2016 # $1 expands in the inner shell
run router-deb yes "dpkg-deb systemd-analyze runuser adduser curl" \
  sh -c '"$1/router-deb/build.sh" && "$1/router-deb/test.sh"' sh "$packaging_dir"
run container yes "buildah podman runc skopeo docker-registry curl jq busybox" \
  "$packaging_dir/container/test-image.sh"
summary
