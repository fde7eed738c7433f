#!/bin/sh
# Installs the docker-credential-java .deb (root) and the tarball (any user), runs the protocol
# from PATH against a private gnome-keyring, removes and purges, and checks nothing is left.
#   test.sh [DEB] [TARBALL]     defaults: packaging/target/ (build.sh makes them)
set -eu
prog=test-credential-helper
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"
# shellcheck source=../lib/keyring.sh
. "$packaging_dir/lib/keyring.sh"

name=docker-credential-java
deb=${1:-$target_dir/${name}_$(debian_version)_amd64.deb}
tarball=${2:-$target_dir/$name-$(project_version)-linux-x86_64.tar.gz}
[ -f "$deb" ] || die "$deb not found: run packaging/credential-helper/build.sh"
[ -f "$tarball" ] || die "$tarball not found: run packaging/credential-helper/build.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/$name-test.XXXXXX")
installed_deb=false
cleanup() {
  keyring_stop
  if $installed_deb; then dpkg -P "$name" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

keyring_start "$work/keyring" || die "cannot start a private gnome-keyring"

# The Docker credential helper protocol, run by name from PATH as docker does.
exercise() {
  label=$1
  lib=$2
  url="https://registry-$label.example.test"
  printf '{"ServerURL":"%s","Username":"ci-user","Secret":"s3cr3t-%s"}' "$url" "$label" |
    docker-credential-java store || die "$label: store failed"
  got=$(printf '%s' "$url" | docker-credential-java get) || die "$label: get failed: $got"
  echo "$got" | grep -q "\"Secret\":\"s3cr3t-$label\"" || die "$label: get returned $got"
  echo "$got" | grep -q '"Username":"ci-user"' || die "$label: get returned $got"
  # The secret really is in the keyring (the Go helper's schema), not in a file.
  kept=$(secret-tool lookup server "$url" docker_cli 1) || die "$label: no keyring item for $url"
  [ "$kept" = "s3cr3t-$label" ] || die "$label: the keyring holds '$kept'"
  listed=$(docker-credential-java list) || die "$label: list failed"
  echo "$listed" | grep -q "\"$url\":\"ci-user\"" || die "$label: list returned $listed"
  printf '%s' "$url" | docker-credential-java erase || die "$label: erase failed"
  if missing=$(printf '%s' "$url" | docker-credential-java get 2>"$work/stderr"); then
    die "$label: get after erase succeeded: $missing"
  fi
  [ "$missing" = "credentials not found in native keychain" ] ||
    die "$label: get after erase said: $missing"
  [ ! -s "$work/stderr" ] || die "$label: stderr not empty: $(cat "$work/stderr")"
  # The packaged JNI socket is in use: without it every get pays the JDK's socket set-up.
  doctor=$(docker-credential-java doctor) || die "$label: doctor failed: $doctor"
  echo "$doctor" | grep -q '^D-Bus transport: native socket' ||
    die "$label: the native D-Bus socket is not in use: $doctor"
  # The AOT caches cover the calls of every pull: a found get, a not-found get (which walks list)
  # and list load no class from the jar (opening it costs ~80 ms in interpreter-only mode).
  if [ -f "$lib/$name.aot" ]; then
    assert_cached "$label" "$lib" "$name" -Xint "$url"
    kf=$work/key-file-$label/credentials.enc
    printf '{"ServerURL":"%s","Username":"k","Secret":"key-file"}' "$url" |
      DOCKER_CREDENTIAL_JAVA_BACKEND="file" DOCKER_CREDENTIAL_JAVA_FILE="$kf" \
        docker-credential-java store || die "$label: key-file store failed"
    DOCKER_CREDENTIAL_JAVA_BACKEND="file" DOCKER_CREDENTIAL_JAVA_FILE="$kf" \
      assert_cached "$label" "$lib" "$name-file" -XX:TieredStopAtLevel=1 "$url"
  fi
  # The wrapper runs a keyring get interpreted, and a get that may reach the file store with C1.
  wrapper=$(command -v docker-credential-java)
  printf '%s' "$url" | sh -x "$wrapper" get >/dev/null 2>"$work/trace" || true
  grep -q -- ' -Xint ' "$work/trace" || die "$label: a keyring get did not run with -Xint"
  printf "%s" "$url" | DOCKER_CREDENTIAL_JAVA_BACKEND="file" sh -x "$wrapper" get >/dev/null \
    2>"$work/trace" || true
  grep -q -- ' -XX:TieredStopAtLevel=1 ' "$work/trace" || die "$label: a file get did not keep C1"
  grep -q -- "-XX:AOTCache=$lib/$name-file.aot" "$work/trace" ||
    die "$label: a file get did not take the file store's AOT cache"
  # The other Linux code paths, on the package's trimmed runtime: the encrypted file store
  # (Bouncy Castle Argon2, AES-GCM) and configure (jackson-databind) moving a plaintext login.
  printf '{"ServerURL":"file-%s.test","Username":"f","Secret":"file-secret"}' "$label" |
    DOCKER_CREDENTIAL_JAVA_BACKEND=file DOCKER_CREDENTIAL_JAVA_PASSPHRASE=pp \
      docker-credential-java store || die "$label: file store failed"
  got=$(printf 'file-%s.test' "$label" | DOCKER_CREDENTIAL_JAVA_BACKEND=file \
    DOCKER_CREDENTIAL_JAVA_PASSPHRASE=pp docker-credential-java get) ||
    die "$label: file get failed: $got"
  echo "$got" | grep -q '"Secret":"file-secret"' || die "$label: file get returned $got"
  mkdir -p "$work/docker-$label"
  # base64("mover:moved-secret")
  printf '{"auths":{"moved-%s.test":{"auth":"bW92ZXI6bW92ZWQtc2VjcmV0"}},"proxies":{}}\n' "$label" \
    >"$work/docker-$label/config.json"
  DOCKER_CONFIG=$work/docker-$label REGISTRY_AUTH_FILE=$work/containers-auth-$label.json \
    docker-credential-java configure >"$work/configure.out" ||
    die "$label: configure failed: $(cat "$work/configure.out")"
  grep -q '"credsStore" *: *"java"' "$work/docker-$label/config.json" ||
    die "$label: configure did not set credsStore: $(cat "$work/docker-$label/config.json")"
  ! grep -q 'bW92ZXI6' "$work/docker-$label/config.json" ||
    die "$label: configure left the plaintext login in config.json"
  got=$(printf 'moved-%s.test' "$label" | docker-credential-java get) ||
    die "$label: the moved login is not in the keyring: $got"
  echo "$got" | grep -q '"Secret":"moved-secret"' || die "$label: moved login returned $got"
  printf 'moved-%s.test' "$label" | docker-credential-java erase
  rm -rf "$HOME/.local/share/docker-credential-java" # the next round starts without a file store
  say "$label: store/get/list/erase OK; native D-Bus socket in use; file store and configure OK"
}

# assert_cached LABEL LIB CACHE JIT URL: get URL, get an absent key, and list, each run on CACHE,
# answer and load no class from the jar.
assert_cached() {
  for call in "get $5" "get https://absent.example.test" "list -"; do
    printf '%s' "${call#* }" | "$2/runtime/bin/java" -XX:AOTCache="$2/$3.aot" -XX:AOTMode=on \
      --enable-native-access=ALL-UNNAMED "$4" -XX:+UseSerialGC -XX:-UsePerfData -Xss512k \
      -XX:-PrintWarnings -Xlog:class+load=info:file="$work/classes.log" \
      -Ddocker-credential-java.native-library="$2/libdockercredjava.so" \
      -cp "$2/$name.jar" dev.nexusrouter.credential.Main "${call%% *}" >"$work/answer" 2>&1 || true
    # The run itself must have worked (AOTMode=on fails when the cache does not load).
    grep -q '^{\|^credentials not found in native keychain$' "$work/answer" ||
      die "$1: '$call' on $3.aot answered: $(cat "$work/answer")"
    if grep -q 'source: file:' "$work/classes.log"; then
      die "$1: '${call%% *}' on $3.aot loaded classes from the jar: $(grep 'source: file:' "$work/classes.log" | head -n 3)"
    fi
  done
}

# The AOT cache must load from where the files were installed (AOTMode=on fails otherwise).
check_aot() {
  lib=$1
  [ -f "$lib/$name.aot" ] || { say "no AOT cache in $lib (JDK < 25 build)"; return 0; }
  for cache in "$name" "$name-file" "$name-write"; do
    "$lib/runtime/bin/java" -XX:AOTCache="$lib/$cache.aot" -XX:AOTMode=on \
      --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
      -XX:-UsePerfData -Xss512k -Ddocker-credential-java.native-library="$lib/libdockercredjava.so" \
      -cp "$lib/$name.jar" dev.nexusrouter.credential.Main list >/dev/null ||
      die "the AOT cache $cache.aot in $lib does not load"
  done
  say "AOT caches load from $lib"
}

if [ "$(id -u)" = 0 ]; then
  dpkg -s "$name" >/dev/null 2>&1 && die "$name is already installed; remove it first"
  installed_deb=true
  before=$(find /usr/bin /usr/lib /usr/share/doc /etc -xdev 2>/dev/null | sort | md5sum)
  dpkg -i "$deb" >/dev/null || die "dpkg -i failed"
  [ "$(command -v "$name")" = /usr/bin/$name ] || die "$name is not /usr/bin/$name on PATH"
  head -n 1 /usr/bin/$name | grep -qx '#!/bin/sh' || die "/usr/bin/$name is not a /bin/sh wrapper"
  dpkg -L "$name" >"$work/files"
  check_aot /usr/lib/$name
  exercise deb /usr/lib/$name
  dpkg -r "$name" >/dev/null || die "dpkg -r failed"
  [ ! -e /usr/bin/$name ] || die "dpkg -r left /usr/bin/$name"
  dpkg -P "$name" >/dev/null 2>&1 || die "dpkg -P failed"
  installed_deb=false
  dpkg -s "$name" >/dev/null 2>&1 && die "$name still known to dpkg after purge"
  left=""
  while read -r f; do
    case $f in /. | /usr | /usr/bin | /usr/lib | /usr/share | /usr/share/doc) continue ;; esac
    if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
  done <"$work/files"
  [ -z "$left" ] || die "left behind after purge:$left"
  after=$(find /usr/bin /usr/lib /usr/share/doc /etc -xdev 2>/dev/null | sort | md5sum)
  [ "$before" = "$after" ] || say "note: /usr, /etc or /var/lib changed during the test (dpkg's own files, or another process)"
  say "deb: install, protocol, remove, purge OK; nothing left behind"
else
  say "SKIPPED the .deb install test (needs root)"
fi

# The tarball into a temporary prefix, then uninstalled.
mkdir -p "$work/unpack"
tar -xzf "$tarball" -C "$work/unpack"
prefix=$work/prefix
sh "$work/unpack/$name-$(project_version)-linux-x86_64/install.sh" --prefix "$prefix" >/dev/null ||
  die "install.sh failed"
PATH=$prefix/bin:$PATH
[ "$(command -v "$name")" = "$prefix/bin/$name" ] || die "install.sh did not put $name on PATH"
check_aot "$prefix/lib/$name"
exercise tarball "$prefix/lib/$name"
sh "$work/unpack/$name-$(project_version)-linux-x86_64/install.sh" --prefix "$prefix" --uninstall \
  >/dev/null || die "install.sh --uninstall failed"
left=$(find "$prefix" -mindepth 1 2>/dev/null | head -n 5)
[ -z "$left" ] || die "install.sh --uninstall left: $left"
say "tarball: install.sh, protocol, uninstall OK"
