#!/bin/sh
# Builds the nexus-router container image without pulling anything:
#   build-image.sh [--builder buildah|podman|docker] [--tag NAME:TAG] [--tar FILE]
# Stages packaging/target/container/ (Containerfile + rootfs/) from router/target/nexus-router.jar,
# a jlinked runtime and the host's C libraries, then builds FROM scratch. buildah runs with
# --isolation chroot, which works without a container engine or daemon (CI). --tar also writes the
# image as a docker-archive (for `docker load` / `podman load`).
set -eu
prog=build-image
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"

builder=buildah
tag=nexus-router:$(project_version | tr '[:upper:]' '[:lower:]')
tar_out=""
while [ $# -gt 0 ]; do
  case $1 in
    --builder) builder=${2:?}; shift 2 ;;
    --tag) tag=${2:?}; shift 2 ;;
    --tar) tar_out=${2:?}; shift 2 ;;
    *) die "unknown argument: $1" ;;
  esac
done
command -v "$builder" >/dev/null || die "$builder not found (apt-get install buildah)"

# Modules from `jdeps --print-module-deps` on the shaded jar.
modules=java.base,java.desktop,java.naming,java.security.jgss,java.security.sasl,java.sql,jdk.management,jdk.net,jdk.unsupported
jar=$repo_dir/router/target/nexus-router.jar
[ -f "$jar" ] || die "$jar not found: run 'mvn -B -DskipTests package' first"
busybox=/bin/busybox
[ -x "$busybox" ] && file_is_static=$(ldd "$busybox" 2>&1 | grep -c 'not a dynamic') || file_is_static=0
[ "$file_is_static" -ge 1 ] || die "a static $busybox is needed for the health check (apt-get install busybox-static)"

ctx=$target_dir/container
rootfs=$ctx/rootfs
rm -rf "$ctx"
mkdir -p "$rootfs/opt/nexus-router/lib" "$rootfs/etc/nexus-router/tls" "$rootfs/tmp" "$rootfs/bin" \
  "$ctx/data"
say "jlink runtime"
feature=$("$packaging_dir/lib/jlink-runtime.sh" "$rootfs/opt/nexus-router/runtime" "$modules")
cp "$jar" "$rootfs/opt/nexus-router/lib/nexus-router.jar"
# The AOT cache records the jar's modification time (whole seconds survive the image layer; the
# copy's sub-second part may not), so the jar gets a fixed, reproducible time before the training.
touch -d "@$(source_date_epoch)" "$rootfs/opt/nexus-router/lib/nexus-router.jar"
cp "$packaging_dir/container/config.yaml" "$rootfs/etc/nexus-router/config.yaml"
cp "$busybox" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"

# The C libraries the runtime links (glibc 2.34+ has the files/dns NSS modules built in).
find "$rootfs/opt/nexus-router/runtime" -type f \( -name '*.so' -o -path '*/bin/*' \) \
  -exec ldd {} + 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' |
  sort -u | while read -r so; do
    mkdir -p "$rootfs$(dirname "$so")"
    cp -L "$so" "$rootfs$so"
  done
[ -e "$rootfs/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader was not found by ldd"
# The OpenSSL TLS engine (docs/tls.md#tls-engine): the host's OpenSSL 3 (Debian libssl3) where the
# entrypoint names it, and wildfly-openssl's JNI part unpacked from the jar (loading it from /tmp
# would need an executable tmpfs).
ossl_dir=/usr/lib/x86_64-linux-gnu
for so in libssl.so.3 libcrypto.so.3; do
  [ -f "$ossl_dir/$so" ] || die "$ossl_dir/$so not found (apt-get install libssl3)"
  mkdir -p "$rootfs$ossl_dir"
  cp -L "$ossl_dir/$so" "$rootfs$ossl_dir/$so"
done
jar_path=$(readlink -f -- "$jar")
(cd "$ctx" && jar xf "$jar_path" linux-x86_64/libwfssl.so) || die "cannot read $jar (jar xf)"
[ -f "$ctx/linux-x86_64/libwfssl.so" ] || die "linux-x86_64/libwfssl.so is missing from $jar"
mv "$ctx/linux-x86_64/libwfssl.so" "$rootfs/opt/nexus-router/lib/libwfssl.so"
rmdir "$ctx/linux-x86_64"

cat >"$rootfs/etc/passwd" <<'TXT'
root:x:0:0:root:/root:/sbin/nologin
nexus-router:x:10001:10001:nexus-router:/var/lib/nexus-router:/sbin/nologin
TXT
cat >"$rootfs/etc/group" <<'TXT'
root:x:0:
nexus-router:x:10001:
TXT
chmod 1777 "$rootfs/tmp"
chmod 755 "$rootfs/etc/nexus-router"
if [ "$feature" -ge 25 ]; then
  # Recorded with the entrypoint's JVM flags on the staged runtime and jar, which keep their
  # relative layout in the image (the cache allows that move).
  say "AOT cache: training run"
  entry_flags=$(sed -n '/^ENTRYPOINT/,/"-jar"/p' "$packaging_dir/container/Containerfile" |
    grep -o '"-[^"]*"' | tr -d '"' | grep -v -e '^-XX:AOTCache=' -e '^-jar$' | tr '\n' ' ')
  # shellcheck disable=SC2086 # the flags are single words
  "$packaging_dir/lib/router-aot.sh" "$rootfs/opt/nexus-router/lib/nexus-router.aot" \
    "$rootfs/opt/nexus-router/runtime/bin/java" $entry_flags \
    -jar "$rootfs/opt/nexus-router/lib/nexus-router.jar"
  cp "$packaging_dir/container/Containerfile" "$ctx/Containerfile"
else
  say "WARNING: JDK $feature has no AOT cache (needs 25); the image starts without one"
  grep -v -e '-XX:AOTCache=' "$packaging_dir/container/Containerfile" >"$ctx/Containerfile"
fi

version=$(project_version)
say "building $tag with $builder"
case $builder in
  buildah)
    buildah bud --isolation chroot --network host --pull=never --layers=false --quiet \
      --build-arg VERSION="$version" --format docker -f "$ctx/Containerfile" -t "$tag" "$ctx" >/dev/null ;;
  podman | docker)
    "$builder" build --network host --build-arg VERSION="$version" -f "$ctx/Containerfile" -t "$tag" "$ctx" >/dev/null ;;
  *) die "unknown builder $builder" ;;
esac
if [ -n "$tar_out" ]; then
  case $builder in
    buildah) buildah push --quiet "$tag" "docker-archive:$tar_out:$tag" ;;
    *) "$builder" save -o "$tar_out" "$tag" ;;
  esac
  say "wrote $tar_out"
fi
say "built $tag"
