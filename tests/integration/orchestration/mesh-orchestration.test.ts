import { afterEach, describe, expect, it } from "vitest";
import { webhookSecret } from "../../../services/mesh/modules/orchestration/plugin/routes-triggers.js";
import { signGithub, signStandard } from "../../../services/mesh/modules/orchestration/webhook/verify.js";
import {
  addressOf,
  as,
  FakeAgent,
  type Harness,
  MASTER,
  meshConfig,
  OPERATOR,
  perms,
  startMesh,
  until,
} from "../mesh/helpers.js";
import { type WorkflowTask as Task, tasksOf } from "./helpers.js";

describe("orchestration inside the mesh (real fastify, real SQLite, loopback agent)", () => {
  let mesh: Harness | undefined;
  let agent: FakeAgent | undefined;
  afterEach(async () => {
    await mesh?.close();
    await agent?.stop();
  });

  const boot = async () => {
    agent = await new FakeAgent("research").start();
    const config = meshConfig({ research: { permissions: perms({ can_schedule: true }), url: agent.url } });
    config.workflows = [
      {
        name: "prospect_pipeline",
        trigger: "new_prospect",
        timeout: 600,
        steps: [
          {
            id: "research",
            agent: "research",
            task_type: "research_prospect",
            input_from: "trigger.payload",
          },
          {
            id: "qualify",
            agent: "research",
            task_type: "qualify_lead",
            depends_on: ["research"],
            condition: "research.result.score >= 5",
          },
        ],
      },
      {
        name: "gated",
        steps: [
          { id: "ok", action: "approval" },
          { id: "go", agent: "research", depends_on: ["ok"] },
        ],
      },
    ];
    config.webhooks = [
      { name: "deploy", agent: "research", workflow: "prospect_pipeline" },
      { name: "gh", agent: "research", message: "push: {payload}" },
    ];
    mesh = await startMesh(config);
    return config;
  };

  const result = (config: ReturnType<typeof meshConfig>, key: string, res: unknown) =>
    mesh!.app.inject({
      method: "POST",
      url: "/v1/workflows/results",
      headers: as("research"),
      remoteAddress: addressOf(config, "research"),
      payload: { dispatch_key: key, ok: true, result: res },
    });

  it("the seed workflow runs end to end from a signed webhook through the agent's inbox", async () => {
    const config = await boot();
    const body = Buffer.from(JSON.stringify({ company: "Acme", size: 40 }));
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      "content-type": "application/json",
      "webhook-id": "evt_1",
      "webhook-timestamp": String(ts),
      "webhook-signature": signStandard(webhookSecret(MASTER, "deploy", 1), "evt_1", ts, body),
    };
    const accepted = await mesh!.app.inject({
      method: "POST",
      url: "/webhook/hook/deploy",
      headers,
      payload: body,
    });
    expect(accepted.statusCode).toBe(202);
    const runId = accepted.json().run_id as string;
    const replay = await mesh!.app.inject({
      method: "POST",
      url: "/webhook/hook/deploy",
      headers,
      payload: body,
    });
    expect(replay.json()).toMatchObject({ duplicate: true, run_id: null });

    await until(() => tasksOf(agent!).length === 1);
    const first = tasksOf(agent!)[0] as Task;
    expect(first).toMatchObject({ step_id: "research", input: { company: "Acme", size: 40 } });
    expect((await result(config, first.dispatch_key, { score: 7 })).json()).toMatchObject({ accepted: true });
    await until(() => tasksOf(agent!).length === 2);
    const second = tasksOf(agent!)[1] as Task;
    await result(config, second.dispatch_key, { qualified: true });

    const show = await mesh!.app.inject({ url: `/v1/workflow-runs/${runId}`, headers: OPERATOR });
    expect(show.json()).toMatchObject({ status: "succeeded", trigger: { kind: "webhook", name: "deploy" } });
    expect(show.json().steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      "research:succeeded",
      "qualify:succeeded",
    ]);
    const list = await mesh!.app.inject({
      url: "/v1/workflow-runs?workflow=prospect_pipeline",
      headers: OPERATOR,
    });
    expect(list.json().runs).toHaveLength(1);
  });

  it("webhook rejections: bad signature 401, unknown hook 404, oversize 413, GitHub mode to an agent", async () => {
    await boot();
    const body = Buffer.from('{"ref":"main"}');
    const bad = await mesh!.app.inject({
      method: "POST",
      url: "/webhook/hook/gh",
      headers: { "content-type": "application/json", "x-hub-signature-256": signGithub("wrong", body) },
      payload: body,
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe("OL_ERR_ORCH_WEBHOOK_SIGNATURE");
    expect(
      (
        await mesh!.app.inject({
          method: "POST",
          url: "/webhook/hook/nope",
          payload: body,
          headers: { "content-type": "application/json" },
        })
      ).statusCode,
    ).toBe(404);
    const big = Buffer.alloc(2 * 1024 * 1024, 32);
    expect(
      (
        await mesh!.app.inject({
          method: "POST",
          url: "/webhook/hook/gh",
          payload: big,
          headers: { "content-type": "application/json" },
        })
      ).statusCode,
    ).toBe(413);
    const ok = await mesh!.app.inject({
      method: "POST",
      url: "/webhook/hook/gh",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": signGithub(webhookSecret(MASTER, "gh", 1), body),
        "x-github-delivery": "d1",
      },
      payload: body,
    });
    expect(ok.statusCode).toBe(202);
    await until(() =>
      agent!.deliveries.some((d) =>
        d.messages.some((m) => (m.payload as { type?: string }).type === "webhook"),
      ),
    );
  });

  it("approval through the operator API, a wrong agent cannot report, agents manage their own schedules", async () => {
    const config = await boot();
    const run = await mesh!.app.inject({
      method: "POST",
      url: "/v1/workflows/gated/runs",
      headers: OPERATOR,
      payload: {},
    });
    expect(run.statusCode).toBe(201);
    const id = run.json().id as string;
    const approve = await mesh!.app.inject({
      method: "POST",
      url: `/v1/workflow-runs/${id}/steps/ok/decision`,
      headers: OPERATOR,
      payload: { approve: true },
    });
    expect(approve.statusCode).toBe(200);
    await until(() => tasksOf(agent!).length === 1);
    const again = await mesh!.app.inject({
      method: "POST",
      url: `/v1/workflow-runs/${id}/steps/ok/decision`,
      headers: OPERATOR,
      payload: { approve: true },
    });
    expect(again.json().code).toBe("OL_ERR_ORCH_NOT_WAITING");

    const set = await mesh!.app.inject({
      method: "POST",
      url: "/v1/schedules",
      headers: as("research"),
      remoteAddress: addressOf(config, "research"),
      payload: { schedule: "every 30m", message: "check inbox", name: "inbox" },
    });
    expect(set.statusCode).toBe(201);
    expect(set.json()).toMatchObject({ id: "agent:research:inbox", spec: "every 30m" });
    const badSpec = await mesh!.app.inject({
      method: "POST",
      url: "/v1/schedules",
      headers: as("research"),
      remoteAddress: addressOf(config, "research"),
      payload: { schedule: "61 * * * *", message: "x" },
    });
    expect(badSpec.json().code).toBe("OL_ERR_ORCH_BAD_SCHEDULE");
    const mine = await mesh!.app.inject({
      url: "/v1/schedules",
      headers: as("research"),
      remoteAddress: addressOf(config, "research"),
    });
    expect(mine.json().schedules.map((s: { id: string }) => s.id)).toEqual(["agent:research:inbox"]);
  });
});
