import { isCorrection } from "../../core/corrections.js";
import { turnToPersist } from "../../core/failed-turn.js";
import type { RunResult } from "../../loop/run.js";
import { CHAT_CONVERSATION } from "../../state/agent-store.js";
import type { Turn, TurnDeps } from "./types.js";

/**
 * Turn step 5: a chat turn's messages are saved, then the memory layer flushes facts or compacts
 * (its failure is logged, never fails the turn). Tasks keep no conversation.
 */
export async function persistChat(
  d: Pick<TurnDeps, "store" | "memory" | "log">,
  t: Pick<Turn, "mode" | "transcript" | "signal">,
  result: RunResult,
  system: string,
): Promise<void> {
  if (t.mode !== "chat") return;
  d.store.appendMessages(CHAT_CONVERSATION, turnToPersist(result.status, result.added));
  await d.memory
    ?.afterTurn(CHAT_CONVERSATION, t.transcript, { system, signal: t.signal })
    .catch((err: unknown) => d.log.warn({ err }, "context flush/compaction failed"));
}

/** Turn step 6a: a chat message that corrects the agent is kept in learnings/corrections.md. */
export async function recordCorrection(
  d: Pick<TurnDeps, "workspace" | "log">,
  t: Pick<Turn, "mode" | "prompt">,
): Promise<void> {
  if (t.mode !== "chat" || !isCorrection(t.prompt)) return;
  await d.workspace
    .recordCorrection(t.prompt)
    .catch((err: unknown) => d.log.warn({ err }, "could not record a correction"));
}

/** Turn step 6b: one log line and one daily-log entry (memory/YYYY-MM-DD.md) per turn or task. */
export async function logTurn(
  d: Pick<TurnDeps, "workspace" | "log">,
  t: Pick<Turn, "mode" | "from" | "prompt">,
  r: RunResult,
): Promise<void> {
  const { mode, from } = t;
  const summary = { status: r.status, calls: r.calls, tools: r.toolCalls, models: r.models };
  d.log.info({ mode, from, ...summary }, "run finished");
  const reply = r.reply || r.error?.message || "";
  await d.workspace
    .logTurn({ kind: mode, from, input: t.prompt, reply, status: r.status })
    .catch((err: unknown) => d.log.warn({ err }, "could not append to the daily log"));
}
