#!/bin/sh
# shellcheck disable=SC1091,SC2034,SC2154 # common.sh/keyring.sh: prog, target_dir, die, say
# docker-credential-java (installed .deb) against Debian's Go docker-credential-secretservice on one
# private gnome-keyring: get found / not found, list, store, in one interleaved run per load level:
# idle, then with two busy cores (two `sha256sum /dev/zero`, bounded by timeout). Root (dpkg -i);
# installs the .deb from packaging/target and purges it afterwards.
#   bench/cred-helpers.sh [ROUNDS]    default 40; writes bench/results/cred-helpers-<date>.md
#   BASE_TARBALL=old.tar.gz bench/cred-helpers.sh   also this build against an earlier tarball
# With a JDK (javac, jar) on PATH it also times a hello world on the same runtime (the JVM's floor) against Go.
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
# The load runs inside the { } | tee subshell; its pids go to a file the trap can read.
trap 'while read -r p; do kill "$p" 2>/dev/null || true; done 2>/dev/null <"$work/load.pids"; keyring_stop
  dpkg -P "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT INT TERM
dpkg -i "$deb" >/dev/null
keyring_start "$work/keyring"
printf '{"ServerURL":"https://registry.bench.test","Username":"u","Secret":"s"}' |
  docker-credential-secretservice store
java=/usr/bin/docker-credential-java
runtime=/usr/lib/$name/runtime
go=$(command -v docker-credential-secretservice)
[ "$(printf https://registry.bench.test | "$java" get)" = \
  "$(printf https://registry.bench.test | "$go" get)" ] || die "the two helpers disagree"
mkdir -p "$bench_dir/results"
{
  echo "# docker-credential-java vs docker-credential-secretservice, $(date -u +%FT%TZ)"
  echo
  echo "$(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg); .deb $(debian_version)"
  RAW=$work/idle.json python3 "$bench_dir/cred_interleaved.py" "$rounds" "idle" java "$java" Go "$go"
  if [ -n "${BASE_TARBALL:-}" ]; then
    # This build against an earlier one (its tarball), same keyring, same load: what a change cost.
    mkdir -p "$work/base"
    tar -xzf "$BASE_TARBALL" -C "$work/base"
    sh "$(dirname "$(find "$work/base" -name install.sh | head -n 1)")/install.sh" \
      --prefix "$work/base/prefix" >/dev/null
    RAW=$work/ab.json python3 "$bench_dir/cred_interleaved.py" "$rounds" \
      "this build (A) against $(basename "$BASE_TARBALL") (B), idle" \
      A "$java" B "$work/base/prefix/bin/docker-credential-java"
  fi
  # The floor: a hello world on the same runtime, with the wrapper's flags and its own AOT cache,
  # started through a /bin/sh wrapper as the helper is. What no change inside the helper can beat.
  if command -v javac >/dev/null && command -v jar >/dev/null; then
    mkdir -p "$work/floor"
    printf '%s\n' 'public class Hello { public static void main(String[] a) {' \
      '  System.out.println("{}"); Runtime.getRuntime().halt(0); } }' >"$work/floor/Hello.java"
    javac --release 17 -d "$work/floor" "$work/floor/Hello.java"
    (cd "$work/floor" && jar cf hello.jar Hello.class)
    flags="-Xint -XX:+UseSerialGC -XX:-UsePerfData -Xss512k -Xlog:disable -Xlog:all=off -XX:-PrintWarnings"
    # shellcheck disable=SC2086
    "$runtime/bin/java" $flags -XX:AOTCacheOutput="$work/floor/hello.aot" \
      -cp "$work/floor/hello.jar" Hello >/dev/null 2>&1
    printf '#!/bin/sh\nexec %s %s -XX:AOTCache=%s -cp %s Hello\n' "$runtime/bin/java" "$flags" \
      "$work/floor/hello.aot" "$work/floor/hello.jar" >"$work/floor/hello"
    chmod 755 "$work/floor/hello"
    RAW=$work/floor.json python3 "$bench_dir/cred_interleaved.py" "$rounds" \
      "the JVM floor (hello world, same runtime, flags and AOT cache; every row runs the same program) against Go, idle" \
      floor "$work/floor/hello" Go "$go"
  fi
  # Two busy cores for the whole second run (the machine's other users add their own load).
  timeout 600 sha256sum /dev/zero >/dev/null 2>&1 &
  echo "$!" >"$work/load.pids"
  timeout 600 sha256sum /dev/zero >/dev/null 2>&1 &
  echo "$!" >>"$work/load.pids"
  sleep 3
  RAW=$work/load.json python3 "$bench_dir/cred_interleaved.py" "$rounds" \
    "with two busy cores (2x sha256sum /dev/zero)" java "$java" Go "$go"
  while read -r p; do kill "$p" 2>/dev/null || true; done <"$work/load.pids"
} | tee "$out"
say "wrote $out"
