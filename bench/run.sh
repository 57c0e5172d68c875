#!/usr/bin/env bash
# The performance benchmark (README "Performance"): builds the service and the test classes once, then
# runs io.mayaningest.bench.Bench, which prints one table of service-against-raw-client figures.
# Options go to Bench, e.g. bench/run.sh --n 200 --reps 3 --concurrency 4,16 --real
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
exec java -Xmx1g -cp "target/test-classes:$(cat target/bench-classpath.txt)" io.mayaningest.bench.Bench "$@"
