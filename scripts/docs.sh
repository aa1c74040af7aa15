#!/usr/bin/env bash
# The collection's docsite (docs/docsite/ and every plugin's and role's documentation).
#
#   scripts/docs.sh        make docs: build the HTML site with antsibull-docs and Sphinx into
#                          .cache/docs/site/build/html/ (prints where index.html is)
#   scripts/docs.sh lint   the docs-lint stage of make test: antsibull-docs lint-collection-docs
#
# Both work on a staged copy of the collection (scripts/stage.sh) with the docs venv
# (tests/harness/venv.sh docs). The build is the one `antsibull-docs sphinx-init` sets up (its
# build.sh: sphinx-build -W --keep-going, so any Sphinx warning fails it), with one change: no
# network is needed (scripts/docs_offline_refs.py; DAGOPS_DOCS_INTERSPHINX=1 keeps the
# intersphinx inventories for a build that can reach them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-build}
venv=$("$root/tests/harness/venv.sh" docs)
export PATH="$venv/bin:$PATH"

case "$mode" in
  lint)
    coll=$("$root/scripts/stage.sh" docs-lint)
    # The linter copies the collection to a temporary tree of its own and reads it from there.
    # The staged copy must not be on ANSIBLE_COLLECTIONS_PATH too: the plugins' source paths
    # would then point across the two trees, and the temporary tree's random name would end up
    # in the generated RST (where a name ending in "_" is an RST reference: a random failure).
    empty=$(mktemp -d)
    trap 'rm -rf "$empty"' EXIT
    cd "$coll"
    # --plugin-docs: every module's, action's and role's documentation (schema, markup, RST);
    # --check-extra-docs-refs with --validate-collection-refs=all: every reference in them and in
    # docs/docsite/rst/ to this collection and to ansible.builtin must exist. References to
    # collections not installed here (community.general in airflow_cfg's seealso) are accepted
    # unchecked, not refused (--disallow-unknown-collection-refs would refuse them).
    ANSIBLE_COLLECTIONS_PATH=$empty antsibull-docs lint-collection-docs \
      --plugin-docs --check-extra-docs-refs --validate-collection-refs=all .
    echo "docs lint: passed"
    ;;
  build)
    coll=$("$root/scripts/stage.sh" docs)
    export ANSIBLE_COLLECTIONS_PATH
    ANSIBLE_COLLECTIONS_PATH=$(cd "$coll/../../.." && pwd)
    site="$root/.cache/docs/site"
    rm -rf "$site"
    # antsibull-docs wants its directory writable by its owner only.
    mkdir -p -m 0755 "$site"
    chmod 0755 "$site"
    version=$(sed -n 's/^version: *//p' "$coll/galaxy.yml")
    antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$site" \
      --project dagops.airflow --copyright "dagops.airflow contributors" \
      --title "dagops.airflow $version" dagops.airflow >/dev/null
    cat >>"$site/conf.py" <<EOF

# Added by scripts/docs.sh: build without network (see the extension's docstring).
import sys
sys.path.insert(0, "$root/scripts")
extensions.append("docs_offline_refs")
EOF
    "$site/build.sh"
    echo "docs: $site/build/html/index.html"
    ;;
  *)
    echo "usage: scripts/docs.sh [build|lint]" >&2
    exit 2
    ;;
esac
