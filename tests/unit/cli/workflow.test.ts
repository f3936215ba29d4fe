import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { parseInputs } from "../../../generator/cli/commands/workflow.js";
import { formatRun } from "../../../generator/cli/workflow-view.js";
import { operatorToken, webhookSecret } from "../../../services/common/tokens.js";
import { unreachableText } from "../../../services/mesh/delivery/agent-client.js";
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
 * `openlegion workflow …`, `webhook …` and `chat` errors against a real mesh on loopback: the CLI finds it through
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

/** The id of the run a pending `workflow run --wait` started, read from the mesh. */
async function firstRunId(): Promise<string> {
  // Bounded like the CLI's own --timeout (30 s), not a guess at how fast a busy machine starts it.
  for (let i = 0; i < 1200; i++) {
    const runs = await mesh!.app.inject({
      url: "/v1/workflow-runs",
      headers: { authorization: `Bearer ${operatorToken(MASTER)}` },
    });
    const id = runs.json().runs[0]?.id as string | undefined;
    if (id) return id;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("no run started");
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

  it("the step table shows each step's result, error or reason in aligned columns", () => {
    const step = {
      kind: "agent",
      promoted: [],
      conclusion: null,
      reason: null,
      attempt: 1,
      error: null,
      started_at: Date.UTC(2026, 0, 1, 10, 0, 0),
      finished_at: Date.UTC(2026, 0, 1, 10, 0, 5),
      next_attempt_at: null,
      result: null,
    };
    const table = formatRun({
      id: "r1",
      workflow: "w",
      definition_hash: "h",
      status: "failed",
      phase: "done",
      trigger: { kind: "manual", name: "operator" },
      started_at: 0,
      finished_at: 1,
      deadline_at: 2,
      events: [],
      steps: [
        { ...step, id: "research", status: "succeeded", result: { summary: "three sources" } },
        {
          ...step,
          id: "post",
          status: "failed",
          attempt: 2,
          error: { kind: "timeout", message: "no reply" },
        },
        {
          ...step,
          id: "gate",
          status: "omitted",
          started_at: null,
          finished_at: null,
          reason: "upstream failed",
        },
      ],
    });
    expect(table.split("\n")).toEqual([
      "run r1 of w (manual operator): failed",
      "STEP      STATUS     ATTEMPT  STARTED   FINISHED  RESULT",
      'research  succeeded  1        10:00:00  10:00:05  {"summary":"three sources"}',
      "post      failed     2        10:00:00  10:00:05  timeout: no reply",
      "gate      omitted    1        -         -         upstream failed",
      "",
    ]);
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
    const id = await firstRunId();
    expect((await runCli(["workflow", "reject", id, "ok"], { cwd })).code).toBe(0);
    const out = await pending;
    expect(out.code).toBe(1);
    // Off a terminal: the id, then one plain line per change of a step's state, then the table.
    expect(out.stdout.split("\n")[0]).toBe(`run ${id} running`);
    expect(out.stdout).toMatch(/^\d\d:\d\d:\d\d {2}ok {2}waiting_approval/m);
    expect(out.stdout).not.toContain("\x1b[");
    expect(out.stdout).toMatch(/STEP\s+STATUS[\s\S]*ok\s+failed/);
  });

  it("run prints the run id first; cancel stops it; show colours only on a terminal without NO_COLOR", async () => {
    const cwd = await fleet();
    const started = await runCli(["workflow", "run", "gated", "--input", "topic=x"], { cwd });
    expect(started.code).toBe(0);
    const id = /^run (\S+) running; openlegion workflow show \1\n$/.exec(started.stdout)?.[1];
    expect(id).toBeDefined();

    const coloured = await runCli(["workflow", "show", id as string], { cwd, isTTY: true });
    expect(coloured.stdout).toContain("\x1b[33m"); // yellow: waiting for someone
    expect(stripVTControlCharacters(coloured.stdout)).toMatch(/ok\s+waiting_approval/);
    for (const plain of [
      await runCli(["workflow", "show", id as string], { cwd, isTTY: true, env: { NO_COLOR: "1" } }),
      await runCli(["--no-color", "workflow", "show", id as string], { cwd, isTTY: true }),
      await runCli(["workflow", "show", id as string], { cwd }),
    ]) {
      expect(plain.code).toBe(0);
      expect(plain.stdout).not.toContain("\x1b[");
      expect(plain.stdout).toMatch(/STEP\s+STATUS\s+ATTEMPT\s+STARTED\s+FINISHED\s+RESULT/);
    }

    const cancelled = await runCli(["workflow", "cancel", id as string], { cwd });
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toBe(`run ${id} of gated: cancelled\n`);
    const shown = await runCli(["workflow", "show", id as string, "--json"], { cwd });
    expect(JSON.parse(shown.stdout).status).toBe("cancelled");
    const unknown = await runCli(["workflow", "cancel", "nope"], { cwd });
    expect(unknown.code).toBe(2);
  });

  it("run --wait on a terminal redraws the step table in place until the run settles", async () => {
    const cwd = await fleet();
    const pending = runCli(["workflow", "run", "gated", "--input", "topic=x", "--wait"], {
      cwd,
      isTTY: true,
    });
    const id = await firstRunId();
    await new Promise((r) => setTimeout(r, 1200)); // at least one more poll, so there is something to redraw
    expect((await runCli(["workflow", "approve", id, "ok"], { cwd })).code).toBe(0);
    const out = await pending;
    expect(out.code).toBe(0);
    expect(out.stdout.startsWith(`run ${id} running\n`)).toBe(true);
    expect(out.stdout).toContain("\x1b[4A\x1b[J"); // up over the 4 lines drawn, clear, draw again
    const last = out.stdout.split("\x1b[J").at(-1) as string;
    expect(stripVTControlCharacters(last)).toMatch(
      /: succeeded\n[\s\S]*ok\s+succeeded[\s\S]*done\s+succeeded/,
    );
  });

  it("webhook list shows the URL, target, generation and deliveries; rotate prints the new derived secret once", async () => {
    const cwd = await fleet();
    const list = await runCli(["webhook", "list"], { cwd });
    expect(list.stdout).toMatch(
      /deploy\s+http:\/\/127\.0\.0\.1:\d+\/webhook\/hook\/deploy\s+workflow:gated\s+1\s+0\s+-/,
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

describe("chat to an agent that does not answer", () => {
  it("through a real mesh: an agent whose port nobody listens on is named as not listening (exit 1)", async () => {
    const cwd = await fleet(); // the harness's agent URL is 127.0.0.1:9, where nothing listens
    const out = await runCli(["chat", "research", "-m", "hi"], { cwd });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      'agent "research" did not answer: nothing listens on its port (still starting, or its process died: ECONNREFUSED)',
    );
  });

  it("a name that no longer resolves on the Compose network means the container is stopped", () => {
    // What undici throws when Docker's DNS has no running container by that name.
    const stopped = Object.assign(new Error("getaddrinfo ENOTFOUND agent-research"), { code: "ENOTFOUND" });
    expect(unreachableText(stopped)).toBe(
      "it is stopped (no running container has its name: ENOTFOUND); start it with openlegion up",
    );
    expect(unreachableText(Object.assign(new Error("x"), { code: "EAI_AGAIN" }))).toMatch(/^it is stopped/);
  });
});
