import { z } from "zod";

/** Limits of one skill (docs/skills.md). The defaults are also the caps a manifest may lower. */
export const SKILL_LIMITS = {
  /** Source size of one skill file. */
  codeBytes: 64_000,
  /** Wall-clock time of one call (a skill may ask for less or up to this, never more). */
  timeoutMs: 30_000,
  /** Load (evaluating the module's top level to read its manifest). */
  loadTimeoutMs: 2_000,
  /** V8 heap of the isolate, in MB (isolated-vm's floor is 8). */
  memoryMb: 32,
  /** Characters of the JSON a call returns. */
  outputChars: 50_000,
  /** HTTP requests one call may make through the proxy. */
  httpCalls: 20,
  /** Bytes one call may write to its scratch directory. */
  scratchBytes: 1_000_000,
} as const;

export const SKILL_NAME = /^[a-z][a-z0-9_]{0,40}$/;
/** Tools a skill becomes: `skill_<name>`, so a skill can never shadow a built-in or an MCP tool. */
export const SKILL_TOOL_PREFIX = "skill_";

/** What a skill module exports as `manifest` (JSON only: it is copied out of the isolate). */
export const SkillManifest = z.strictObject({
  name: z.string().regex(SKILL_NAME, "lowercase letters, digits and _, starting with a letter, at most 41"),
  description: z.string().min(1).max(1_000),
  input_schema: z
    .looseObject({ type: z.literal("object") })
    .describe("JSON Schema of the tool's input; its type must be object"),
  timeout_ms: z.number().int().min(1).max(SKILL_LIMITS.timeoutMs).optional(),
});
export type SkillManifest = z.infer<typeof SkillManifest>;
