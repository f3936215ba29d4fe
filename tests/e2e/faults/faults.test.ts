import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { docker, dockerReady, nodeIn, shIn, waitFor } from "../helpers/fleet.js";
import type { E2eFleet } from "../helpers/fleet-setup.js";
import { startFaultFleet } from "./fault-fleet.js";
import { concurrentCallsScript, writeStormScript } from "./fault-scripts.js";

/** Low on purpose: 50 calls reserving their worst case cannot all fit, so the budget is what admits them. */
const DAILY_BUDGET_USD = 0.05;

/** When the container's current process started: it changes when the process exits and is restarted. */
const startedAt = async (container: string) =>
  (await docker(["inspect", "-f", "{{.State.StartedAt}}", container])).trim();

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
    fleet = await startFaultFleet("faults", "10.244.128.0/17", { dailyBudgetUsd: DAILY_BUDGET_USD });
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
      const container = await fleet.container(service);
      const started = await startedAt(container);
      await signalNode(container, "TERM");
      const out = await chat;
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain("w11");
      // The signal reached the service's process: it drained, exited, and Docker started a new one.
      await waitFor(
        `${service} to exit and restart`,
        async () => ((await startedAt(container)) !== started ? true : undefined),
        60_000,
      );
      await healthy();
    }, 300_000);
  }

  it("a blackboard write storm across a mesh kill -9: every acknowledged write is present", async () => {
    const agent = await fleet.container("agent-assistant");
    const storm = nodeIn(agent, writeStormScript(25_000));
    await waitFor(
      "writes before the crash",
      async () => {
        const r = await fleet.operator("GET", "/v1/blackboard/context/notes_storm_40");
        return r.status === 200 ? true : undefined;
      },
      30_000,
    );
    await signalNode(await fleet.container("mesh"), "KILL");
    const crashAt = Date.now();
    const out = await storm;
    const { acks, failed } = JSON.parse(out.stdout) as { acks: [number, number][]; failed: number };
    const acked = acks.map(([i]) => i);
    expect(failed, "the storm saw the crash").toBeGreaterThan(0);
    expect(acked.length).toBeGreaterThan(40);
    await healthy();
    const missing: number[] = [];
    for (const i of acked) {
      const r = await fleet.operator("GET", `/v1/blackboard/context/notes_storm_${i}`);
      if (r.status !== 200 || (JSON.parse(r.body) as { value: { i: number } }).value.i !== i) missing.push(i);
    }
    console.info(
      `write storm: ${acked.length} acknowledged, ${failed} failed during the crash, ${missing.length} lost`,
    );
    expect(missing, `${missing.length} of ${acked.length} acknowledged writes lost`).toEqual([]);
    // The storm went on through the crash: writes were acknowledged again once the mesh was back.
    expect(acks.some(([, at]) => at > crashAt + 1000)).toBe(true);
  }, 300_000);

  it("messages sent while the agent is down are delivered after it is back", async () => {
    const agent = await fleet.container("agent-assistant");
    await fleet.fake.script({ text: "got one" }, { text: "got two" }, { text: "got three" });
    await docker(["stop", "-t", "20", agent]);
    try {
      for (const word of ["alpha", "bravo", "charlie"]) {
        const r = await fleet.operator("POST", "/v1/agents/assistant/messages", {
          payload: `while you were down: ${word}`,
        });
        expect(r.status, r.body).toBe(202);
      }
    } finally {
      await docker(["start", agent]);
    }
    await healthy();
    const seen = () =>
      fleet.fake.chats().then((reqs) => {
        const text = reqs.map((r) => r.body).join("\n");
        return ["alpha", "bravo", "charlie"].every((w) => text.includes(`while you were down: ${w}`));
      });
    await waitFor(
      "the three messages at the model",
      async () => ((await seen()) ? true : undefined),
      120_000,
    );
  }, 300_000);

  // Last: the killed calls are charged their full reservation, which spends today's (small) budget.
  it("the proxy killed -9 under 50 concurrent streams: no stuck reservation, the budget never passed", async () => {
    const words = Array.from({ length: 40 }, (_, i) => `t${i}`).join(" ");
    await fleet.fake.script(...Array.from({ length: 50 }, () => ({ text: words, chunkDelayMs: 400 })));
    const before = (await fleet.fake.chats()).length;
    const load = nodeIn(await fleet.container("agent-assistant"), concurrentCallsScript(50, "gpt-4o-mini"));
    await waitFor(
      "streams in flight",
      async () => ((await fleet.fake.chats()).length > before ? true : undefined),
      60_000,
    );
    await signalNode(await fleet.container("egress-proxy"), "KILL");
    const out = await load;
    const { statuses } = JSON.parse(out.stdout) as { statuses: Record<string, number> };
    // The budget admitted only what fits: the rest were refused up front with 402.
    expect(statuses["402"] ?? 0, JSON.stringify(statuses)).toBeGreaterThan(0);
    await healthy();
    const costs = await waitFor(
      "the proxy's cost report",
      async () => {
        const r = await fleet.operator("GET", "/v1/costs?period=today");
        return r.status === 200
          ? (JSON.parse(r.body) as { agents: Record<string, { today_usd: number; reserved_usd: number }> })
          : undefined;
      },
      60_000,
    );
    const mine = costs.agents.assistant;
    console.info(`proxy kill under load: ${JSON.stringify(statuses)}; ledger ${JSON.stringify(mine)}`);
    expect(mine?.reserved_usd, JSON.stringify(mine)).toBe(0);
    expect(mine?.today_usd ?? 0).toBeGreaterThan(0);
    expect(mine?.today_usd ?? 0).toBeLessThanOrEqual(DAILY_BUDGET_USD + 1e-9);
  }, 300_000);
});
