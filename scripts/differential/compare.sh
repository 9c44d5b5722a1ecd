#!/usr/bin/env bash
# Compares a capture made by capture.py with the kernel's golden capture
# (protocol/src/test/resources/golden/golden-kernel-6.18.json), allowing only the named
# exceptions of io.ringtrace.app.fuse.GoldenCompare (each printed with its reason).
#
#   scripts/differential/compare.sh CAPTURE.json [--golden FILE]
#
# Exit status: 0 equal, 1 different, 2 usage or input error. Builds the app on first use.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
app="$here/app/target"
jar="$app/ringtrace-app-0.1.0-SNAPSHOT.jar"
if [ ! -f "$jar" ] || [ ! -d "$app/lib" ]; then
  echo "compare: building the app (first use)..." >&2
  (cd "$here" && mvn -B -q -DskipTests -pl app -am package >&2)
fi
cd "$here"
exec java -cp "$jar:$app/lib/*" io.ringtrace.app.fuse.GoldenCompare "$@"
