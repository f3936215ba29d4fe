import { afterEach, describe, expect, it } from "vitest";
import type { ScheduleView } from "../../../services/common/contracts/mesh-api.js";
import { as } from "../mesh/helpers.js";
import { operatorJson, type Stack, startStack, waitFor } from "./mesh-stack.js";

/**
 * Issue 22 item 3 through the real mesh and a real agent on the fake provider: tool jobs that never
 * wake the model, error counts, HEARTBEAT_OK as nothing to report, pause / resume / update.
 */
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const agentJson = (id: string) => ({ ...as(id), "content-type": "application/json" });
const soon = () => `at ${new Date(Date.now() + 1200).toISOString()}`;

async function setCron(s: Stack, agent: string, body: Record<string, unknown>) {
  const res = await fetch(`${s.meshUrl}/v1/schedules`, {
    method: "POST",
    headers: agentJson(agent),
    body: JSON.stringify(body),
  });
  const view = (await res.json()) as ScheduleView;
  expect(res.status, JSON.stringify(view)).toBe(201);
  return view;
}

const schedules = async (s: Stack): Promise<ScheduleView[]> =>
  (
    (await (await fetch(`${s.meshUrl}/v1/schedules`, { headers: operatorJson })).json()) as {
      schedules: ScheduleView[];
    }
  ).schedules;

const settled = (s: Stack, id: string) =>
  waitFor(
    `schedule ${id} to report`,
    async () => {
      const row = (await schedules(s)).find((r) => r.id === id);
      return row?.last_outcome ? row : undefined;
    },
    20_000,
  );

const update = (s: Stack, id: string, body: unknown, headers: Record<string, string> = operatorJson) =>
  fetch(`${s.meshUrl}/v1/schedules/${encodeURIComponent(id)}`, {
    method: "PUT",
    headers,
    body: JSON.stringify(body),
  });

describe("issue 22: schedules like the seed's", () => {
  it("a tool job calls its tool with its parameters without waking the model", async () => {
    stack = await startStack({ bob: { can_schedule: true, blackboard_write: ["context/*"] } });
    const job = await setCron(stack, "bob", {
      name: "stamp",
      schedule: soon(),
      tool: { name: "write_shared_state", params: { key: "context/stamp", value: { by: "cron" } } },
    });
    expect(job.tool).toEqual({
      name: "write_shared_state",
      params: { key: "context/stamp", value: { by: "cron" } },
    });
    const row = await settled(stack, job.id);
    expect(row).toMatchObject({ last_outcome: "ok", errors: 0, fires: 1 });
    const entry = await fetch(`${stack.meshUrl}/v1/blackboard/context/stamp`, { headers: operatorJson });
    expect(((await entry.json()) as { value: unknown }).value).toEqual({ by: "cron" });
    expect(stack.fake.requests.length).toBe(0);
  });

  it("a failing tool job counts as the schedule's error, with the reason", async () => {
    stack = await startStack({ bob: { can_schedule: true } });
    const job = await setCron(stack, "bob", {
      name: "broken",
      schedule: soon(),
      tool: { name: "no_such_tool", params: {} },
    });
    const row = await settled(stack, job.id);
    expect(row.last_outcome).toBe("error");
    expect(row.errors).toBe(1);
    expect(row.last_error).toContain("no_such_tool");
    expect(stack.fake.requests.length).toBe(0);
  });

  it("a HEARTBEAT_OK reply is nothing to report; a real answer is an outcome", async () => {
    stack = await startStack({ bob: { can_schedule: true } });
    stack.fake.script("openai", { text: "HEARTBEAT_OK" });
    const quiet = await setCron(stack, "bob", {
      name: "quiet",
      schedule: soon(),
      message: "check the inbox",
    });
    expect((await settled(stack, quiet.id)).last_outcome).toBe("nothing_to_report");
    stack.fake.script("openai", { text: "Three new leads arrived; I filed them." });
    const busy = await setCron(stack, "bob", { name: "busy", schedule: soon(), message: "check the inbox" });
    expect((await settled(stack, busy.id)).last_outcome).toBe("ok");
  });

  it("pause, resume and update by the owner or the operator; another agent gets 404; bad changes change nothing", async () => {
    stack = await startStack({ bob: { can_schedule: true }, eve: {} });
    const job = await setCron(stack, "bob", { name: "daily", schedule: "0 9 * * *", message: "digest" });
    // Another agent does not see it at all.
    expect((await update(stack, job.id, { paused: true }, agentJson("eve"))).status).toBe(404);
    const paused = await update(stack, job.id, { paused: true });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ paused: true });
    const resumed = (await (
      await update(stack, "daily", { paused: false }, agentJson("bob"))
    ).json()) as ScheduleView;
    expect(resumed.paused).toBe(false);
    expect(resumed.next_run_at).toBeGreaterThan(Date.now());
    const changed = (await (
      await update(stack, job.id, { schedule: "every 2h", message: "digest v2" })
    ).json()) as ScheduleView;
    expect(changed.spec).toBe("every 2h");
    const bad = await update(stack, job.id, { schedule: "every banana" });
    expect(bad.status).toBe(400);
    expect((await schedules(stack)).find((r) => r.id === job.id)?.spec).toBe("every 2h");
    const none = await update(stack, job.id, {});
    expect(none.status).toBe(400);
  });
});
