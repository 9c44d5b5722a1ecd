#!/usr/bin/env bash
# Runs the differential capture against a ringtrace FUSE mount and compares it with the golden
# capture. As root: starts `bin/ringtrace mount DIR --cpus N` (N = the golden capture's nr_cpus),
# waits for the mount, runs capture.py there unchanged, stops the mount with SIGTERM (a background
# job of a script ignores SIGINT; SIGTERM takes the same clean path as Ctrl-C).
#
#   sudo scripts/differential/ringtrace.sh [OUT.json]  (default OUT: /tmp/ringtrace-fuse-capture.json)
#
# RINGTRACE, if set, is the command that runs ringtrace (default: bin/ringtrace, which builds on
# first use); RINGTRACE_CLASSPATH is passed on to compare.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-/tmp/ringtrace-fuse-capture.json}"
golden="$here/protocol/src/test/resources/golden/golden-kernel-6.18.json"
cpus="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nr_cpus"])' "$golden")"
mnt="$(mktemp -d /tmp/ringtrace-fuse-XXXXXX)"
data="$(mktemp -d /tmp/ringtrace-fuse-data-XXXXXX)"
ringtrace="${RINGTRACE:-$here/bin/ringtrace}"
$ringtrace --version >/dev/null   # bin/ringtrace builds on first use
$ringtrace mount "$mnt" --cpus "$cpus" --cmdline "" --data-dir "$data" &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if grep -q " $mnt " /proc/self/mountinfo; then fusermount -u -z "$mnt" 2>/dev/null || umount -l "$mnt" || true; fi
  rmdir "$mnt" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  grep -q " $mnt " /proc/self/mountinfo && [ -e "$mnt/instances" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "ringtrace.sh: the mount command exited" >&2; exit 1; }
  sleep 0.1
done
python3 "$here/scripts/differential/capture.py" --tracefs "$mnt" > "$out"
echo "ringtrace.sh: capture of the ringtrace mount written to $out" >&2
"$here/scripts/differential/compare.sh" "$out"
