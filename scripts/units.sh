#!/usr/bin/env bash
# Unit tests (pytest) of the client, the engine and the collection's metadata.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
coll=$("$root/scripts/stage.sh" units)
cd "$coll"
PYTHONPATH="$(cd ../../.. && pwd)" "$tools/bin/python" -m pytest -q -p no:cacheprovider tests/unit "$@"
