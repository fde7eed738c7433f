#!/bin/sh
# Builds a trimmed Java runtime with jlink.
#   jlink-runtime.sh OUTPUT_DIR MODULE[,MODULE...]
# The JDK is $JLINK_JDK, else Temurin 25 (/usr/lib/jvm/temurin-25-jdk-amd64), else $JAVA_HOME, else
# the JDK of the javac on PATH. JDK 25 can link from its own run-time image (JEP 493), so a JDK
# without jmods/ works. Prints the JDK's feature version on stdout (the AOT cache needs >= 25).
set -eu

out=${1:?usage: jlink-runtime.sh OUTPUT_DIR MODULES}
modules=${2:?usage: jlink-runtime.sh OUTPUT_DIR MODULES}

find_jdk() {
  for candidate in "${JLINK_JDK:-}" /usr/lib/jvm/temurin-25-jdk-amd64 "${JAVA_HOME:-}"; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/jlink" ]; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if [ -x "$candidate/bin/jlink" ]; then
      echo "$candidate"
      return 0
    fi
  fi
  echo "jlink-runtime: no JDK with jlink found (set JLINK_JDK)" >&2
  return 1
}

jdk=$(find_jdk)
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
# --compress=zip-N replaced the numeric levels in JDK 21.
if [ "$feature" -ge 21 ]; then compress=zip-6; else compress=2; fi

rm -rf "$out"
"$jdk/bin/jlink" --add-modules "$modules" --output "$out" \
  --strip-debug --no-man-pages --no-header-files --compress="$compress" >&2
echo "$feature"
