import type { Logger } from "pino";
import type { RunMode } from "../../core/limits.js";
import type { RunResult } from "../../loop/run.js";
import { isContextOverflow } from "../../memory/context/plan.js";

/**
 * Turn step 4: the provider refused the context as too long. A chat turn that can compact (memory
 * present) writes facts, compacts, and runs once more on the rebuilt context; anything else, or a
 * compaction that did nothing or failed, keeps the failed result.
 * `compact` resolves to something truthy when the context shrank.
 */
export async function retryOnOverflow(
  mode: RunMode,
  result: RunResult,
  o: { compact: (() => Promise<unknown>) | undefined; rerun: () => Promise<RunResult>; log: Logger },
): Promise<RunResult> {
  if (mode !== "chat" || !o.compact || result.status !== "failed" || !isContextOverflow(result.error))
    return result;
  const compacted = await o
    .compact()
    .catch((err: unknown) => o.log.warn({ err }, "compaction after a context overflow failed"));
  return compacted ? o.rerun() : result;
}
