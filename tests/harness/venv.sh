#!/usr/bin/env bash
# Create (once) and print the path of a cached virtualenv.
#
#   tests/harness/venv.sh tools            ansible-core 2.19, ansible-lint, pytest, antsibull-changelog
#   tests/harness/venv.sh tools-2.21       ansible-core 2.21 on python 3.13 (sanity only)
#   tests/harness/venv.sh docs             antsibull-docs, Sphinx and the Ansible theme (make docs)
#   tests/harness/venv.sh airflow-2.11.0   Airflow 2.11.0
#   tests/harness/venv.sh airflow-3.0.6    Airflow 3.0.6 (simple auth manager), likewise 3.1.8, 3.2.2
#   tests/harness/venv.sh airflow-3.3.2    Airflow 3.3.2 (simple auth manager)
#   tests/harness/venv.sh airflow-3.3.2-fab Airflow 3.3.2 + the FAB provider (likewise 3.0.6-fab, 3.1.8-fab, 3.2.2-fab)
#   tests/harness/venv.sh airflow-3.4.0b2  Airflow 3.4.0b2, the newest pre-release (reported, never failing)
#
# Venvs live under $DAGOPS_CACHE (default ~/.cache/dagops-airflow/venvs), one folder per name,
# keyed by the hash of what is installed into it, so a changed pin builds a new one and an
# unchanged one is reused. A venv counts only once its `.complete` marker is written: an
# interrupted install is redone, never half-used. Only PyPI is reached; Airflow's constraints
# URL is not (we pin with our own files under tests/harness/constraints/).
set -euo pipefail

name=${1:?usage: venv.sh NAME}
here=$(cd "$(dirname "$0")" && pwd)
cache=${DAGOPS_CACHE:-$HOME/.cache/dagops-airflow}
py311=${DAGOPS_PYTHON:-python3}
py313=${DAGOPS_PYTHON313:-/root/.pyenv/versions/3.13.0/bin/python3}

case "$name" in
  tools)           python=$py311; reqs=("-r" "$here/requirements-tools.txt") ;;
  tools-2.21)      python=$py313; reqs=("ansible-core>=2.21.0a1,<2.22" "pytest" "requests") ;;
  docs)            python=$py311; reqs=("-r" "$here/requirements-docs.txt") ;;
  airflow-2.11.0)  python=$py311; reqs=("apache-airflow==2.11.0") ;;
  airflow-3.0.6)   python=$py311; reqs=("apache-airflow==3.0.6") ;;
  airflow-3.1.8)   python=$py311; reqs=("apache-airflow==3.1.8") ;;
  airflow-3.2.2)   python=$py311; reqs=("apache-airflow==3.2.2") ;;
  airflow-3.0.6-fab) python=$py311; reqs=("apache-airflow==3.0.6" "apache-airflow-providers-fab") ;;
  airflow-3.1.8-fab) python=$py311; reqs=("apache-airflow==3.1.8" "apache-airflow-providers-fab") ;;
  airflow-3.2.2-fab) python=$py311; reqs=("apache-airflow==3.2.2" "apache-airflow-providers-fab") ;;
  airflow-3.3.2)   python=$py311; reqs=("apache-airflow==3.3.2") ;;
  airflow-3.3.2-fab) python=$py311; reqs=("apache-airflow==3.3.2" "apache-airflow-providers-fab") ;;
  # A pre-release: uv takes one only where asked, so its core and task SDK are named too.
  airflow-3.4.0b2) python=$py311; reqs=("apache-airflow==3.4.0b2" "apache-airflow-core==3.4.0b2"
                                        "apache-airflow-task-sdk==1.4.0b2") ;;
  *) echo "venv.sh: unknown venv '$name'" >&2; exit 2 ;;
esac

constraints="$here/constraints/$name.txt"
# Airflow's dependencies move weekly: an Airflow venv without its pinned constraints would break.
if [[ "$name" == airflow-* ]] && [ ! -f "$constraints" ]; then
  echo "venv.sh: $name has no constraints file $constraints; add one (see docs/development.md)" >&2
  exit 2
fi
# The path of a requirements file is no part of the key: every clone or worktree shares the venv.
key_input="$name ${reqs[*]#"$here/"} $("$python" -c 'import sys; print(sys.version)')"
[ -f "$constraints" ] && key_input+=$(cat "$constraints")
[ "$name" = tools ] && key_input+=$(cat "$here/requirements-tools.txt")
[ "$name" = docs ] && key_input+=$(cat "$here/requirements-docs.txt")
key=$(printf '%s' "$key_input" | sha256sum | cut -c1-12)
venv="$cache/venvs/$name-$key"

mkdir -p "$cache/venvs"
# Two callers building the same venv at once would delete each other's work: one at a time.
exec 9>"$cache/venvs/.$name.lock"
flock 9
if [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  echo "venv.sh: building $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check uv >&2
  args=()
  [ -f "$constraints" ] && args+=("-c" "$constraints")
  VIRTUAL_ENV=$venv "$venv/bin/uv" pip install -q --python "$venv/bin/python" "${args[@]}" "${reqs[@]}" >&2
  touch "$venv/.complete"
fi
echo "$venv"
