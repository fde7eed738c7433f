#!/bin/sh
# Times `get` of the installed docker-credential-java .deb against the Go
# docker-credential-secretservice on the same private gnome-keyring with hyperfine (root; not run
# by test-packaging.sh). Installs the .deb from packaging/target and purges it afterwards.
#   bench-get.sh [RUNS]      default 30; writes packaging/target/bench-get.md
set -eu
prog=bench-get
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"
# shellcheck source=../lib/keyring.sh
. "$packaging_dir/lib/keyring.sh"
runs=${1:-30}
name=docker-credential-java
deb=$target_dir/${name}_$(debian_version)_amd64.deb
[ "$(id -u)" = 0 ] || die "needs root (dpkg -i)"
[ -f "$deb" ] || die "$deb not found: run packaging/credential-helper/build.sh"
for tool in hyperfine docker-credential-secretservice; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install hyperfine golang-docker-credential-helpers)"
done
dpkg -s "$name" >/dev/null 2>&1 && die "$name is already installed; remove it first"
work=$(mktemp -d "${TMPDIR:-/tmp}/$name-bench.XXXXXX")
trap 'keyring_stop; dpkg -P "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT INT TERM
dpkg -i "$deb" >/dev/null
keyring_start "$work/keyring"
# Stored by the Go helper, read by both: they share the Secret Service schema.
printf '{"ServerURL":"https://registry.bench.test","Username":"u","Secret":"s"}' |
  docker-credential-secretservice store
printf 'https://registry.bench.test' >"$work/url"
[ "$(docker-credential-java get <"$work/url")" = "$(docker-credential-secretservice get <"$work/url")" ] ||
  die "the two helpers disagree"
[ "$(docker-credential-java list)" = "$(docker-credential-secretservice list)" ] ||
  die "the two helpers list differently"
# Each command runs under `sh -c` with stdin from a file (hyperfine 1.15 has no --input), the same
# for both helpers.
hyperfine --warmup 5 --runs "$runs" --export-markdown "$target_dir/bench-get.md" \
  -n "docker-credential-java get (.deb)" "sh -c 'docker-credential-java get <$work/url'" \
  -n "docker-credential-secretservice get (Go)" "sh -c 'docker-credential-secretservice get <$work/url'" \
  -n "docker-credential-java list (.deb)" "sh -c 'docker-credential-java list </dev/null'" \
  -n "docker-credential-secretservice list (Go)" "sh -c 'docker-credential-secretservice list </dev/null'"
say "uptime: $(uptime)"
say "wrote $target_dir/bench-get.md"
