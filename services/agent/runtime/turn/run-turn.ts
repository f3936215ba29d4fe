import { DEFAULT_LIMITS } from "../../core/limits.js";
import { type RunResult, runLoop } from "../../loop/run.js";
import { storeTranscript } from "../../memory/agent-memory.js";
import { CHAT_CONVERSATION } from "../../state/agent-store.js";
import { prepareContext } from "./context.js";
import { retryOnOverflow } from "./overflow-retry.js";
import { logTurn, persistChat, recordCorrection } from "./record.js";
import type { Turn, TurnDeps, TurnInput } from "./types.js";

/**
 * One chat turn or task as a pipeline: system prompt → context → loop → overflow retry → persist
 * → corrections → daily log. Returns the result and the steer messages that arrived too late to be seen (the
 * runtime queues them as the next turn).
 */
export async function runTurn(
  d: TurnDeps,
  input: TurnInput,
): Promise<{ result: RunResult; leftover: string[] }> {
  const t: Turn = { ...input, transcript: storeTranscript(d.store, CHAT_CONVERSATION) };
  const registry = d.tools.current();
  const context = async () =>
    prepareContext(d, t, d.prompt.build(await d.workspace.readAll(), registry.list()));
  let ctx = await context();
  const toolCtx = { agentId: d.manifest.id, dataRoot: d.dataRoot, log: d.log, mesh: d.mesh, proxy: d.proxy };
  const loop = () =>
    runLoop({
      mode: t.mode,
      system: ctx.system,
      history: ctx.history,
      prompt: t.prompt,
      registry,
      toolCtx: { ...toolCtx, spawner: d.spawner, depth: 0 },
      step: d.step,
      signal: t.signal,
      steer: t.steer,
      limits: d.limits ?? DEFAULT_LIMITS,
      maxOutputTokens: d.manifest.max_tokens,
      temperature: d.manifest.temperature,
      onEvent: t.onEvent,
      onToolFailure: (tool, text) => {
        d.workspace
          .recordToolError(tool, text)
          .catch((err: unknown) => d.log.warn({ err }, "could not record a tool error"));
      },
    });
  const memory = d.memory;
  const result = await retryOnOverflow(t.mode, await loop(), {
    compact: memory && (() => memory.compactNow(CHAT_CONVERSATION, t.transcript, t.signal)),
    rerun: async () => {
      ctx = await context();
      return loop();
    },
    log: d.log,
  });
  const leftover = t.steer.drain();
  await persistChat(d, t, result, ctx.system);
  await recordCorrection(d, t);
  await logTurn(d, t, result);
  return { result, leftover };
}
