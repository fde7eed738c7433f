#!/bin/sh
# Runs the whole test suite: unit tests, integration tests against fake upstreams, end-to-end
# tests with real parts (docker-registry, skopeo, containerd, gnome-keyring, openssl), and the
# packaging checks (image built and run with buildah/podman, kustomize + schema validation,
# .deb install/remove, systemd-analyze, shellcheck).
# As root it first installs the Debian packages those tests use; set SKIP_APT=1 to skip that.
# With CI=true a test whose real part is missing fails instead of being skipped.
set -eu
cd "$(dirname "$0")"

PACKAGES="maven openjdk-17-jdk-headless docker-registry skopeo containerd openssl curl nginx-light chromium chromium-driver
  gnome-keyring dbus dbus-x11 libsecret-tools golang-docker-credential-helpers
  podman buildah runc shellcheck busybox-static docker-compose jq systemd adduser util-linux
  iproute2 zstd fakeroot gcc libc6-dev haproxy valgrind libssl3"

if [ "$(id -u)" = 0 ] && [ "${SKIP_APT:-0}" != 1 ]; then
  missing=""
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "test.sh: installing$missing" >&2
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

# unit, integration and end-to-end tests (and the jars the packaging checks use)
mvn -B verify "$@"
# container image, Kubernetes manifests, compose, .debs, systemd unit, shellcheck
exec packaging/test-packaging.sh
