import type { ToolModelMessage } from "ai";
import type { LoopDetector } from "../core/loop-detector.js";
import { AgentErrors } from "../errors.js";
import type { ModelToolCall } from "../model/call.js";
import type { ToolRegistry } from "../tools/registry.js";
import type { ToolContext } from "../tools/types.js";
import { capAndSpill } from "./spill.js";

/** Tools with no side effects on /data or processes: a batch made only of these runs concurrently. */
export const PARALLEL_SAFE = new Set([
  "read_file",
  "list_files",
  "http_request",
  "web_search",
  "read_shared_state",
  "list_shared_state",
  "list_agents",
  "read_agent_history",
  "list_cron",
  "spawn_agent",
]);

export interface BatchHooks {
  onTool?: (name: string, status: "start" | "end" | "error") => void;
  onFailure?: (name: string, text: string) => void;
}

export interface BatchResult {
  message: ToolModelMessage;
  /** Set when the loop detector ended the run on one of these calls. */
  terminate?: { tool: string; count: number };
  failures: number;
}

/**
 * Runs one assistant message's tool calls and returns the tool message that answers all of them (every
 * call gets a result, so tool calls and results stay paired). Loop-detector verdicts and errors become
 * result text; nothing here throws.
 */
export async function runToolBatch(
  calls: readonly ModelToolCall[],
  registry: ToolRegistry,
  detector: LoopDetector,
  ctx: ToolContext,
  opts: { resultMaxChars: number; hooks?: BatchHooks },
): Promise<BatchResult> {
  let terminate: BatchResult["terminate"];
  let failures = 0;
  const runOne = async (call: ModelToolCall): Promise<{ text: string; ok: boolean }> => {
    const verdict = detector.check(call.name, call.input);
    if (verdict.action === "terminate") {
      terminate ??= { tool: call.name, count: verdict.count };
      return { ok: false, text: `error ${AgentErrors.loopDetected.code}: ${verdict.message}` };
    }
    if (verdict.action === "block")
      return { ok: false, text: `error ${AgentErrors.loopDetected.code}: ${verdict.message}` };
    if (ctx.signal.aborted)
      return {
        ok: false,
        text: `error ${AgentErrors.cancelled.code}: the run was cancelled before this call ran`,
      };
    opts.hooks?.onTool?.(call.name, "start");
    const outcome = await registry.execute(call.name, call.input, ctx);
    opts.hooks?.onTool?.(call.name, outcome.ok ? "end" : "error");
    if (!outcome.ok) {
      failures++;
      opts.hooks?.onFailure?.(call.name, outcome.text);
    }
    const capped = await capAndSpill(ctx.dataRoot, call.id, outcome.text, opts.resultMaxChars);
    return { ok: outcome.ok, text: verdict.action === "warn" ? `${capped}\n\n[${verdict.message}]` : capped };
  };
  const parallel = calls.length > 1 && calls.every((c) => PARALLEL_SAFE.has(c.name));
  const results: { text: string; ok: boolean }[] = [];
  if (parallel) results.push(...(await Promise.all(calls.map(runOne))));
  else for (const call of calls) results.push(await runOne(call));
  const message: ToolModelMessage = {
    role: "tool",
    content: calls.map((call, i) => {
      const r = results[i] ?? { ok: false, text: "error: no result" };
      return {
        type: "tool-result" as const,
        toolCallId: call.id,
        toolName: call.name,
        output: r.ok
          ? { type: "text" as const, value: r.text }
          : { type: "error-text" as const, value: r.text },
      };
    }),
  };
  return terminate ? { message, terminate, failures } : { message, failures };
}
