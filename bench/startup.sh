#!/usr/bin/env bash
# Start-up as a user of bin/ringtrace sees it (figures for BENCHMARKS.md, "Start-up"):
#  1. a daemon fills its persistent boot_map (12 MB, the demo boot line) and is killed with -9;
#  2. restarts on copies of that data, alternately with and without the class-data archive
#     (RINGTRACE_CDS), timed from launch until instances/backup/trace answers with text;
#  3. a client command (`ls instances`) against the running daemon, timed.
# Needs curl. Usage: bench/startup.sh [ROUNDS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
rounds=${1:-3}
port=7395
work=$(mktemp -d)
stop() { pkill -f "Main boot --port $port" 2>/dev/null || true; sleep 1; }
trap 'stop; rm -rf "$work"' EXIT
command -v curl >/dev/null || { echo "startup.sh: needs curl" >&2; exit 1; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
deadline() { [ "$(ms)" -lt $(( $1 + 120000 )) ] || { echo "startup.sh: no answer after 120 s (see $work)" >&2; trap - EXIT; stop; exit 1; }; }

bin/ringtrace --version >/dev/null # builds if needed
echo "# $(nproc) CPUs, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$work/fill"
(cd "$work/fill" && RINGTRACE_CDS=off setsid "$here/bin/ringtrace" boot --port $port --rate 100000 >fill.log 2>&1 &) >/dev/null 2>&1
t=$(ms)
until curl -sf "http://127.0.0.1:$port/v1/ls?path=instances" >/dev/null; do deadline "$t"; sleep 0.2; done
sleep 15
curl -s "http://127.0.0.1:$port/v1/read?path=instances/boot_map/per_cpu/cpu0/stats" | head -1 | sed 's/^/# boot_map cpu0 /'
pkill -9 -f "Main boot --port $port"; sleep 1

restart() { # $1: on|off; sets took to the ms from launch to backup/trace readable
  rm -rf "$work/run"; mkdir "$work/run"; cp -r "$work/fill/ringtrace-data" "$work/run/"
  local t0; t0=$(ms)
  (cd "$work/run" && RINGTRACE_CDS=$1 setsid "$here/bin/ringtrace" boot --port $port --workload none >run.log 2>&1 &) >/dev/null 2>&1
  until [ "$(curl -s "http://127.0.0.1:$port/v1/read?path=instances/backup/trace" 2>/dev/null | head -c 4096 | wc -l)" -gt 10 ]; do
    deadline "$t0"; sleep 0.02
  done
  took=$(( $(ms) - t0 ))
}
restart on; stop # makes the archive if the build has none yet
for i in $(seq "$rounds"); do
  restart on; echo "restart, class-data archive: $took ms"; stop
  restart off; echo "restart, no archive:         $took ms"
  [ "$i" = "$rounds" ] || stop
done
for i in $(seq 5); do
  t0=$(ms); RINGTRACE_URL=http://127.0.0.1:$port bin/ringtrace ls instances >/dev/null
  echo "bin/ringtrace ls instances:  $(( $(ms) - t0 )) ms"
done
