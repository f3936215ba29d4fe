import type { ModelMessage } from "ai";
import { z } from "zod";
import { messageText } from "./tokens.js";

/** Characters of transcript sent to one extraction or summary call (head + tail beyond it). */
export const TRANSCRIPT_MAX_CHARS = 60_000;
export const MAX_EXTRACTED = 40;

export const EXTRACT_SYSTEM = `You extract durable facts from a conversation for long-term memory.
Return only JSON: {"facts":[{"text":"...","category":"...","key":"...","importance":0.5}]}.
A fact is one self-contained statement that will still be useful in a later session: names, preferences,
decisions, commitments, identifiers, paths, corrections. Skip chit-chat and anything temporary.
"category" is one lower-case word (preference, personal, project, technical, contact, schedule, general).
"key" is a short stable subject (e.g. "user cat name") so a later value can replace it; omit when unsure.
"importance" is 0-1; use 0.8 or more only for facts needed in almost every conversation.
Return {"facts":[]} when there is nothing worth keeping.`;

export const SUMMARY_SYSTEM = `You compact a conversation so it can continue in a smaller context.
Write a concise summary (at most 300 words) of what was discussed, decided and still open, including
names, numbers and paths the assistant will need. If a previous summary is given, merge it with the new
messages into one updated summary; do not drop its open items. Output only the summary text.`;

/** Renders messages as "role: text" lines, keeping head and tail when too long. */
export function renderTranscript(messages: readonly ModelMessage[], max = TRANSCRIPT_MAX_CHARS): string {
  const text = messages.map((m) => `${m.role}: ${messageText(m)}`).join("\n\n");
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n\n[… ${text.length - max} characters omitted …]\n\n${text.slice(-half)}`;
}

const extractedSchema = z.object({
  text: z.string().min(1),
  category: z.string().optional(),
  key: z.string().optional(),
  importance: z.number().min(0).max(1).optional(),
});
export type ExtractedFact = z.output<typeof extractedSchema>;

/**
 * Parses the extractor's answer: the first JSON object in the text (code fences tolerated), with a
 * `facts` array. Invalid entries are skipped, not fatal; at most MAX_EXTRACTED are kept.
 */
export function parseExtraction(answer: string): ExtractedFact[] {
  const start = answer.indexOf("{");
  const end = answer.lastIndexOf("}");
  if (start < 0 || end <= start) return [];
  let json: unknown;
  try {
    json = JSON.parse(answer.slice(start, end + 1));
  } catch {
    return [];
  }
  const list = z.object({ facts: z.array(z.unknown()) }).safeParse(json);
  if (!list.success) return [];
  const out: ExtractedFact[] = [];
  for (const item of list.data.facts) {
    const p = extractedSchema.safeParse(item);
    if (p.success) out.push(p.data);
    if (out.length >= MAX_EXTRACTED) break;
  }
  return out;
}
