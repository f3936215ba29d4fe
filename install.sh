#!/usr/bin/env bash
# Sets OpenLegion up on a fresh machine: Node >= 22 (Node 24 installed locally when the system's is
# older), dependencies, build. Then run ./bin/openlegion (or put bin/ on PATH).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-node.sh
echo "==> node $(node --version)"
npm ci --no-audit --no-fund
npm run build
echo
# Absolute paths: the hint has to work from wherever the person ran this script, and init's own
# "next steps" say `openlegion …`, so bin/ goes on PATH first.
echo "OpenLegion is built. Next (add the export to ~/.bashrc or ~/.zshrc to keep it):"
echo "  export PATH=\"$(pwd)/bin:\$PATH\""
echo "  openlegion init my-fleet --template sales"
