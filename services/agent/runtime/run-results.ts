import type { InboxMessage } from "../../common/contracts/mesh-api.js";
import { isOlError } from "../../common/errors.js";
import { AgentErrors } from "../errors.js";
import type { RunResult } from "../loop/run.js";
/** Small pure helpers of the runtime: the result of a run that never started, and inbox text. */

export function cancelledResult(why: string) {
  return {
    status: "cancelled" as const,
    reply: "",
    error: { code: AgentErrors.cancelled.code, message: `run cancelled: ${why}` },
    calls: 0,
    toolCalls: 0,
    usage: { input: 0, output: 0 },
    models: [],
  };
}

/** The result of a run that threw (or never started): an OlError keeps its code, anything else is INTERNAL. */
export function failedResult(err: unknown): RunResult {
  return {
    status: "failed",
    reply: "",
    added: [],
    calls: 0,
    toolCalls: 0,
    usage: { input: 0, output: 0 },
    models: [],
    error: isOlError(err)
      ? { code: err.code, message: err.message }
      : { code: AgentErrors.internal.code, message: err instanceof Error ? err.message : String(err) },
  };
}

/** Inbox message → the user text of a chat turn. */
export function renderInbox(m: InboxMessage): string {
  const payload = typeof m.payload === "string" ? m.payload : JSON.stringify(m.payload);
  switch (m.kind) {
    case "publish":
      return `[event on topic ${m.topic ?? "?"} from ${m.from}] ${payload}`;
    case "watch":
      return `[blackboard change under ${m.topic ?? "?"}] ${payload}`;
    case "broadcast":
      return `[broadcast from ${m.from}] ${payload}`;
    case "operator":
      return payload;
    default:
      return `[message from ${m.from}] ${payload}`;
  }
}
