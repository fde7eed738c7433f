# A private D-Bus session bus with an unlocked gnome-keyring, owned by the calling script and never
# the user's (sourced, not run). Needs dbus-daemon, dbus-send and gnome-keyring-daemon.
#   keyring_start DIR     starts both; exports HOME=DIR/home and DBUS_SESSION_BUS_ADDRESS
#   keyring_stop          kills both (safe to call twice, and from a trap)
# shellcheck shell=sh

keyring_bus_pid=""
keyring_daemon_pid=""

keyring_start() {
  kr_dir=$1
  mkdir -p "$kr_dir/home" "$kr_dir/run"
  chmod 700 "$kr_dir/run"
  cat >"$kr_dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=$kr_dir/run/bus</listen>
<standard_session_servicedirs/>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow own="*"/></policy></busconfig>
CONF
  # --fork prints the address, then the pid, and returns once the bus listens.
  kr_out=$(HOME="$kr_dir/home" dbus-daemon --config-file="$kr_dir/bus.conf" --fork \
    --print-address=1 --print-pid=1 2>/dev/null)
  DBUS_SESSION_BUS_ADDRESS=$(echo "$kr_out" | sed -n 1p)
  keyring_bus_pid=$(echo "$kr_out" | sed -n 2p)
  HOME=$kr_dir/home
  XDG_RUNTIME_DIR=$kr_dir/run
  export DBUS_SESSION_BUS_ADDRESS HOME XDG_RUNTIME_DIR
  # --unlock reads the login keyring password on stdin and creates the keyring on first use.
  printf 'packaging-test' | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >/dev/null 2>&1 &
  keyring_daemon_pid=$!
  kr_tries=0
  while [ "$kr_tries" -lt 200 ]; do
    # Ask the bus before the keyring: calling org.freedesktop.secrets too early would D-Bus-activate
    # a second, locked gnome-keyring that takes the name.
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
      grep -q 'boolean true' &&
      dbus-send --session --print-reply --dest=org.freedesktop.secrets \
        /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null |
      grep -q 'boolean false'; then
      return 0
    fi
    kr_tries=$((kr_tries + 1))
    sleep 0.1
  done
  echo "keyring: gnome-keyring did not unlock the login keyring within 20 s" >&2
  keyring_stop
  return 1
}

keyring_stop() {
  for kr_pid in $keyring_daemon_pid $keyring_bus_pid; do
    kill "$kr_pid" 2>/dev/null || true
  done
  keyring_daemon_pid=""
  keyring_bus_pid=""
}
