import { z } from "zod";
import { globProblem } from "../../glob.js";

/**
 * The fleet config's shared field types. The generator parses fleet files with them and the mesh
 * re-checks the compiled config with them (services may not import generator/; generator re-exports these).
 */

/** Agent ids become service, network and volume names: lowercase, starts with a letter, ≤ 31 chars. */
export const AGENT_ID_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
/** Workflow and step ids are CEL identifiers (research/mesh.md §1.3), so underscores, not dashes. */
export const WORKFLOW_ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
/** Names of channels, webhooks, schedules, APIs, providers, MCP servers. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

export const agentId = z
  .string()
  .regex(AGENT_ID_PATTERN, "agent id must match ^[a-z][a-z0-9-]{0,30}$ (lowercase letters, digits, dashes)");

export const name = z.string().regex(NAME_PATTERN, "name must match ^[a-z][a-z0-9_-]{0,62}$");

export const glob = z.string().superRefine((value, ctx) => {
  const problem = globProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `malformed glob: ${problem}` });
});

/** Durations: `500ms`, `30s`, `15m`, `2h`, `1d`. */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;
export const duration = z
  .string()
  .regex(DURATION_PATTERN, 'duration must look like "30s", "15m", "2h" or "1d"');

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export function durationMs(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Name of a credential in `.env`, without or with the `OPENLEGION_CRED_` prefix. */
export const credentialName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,127}$/, "credential names are UPPER_SNAKE_CASE, e.g. BRAVE_SEARCH_API_KEY");
