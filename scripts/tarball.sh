#!/usr/bin/env bash
# Build the release tarball with `ansible-galaxy collection build` and install it, the way a user
# would, for one ansible-core line; print "VENV COLLECTIONS_PATH" (ansible-* are in VENV/bin).
#   scripts/tarball.sh 2.19     ansible-core 2.19 on python 3.11
#   scripts/tarball.sh 2.21     ansible-core 2.21 on python 3.13
# The tarball is built from a staged copy (tracked files only) and left beside the install as
# dagops-airflow-<version>.tar.gz.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
core=${1:?usage: tarball.sh 2.19|2.21}
case "$core" in
  2.19) venv=$("$root/tests/harness/venv.sh" tools) ;;
  2.21) venv=$("$root/tests/harness/venv.sh" tools-2.21) ;;
  *) echo "tarball.sh: unknown ansible-core line '$core'" >&2; exit 2 ;;
esac
coll=$("$root/scripts/stage.sh" "tarball-src-$core")
out=$(dirname "$(dirname "$(dirname "$coll")")")/dist
rm -rf "$out" && mkdir -p "$out/collections"
"$venv/bin/ansible-galaxy" collection build --force --output-path "$out" "$coll" >&2
tarball=$(ls "$out"/dagops-airflow-*.tar.gz)
# --offline: the collection has no dependencies, and nothing but PyPI is reachable from here.
ANSIBLE_COLLECTIONS_PATH="$out/collections" "$venv/bin/ansible-galaxy" collection install --offline --force -p "$out/collections" "$tarball" >&2
echo "$venv $out/collections"
