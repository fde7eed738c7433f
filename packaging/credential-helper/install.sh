#!/bin/sh
# Installs docker-credential-java from this tarball on a Linux x86_64 node (any distribution):
#   ./install.sh [--prefix DIR]          default /usr/local: DIR/bin and DIR/lib/docker-credential-java
#   ./install.sh --uninstall [--prefix DIR]
# The runtime is bundled; nothing else is needed but the Secret Service (gnome-keyring, KeePassXC)
# for the default backend.
set -eu
prefix=/usr/local
action=install
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --uninstall) action=uninstall; shift ;;
    -h | --help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
case $prefix in
  /*) ;;
  *) prefix=$(pwd)/$prefix ;;
esac
lib=$prefix/lib/docker-credential-java
bin=$prefix/bin/docker-credential-java

if [ "$action" = uninstall ]; then
  rm -rf "$lib"
  rm -f "$bin"
  rmdir "$prefix/lib" "$prefix/bin" 2>/dev/null || true
  echo "removed $bin and $lib"
  exit 0
fi

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
[ -f "$here/lib/docker-credential-java.jar" ] || {
  echo "install.sh: run it from the unpacked tarball (lib/docker-credential-java.jar is missing)" >&2
  exit 1
}
# Copy into a new directory beside the old one and swap, so a running docker pull never sees a
# half-written runtime.
mkdir -p "$prefix/lib" "$prefix/bin"
rm -rf "$lib.new"
cp -R "$here/lib" "$lib.new"
rm -rf "$lib.old"
[ -d "$lib" ] && mv "$lib" "$lib.old"
mv "$lib.new" "$lib"
rm -rf "$lib.old"
sed "s|@LIBDIR@|$lib|" "$here/bin/docker-credential-java.in" >"$bin.new"
chmod 755 "$bin.new"
mv "$bin.new" "$bin"
echo "installed $bin (runtime in $lib)"
echo "use it: add \"credsStore\": \"java\" to ~/.docker/config.json, or run: docker-credential-java configure"
