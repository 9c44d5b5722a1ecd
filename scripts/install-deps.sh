#!/usr/bin/env bash
# Installs the Debian packages ringtrace needs on a developer or CI machine.
#
#   scripts/install-deps.sh                 # all packages: trace-cmd libfuse2 fuse3 python3
#   scripts/install-deps.sh trace-cmd       # only the named ones
#
# Idempotent: packages that dpkg already reports as installed are skipped, and
# `apt-get update` runs at most once per invocation (only if something is missing).
# Must run as root (or with passwordless sudo available).
set -euo pipefail

ALL_PACKAGES=(trace-cmd libfuse2 fuse3 python3)

if [ "$#" -gt 0 ]; then
  packages=("$@")
else
  packages=("${ALL_PACKAGES[@]}")
fi

log() { echo "install-deps: $*"; }

is_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

missing=()
for p in "${packages[@]}"; do
  if is_installed "$p"; then
    log "$p already installed, skipping"
  else
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "nothing to install"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    log "must run as root to install: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
log "running apt-get update"
"${SUDO[@]}" apt-get update
log "installing: ${missing[*]}"
"${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"

for p in "${missing[@]}"; do
  if is_installed "$p"; then
    log "$p installed"
  else
    log "$p still not installed" >&2
    exit 1
  fi
done
