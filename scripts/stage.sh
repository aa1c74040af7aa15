#!/usr/bin/env bash
# Copy the collection (tracked and untracked-but-not-ignored files) to
# $DAGOPS_BUILD/<checkout>/NAME/ansible_collections/dagops/airflow, where ansible-test and
# pytest need it, and print that path. A copy, not a symlink: ansible-test resolves the real
# path of its cwd. Outside the checkout: inside it, ansible-test would ask the checkout's git
# and find the copy ignored.
# One NAME per job, so jobs running side by side never delete each other's tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DAGOPS_BUILD:-${TMPDIR:-/tmp}/dagops-airflow-build}
dest="$build/$(printf %s "$root" | sha256sum | cut -c1-8)/${1:?usage: stage.sh NAME}/ansible_collections/dagops/airflow"
rm -rf "$dest"
mkdir -p "$dest"
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' \
    | tar --null -T - -cf - | tar -xf - -C "$dest"
else
  tar --exclude=./.cache --exclude=./tests/output -cf - . | tar -xf - -C "$dest"
fi
echo "$dest"
