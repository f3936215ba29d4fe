import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

/**
 * install.sh's closing "Next" hint, run as printed from another directory (where a person who ran
 * `bash ~/openlegion/install.sh` stands). `npm ci` is a stand-in (the checkout's node_modules are
 * already there); `npm run build` is the real build, which bin/openlegion needs.
 */
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "ol-install-hint-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("install.sh", () => {
  it("prints next steps that work from any directory, init's own next steps included", async () => {
    const fakebin = join(work, "fakebin");
    const realNpm = (await execa("sh", ["-c", "command -v npm"])).stdout.trim();
    exe(join(fakebin, "npm"), `[ "$1" = ci ] && exit 0\nexec "${realNpm}" "$@"`);
    const here = join(work, "home");
    const env = { PATH: `${fakebin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: here };
    mkdirSync(here);
    const install = await execa("bash", [join(REPO, "install.sh")], { cwd: here, env, reject: false });
    expect(install.exitCode, install.stderr).toBe(0);
    const after = install.stdout.split("OpenLegion is built. Next")[1] ?? "";
    const steps = after
      .split("\n")
      .filter((l) => l.startsWith("  "))
      .map((l) => l.trim());
    expect(steps).toEqual([
      expect.stringMatching(/^export PATH=/),
      "openlegion init my-fleet --template sales",
    ]);
    // No terminal here, so init is told to take the defaults; everything else runs exactly as printed,
    // then the first of init's own next steps (cd, then an `openlegion` command) from the new fleet.
    const script = [steps[0], `${steps[1]} --yes`, "cd my-fleet", "openlegion agent list"].join(" && ");
    const run = await execa("bash", ["-c", script], { cwd: here, env, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(join(here, "my-fleet", "config", "agents.yaml"))).toBe(true);
    expect(run.stdout).toMatch(/researcher/);
  }, 180_000);
});

function exe(path: string, body: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}
