#!/bin/sh
# Runs shellcheck on every shell script in the repository: files named *.sh and files whose first
# line is a sh/bash/dash shebang (launchers, the .deb maintainer scripts, the wrapper template,
# .ci/run), tracked or new, outside build output. Exits non-zero on any finding.
set -eu
prog=shellcheck-all
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$packaging_dir/lib/common.sh"
command -v shellcheck >/dev/null || die "shellcheck not found (apt-get install shellcheck)"

list=$(mktemp)
trap 'rm -f "$list"' EXIT INT TERM
if git -C "$repo_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$repo_dir" ls-files -co --exclude-standard
else
  (cd "$repo_dir" && find . -type f ! -path '*/target/*' ! -path '*/node_modules/*' ! -path './.git/*' | sed 's|^\./||')
fi | while read -r f; do
  path=$repo_dir/$f
  [ -f "$path" ] || continue
  case $f in
    */target/* | */node_modules/*) continue ;;
    *.sh) echo "$path"; continue ;;
  esac
  if head -n 1 "$path" 2>/dev/null | grep -Eq '^#!(/usr)?/bin/(env )?(sh|bash|dash)( |$)'; then
    echo "$path"
  fi
done >"$list"
n=$(wc -l <"$list")
[ "$n" -gt 0 ] || die "no shell scripts found"
# The scripts are POSIX sh unless their shebang says bash; shellcheck reads the shebang.
# shellcheck disable=SC2046
if ! (cd "$repo_dir" && shellcheck --external-sources $(cat "$list")); then
  die "shellcheck found problems in the scripts above"
fi
say "shellcheck: $n scripts clean"
sed "s|^$repo_dir/|  |" "$list" >&2
