import { existsSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { runRender } from "../../../generator/render/index.js";
import { removeDir } from "../../fixtures/render/cli.js";
import { makeFleet, oneAgent } from "../../fixtures/render/fleet.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await removeDir(d);
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "ol-swarm-render-"));
  dirs.push(d);
  return d;
};

describe("render --target swarm on disk", () => {
  it("writes docker-stack.yml next to the shared compose/ files; --check is clean, then stale after an edit", async () => {
    const dir = await tempDir();
    const fleet = makeFleet(oneAgent());
    const first = await runRender(fleet, { dir, toolVersion: "0.1.0", target: "swarm" });
    expect(first.report?.written).toContain("docker-stack.yml");
    expect(existsSync(join(dir, "docker-compose.yml"))).toBe(false);
    const text = readFileSync(join(dir, "docker-stack.yml"), "utf8");
    // Every file the stack names exists where `docker stack deploy` will read it.
    for (const m of text.matchAll(/^ +file: (\.\/\S+)$/gm))
      expect(existsSync(join(dir, m[1]!)), m[1]).toBe(true);
    const again = await runRender(fleet, { dir, toolVersion: "0.1.0", target: "swarm", check: true });
    expect(again.check?.stale).toEqual([]);
    const edited = oneAgent();
    (edited.agents as { agents: Record<string, Record<string, unknown>> }).agents.researcher!.role =
      "analyst";
    const stale = await runRender(makeFleet(edited), {
      dir,
      toolVersion: "0.1.0",
      target: "swarm",
      check: true,
    });
    expect(stale.check?.stale).toContain("docker-stack.yml");
  });

  it("allocates the same agent subnets for both targets, so the shared mesh config never flaps", async () => {
    const dir = await tempDir();
    const fleet = makeFleet(oneAgent());
    await runRender(fleet, { dir, toolVersion: "0.1.0", target: "swarm" });
    await runRender(fleet, { dir, toolVersion: "0.1.0" });
    const swarmCheck = await runRender(fleet, { dir, toolVersion: "0.1.0", target: "swarm", check: true });
    const composeCheck = await runRender(fleet, { dir, toolVersion: "0.1.0", check: true });
    expect(swarmCheck.check?.stale).toEqual([]);
    expect(composeCheck.check?.stale).toEqual([]);
  });

  it("is accepted by the docker CLI's own stack loader when one is installed", async () => {
    const dir = await tempDir();
    await runRender(makeFleet(oneAgent()), { dir, toolVersion: "0.1.0", target: "swarm" });
    const r = await execa("docker", ["stack", "config", "-c", "docker-stack.yml"], {
      cwd: dir,
      reject: false,
    });
    if ((r as { code?: string }).code === "ENOENT") {
      console.warn("docker CLI not installed: docker stack config not run");
      return;
    }
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain("endpoint_mode: dnsrr");
  });
});
