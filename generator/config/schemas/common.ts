import { z } from "zod";

/** The field types the mesh shares live in services/common (services may not import generator/). */
export {
  AGENT_ID_PATTERN,
  agentId,
  credentialName,
  DURATION_PATTERN,
  duration,
  durationMs,
  glob,
  NAME_PATTERN,
  name,
  WORKFLOW_ID_PATTERN,
} from "../../../services/common/contracts/fleet/primitives.js";

/** `provider/model`, e.g. `openai/gpt-4o-mini` or `anthropic/claude-sonnet-4-5`. */
export const modelRef = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]*\/[A-Za-z0-9._:@/-]+$/,
    'model must be "provider/model", e.g. "openai/gpt-4o-mini"',
  );

/** Host patterns for egress allowlists: `api.example.com`, `*.example.com`, optional `:port`. */
export const hostPattern = z
  .string()
  .regex(
    /^(\*|(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)(:\d{1,5})?$/,
    'host must be a lowercase hostname, optionally "*." prefixed and ":port" suffixed, e.g. "api.github.com" or "*.example.com:443"',
  );

/** A non-secret environment variable name; `OPENLEGION_*` is reserved for the runtime and secrets. */
export const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "environment variable names must match ^[A-Z_][A-Z0-9_]*$")
  .refine((key) => !key.startsWith("OPENLEGION_"), "OPENLEGION_* names are reserved (secrets go in .env)");
