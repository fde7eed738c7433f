#!/usr/bin/env bash
# docker-credential-java vs docker-credential-secretservice (Go) on one real gnome-keyring:
# a private session bus (unix:path socket, which the Java D-Bus transport needs) and an unlocked
# login keyring in a throw-away HOME; hyperfine times `get` and `list` of both helpers.
# Usage: cred.sh HELPER_DIR OUT_DIR RUNS  (HELPER_DIR holds target/docker-credential-java.jar and
# src/main/sh/docker-credential-java). Writes OUT_DIR/cred.tsv in run.sh's result format.
set -euo pipefail

helper_dir=$1 out=$2 runs=$(($3 * 10))
for tool in dbus-daemon dbus-send gnome-keyring-daemon docker-credential-secretservice hyperfine; do
  command -v "$tool" >/dev/null || { echo "cred.sh: $tool is missing" >&2; exit 1; }
done
tmp=$(mktemp -d)
pids=()
finish() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap finish EXIT
export HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/run XDG_DATA_HOME=$tmp/home/.local/share
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=$tmp/bus</listen>
<standard_session_servicedirs/>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow own="*"/></policy></busconfig>
EOF
dbus-daemon --config-file="$tmp/bus.conf" --nofork --print-address=1 >"$tmp/address" 2>/dev/null &
pids+=("$!")
for _ in $(seq 100); do [ -s "$tmp/address" ] && break; sleep 0.05; done
DBUS_SESSION_BUS_ADDRESS=$(head -1 "$tmp/address")
export DBUS_SESSION_BUS_ADDRESS

ask() { dbus-send --session --print-reply "$@" 2>/dev/null || true; }
printf 'bench-password' | gnome-keyring-daemon --foreground --unlock --components=secrets \
  >/dev/null 2>&1 &
pids+=("$!")
ready=""
for _ in $(seq 200); do
  # ask the bus first: calling org.freedesktop.secrets too early would D-Bus-activate a second,
  # locked gnome-keyring
  if ask --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
    string:org.freedesktop.secrets | grep -q 'boolean true' &&
    ask --dest=org.freedesktop.secrets /org/freedesktop/secrets/collection/login \
      org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection \
      string:Locked | grep -q 'boolean false'; then
    ready=yes
    break
  fi
  sleep 0.1
done
[ -n "$ready" ] || { echo "cred.sh: the login keyring did not come up unlocked" >&2; exit 1; }

# Ten logins, stored by the Go helper (the Java one reads the same items).
for i in $(seq 0 9); do
  printf '{"ServerURL":"https://registry%s.bench.test:5443","Username":"user%s","Secret":"secret-%s"}' \
    "$i" "$i" "$i" | docker-credential-secretservice store
done
server=https://registry3.bench.test:5443
java_helper=$helper_dir/src/main/sh/docker-credential-java
export DOCKER_CREDENTIAL_JAVA_JAR=$helper_dir/target/docker-credential-java.jar
export DOCKER_CREDENTIAL_JAVA_BACKEND=secretservice
go_answer=$(printf '%s' "$server" | docker-credential-secretservice get)
java_answer=$(printf '%s' "$server" | sh "$java_helper" get)
if [ "$go_answer" != "$java_answer" ]; then
  echo "cred.sh: the helpers disagree: go=$go_answer java=$java_answer" >&2
  exit 1
fi

# The launcher reads an AppCDS archive next to the jar when one exists (its README, "Faster
# start-up"): time both, without the archive first.
jsa=${DOCKER_CREDENTIAL_JAVA_JAR%.jar}.jsa
rm -f "$jsa"
bench() { # NAME COMMAND: hyperfine, one JSON per name
  hyperfine --style none --warmup 3 --runs "$runs" --export-json "$tmp/$1.json" "$2" >/dev/null
}
bench get-go "printf %s $server | docker-credential-secretservice get"
bench get-java "printf %s $server | sh $java_helper get"
bench list-go "docker-credential-secretservice list"
bench list-java "sh $java_helper list"
sh "$java_helper" --create-cds-archive >/dev/null
bench get-java-cds "printf %s $server | sh $java_helper get"
bench list-java-cds "sh $java_helper list"
rm -f "$jsa"

: >"$out/cred.tsv"
for f in get-go get-java get-java-cds list-go list-java list-java-cds; do
  python3 - "$tmp/$f.json" "$f" "$(cut -d' ' -f1 /proc/loadavg)" >>"$out/cred.tsv" <<'EOF'
import json, sys
path, name, load = sys.argv[1:]
op, who = name.split("-", 1)
who = "go-secretservice" if who == "go" else "java" if who == "java" else "java+appcds"
for i, t in enumerate(json.load(open(path))["results"][0]["times"], 1):
    print(f"cred-{op}\t{who}\t{i}\twall-ms\t{t * 1000:.1f}\t{load}")
EOF
done
