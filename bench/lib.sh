# shellcheck shell=bash
# Helpers for bench/run.sh: process bookkeeping, CPU/RSS accounting from /proc, load average,
# and the result file. Sourced, not executed.

CLK_TCK=$(getconf CLK_TCK)
STARTED_PIDS=()
LAST_PID=""

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

die() {
  log "FATAL: $*"
  exit 1
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# start NAME CMD...: runs CMD in the background with its output in $WORK/logs/NAME.log and
# remembers its PID so that cleanup ends exactly the processes this harness started.
start() {
  local name=$1
  shift
  "$@" >"$WORK/logs/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

cleanup() {
  local p
  for p in "${STARTED_PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}

# The PID and every descendant (nginx workers are children of the master).
pid_tree() {
  local p c
  for p in "$@"; do
    echo "$p"
    # shellcheck disable=SC2013 # the file is one line of space-separated PIDs
    for c in $(cat "/proc/$p/task/"*/children 2>/dev/null); do
      pid_tree "$c"
    done
  done
}

# CPU time (user + system, all threads) of the PIDs and their descendants, in clock ticks.
cpu_ticks() {
  local total=0 p rest
  for p in $(pid_tree "$@"); do
    rest=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    # after "pid (comm) ": field 12 is utime, 13 is stime
    total=$((total + $(awk '{print $12 + $13}' <<<"$rest")))
  done
  echo "$total"
}

# Poll until the 1-minute load average is below BENCH_MAX_LOAD (default 1.5), for at most
# BENCH_WAIT_QUIET seconds (default 900); then go on and say so.
wait_quiet() {
  local max=${BENCH_MAX_LOAD:-1.5} limit=${BENCH_WAIT_QUIET:-900} waited=0
  while awk -v l="$(load1)" -v m="$max" 'BEGIN { exit !(l >= m) }'; do
    if [ "$waited" -ge "$limit" ]; then
      log "load is still $(load1) after ${waited}s; measuring anyway"
      echo "# measuring with load $(load1) after waiting ${waited}s for < $max" >>"$RESULTS"
      return 0
    fi
    if [ $((waited % 60)) -eq 0 ]; then
      log "waiting for load < $max (now $(load1))"
    fi
    sleep 10
    waited=$((waited + 10))
  done
  log "load $(load1): measuring"
}

# record TEST CONTENDER ROUND METRIC VALUE: one row of the result file, with the load average.
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$(load1)" >>"$RESULTS"
}

# The contenders of round R, rotated by R so that no contender always runs first or last.
rotate() {
  local r=$1
  shift
  local n=$# i
  local a=("$@")
  for ((i = 0; i < n; i++)); do
    echo "${a[$(((i + r) % n))]}"
  done
}

# Bytes per second as MB/s (10^6, as curl and the machine notes report).
mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / t / 1e6 }'; }

# Seconds of CPU per GiB.
cpu_per_gib() {
  awk -v d="$1" -v hz="$CLK_TCK" -v b="$2" 'BEGIN { printf "%.3f", d / hz / (b / 1073741824) }'
}
