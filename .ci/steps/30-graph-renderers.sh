#!/usr/bin/env bash
# Renderers the graph tests feed meshlint's output to (they skip without them
# on a developer's machine and fail without them under CI=true):
#   dot (Debian's graphviz): `dot -Tsvg` must accept `meshlint graph -f dot`;
#   mmdc (npm @mermaid-js/mermaid-cli) with Debian's chromium: the Mermaid of
#     `meshlint graph` and of `-f markdown` must parse and render.
# Puppeteer cannot download its own browser here, so it is pointed at
# Debian's chromium. Each tool is installed only when missing, so a warm
# machine spends no time here.
set -euo pipefail

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

start=$(date +%s)
missing=()
command -v dot >/dev/null || missing+=(graphviz)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then missing+=(nodejs npm); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 11.9.0 is the last release that runs on Debian's Node 20 (12.x needs Node >= 22.13).
MERMAID_CLI_VERSION=11.9.0
if ! command -v mmdc >/dev/null; then
  echo "installing @mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION"
  PUPPETEER_SKIP_DOWNLOAD=1 $SUDO env PUPPETEER_SKIP_DOWNLOAD=1 \
    npm install -g --no-audit --no-fund --loglevel=error "@mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION" >/dev/null
fi
echo "graph renderers ready in $(( $(date +%s) - start )) s"
dot -V 2>&1
/usr/bin/chromium --version 2>/dev/null || true
echo "mmdc $(mmdc --version)"
