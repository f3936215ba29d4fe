import { MeshRoutes } from "../../../../common/contracts/mesh-routes.js";
import { permits } from "../../../authorize.js";
import type { MeshContext } from "../../../context.js";
import type { Json } from "../cel.js";
import type { EffectSink } from "../workflow/runner.js";
import type { OutboxRow } from "../workflow/store.js";
import type { Effect } from "../workflow/types.js";

/**
 * `on_complete`: the run's results go to the topic's subscribers (those whose can_subscribe still
 * allows it), sender `mesh`, like a publish. Results too large for one message are replaced by a note.
 */
function onComplete(ctx: MeshContext, topic: string, payload: Json): void {
  let text = JSON.stringify(payload);
  if (Buffer.byteLength(text) > ctx.limits.value_bytes) {
    const { results: _dropped, ...rest } = payload as Record<string, Json>;
    text = JSON.stringify({ ...rest, results: null, truncated: "results exceed the message limit" });
  }
  const targets = ctx.store.subscriptions
    .agentsFor(topic)
    .filter((a) => ctx.identity.agents.has(a))
    .filter((a) => permits(ctx, { kind: "agent", id: a }, "can_subscribe", topic));
  ctx.delivery.enqueue(
    targets.map((agent) => ({
      agent,
      kind: "publish" as const,
      sender: "mesh",
      topic,
      lane: "followup" as const,
      payload: text,
    })),
  );
}

/**
 * Delivers workflow effects through the mesh's durable inbox (same SQLite database, so the inbox row
 * and the outbox's `sent` mark commit together). Agents dedupe on `dispatch_key`.
 */
export function inboxSink(ctx: MeshContext): EffectSink {
  const send = (agent: string, payload: unknown) =>
    ctx.delivery.enqueue([
      {
        agent,
        kind: "message",
        sender: "mesh",
        topic: "workflow",
        lane: "followup",
        payload: JSON.stringify(payload),
      },
    ]);
  return {
    deliver(_row: OutboxRow, e: Effect) {
      switch (e.type) {
        case "dispatch":
          ctx.identity.agent(e.agent);
          send(e.agent, {
            type: "workflow_task",
            dispatch_key: e.key,
            run_id: e.run_id,
            step_id: e.step_id,
            attempt: e.attempt,
            action: e.action,
            task_type: e.task_type,
            input: e.input,
            timeout_ms: e.timeout_ms,
            redelivery: e.redelivery,
            reply_to: MeshRoutes.stepResult.path,
          });
          return;
        case "cancel":
          send(e.agent, {
            type: "workflow_cancel",
            dispatch_key: e.key,
            run_id: e.run_id,
            step_id: e.step_id,
            attempt: e.attempt,
          });
          return;
        case "notify":
          if (e.agent)
            send(e.agent, { type: "workflow_notice", run_id: e.run_id, step_id: e.step_id, text: e.text });
          ctx.audit({
            actor: "mesh",
            action: "workflow.notify",
            target: e.run_id,
            outcome: "ok",
            code: null,
            detail: { step: e.step_id, text: e.text.slice(0, 500) },
          });
          return;
        case "finished":
          if (e.on_complete) onComplete(ctx, e.on_complete.topic, e.on_complete.payload);
          ctx.audit({
            actor: "mesh",
            action: "workflow.finished",
            target: e.run_id,
            outcome: e.status === "succeeded" ? "ok" : "error",
            code: null,
            detail: { status: e.status },
          });
      }
    },
  };
}
