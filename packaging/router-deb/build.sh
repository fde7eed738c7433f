#!/bin/sh
# Builds packaging/target/nexus-router_<version>_amd64.deb from router/target/nexus-router.jar:
#   /usr/bin/nexus-router -> /usr/lib/nexus-router/bin/nexus-router (launcher)
#   /usr/lib/nexus-router/{lib/nexus-router.jar, runtime/ (jlink)}
#   /lib/systemd/system/nexus-router.service, /etc/nexus-router/config.yaml (conffile)
# postinst creates the nexus-router system user and /var/lib/nexus-router.
set -eu
prog=build-router-deb
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"

name=nexus-router
# Modules from `jdeps --print-module-deps` on the shaded jar.
modules=java.base,java.desktop,java.naming,java.security.jgss,java.security.sasl,java.sql,jdk.management,jdk.net,jdk.unsupported
jar=${1:-$repo_dir/router/target/$name.jar}
[ -f "$jar" ] || die "$jar not found: run 'mvn -B -DskipTests package' first"
version=$(debian_version)
SOURCE_DATE_EPOCH=$(source_date_epoch)
export SOURCE_DATE_EPOCH
src=$packaging_dir/router-deb

work=$(mktemp -d "${TMPDIR:-/tmp}/$name-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
lib=$root/usr/lib/$name
mkdir -p "$lib/bin" "$lib/lib" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/$name" \
  "$root/usr/share/doc/$name" "$root/DEBIAN"
say "jlink runtime"
"$packaging_dir/lib/jlink-runtime.sh" "$lib/runtime" "$modules" >/dev/null
cp "$jar" "$lib/lib/$name.jar"
install -m 755 "$packaging_dir/bin/$name" "$lib/bin/$name"
ln -s "../lib/$name/bin/$name" "$root/usr/bin/$name"
install -m 644 "$src/$name.service" "$root/lib/systemd/system/$name.service"
install -m 640 "$src/config.yaml" "$root/etc/$name/config.yaml"
install -m 644 "$packaging_dir/../README.md" "$root/usr/share/doc/$name/README.md"
# the manual the README links to (docs/configuration.md, docs/tls.md, ...)
install -d -m 755 "$root/usr/share/doc/$name/docs"
install -m 644 "$packaging_dir"/../docs/*.md "$root/usr/share/doc/$name/docs/"
cat >"$root/usr/share/doc/$name/copyright" <<TXT
nexus-router: see the project's LICENSE. The bundled Java runtime is OpenJDK
(GPLv2 with the Classpath Exception); its notices are in /usr/lib/$name/runtime/legal/.
TXT
for script in postinst prerm postrm; do
  install -m 755 "$src/debian/$script" "$root/DEBIAN/$script"
done
install -m 644 "$src/debian/conffiles" "$root/DEBIAN/conffiles"
installed_kb=$(du -sk "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CTL
Package: $name
Version: $version
Architecture: amd64
Maintainer: nexus-router developers <nexus-router@users.noreply.invalid>
Installed-Size: $installed_kb
Section: net
Priority: optional
Depends: libc6, zlib1g, adduser
Description: protocol-aware reverse proxy for Sonatype Nexus Docker registries
 nexus-router puts one hostname in front of Nexus 3's Docker repositories: pulls go to the
 docker(group) repository and pushes to docker(hosted), for docker, containerd, podman and skopeo
 alike; bodies stream both ways. Runs as a systemd service on a bundled Java runtime.
CTL
(cd "$root" && find usr lib -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$target_dir"
deb=$target_dir/${name}_${version}_amd64.deb
dpkg-deb --root-owner-group -Zzstd --build "$root" "$deb" >/dev/null
say "built $deb ($(du -h "$deb" | cut -f1))"
