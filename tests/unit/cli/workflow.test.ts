import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseInputs } from "../../../generator/cli/commands/workflow.js";
import { operatorToken, webhookSecret } from "../../../services/common/tokens.js";
import {
  type Harness,
  MASTER,
  meshConfig,
  perms,
  removeDir,
  startMesh,
  tempDir,
} from "../../integration/mesh/helpers.js";
import { runCli } from "./helpers.js";

/**
 * `openlegion workflow …` and `webhook …` against a real mesh on loopback: the CLI finds it through
 * the fleet's mesh.yaml and derives the operator token from .env, like on a real host.
 */
let mesh: Harness | undefined;
let fleetDir: string | undefined;
afterEach(async () => {
  await mesh?.close();
  if (mesh) removeDir(mesh.dir);
  if (fleetDir) removeDir(fleetDir);
  mesh = undefined;
  fleetDir = undefined;
});

async function fleet(): Promise<string> {
  const config = meshConfig({ research: { permissions: perms() } });
  config.workflows = [
    {
      name: "gated",
      inputs: { topic: { type: "string", required: true }, n: { type: "integer", default: 1 } },
      steps: [
        { id: "ok", action: "approval" },
        { id: "done", action: "noop", depends_on: ["ok"] },
      ],
    },
  ];
  config.webhooks = [{ name: "deploy", agent: "research", workflow: "gated" }];
  mesh = await startMesh(config);
  const url = new URL(await mesh.app.listen({ host: "127.0.0.1", port: 0 }));
  fleetDir = tempDir();
  mkdirSync(join(fleetDir, "config"));
  writeFileSync(join(fleetDir, "config", "mesh.yaml"), `mesh:\n  host: 127.0.0.1\n  port: ${url.port}\n`);
  writeFileSync(join(fleetDir, ".env"), `OPENLEGION_MASTER_KEY=${MASTER}\n`, { mode: 0o600 });
  return fleetDir;
}

describe("workflow CLI: argv as data", () => {
  it("parses --input k=v as JSON when it parses, text otherwise; rejects malformed pairs", () => {
    expect(parseInputs(["topic=AI agents", "n=3", 'flags={"a":true}'])).toEqual({
      topic: "AI agents",
      n: 3,
      flags: { a: true },
    });
    expect(parseInputs(["=x"])).toMatch(/key=value/);
    expect(parseInputs(["Bad-Key=1"])).toMatch(/not a workflow input name/);
  });
});

describe("openlegion workflow / webhook through the operator API", () => {
  it("runs, lists, shows the step table, approves and waits for the result", async () => {
    const cwd = await fleet();
    const bad = await runCli(["workflow", "run", "gated", "--input", "n=2"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('input "topic" is required');

    const started = await runCli(["workflow", "run", "gated", "--input", "topic=x", "--json"], { cwd });
    expect(started.code).toBe(0);
    const run = JSON.parse(started.stdout) as { id: string; status: string };
    expect(run.status).toBe("running");

    const list = await runCli(["workflow", "list"], { cwd });
    expect(list.stdout).toContain("gated");
    expect(list.stdout).toContain(run.id);

    const show = await runCli(["workflow", "show", run.id], { cwd });
    expect(show.stdout).toMatch(/STEP\s+STATUS/);
    expect(show.stdout).toMatch(/ok\s+waiting_approval/);

    const approved = await runCli(["workflow", "approve", run.id, "ok", "--comment", "lgtm"], { cwd });
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain("approved ok");
    const again = await runCli(["workflow", "reject", run.id, "ok"], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/OL_ERR_ORCH_(NOT_WAITING|RUN_FINISHED)/);

    const waited = await runCli(["workflow", "show", run.id, "--json"], { cwd });
    expect(JSON.parse(waited.stdout).status).toBe("succeeded");
    const missing = await runCli(["workflow", "show", "nope"], { cwd });
    expect(missing.code).toBe(2);
  });

  it("run --wait prints the final step table and exits 1 when the run does not succeed", async () => {
    const cwd = await fleet();
    const pending = runCli(["workflow", "run", "gated", "--input", "topic=x", "--wait", "--timeout", "30"], {
      cwd,
    });
    let id: string | undefined;
    // Bounded by the CLI's own --timeout (30 s), not a guess at how fast a busy machine starts it.
    for (let i = 0; i < 1200 && !id; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const runs = await mesh!.app.inject({
        url: "/v1/workflow-runs",
        headers: { authorization: `Bearer ${operatorToken(MASTER)}` },
      });
      id = runs.json().runs[0]?.id;
    }
    expect((await runCli(["workflow", "reject", id as string, "ok"], { cwd })).code).toBe(0);
    const out = await pending;
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/ok\s+failed/);
  });

  it("webhook list shows the URL and target; rotate prints the new derived secret once", async () => {
    const cwd = await fleet();
    const list = await runCli(["webhook", "list"], { cwd });
    expect(list.stdout).toMatch(
      /deploy\s+http:\/\/127\.0\.0\.1:\d+\/webhook\/hook\/deploy\s+→ workflow:gated\s+\(generation 1\)/,
    );
    const rotated = await runCli(["webhook", "rotate", "deploy"], { cwd });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(webhookSecret(MASTER, "deploy", 2));
    expect(rotated.stdout).not.toContain(webhookSecret(MASTER, "deploy", 1));
    const unknown = await runCli(["webhook", "rotate", "nope"], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("OL_ERR_ORCH_UNKNOWN_WEBHOOK");
  });
});
