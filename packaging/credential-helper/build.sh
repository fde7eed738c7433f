#!/bin/sh
# Builds the docker-credential-java Debian package and the portable tarball:
#   packaging/target/docker-credential-java_<version>_amd64.deb
#   packaging/target/docker-credential-java-<version>-linux-x86_64.tar.gz   (with install.sh)
# from credential-helper/target/docker-credential-java.jar (mvn package builds it).
# Layout: /usr/bin/docker-credential-java (a /bin/sh wrapper) and /usr/lib/docker-credential-java/
# {runtime/ (jlink), docker-credential-java.jar, docker-credential-java{,-file,-write}.aot,
# libdockercredjava.so}.
# libdockercredjava.so is the helper's JNI socket (credential-helper/src/main/c), built with gcc:
# the JDK's Unix-domain channel costs more start-up than the whole Go helper (BENCHMARKS.md).
# The AOT cache (JDK 25+) is recorded at build time from a real lookup: against a private
# gnome-keyring when one can be started here, else against the helper's encrypted file store.
set -eu
prog=build-credential-helper
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"
# shellcheck source=../lib/keyring.sh
. "$packaging_dir/lib/keyring.sh"

# Modules: jdeps on the shaded jar adds java.desktop (JNA, used only by the macOS/Windows backends,
# never in this Linux package) and java.sql (jackson-databind's optional java.sql types). Leaving
# both out shortens every start by ~2.4 ms (BENCHMARKS.md); test.sh runs every Linux code path
# (Secret Service both ways, file store, configure, doctor) on this runtime. jdk.net and
# jdk.security.auth are dbus-java's (SO_PEERCRED, the uid for SASL).
modules=java.base,jdk.net,jdk.security.auth
name=docker-credential-java
jar=${1:-$repo_dir/credential-helper/target/$name.jar}
[ -f "$jar" ] || die "$jar not found: run 'mvn -B -DskipTests package' first"
version=$(debian_version)
SOURCE_DATE_EPOCH=$(source_date_epoch)
export SOURCE_DATE_EPOCH

work=$(mktemp -d "${TMPDIR:-/tmp}/$name-build.XXXXXX")
cleanup() { keyring_stop; rm -rf "$work"; }
trap cleanup EXIT INT TERM

root=$work/root
lib=$root/usr/lib/$name
mkdir -p "$lib" "$root/usr/bin" "$root/usr/share/doc/$name" "$root/DEBIAN"
say "jlink runtime ($modules)"
feature=$("$packaging_dir/lib/jlink-runtime.sh" "$lib/runtime" "$modules")
cp "$jar" "$lib/$name.jar"

jni_include() {
  for jdk in "${JLINK_JDK:-}" /usr/lib/jvm/temurin-25-jdk-amd64 "${JAVA_HOME:-}" \
    "$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"; do
    if [ -n "$jdk" ] && [ -f "$jdk/include/jni.h" ]; then
      echo "$jdk/include"
      return 0
    fi
  done
  return 1
}
command -v gcc >/dev/null || die "gcc not found: it builds libdockercredjava.so (apt-get install gcc libc6-dev)"
include=$(jni_include) || die "no JDK with include/jni.h found (set JLINK_JDK)"
say "libdockercredjava.so (gcc, $include)"
gcc -O2 -Wall -Wextra -Werror -Wno-unused-parameter -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
  -shared -fPIC -Wl,-z,relro,-z,now -I"$include" -I"$include/linux" \
  -o "$lib/libdockercredjava.so" "$repo_dir/credential-helper/src/main/c/unixsocket.c"
strip --strip-unneeded "$lib/libdockercredjava.so"

if [ "$feature" -ge 25 ]; then
  aot=$name # the wrapper finds $lib/$name.aot and $lib/$name-file.aot wherever it is installed
else
  aot=''
  say "WARNING: JDK $feature has no AOT cache (needs 25); the package starts without one"
fi
sed "s|@AOT@|$aot|; s|@AOT_RECORD@||" "$packaging_dir/credential-helper/$name.in" >"$work/$name.in"
sed "s|@LIBDIR@|/usr/lib/$name|" "$work/$name.in" >"$root/usr/bin/$name"
chmod 755 "$root/usr/bin/$name"

train() {
  # One training run of the calls clients make on every pull, between a `store` and an `erase`,
  # with the wrapper's own flags so that the cache matches the runs it will serve.
  #   train LIB CACHE_NAME [TRAINING_ACTION]
  tr_lib=$1
  tr_action=${3:-aot-training}
  plain=$work/train-plain
  recording=$work/train-recording
  sed "s|@LIBDIR@|$tr_lib|; s|@AOT@||; s|@AOT_RECORD@||" \
    "$packaging_dir/credential-helper/$name.in" >"$plain"
  sed "s|@LIBDIR@|$tr_lib|; s|@AOT@||; s|@AOT_RECORD@|-XX:AOTCacheOutput=$tr_lib/$2.aot|" \
    "$packaging_dir/credential-helper/$name.in" >"$recording"
  printf '{"ServerURL":"https://aot-training.invalid","Username":"u","Secret":"s"}' |
    sh "$plain" store || die "training: store failed"
  # aot-training replays get (found and not found) and list in one JVM (AotTraining.java).
  printf 'https://aot-training.invalid' | sh "$recording" "$tr_action" >/dev/null ||
    die "training: $tr_action failed"
  printf 'https://aot-training.invalid' | sh "$plain" erase || die "training: erase failed"
  [ -s "$tr_lib/$2.aot" ] || die "the AOT cache $2.aot was not written"
}

# The file store's cache: a throw-away HOME with a key-file store (a passphrase only adds the KDF).
train_file_store() {
  (
    HOME=$work/file-home
    DOCKER_CREDENTIAL_JAVA_BACKEND="file"
    export HOME DOCKER_CREDENTIAL_JAVA_BACKEND
    unset DOCKER_CREDENTIAL_JAVA_PASSPHRASE XDG_DATA_HOME XDG_CONFIG_HOME
    train "$1" "$name-file"
  ) || exit 1
}

if [ "$feature" -ge 25 ]; then
  if command -v gnome-keyring-daemon >/dev/null && command -v dbus-daemon >/dev/null &&
    keyring_start "$work/keyring"; then
    say "AOT cache: training on a private gnome-keyring"
  else
    say "AOT cache: no keyring here; training on the encrypted file store"
    HOME=$work/home
    DOCKER_CREDENTIAL_JAVA_BACKEND="file"
    DOCKER_CREDENTIAL_JAVA_PASSPHRASE="aot-training"
    export HOME DOCKER_CREDENTIAL_JAVA_BACKEND DOCKER_CREDENTIAL_JAVA_PASSPHRASE
  fi
  train "$lib" "$name"
  # store/erase get their own cache: a JDK 25 cache loads all its classes at start-up, so the
  # writes' classes in the pull's cache would slow every get (AotTraining.java).
  train "$lib" "$name-write" aot-training-write
  keyring_stop
  say "AOT cache: training the file store's cache"
  train_file_store "$lib"
fi

deb_copyright "$root" "$name"
installed_kb=$(du -sk "$root/usr" | cut -f1)
{
  deb_control_head "$name" "$version" "$installed_kb"
  cat <<CTL
Section: admin
Priority: optional
Depends: libc6, zlib1g
Recommends: gnome-keyring | keepassxc
Description: Docker credential helper keeping registry logins in the OS keychain
 docker-credential-java implements the Docker credential helper protocol (store, get, list,
 erase) on top of the Secret Service (gnome-keyring, KeePassXC), with an encrypted file as
 fallback. It runs on a bundled Java runtime with an AOT cache for fast start-up.
CTL
} >"$root/DEBIAN/control"
build_deb "$root" "$name" "$version" usr

# The tarball: the same files, the wrapper template and install.sh.
tar_name=$name-$(project_version)-linux-x86_64
stage=$work/$tar_name
mkdir -p "$stage/bin"
cp -R "$lib" "$stage/lib"
cp "$work/$name.in" "$stage/bin/$name.in"
cp "$packaging_dir/credential-helper/install.sh" "$stage/install.sh"
chmod 755 "$stage/install.sh"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C "$work" -czf "$target_dir/$tar_name.tar.gz" "$tar_name"
say "built $target_dir/$tar_name.tar.gz ($(du -h "$target_dir/$tar_name.tar.gz" | cut -f1))"
