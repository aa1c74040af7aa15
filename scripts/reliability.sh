#!/usr/bin/env bash
# Reliability tests (tests/reliability/): playbooks through a fault-injecting proxy against real
# Airflow servers (3.3, and 2.11 where it differs), end state read from the servers' databases.
#   scripts/reliability.sh                    3.3 and 2.11
#   RELIABILITY_FLAVORS=3.3 scripts/reliability.sh -k converge    (extra args go to pytest)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
coll=$("$root/scripts/stage.sh" reliability)
state=$(mktemp -d "${TMPDIR:-/tmp}/dagops-reliability-XXXXXX")
# pytest stops its servers and proxies itself; this catches a pytest that was killed.
cleanup() {
  for dir in "$state"/server-*; do
    [ -d "$dir" ] && python3 "$root/tests/harness/airflow_server.py" stop --state-dir "$dir" >/dev/null 2>&1 || true
  done
  for info in "$state"/proxy-*/proxy.json; do
    [ -f "$info" ] || continue
    pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$info")
    # Only while that pid still runs our proxy (a pid can be reused once it exited).
    grep -qs faultproxy.py "/proc/$pid/cmdline" && kill "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
export RELIABILITY_STATE="$state" RELIABILITY_TOOLS="$tools"
RELIABILITY_COLLECTIONS="$(cd "$coll/../../.." && pwd)"
export RELIABILITY_COLLECTIONS
cd "$coll/tests/reliability"
"$tools/bin/python" -m pytest -v -p no:cacheprovider -rA --durations=0 test_faultproxy.py test_reliability.py "$@"
