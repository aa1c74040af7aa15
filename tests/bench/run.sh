#!/usr/bin/env bash
# make bench: time converging N variables with the bulk form and with an ansible.builtin.uri
# loop, on real Airflow 3.3 and 2.11 servers started on 127.0.0.1 by the harness.
#   tests/bench/run.sh                 N=1000 on 3.3 and 2.11
#   BENCH_N=100 tests/bench/run.sh 3.3
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
coll=$("$root/scripts/stage.sh" bench)
flavors=("$@")
[ ${#flavors[@]} -gt 0 ] || flavors=(3.3 2.11)
export ANSIBLE_COLLECTIONS_PATH
ANSIBLE_COLLECTIONS_PATH=$(cd "$coll/../../.." && pwd)
exec "$tools/bin/python" "$root/tests/bench/bench.py" --n "${BENCH_N:-1000}" "${flavors[@]}"
