/**
 * Issue 16 item 3: a second default fleet comes up beside a first on one host with zero edits: init
 * picks a free mesh port and a subnet pool no Docker network overlaps, so `up` succeeds for both.
 * The transcript of the second fleet is written to $TMPDIR/openlegion-two-fleets.txt.
 */
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, dockerReady, tempFleetDir } from "./helpers/fleet.js";
import { buildDistOnce } from "./helpers/fleet-setup.js";

const HAVE_DOCKER = await dockerReady();
const env = { OPENAI_KEY: "sk-two-fleets-unused" };

describe.skipIf(!HAVE_DOCKER)("two default fleets on one host (real Docker)", () => {
  const dirs = [tempFleetDir(), tempFleetDir()];
  const transcript: string[] = [];
  const run = async (args: string[]) => {
    const r = await cli(args, env);
    transcript.push(`$ openlegion ${args.join(" ")}`, r.stdout.trimEnd(), r.stderr.trimEnd());
    return r;
  };

  afterAll(async () => {
    for (const dir of dirs) {
      await cli(["down", dir, "--volumes", "--yes"], env);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it("init, up, init, up: both fleets healthy, on different ports and pools", async () => {
    await buildDistOnce();
    const [a, b] = dirs as [string, string];
    const initA = await cli(
      ["init", a, "--template", "starter", "--yes", "--api-key-env", "OPENAI_KEY"],
      env,
    );
    expect(initA.code, initA.stderr).toBe(0);
    const upA = await cli(["up", a, "-d", "--timeout", "240"], env);
    expect(upA.code, upA.stdout + upA.stderr).toBe(0);

    transcript.length = 0;
    const initB = await run(["init", b, "--template", "starter", "--yes", "--api-key-env", "OPENAI_KEY"]);
    expect(initB.code, initB.stderr).toBe(0);
    const upB = await run(["up", b, "-d", "--timeout", "240"]);
    expect(upB.code, upB.stdout + upB.stderr).toBe(0);
    expect(upB.stdout).toContain("fleet is up");
    const status = await run(["status", b]);
    expect(status.code, status.stderr).toBe(0);
    writeFileSync(join(tmpdir(), "openlegion-two-fleets.txt"), `${transcript.filter(Boolean).join("\n")}\n`);

    // The first fleet is untouched and still healthy.
    const statusA = await cli(["status", a, "--json"], env);
    expect((JSON.parse(statusA.stdout) as { healthy: boolean }).healthy).toBe(true);
    // Each picked its own place: different mesh ports and subnet pools.
    const place = (out: string) => /mesh on (\S+), networks from (\S+)/.exec(out)?.slice(1) ?? [];
    const [portA, poolA] = place(initA.stdout);
    const [portB, poolB] = place(initB.stdout);
    expect(portA).toBeDefined();
    expect(portB).not.toBe(portA);
    expect(poolB).not.toBe(poolA);
  }, 900_000);
});
