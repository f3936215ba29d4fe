import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dockerReady, shIn, waitFor } from "../helpers/fleet.js";
import type { E2eFleet } from "../helpers/fleet-setup.js";
import { startFaultFleet } from "./fault-fleet.js";

const HAVE_DOCKER = await dockerReady();
if (!HAVE_DOCKER) console.warn("skipping the fault family: no Docker daemon answers");

/** Sends `signal` to the service's node process (PID 1 is docker-init, which would forward it too). */
const signalNode = (container: string, signal: "KILL" | "TERM") =>
  shIn(
    container,
    // Match on the command line's start: this shell's own cmdline contains "main.js" too, and killing it
    // first would leave the service untouched.
    `for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q '^node .*main\\.js' && kill -${signal} \${p#/proc/}; done`,
  );

interface RunView {
  status: string;
  events: { type: string; step_id: string | null; data: Record<string, unknown> | null }[];
}

describe.skipIf(!HAVE_DOCKER)("fault family (real Docker)", () => {
  let fleet: E2eFleet;
  const healthy = () =>
    waitFor(
      "fleet healthy",
      async () => ((await fleet.cli(["status", fleet.dir, "--json"])).code === 0 ? true : undefined),
      180_000,
    );
  const stepCalls = async () =>
    (await fleet.fake.chats()).filter((r) => JSON.stringify(r).includes("Task type: summarize")).length;
  const startRun = async (): Promise<string> => {
    const r = await fleet.operator("POST", "/v1/workflows/note/runs", { inputs: {} });
    expect(r.status, r.body).toBe(201);
    return (JSON.parse(r.body) as { id: string }).id;
  };
  const finished = (id: string, timeoutMs: number) =>
    waitFor(
      `run ${id} to finish`,
      async () => {
        const r = await fleet.operator("GET", `/v1/workflow-runs/${id}`).catch(() => undefined);
        if (r?.status !== 200) return undefined;
        const v = JSON.parse(r.body) as RunView;
        return v.status === "running" ? undefined : v;
      },
      timeoutMs,
    );

  beforeAll(async () => {
    fleet = await startFaultFleet("faults", "10.244.128.0/17");
  }, 600_000);

  afterAll(async () => {
    await fleet?.destroy();
  }, 300_000);

  // Each case starts from an empty script: a case that failed must not leave answers for the next one.
  beforeEach(async () => {
    await fleet.fake.reset();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== "fail") return;
    const logs = await fleet.compose(
      "logs",
      "--no-color",
      "--tail",
      "60",
      "mesh",
      "agent-assistant",
      "egress-proxy",
    );
    console.error(`fleet logs after "${ctx.task.name}":\n${logs.stdout}${logs.stderr}`);
  }, 60_000);

  it("an agent killed -9 mid-step (mesh up) gets the step re-sent under the same key within seconds", async () => {
    await fleet.fake.script(
      { fault: "never_end", afterChunks: 1, answer: { text: "stuck" } },
      { text: '{"ok":1}' },
    );
    const id = await startRun();
    await waitFor("the step's model call", async () => ((await stepCalls()) >= 1 ? true : undefined), 60_000);
    await signalNode(await fleet.container("agent-assistant"), "KILL");
    // The step's timeout is 15 min: finishing well inside 2 min means the restart triggered the re-send.
    const run = await finished(id, 120_000);
    expect(run.status, JSON.stringify(run.events)).toBe("succeeded");
    const resent = run.events.filter((e) => e.type === "step_redispatched");
    expect(resent.map((e) => e.data?.why)).toEqual(["agent_restarted"]);
    await healthy();
  }, 300_000);

  it("the mesh killed -9 mid-workflow: the run completes and the finished step does not run again", async () => {
    const before = await stepCalls();
    await fleet.fake.script({ fault: "slow_first_byte", delayMs: 4000, answer: { text: '{"ok":2}' } });
    const id = await startRun();
    await waitFor(
      "the step's model call",
      async () => ((await stepCalls()) > before ? true : undefined),
      60_000,
    );
    await signalNode(await fleet.container("mesh"), "KILL");
    const run = await finished(id, 180_000);
    expect(run.status, JSON.stringify(run.events)).toBe("succeeded");
    expect(await stepCalls()).toBe(before + 1);
    await healthy();
  }, 300_000);

  for (const service of ["egress-proxy", "mesh", "agent-assistant"]) {
    it(`SIGTERM of ${service} while a chat reply streams: the stream drains to the end`, async () => {
      const words = Array.from({ length: 12 }, (_, i) => `w${i}`).join(" ");
      await fleet.fake.script({ text: words, chunkDelayMs: 250 });
      const before = (await fleet.fake.chats()).length;
      const chat = fleet.cli(["chat", "assistant", "--dir", fleet.dir, "-m", `stream for ${service}`]);
      await waitFor(
        "the chat's model call",
        async () => ((await fleet.fake.chats()).length > before ? true : undefined),
        60_000,
      );
      await signalNode(await fleet.container(service), "TERM");
      const out = await chat;
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain("w11");
      await healthy();
    }, 300_000);
  }
});
