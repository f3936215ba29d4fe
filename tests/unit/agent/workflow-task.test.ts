import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  parseAnswer,
  renderWorkflowPrompt,
  WORKFLOW_RESULT_MAX_CHARS,
  workflowOutcome,
} from "../../../services/agent/core/workflow-task.js";
import type { RunResult } from "../../../services/agent/loop/run.js";
import { WorkflowTasks, workflowPayload } from "../../../services/agent/runtime/workflow-tasks.js";
import { AgentStore } from "../../../services/agent/state/agent-store.js";
import { WorkflowRepo } from "../../../services/agent/state/workflow-repo.js";
import { MeshClient } from "../../../services/agent/tools/mesh/client.js";
import { workflowResultSchema } from "../../../services/common/contracts/mesh-api.js";

const KEY = "a".repeat(64);
const run = (over: Partial<RunResult>): RunResult => ({
  status: "completed",
  reply: "",
  added: [],
  calls: 1,
  toolCalls: 0,
  usage: { input: 0, output: 0 },
  models: [],
  ...over,
});
const task = (over: Record<string, unknown> = {}) => ({
  type: "workflow_task",
  dispatch_key: KEY,
  run_id: "r1",
  step_id: "s1",
  attempt: 1,
  action: null,
  task_type: "qualify_lead",
  input: { company: "Acme" },
  timeout_ms: 60_000,
  redelivery: false,
  reply_to: "/v1/workflows/results",
  ...over,
});

describe("workflow task core", () => {
  it("parses a JSON answer (bare or fenced) and wraps prose as {text}", () => {
    expect(parseAnswer(' {"score": 8} ')).toEqual({ score: 8 });
    expect(parseAnswer('```json\n{"ok":true}\n```')).toEqual({ ok: true });
    expect(parseAnswer("[1,2]")).toEqual([1, 2]);
    expect(parseAnswer("Looks qualified.")).toEqual({ text: "Looks qualified." });
  });

  it("maps run statuses to results the mesh's schema accepts", () => {
    const ok = workflowOutcome(KEY, run({ reply: '{"a":1}' }));
    expect(ok).toEqual({ dispatch_key: KEY, ok: true, result: { a: 1 } });
    const loop = workflowOutcome(
      KEY,
      run({ status: "loop_detected", error: { code: "OL_ERR_AGENT_LOOP", message: "same call 3 times" } }),
    );
    expect(loop).toMatchObject({ ok: false, error: { kind: "error" } });
    expect(JSON.stringify(loop)).toContain("run loop_detected: OL_ERR_AGENT_LOOP");
    expect(workflowOutcome(KEY, run({ status: "iteration_limit" }))).toMatchObject({ ok: false });
    expect(workflowOutcome(KEY, run({ status: "cancelled" }), true)).toMatchObject({
      error: { kind: "timeout" },
    });
    const huge = workflowOutcome(KEY, run({ reply: "x".repeat(WORKFLOW_RESULT_MAX_CHARS + 10) }));
    expect(huge).toMatchObject({ ok: false });
    const long = workflowOutcome(
      KEY,
      run({ status: "failed", error: { code: "X", message: "y".repeat(9000) } }),
    );
    for (const o of [ok, loop, huge, long]) expect(workflowResultSchema.safeParse(o).success).toBe(true);
  });

  it("renders the task type and input into the prompt, and recognises task and cancel payloads", () => {
    const t = workflowPayload(task());
    expect(t?.type).toBe("workflow_task");
    const prompt = renderWorkflowPrompt(t as never);
    expect(prompt).toContain("Task type: qualify_lead");
    expect(prompt).toContain('"company": "Acme"');
    expect(workflowPayload(JSON.stringify({ type: "workflow_cancel", dispatch_key: KEY }))?.type).toBe(
      "workflow_cancel",
    );
    expect(workflowPayload({ type: "workflow_task", dispatch_key: "short" })).toBeUndefined();
    expect(workflowPayload("plain text")).toBeUndefined();
  });
});

describe("WorkflowTasks (real SQLite, loopback mesh)", () => {
  let server: Server | undefined;
  let store: AgentStore | undefined;
  let tasks: WorkflowTasks | undefined;
  let mesh: MeshClient | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    tasks?.close();
    await mesh?.close();
    store?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
    server = store = tasks = mesh = dir = undefined;
  });

  /** A mesh stand-in answering /v1/workflows/results with `statuses` in turn (then 200). */
  async function start(statuses: number[], runner: ConstructorParameters<typeof WorkflowTasks>[0]["run"]) {
    const posts: unknown[] = [];
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        posts.push(JSON.parse(body));
        const status = statuses.shift() ?? 200;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(
          JSON.stringify(status === 200 ? { accepted: true, run_id: "r", step_id: "s" } : { error: "busy" }),
        );
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    dir = mkdtempSync(join(tmpdir(), "ol-wf-"));
    store = new AgentStore(join(dir, "agent.db"));
    mesh = new MeshClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "token");
    const repo = new WorkflowRepo(store.db);
    tasks = new WorkflowTasks({ repo, mesh, log: pino({ level: "silent" }), run: runner, reportDelayMs: 5 });
    return { posts, repo };
  }

  it("retries the result POST while the mesh answers 503, then stores it as reported", async () => {
    let runs = 0;
    const { posts, repo } = await start([503, 503], () => {
      runs++;
      return { done: Promise.resolve(run({ reply: '{"score":8}' })), cancel: () => {} };
    });
    tasks!.handle(workflowPayload(task()) as never, "mesh");
    await expect.poll(() => repo.get(KEY)?.reported, { timeout: 5000 }).toBe(true);
    expect(posts).toHaveLength(3);
    expect(posts[2]).toEqual({ dispatch_key: KEY, ok: true, result: { score: 8 } });
    // A redelivery re-reports the stored result without running again.
    tasks!.handle(workflowPayload(task({ redelivery: true })) as never, "mesh");
    await expect.poll(() => posts.length, { timeout: 5000 }).toBe(4);
    expect(runs).toBe(1);
  });

  it("workflow_cancel stops the running attempt and reports it as failed", async () => {
    let finish: (r: RunResult) => void = () => {};
    const { posts } = await start([], () => ({
      done: new Promise<RunResult>((r) => {
        finish = r;
      }),
      cancel: (why) =>
        finish(run({ status: "cancelled", error: { code: "OL_ERR_AGENT_CANCELLED", message: why } })),
    }));
    tasks!.handle(workflowPayload(task()) as never, "mesh");
    expect(tasks!.active).toBe(1);
    tasks!.handle(workflowPayload({ type: "workflow_cancel", dispatch_key: KEY }) as never, "mesh");
    await expect.poll(() => posts.length, { timeout: 5000 }).toBe(1);
    expect(posts[0]).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining("workflow_cancel") },
    });
  });
});
