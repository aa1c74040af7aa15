#!/usr/bin/env bash
# The release as users get it: for ansible-core 2.19 (python 3.11) and 2.21 (python 3.13), build the
# tarball with ansible-galaxy, install it, verify its checksums, require every module and role to be
# documented with no warning from ansible-doc, and run a module from it. Then check what
# ansible-builder reads from it for an execution environment, and the changelog.
# (The API modules' EXAMPLES run from the same tarball against real servers in scripts/integration.sh.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
work=$(mktemp -d "${TMPDIR:-/tmp}/dagops-release-XXXXXX")
trap 'rm -rf "$work"' EXIT
modules=$(cd "$root/plugins/modules" && ls -- *.py | sed 's/\.py$//; s/^/dagops.airflow./')
roles=$(cd "$root/roles" && ls -d -- */ | tr -d / | sed 's/^/dagops.airflow./')

# ansible-doc prints problems on stderr but often exits 0: any stderr output is a failure, except
# ansible-core 2.21's own warning that its internal _protomatter collection has no version (not ours).
doc_clean() {
  local venv=$1 kind=$2; shift 2
  local status=0
  "$venv/bin/ansible-doc" -t "$kind" "$@" >"$work/doc.out" 2>"$work/doc.raw" || status=$?
  grep -v "_internal/ansible_collections/ansible/_protomatter' does not have a MANIFEST.json" "$work/doc.raw" >"$work/doc.err" || true
  if [ "$status" -ne 0 ] || [ -s "$work/doc.err" ]; then
    echo "release_check: ansible-doc -t $kind $* is not clean:" >&2
    cat "$work/doc.err" >&2
    return 1
  fi
}

for core in 2.19 2.21; do
  echo "=== the tarball on ansible-core $core" >&2
  read -r venv collections < <("$root/scripts/tarball.sh" "$core")
  export ANSIBLE_COLLECTIONS_PATH=$collections
  "$venv/bin/ansible-galaxy" collection verify --offline dagops.airflow >&2
  # shellcheck disable=SC2086  # word splitting wanted: one name per module
  doc_clean "$venv" module $modules
  listed=$("$venv/bin/ansible-doc" -t module -l dagops.airflow | awk '{print $1}' | sort)
  [ "$listed" = "$(sort <<<"$modules")" ] || { echo "release_check: ansible-doc lists [$listed], expected [$modules]" >&2; exit 1; }
  # shellcheck disable=SC2086
  doc_clean "$venv" role $roles
  mkdir -p "$work/$core"
  "$venv/bin/ansible-playbook" -i localhost, -c local "$root/tests/release/smoke.yml" \
    -e "smoke_dir=$work/$core" -e "ansible_python_interpreter=$venv/bin/python" >"$work/smoke-$core.log" 2>&1 \
    || { cat "$work/smoke-$core.log" >&2; exit 1; }
  echo "ansible-core $core: tarball installed and verified, ansible-doc clean for $(wc -w <<<"$modules") modules and $(wc -w <<<"$roles") roles, smoke playbook passed" >&2
done

echo "=== ansible-builder introspect" >&2
"$tools/bin/ansible-builder" introspect --sanitize "$collections" >"$work/introspect.yml"
for requirement in requests urllib3; do
  grep -q "^- '$requirement[<>=].*# from collection dagops.airflow'" "$work/introspect.yml" \
    || { echo "release_check: ansible-builder does not see $requirement from dagops.airflow:" >&2; cat "$work/introspect.yml" >&2; exit 1; }
done
echo "ansible-builder reads requirements.txt through meta/execution-environment.yml" >&2

echo "=== changelog" >&2
(cd "$root" && "$tools/bin/antsibull-changelog" lint)
echo "release_check: passed" >&2
