#!/usr/bin/env bash
# Validates the SARIF meshlint writes for examples/ (and for a fixture with a
# suppressed finding) with Microsoft's SARIF Multitool, the reference
# validator: the SARIF 2.1.0 schema plus GitHub code scanning's ingestion
# rules (--rule-kind "Gh;Sarif"). Any error or warning fails the step; notes
# (advice such as "add code snippets") are printed but allowed.
#
# The npm package @microsoft/sarif-multitool pulls in
# @microsoft/sarif-multitool-linux, a self-contained linux-x64 .NET build:
# no .NET runtime is needed. Everything is installed into a temporary
# directory (npm's cache too) that is removed at exit, so nothing is cached.
set -euo pipefail
cd "$(dirname "$0")/../.."

MULTITOOL_VERSION=5.7.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]; then
  echo "the SARIF Multitool npm package ships a linux-x64 binary only; this is $(uname -s)/$(uname -m)" >&2
  exit 1
fi
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
npm_config_cache="$work/npm-cache" npm install --prefix "$work/npm" --no-audit --no-fund --loglevel=error \
  "@microsoft/sarif-multitool@$MULTITOOL_VERSION" >/dev/null
multitool="$work/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
# npm may skip the package's postinstall (chmod); the binary is called
# directly because the npm bin wrapper runs through a shell, which would
# split "Gh;Sarif" at the semicolon.
chmod u+x "$multitool"

go build -o "$work/meshlint" ./cmd/meshlint

# run_multitool NAME FILE: validate FILE, print the Multitool's findings
# except notes, and set $errors, $warnings and $notes.
run_multitool() {
  local name=$1 sarif=$2 log="$work/$1.validation.sarif"
  "$multitool" validate "$sarif" --rule-kind "Gh;Sarif" --level "Error;Warning;Note" \
    --output "$log" --log ForceOverwrite > "$work/$name.out" 2>&1 || true
  grep -v '^THREADS\|^Analyzing\|^$' "$work/$name.out" | grep -v ': note SARIF' || true
  if [ ! -s "$log" ]; then
    echo "sarif-multitool $name: the validator wrote no log" >&2
    cat "$work/$name.out" >&2
    exit 1
  fi
  # Count by level in the Multitool's own SARIF log; a result without a
  # level is a warning.
  read -r errors warnings notes < <(node -e '
    const log = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const results = log.runs.flatMap(r => r.results || []);
    const count = l => results.filter(r => (r.level || "warning") === l).length;
    console.log(count("error"), count("warning"), count("note"));
  ' "$log")
  echo "sarif-multitool $name: $errors errors, $warnings warnings, $notes notes"
}

# lint_sarif NAME PATH: meshlint's SARIF for PATH; exit 0 or 1 is a finished
# lint, 2 means meshlint could not run.
lint_sarif() {
  local rc=0
  "$work/meshlint" -q -f sarif -o "$work/$1.sarif" "$2" || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "meshlint $2 exited $rc" >&2
    exit 1
  fi
}

lint_sarif examples ./examples
lint_sarif suppressed testdata/report/manifests

# The validator must be able to fail: a helpUri that is no URI is an error.
node -e '
  const fs = require("fs");
  const log = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  log.runs[0].tool.driver.rules[0].helpUri = "not a uri";
  fs.writeFileSync(process.argv[2], JSON.stringify(log));
' "$work/suppressed.sarif" "$work/broken.sarif"
run_multitool broken "$work/broken.sarif" > /dev/null
if [ "$errors" -eq 0 ]; then
  echo "the SARIF Multitool found no error in a broken log; the checks below would prove nothing" >&2
  exit 1
fi

status=0
for name in examples suppressed; do
  run_multitool "$name" "$work/$name.sarif"
  if [ "$errors" -ne 0 ] || [ "$warnings" -ne 0 ]; then
    status=1
  fi
done
exit "$status"
