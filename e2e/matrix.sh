#!/usr/bin/env bash
# The end-to-end suite against every supported Mayan release, one release at a time.
#
#   e2e/matrix.sh [VERSION ...]      (default: 4.12.2 4.10.6 4.5.7 4.4.16)
#
# For each release: e2e/mayan-up.sh VERSION (installs it the first time; each release has its own
# venv, data dir, database and port), then ./mvnw -B verify -Pe2e -Dmayan.version=VERSION; the failsafe
# reports are kept in target/e2e-matrix/VERSION/ and the Maven output in target/e2e-matrix/VERSION.log.
# A release this script started is stopped again after its run (two cores: one Mayan at a time), unless
# MATRIX_KEEP=1. Prints one line per release at the end; exits 1 when any release had a failure.
#
# Extra Maven arguments: MATRIX_MVN_ARGS (e.g. "-Dit.test=EndToEndIT" or "-De2e.kill-files=20").
set -uo pipefail
cd "$(dirname "$0")/.."

VERSIONS=("$@")
[ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(4.12.2 4.10.6 4.5.7 4.4.16)
OUT=target/e2e-matrix
mkdir -p "$OUT"

# up VERSION: true when the Mayan of e2e/mayan-up.sh for VERSION answers now
up() {
    local env="$HOME/.cache/mayan-ingest/data-$1/mayan.env" url user pass
    [ -f "$env" ] || return 1
    url="$(sed -n 's/^MAYAN_URL=//p' "$env")"; user="$(sed -n 's/^MAYAN_USERNAME=//p' "$env")"
    pass="$(sed -n 's/^MAYAN_PASSWORD=//p' "$env")"
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -u "$user:$pass" -H 'Accept: application/json' \
        "$url/api/v4/project/" 2>/dev/null)" = 200 ]
}

# reports DIR: "tests failures errors skipped seconds" summed over the failsafe XML reports in DIR
reports() {
    python3 - "$1" <<'EOF'
import glob, sys, xml.etree.ElementTree as ET
t = f = e = s = 0
secs = 0.0
for path in glob.glob(sys.argv[1] + '/TEST-*.xml'):
    r = ET.parse(path).getroot()
    t += int(r.get('tests', 0)); f += int(r.get('failures', 0)); e += int(r.get('errors', 0))
    s += int(r.get('skipped', 0)); secs += float(r.get('time', 0) or 0)
print(t, f, e, s, round(secs))
EOF
}

LINES=()
status=0
for v in "${VERSIONS[@]}"; do
    echo "=== Mayan $v ==="
    started=false
    t0=$(date +%s)
    if up "$v"; then
        up_note="already running"
    else
        if ! bash e2e/mayan-up.sh "$v" 2>&1 | tee "$OUT/mayan-up-$v.log"; then
            LINES+=("$(printf '%-8s mayan-up.sh FAILED after %ss, see %s' "$v" "$(( $(date +%s) - t0 ))" "$OUT/mayan-up-$v.log")")
            status=1
            continue
        fi
        started=true
        up_note="up in $(( $(date +%s) - t0 ))s"
    fi
    rm -rf target/failsafe-reports
    t1=$(date +%s)
    # shellcheck disable=SC2086  # MATRIX_MVN_ARGS is a list of arguments
    ./mvnw -B verify -Pe2e -Dmayan.version="$v" ${MATRIX_MVN_ARGS:-} > "$OUT/$v.log" 2>&1
    mvn_rc=$?
    secs=$(( $(date +%s) - t1 ))
    rm -rf "${OUT:?}/$v"
    if [ -d target/failsafe-reports ]; then cp -r target/failsafe-reports "$OUT/$v"; fi
    read -r tests failures errors skipped test_secs < <(reports "$OUT/$v" 2>/dev/null || echo "0 0 0 0 0")
    [ "$mvn_rc" = 0 ] && [ "$failures" = 0 ] && [ "$errors" = 0 ] || status=1
    LINES+=("$(printf '%-8s tests %3s  failures %2s  errors %2s  skipped %2s  mvn %4ss (tests %4ss)  %s  mvn exit %s  (%s)' \
        "$v" "$tests" "$failures" "$errors" "$skipped" "$secs" "$test_secs" "$([ "$mvn_rc" = 0 ] && echo PASS || echo FAIL)" \
        "$mvn_rc" "$up_note")")
    if [ "$mvn_rc" = 0 ]; then
        grep -E 'Tests run:' "$OUT/$v.log" | tail -4
    else
        echo "--- Mayan $v: the last 80 lines of $OUT/$v.log ---"
        tail -80 "$OUT/$v.log"
    fi
    if $started && [ -z "${MATRIX_KEEP:-}" ]; then
        bash e2e/mayan-down.sh "$v" >/dev/null 2>&1 || true
    fi
done

echo
echo "e2e matrix (reports in $OUT/<version>/, Maven output in $OUT/<version>.log):"
printf '%s\n' "${LINES[@]}"
exit $status
