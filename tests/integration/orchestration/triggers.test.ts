import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../services/mesh/clock.js";
import type { OrchestrationModule } from "../../../services/mesh/modules/orchestration/plugin/module.js";
import {
  addressOf,
  as,
  FakeAgent,
  type Harness,
  meshConfig,
  OPERATOR,
  perms,
  removeDir,
  startMesh,
  until,
} from "../mesh/helpers.js";
import { type WorkflowTask as Task, tasksOf } from "./helpers.js";

let mesh: Harness | undefined;
let agent: FakeAgent | undefined;
afterEach(async () => {
  await mesh?.close();
  if (mesh) removeDir(mesh.dir);
  await agent?.stop();
  mesh = undefined;
  agent = undefined;
});

const perTopic = (onConflict: string) => ({
  name: `per_topic_${onConflict}`,
  inputs: { topic: { type: "string", required: true } },
  concurrency: { key: "inputs.topic", on_conflict: onConflict },
  steps: [{ id: "work", agent: "research" }],
});

async function boot(clock = new ManualClock(Date.UTC(2026, 0, 1, 10))) {
  agent = await new FakeAgent("research").start();
  const config = meshConfig({
    research: { permissions: perms(), url: agent.url },
    scout: { permissions: perms({ can_publish: ["leads/**", "new_prospect"] }) },
  });
  config.workflows = [
    {
      name: "prospect_pipeline",
      trigger: "new_prospect",
      steps: [{ id: "research", agent: "research", input_from: "trigger.payload" }],
    },
    { name: "leads", trigger: "leads/*", steps: [{ id: "log", action: "noop" }] },
    { name: "nightly", steps: [{ id: "sweep", agent: "research" }] },
    perTopic("queue"),
    perTopic("skip"),
    perTopic("cancel_running"),
  ];
  config.schedules = [{ name: "sweep", workflow: "nightly", every: "every 1m" }];
  mesh = await startMesh(config, { clock });
  const orch = mesh.app.mesh.modules.find((m) => m.name === "orchestration") as OrchestrationModule;
  const asAgent = (
    id: string,
    method: "GET" | "POST" | "PUT",
    url: string,
    payload?: Record<string, unknown>,
  ) => mesh!.app.inject({ method, url, headers: as(id), remoteAddress: addressOf(config, id), payload });
  const run = (name: string, inputs: Record<string, unknown>) =>
    mesh!.app.inject({
      method: "POST",
      url: `/v1/workflows/${name}/runs`,
      headers: OPERATOR,
      payload: { inputs },
    });
  const finish = (task: Task) =>
    asAgent("research", "POST", "/v1/workflows/results", {
      dispatch_key: task.dispatch_key,
      ok: true,
      result: { done: true },
    });
  const show = async (id: string) =>
    (await mesh!.app.inject({ url: `/v1/workflow-runs/${id}`, headers: OPERATOR })).json();
  return { clock, orch: orch.parts(), asAgent, run, finish, show };
}

describe("workflow triggers", () => {
  it("a published topic starts the workflow whose trigger matches, payload as trigger.payload", async () => {
    const { asAgent, show } = await boot();
    const pub = await asAgent("scout", "POST", "/v1/publish", {
      topic: "new_prospect",
      payload: { company: "Acme" },
    });
    expect(pub.statusCode).toBe(202);
    const [runId] = pub.json().runs as string[];
    await until(() => tasksOf(agent!).length === 1);
    expect(tasksOf(agent!)[0]).toMatchObject({
      run_id: runId,
      step_id: "research",
      input: { company: "Acme" },
    });
    expect(await show(runId as string)).toMatchObject({ trigger: { kind: "event", name: "new_prospect" } });

    const glob = await asAgent("scout", "POST", "/v1/publish", { topic: "leads/eu", payload: 1 });
    expect(glob.json().runs).toHaveLength(1);
    const nested = await asAgent("scout", "POST", "/v1/publish", { topic: "leads/eu/de", payload: 1 });
    expect(nested.json().runs).toEqual([]); // `*` never crosses a segment
  });

  it("a schedule with `workflow:` starts a run on each slot, no agent needed", async () => {
    const { clock, orch, show } = await boot();
    clock.advance(61_000);
    expect(orch.scheduler.tick()).toBe(1);
    const runs = await mesh!.app.inject({ url: "/v1/workflow-runs?workflow=nightly", headers: OPERATOR });
    expect(runs.json().runs).toHaveLength(1);
    expect(await show(runs.json().runs[0].id)).toMatchObject({
      trigger: { kind: "schedule", name: "config:sweep" },
    });
    const list = await mesh!.app.inject({ url: "/v1/schedules", headers: OPERATOR });
    expect(list.json().schedules).toContainEqual(
      expect.objectContaining({ id: "config:sweep", agent: "", workflow: "nightly" }),
    );
  });
});

describe("issue 22: managing a mesh.yaml schedule", () => {
  it("the operator pauses it (no slot fires) and resumes it; its spec changes only in mesh.yaml (409)", async () => {
    const { clock, orch, asAgent } = await boot();
    const put = (body: Record<string, unknown>) =>
      mesh!.app.inject({
        method: "PUT",
        url: "/v1/schedules/config:sweep",
        headers: OPERATOR,
        payload: body,
      });
    const paused = await put({ paused: true });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ paused: true, source: "config" });
    clock.advance(61_000);
    expect(orch.scheduler.tick()).toBe(0);
    const change = await put({ schedule: "every 5m" });
    expect(change.statusCode).toBe(409);
    expect(change.json().code).toBe("OL_ERR_ORCH_SCHEDULE_FROM_CONFIG");
    // An agent cannot touch a config schedule at all.
    const byAgent = await asAgent("research", "PUT", "/v1/schedules/config:sweep", { paused: false });
    expect(byAgent.statusCode).toBe(404);
    expect((await put({ paused: false })).json()).toMatchObject({ paused: false, spec: "every 1m" });
    clock.advance(61_000);
    expect(orch.scheduler.tick()).toBe(1);
  });
});

describe("concurrency: queue | skip | cancel_running", () => {
  it("queue: a second run with the same key waits and starts when the first finishes; other keys run", async () => {
    const { run, finish, show } = await boot();
    const a = await run("per_topic_queue", { topic: "x" });
    expect(a.statusCode).toBe(201);
    const b = await run("per_topic_queue", { topic: "x" });
    expect(b.statusCode).toBe(202);
    expect(b.json()).toMatchObject({ status: "queued", position: 1 });
    expect((await run("per_topic_queue", { topic: "y" })).statusCode).toBe(201);
    await until(() => tasksOf(agent!).length === 2);
    const first = tasksOf(agent!).find((t) => t.run_id === a.json().id) as Task;
    await finish(first);
    expect(await show(a.json().id)).toMatchObject({ status: "succeeded" });
    expect(await show(b.json().id)).toMatchObject({ status: "running" });
    await until(() => tasksOf(agent!).some((t) => t.run_id === b.json().id));
  });

  it("skip: a run with the same key as an active one is refused with 409 and the blocking run", async () => {
    const { run } = await boot();
    const a = await run("per_topic_skip", { topic: "x" });
    const b = await run("per_topic_skip", { topic: "x" });
    expect(b.statusCode).toBe(409);
    expect(b.json()).toMatchObject({ code: "OL_ERR_ORCH_CONCURRENCY_SKIPPED" });
    expect(b.json().message).toContain(a.json().id);
  });

  it("cancel_running: the active run with the same key is cancelled and the new one starts", async () => {
    const { run, show } = await boot();
    const a = await run("per_topic_cancel_running", { topic: "x" });
    const b = await run("per_topic_cancel_running", { topic: "x" });
    expect(b.statusCode).toBe(201);
    expect(await show(a.json().id)).toMatchObject({ status: "cancelled" });
    expect(await show(b.json().id)).toMatchObject({ status: "running" });
    await until(() =>
      agent!.deliveries
        .flatMap((d) => d.messages)
        .some((m) => (m.payload as Task).type === "workflow_cancel"),
    );
  });
});

describe("heartbeats: set_heartbeat and the disk probe", () => {
  it("PUT /v1/heartbeat persists the agent's setting; the loop probes disk via the agent's /healthz and wakes it", async () => {
    const { clock, orch, asAgent } = await boot();
    const bad = await asAgent("research", "PUT", "/v1/heartbeat", { schedule: "every 30s" });
    expect(bad.statusCode).toBe(400);
    const set = await asAgent("research", "PUT", "/v1/heartbeat", {
      schedule: "every 5m",
      probes: ["disk", "tasks"],
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      agent: "research",
      enabled: true,
      every_ms: 300_000,
      source: "agent",
    });
    expect(set.json().next_at).toBe(clock.now() + 300_000);

    agent!.diskUsedPct = 20;
    clock.advance(300_000);
    expect(await orch.heartbeats.runDue()).toBe(1);
    expect(orch.beats.recent("research", 1)[0]).toMatchObject({ decision: "quiet", cost_usd: 0 });

    agent!.diskUsedPct = 95;
    clock.advance(300_000);
    await orch.heartbeats.runDue();
    expect(orch.beats.recent("research", 1)[0]).toMatchObject({ decision: "wake" });
    await until(() =>
      agent!.deliveries
        .flatMap((d) => d.messages)
        .some((m) => JSON.stringify(m.payload).includes("95% of /data used")),
    );
    // ...and until the mesh has recorded that delivery: an undelivered wake makes the next tick "busy".
    await until(() => mesh!.store.inbox.depth("research") === 0);

    agent!.diskUsedPct = null;
    clock.advance(300_000);
    await orch.heartbeats.runDue();
    const probes = orch.beats.recent("research", 1)[0]?.probes as { probe: string; error?: string }[];
    expect(probes.find((p) => p.probe === "disk")?.error).toBe("agent reports no disk figure");

    const off = await asAgent("research", "PUT", "/v1/heartbeat", { enabled: false });
    expect(off.json()).toMatchObject({ enabled: false, every_ms: 300_000, next_at: null });
    clock.advance(600_000);
    expect(await orch.heartbeats.runDue()).toBe(0);
  });
});
