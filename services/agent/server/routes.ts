import { statfs } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { AgentRoutes, type taskViewSchema } from "../../common/contracts/agent-routes.js";
import type { AgentStreamEvent } from "../../common/contracts/mesh-api.js";
import { route } from "../../common/http/route.js";
import { sseFrame } from "../../common/sse.js";
import { AgentErrors } from "../errors.js";
import type { AgentRuntime } from "../runtime/agent-runtime.js";
import type { TaskRow } from "../state/agent-store.js";
import { Workspace } from "../state/workspace.js";
import { listDir, readWhole } from "./files.js";
import { heartbeatReport } from "./heartbeat-report.js";

const taskView = (t: TaskRow): z.input<typeof taskViewSchema> => ({
  id: t.id,
  status: t.status,
  reply: t.reply,
  error: t.error_code ? { code: t.error_code, message: t.error_message ?? "" } : null,
  calls: t.calls,
  tool_calls: t.tool_calls,
  usage: { input_tokens: t.input_tokens, output_tokens: t.output_tokens },
  models: t.models,
  from: t.sender,
  created_at: t.created_at,
  updated_at: t.updated_at,
});

export function registerRoutes(
  app: FastifyInstance,
  runtime: AgentRuntime,
  dataRoot: string,
  agentId: string,
): void {
  route(app, AgentRoutes.task, async (req, reply) => {
    const { task, created } = runtime.dispatchTask(
      req.body.task,
      req.body.from,
      req.headers["idempotency-key"],
    );
    return reply.code(created ? 202 : 200).send(taskView(runtime.task(task.id) ?? task));
  });

  route(app, AgentRoutes.taskStatus, async (req) => {
    const task = runtime.task(req.params.id);
    if (!task) throw AgentErrors.notFound(`task ${req.params.id}`);
    return taskView(task);
  });

  route(app, AgentRoutes.chat, async (req, reply) => {
    const { message, lane, from } = req.body;
    const wantsStream = (req.headers.accept ?? "").includes("text/event-stream");
    if (!wantsStream) return runtime.chat(message, from, lane);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const write = (e: AgentStreamEvent) => {
      if (!raw.writableEnded && !raw.destroyed) raw.write(sseFrame(e.type, e));
    };
    // A client that closes the stream before the end cancels the turn (the dashboard's Cancel, Ctrl-C).
    const gone = new AbortController();
    raw.on("close", () => {
      if (!raw.writableFinished) gone.abort();
    });
    try {
      const out = await runtime.chat(
        message,
        from,
        lane,
        (e) => {
          if (e.type === "delta") write({ type: "delta", text: e.text });
          else if (e.type === "tool") write({ type: "tool", name: e.name, status: e.status });
        },
        gone.signal,
      );
      if (out.error && !out.reply) write({ type: "error", code: out.error.code, message: out.error.message });
      else write({ type: "done", reply: out.reply });
    } catch (err) {
      const code =
        err instanceof Error && "code" in err && typeof err.code === "string"
          ? err.code
          : AgentErrors.internal.code;
      write({ type: "error", code, message: err instanceof Error ? err.message : String(err) });
    }
    raw.end();
  });

  route(app, AgentRoutes.steer, async (req, reply) => {
    if (runtime.steer(req.body.message)) return reply.code(202).send({ delivered: "injected" as const });
    runtime
      .chat(req.body.message, req.body.from, "followup")
      .catch((err: unknown) => req.log.warn({ err }, "steer turn failed"));
    return reply.code(202).send({ delivered: "queued" as const });
  });

  route(app, AgentRoutes.reset, async () => runtime.reset());

  route(app, AgentRoutes.inbox, async (req) => {
    if (req.body.agent !== agentId)
      throw AgentErrors.badRequest(`delivery for agent "${req.body.agent}" reached "${agentId}"`);
    return runtime.deliver(req.body.messages);
  });

  route(app, AgentRoutes.status, async () => runtime.status());

  route(app, AgentRoutes.files, async (req) => listDir(dataRoot, req.query.path));
  route(app, AgentRoutes.file, async (req, reply) =>
    reply.type("application/octet-stream").send(await readWhole(dataRoot, req.params["*"])),
  );

  // HEARTBEAT.md is re-read only when its stat identity changes (Workspace caches by inode/size/mtime).
  const workspace = new Workspace(dataRoot);
  route(app, AgentRoutes.health, async () => {
    const s = runtime.status();
    const disk = await statfs(dataRoot)
      .then((st) => {
        const total = st.blocks * st.bsize;
        const free = st.bavail * st.bsize;
        return {
          total_bytes: total,
          free_bytes: free,
          used_pct: total > 0 ? Math.round(((total - free) / total) * 1000) / 10 : 0,
        };
      })
      .catch(() => null);
    const heartbeat = await heartbeatReport(workspace).catch((err: unknown) => {
      app.log.warn({ err }, "HEARTBEAT.md probes failed");
      return null;
    });
    return {
      ok: !runtime.closing && disk !== null,
      state: s.state,
      queue_length: s.queue_length,
      current: s.current
        ? { kind: s.current.kind, id: s.current.id, running_ms: s.current.running_ms }
        : null,
      disk,
      heartbeat,
    };
  });
}
