#!/usr/bin/env bash
# Runs the differential capture against this machine's live kernel tracefs and compares it with
# the golden capture. As root: mounts tracefs on a temporary directory (mount -t tracefs nodev),
# runs capture.py there unchanged (it creates and removes instances/golden_probe), unmounts.
#
#   sudo scripts/differential/kernel.sh [OUT.json]     (default OUT: /tmp/ringtrace-kernel-capture.json)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-/tmp/ringtrace-kernel-capture.json}"
if [ "$(id -u)" != 0 ]; then
  echo "kernel.sh: must run as root (mounting tracefs)" >&2
  exit 2
fi
mnt="$(mktemp -d /tmp/ringtrace-tracefs-XXXXXX)"
cleanup() { umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; rmdir "$mnt" 2>/dev/null || true; }
trap cleanup EXIT
mount -t tracefs nodev "$mnt"
if [ -e "$mnt/instances/golden_probe" ]; then
  echo "kernel.sh: instances/golden_probe already exists (another capture running?)" >&2
  exit 2
fi
python3 "$here/capture.py" --tracefs "$mnt" > "$out"
echo "kernel.sh: capture of kernel $(uname -r) written to $out" >&2
"$here/compare.sh" "$out"
