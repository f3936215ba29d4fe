import { createHash } from "node:crypto";

/** Provider-safe tool names: OpenAI accepts ^[a-zA-Z0-9_-]{1,64}$ (Anthropic allows more). */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Any name (MCP allows `.` and `/`) made provider-safe: other characters become `_`, and a name over
 * 64 characters keeps its head and an 8-hex hash of the original, so two long names stay distinct.
 */
export function safeToolName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_-]/g, "_") || "_";
  if (s.length <= 64) return s;
  return `${s.slice(0, 55)}_${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}
