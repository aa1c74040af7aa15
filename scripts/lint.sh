#!/usr/bin/env bash
# ansible-lint, production profile, over the whole collection as it will be published: plugins' docs,
# roles, playbooks/ (bootstrap, site, deploy_dags, demo) and the example inventory's hosts.yml and
# group_vars, the test playbooks. Extra arguments go to ansible-lint (a path lints only that).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
coll=$("$root/scripts/stage.sh" lint)
cd "$coll"
PATH="$tools/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$(cd ../../.. && pwd)" \
  ansible-lint --profile production --offline "$@"
