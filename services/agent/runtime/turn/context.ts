import type { ModelMessage } from "ai";
import type { Transcript } from "../../memory/context/conversation.js";
import { HISTORY_WINDOW } from "../../state/agent-store.js";
import type { Turn, TurnDeps } from "./types.js";

export interface TurnContext {
  system: string;
  history: readonly ModelMessage[];
}

const EMPTY: Transcript = { count: () => 0, tail: () => [] };

/**
 * Turn step 2: what the model sees before the new message. Chat turns continue the conversation
 * (through the memory layer when present: summary, brief and recalled facts); tasks start empty.
 */
export async function prepareContext(
  d: Pick<TurnDeps, "memory">,
  t: Pick<Turn, "mode" | "prompt" | "transcript" | "signal">,
  system: string,
): Promise<TurnContext> {
  const transcript = t.mode === "chat" ? t.transcript : EMPTY;
  if (!d.memory) return { system, history: transcript.tail(HISTORY_WINDOW) };
  const p = await d.memory.prepare(t.mode, transcript, t.prompt, t.signal);
  return { system: p.systemSuffix ? `${system}\n\n${p.systemSuffix}` : system, history: p.history };
}
