#!/usr/bin/env bash
# Compares a capture made by capture.py with the kernel's golden capture
# (protocol/src/test/resources/golden/golden-kernel-6.18.json), allowing only the named
# exceptions of io.ringtrace.app.fuse.GoldenCompare (each printed with its reason).
#
#   scripts/differential/compare.sh CAPTURE.json [--golden FILE]
#
# Exit status: 0 equal, 1 different, 2 usage or input error. Builds the app when needed (as
# bin/ringtrace does); RINGTRACE_CLASSPATH, if set, is used instead of the built app.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
app="$here/app/target"
jar="$app/ringtrace-app-0.1.0-SNAPSHOT.jar"
cp="${RINGTRACE_CLASSPATH:-}"
if [ -z "$cp" ]; then
  "$here/bin/ringtrace" --version >/dev/null   # builds on first use or when sources changed
  cp="$jar:$app/lib/*"
fi
cd "$here"
exec java -cp "$cp" io.ringtrace.app.fuse.GoldenCompare "$@"
