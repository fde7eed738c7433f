#!/bin/sh
# shellcheck disable=SC1091,SC2034,SC2154 # common.sh/keyring.sh: prog, target_dir, die, say
# docker-credential-java (installed .deb) against Debian's Go docker-credential-secretservice on one
# private gnome-keyring: get found / not found, list, store, in one interleaved run per load level:
# idle, then with two busy cores (two `sha256sum /dev/zero`, bounded by timeout). Root (dpkg -i);
# installs the .deb from packaging/target and purges it afterwards.
#   bench/cred-helpers.sh [ROUNDS]    default 40; writes bench/results/cred-helpers-<date>.md
set -eu
bench_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
repo=$(dirname -- "$bench_dir")
packaging_dir=$repo/packaging
prog=cred-helpers
# shellcheck source=../packaging/lib/common.sh
. "$packaging_dir/lib/common.sh"
# shellcheck source=../packaging/lib/keyring.sh
. "$packaging_dir/lib/keyring.sh"
rounds=${1:-40}
name=docker-credential-java
deb=$target_dir/${name}_$(debian_version)_amd64.deb
[ "$(id -u)" = 0 ] || die "needs root (dpkg -i)"
[ -f "$deb" ] || die "$deb not found: run packaging/credential-helper/build.sh"
command -v docker-credential-secretservice >/dev/null ||
  die "docker-credential-secretservice not found (apt-get install golang-docker-credential-helpers)"
dpkg -s "$name" >/dev/null 2>&1 && die "$name is already installed; remove it first"
work=$(mktemp -d "${TMPDIR:-/tmp}/$name-bench.XXXXXX")
out=$bench_dir/results/cred-helpers-$(date -u +%Y%m%d-%H%M).md
load_pids=""
trap 'for p in $load_pids; do kill "$p" 2>/dev/null || true; done; keyring_stop
  dpkg -P "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT INT TERM
dpkg -i "$deb" >/dev/null
keyring_start "$work/keyring"
printf '{"ServerURL":"https://registry.bench.test","Username":"u","Secret":"s"}' |
  docker-credential-secretservice store
java=/usr/bin/docker-credential-java
go=$(command -v docker-credential-secretservice)
[ "$(printf https://registry.bench.test | "$java" get)" = \
  "$(printf https://registry.bench.test | "$go" get)" ] || die "the two helpers disagree"
mkdir -p "$bench_dir/results"
{
  echo "# docker-credential-java vs docker-credential-secretservice, $(date -u +%FT%TZ)"
  echo
  echo "$(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg); .deb $(debian_version)"
  RAW=$work/idle.json python3 "$bench_dir/cred_interleaved.py" "$rounds" "$java" "$go" "idle"
  # Two busy cores for the whole second run (the machine's other users add their own load).
  timeout 600 sha256sum /dev/zero >/dev/null 2>&1 &
  load_pids="$!"
  timeout 600 sha256sum /dev/zero >/dev/null 2>&1 &
  load_pids="$load_pids $!"
  sleep 3
  RAW=$work/load.json python3 "$bench_dir/cred_interleaved.py" "$rounds" "$java" "$go" \
    "with two busy cores (2x sha256sum /dev/zero)"
} | tee "$out"
say "wrote $out"
