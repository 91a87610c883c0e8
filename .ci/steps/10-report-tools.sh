#!/usr/bin/env bash
# Tools the report tests drive (they skip without them on a developer's
# machine and fail without them under CI=true):
#   xmllint (libxml2-utils): validates --format junit against the Jenkins
#     JUnit XSD (internal/report/junit_test.go);
#   pre-commit: runs .pre-commit-hooks.yaml in a throwaway repository
#     (cmd/meshlint/precommit_test.go).
set -euo pipefail

missing=()
command -v xmllint >/dev/null || missing+=(libxml2-utils)
command -v pre-commit >/dev/null || missing+=(pre-commit)
command -v git >/dev/null || missing+=(git)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
xmllint --version 2>&1 | sed -n 1p
pre-commit --version
