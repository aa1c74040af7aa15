#!/usr/bin/env bash
# Cut the changelog for the version in galaxy.yml: antsibull-changelog release moves the fragments
# into changelogs/changelog.yaml and writes CHANGELOG.rst. It runs on a staged copy, where the
# collection sits under ansible_collections/dagops/airflow so that ansible-doc finds the new
# modules and roles, and the result is copied back into the checkout.
#   scripts/changelog_release.sh [YYYY-MM-DD]     (default: today)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
coll=$("$root/scripts/stage.sh" changelog-release)
version=$(sed -n 's/^version: *//p' "$root/galaxy.yml")
(cd "$coll" && PATH="$tools/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$(cd ../../.. && pwd)" \
  antsibull-changelog release --version "$version" --date "${1:-$(date -u +%F)}")
rm -rf "$root/changelogs"
cp -r "$coll/changelogs" "$root/changelogs"
mkdir -p "$root/changelogs/fragments"
touch "$root/changelogs/fragments/.keep"
cp "$coll/CHANGELOG.rst" "$root/CHANGELOG.rst"
echo "changelog_release: $version released; review and commit changelogs/ and CHANGELOG.rst" >&2
