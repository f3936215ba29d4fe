import type { z } from "zod";
import {
  RESERVED_STEP_IDS,
  type retrySchema,
  type TRIGGER_RULES,
  type workflowSchema,
} from "../../../../common/contracts/fleet/workflows.js";

/**
 * The workflow schema is the fleet config's own (services/common/contracts/fleet/workflows.ts): the
 * compiled mesh config carries each workflow as its *output* (defaults applied), and the mesh re-parses
 * it at boot, and API-submitted definitions, so both get the same checks as `openlegion check`.
 */
export { workflowSchema } from "../../../../common/contracts/fleet/workflows.js";

/** Names a step may not take: the CEL context's roots, plus `failed_step` that handlers see. */
export const RESERVED_IDS = [...RESERVED_STEP_IDS, "failed_step"] as const;

export type TriggerRule = (typeof TRIGGER_RULES)[number];
export type WorkflowSource = z.output<typeof workflowSchema>;
export type RetrySource = z.output<typeof retrySchema>;
