#!/usr/bin/env bash
# The ringtrace performance suite (BENCHMARKS.md): builds bench/target*/benchmarks.jar and runs
# every measurement once, baselines included, in under 10 minutes on a 2-CPU machine; prints the
# table of ratios and writes it to bench/results/latest.md and into BENCHMARKS.md.
#
#   bench/run.sh                      # build + whole suite
#   bench/run.sh --only recording     # parts: recording disabled reading profile persistence recovery memory autoremove
#   bench/run.sh --skip-jmh           # only the end-to-end measurements
#   NO_BUILD=1 bench/run.sh           # reuse the jar
#
# Environment: RT_TARGET (build directory name, default target-bench), MVN_FLAGS (default -o:
# offline), JAVA (default java). Run as root for the kernel baseline (tracefs at
# /sys/kernel/tracing; mounted if needed, its instance removed afterwards); without root that row
# says why it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
RT_TARGET=${RT_TARGET:-target-bench}
JAVA=${JAVA:-java}
start=$(date +%s)
if [[ -z "${NO_BUILD:-}" ]]; then
  echo "# building (mvn -pl bench -am package, -Drt.target=$RT_TARGET)"
  mvn -B -q ${MVN_FLAGS--o} -pl bench -am package -DskipTests -Drt.target="$RT_TARGET"
fi
jar="bench/$RT_TARGET/benchmarks.jar"
echo "# $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" -jar "$jar" --out bench/results --update-md BENCHMARKS.md "$@"
echo "# suite finished in $(( $(date +%s) - start )) s"
