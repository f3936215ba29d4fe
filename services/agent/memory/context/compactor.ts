import type { ModelMessage } from "ai";
import { isOlError } from "../../../common/errors.js";
import type { MemoryLog, MemoryService } from "../memory-service.js";
import { clip } from "../text.js";
import { KEEP_LAST, splitForCompaction } from "./plan.js";
import {
  EXTRACT_SYSTEM,
  type ExtractedFact,
  parseExtraction,
  renderTranscript,
  SUMMARY_SYSTEM,
} from "./prompts.js";

/** One tool-less model call (the runtime wires it to its model + failover). Throws on failure. */
export type LlmComplete = (req: { system: string; prompt: string; signal: AbortSignal }) => Promise<string>;

export interface CompactDeps {
  memory: MemoryService;
  llm: LlmComplete;
  log?: MemoryLog;
}

/** Summariser attempts before falling back to a plain "N messages compacted" note. */
export const SUMMARY_ATTEMPTS = 2;

/**
 * Silent extraction turn: asks the model for durable facts in `messages` and saves them to the DB and
 * MEMORY.md. Its prompt and answer never enter the transcript. Returns the number of facts written.
 */
export async function extractAndStore(
  d: CompactDeps,
  messages: readonly ModelMessage[],
  source: "context_flush" | "compaction",
  signal: AbortSignal,
): Promise<number> {
  if (messages.length === 0) return 0;
  let facts: ExtractedFact[];
  try {
    facts = parseExtraction(
      await d.llm({ system: EXTRACT_SYSTEM, prompt: renderTranscript(messages), signal }),
    );
  } catch (error) {
    d.log?.warn({ err: (error as Error).message }, "fact extraction failed; nothing saved from this part");
    return 0;
  }
  const saved: string[] = [];
  for (const f of facts) {
    try {
      const r = await d.memory.save(
        {
          text: f.text,
          source,
          log: false,
          ...(f.category ? { category: f.category.toLowerCase() } : {}),
          ...(f.key ? { key: f.key } : {}),
          ...(f.importance !== undefined ? { importance: f.importance } : {}),
        },
        signal,
      );
      if (r.action !== "duplicate") saved.push(f.text.replace(/\s+/g, " "));
    } catch (error) {
      // A bad category or an oversized fact from the model skips that fact only.
      if (!isOlError(error)) throw error;
      d.log?.warn({ code: error.code }, "an extracted fact was refused");
    }
  }
  if (saved.length > 0) {
    const stamp = new Date().toISOString().slice(0, 16).replace("T", " ");
    await d.memory.workspace
      .append(
        "MEMORY.md",
        `\n## Saved by ${source === "compaction" ? "compaction" : "context flush"}, ${stamp} UTC\n\n${saved.map((s) => `- ${s}`).join("\n")}\n`,
      )
      .catch((err: unknown) => d.log?.warn({ err }, "could not append to MEMORY.md"));
  }
  return saved.length;
}

export interface CompactInput {
  conversation: string;
  /** Transcript messages after the previous compaction point (the summary is not one of them). */
  messages: readonly ModelMessage[];
  /** Messages in the whole transcript now; `messages` is its tail. */
  transcriptLength: number;
  previousSummary: string;
  signal: AbortSignal;
  keep?: number;
}

export interface CompactResult {
  summary: string;
  kept: ModelMessage[];
  covered: number;
  dropped: number;
  factsSaved: number;
}

/**
 * Write-then-compact: (1) extract facts from the messages about to leave the context and store them in the
 * DB and MEMORY.md, (2) summarise (merging the previous summary), (3) persist summary + coverage, (4)
 * return summary + the last messages. Undefined when there is nothing to drop.
 */
export async function compact(d: CompactDeps, i: CompactInput): Promise<CompactResult | undefined> {
  const { dropped, kept } = splitForCompaction(i.messages, i.keep ?? KEEP_LAST);
  if (dropped.length === 0) return undefined;
  const factsSaved = await extractAndStore(d, dropped, "compaction", i.signal);
  const summary = await summarise(d, i.previousSummary, dropped, i.signal);
  // Counted from the end: the kept messages are the transcript's tail, whatever was trimmed at the head.
  const covered = i.transcriptLength - kept.length;
  d.memory.conversations.recordCompaction(i.conversation, summary, covered, factsSaved);
  return { summary, kept, covered, dropped: dropped.length, factsSaved };
}

async function summarise(
  d: CompactDeps,
  previous: string,
  dropped: readonly ModelMessage[],
  signal: AbortSignal,
): Promise<string> {
  const prompt = `${previous ? `Previous summary:\n${previous}\n\n` : ""}New messages:\n${renderTranscript(dropped)}`;
  for (let attempt = 1; attempt <= SUMMARY_ATTEMPTS; attempt++) {
    try {
      const text = (await d.llm({ system: SUMMARY_SYSTEM, prompt, signal })).trim();
      if (text) return clip(text, 8000);
    } catch (error) {
      if (signal.aborted) throw error;
      d.log?.warn({ err: (error as Error).message, attempt }, "summary call failed");
    }
  }
  const note = `[${dropped.length} earlier messages were compacted without a summary (the summariser failed); the full transcript and the daily log are on disk, and facts were saved — use memory_search.]`;
  return previous ? `${previous}\n\n${note}` : note;
}
