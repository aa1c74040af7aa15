#!/usr/bin/env bash
# make bench: converge N variables five ways (bulk form, a loop over the single form, an
# ansible.builtin.uri loop, `airflow variables import`) on real Airflow 2.11 and 3.3 servers
# started on 127.0.0.1 by the harness, count the HTTP requests at a proxy, and write the figures
# to docs/performance.md (see tests/bench/bench.py); then the GitOps section: airflow_deploy_dag syncing
# 100 and 1000 generated DAG files (tests/bench/gitops.py), written to the same file.
#   BENCH_PART=variables|gitops tests/bench/run.sh ...   only one of the two
#   tests/bench/run.sh                     N = 100 and 1000 on 2.11 and 3.3
#   tests/bench/run.sh --quick 3.3         N = 10 and 20 (a check, not figures to publish)
#   BENCH_N="100" BENCH_LOOPS_UP_TO=100 tests/bench/run.sh --out /tmp/perf.md 2.11
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
coll=$("$root/scripts/stage.sh" bench)
export ANSIBLE_COLLECTIONS_PATH
ANSIBLE_COLLECTIONS_PATH=$(cd "$coll/../../.." && pwd)
args=()
for n in ${BENCH_N:-}; do args+=(--n "$n"); done
[ -z "${BENCH_LOOPS_UP_TO:-}" ] || args+=(--loops-up-to "$BENCH_LOOPS_UP_TO")
if [ "${BENCH_PART:-all}" != gitops ]; then
  "$tools/bin/python" "$root/tests/bench/bench.py" "${args[@]}" "$@"
fi
if [ "${BENCH_PART:-all}" != variables ]; then
  "$tools/bin/python" "$root/tests/bench/gitops.py" "$@"
fi
