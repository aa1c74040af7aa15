#!/usr/bin/env bash
# ansible-test sanity on the staged collection.
#   scripts/sanity.sh          ansible-core 2.19 on python 3.11 (the default)
#   scripts/sanity.sh 2.21     ansible-core 2.21 on python 3.13
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-2.19}" in
  2.19) tools=$("$root/tests/harness/venv.sh" tools); python=3.11 ;;
  2.21) tools=$("$root/tests/harness/venv.sh" tools-2.21); python=3.13 ;;
  *) echo "sanity.sh: unknown ansible-core line '$1'" >&2; exit 2 ;;
esac
# ansible-test bootstraps pip in its sanity venvs with a get-pip.py it downloads from a host
# this machine cannot reach; put our stand-in where it looks first.
pip_version=$("$tools/bin/python" -c 'import re, ansible_test._internal.python_requirements as r, inspect; print(re.search(r"pip=.([0-9.]+)", inspect.getsource(r)).group(1))')
get_pip=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$get_pip")"
cmp -s "$root/tests/harness/get_pip_standin.py" "$get_pip" || cp "$root/tests/harness/get_pip_standin.py" "$get_pip"
coll=$("$root/scripts/stage.sh" "sanity-${1:-2.19}")
cd "$coll"
# --requirements installs the pinned linters ansible-test wants into the cached tools venv
# (once; later runs find them there).
PATH="$tools/bin:$PATH" ansible-test sanity --color no --python "$python" --requirements "${@:2}"
