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
echo "OpenLegion is built. Next:"
echo "  ./bin/openlegion init my-fleet --template sales"
echo "(add $(pwd)/bin to PATH to type just 'openlegion')"
