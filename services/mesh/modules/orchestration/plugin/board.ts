import { OlError } from "../../../../common/errors.js";
import { authorize, encodeCapped } from "../../../authorize.js";
import type { MeshContext } from "../../../context.js";
import { keyProblem } from "../../../core/keys.js";
import { denialFor } from "../../../core/permissions.js";
import { isLive } from "../../../store/blackboard-repo.js";
import type { BlackboardService } from "../../blackboard/service.js";
import type { Json } from "../cel.js";
import { MAX_PROMOTIONS, type Promotion } from "../workflow/promote.js";
import type { EngineEnv } from "../workflow/types.js";

/**
 * `input_from: blackboard://…`: the live entry's value, read with the step agent's own
 * `blackboard_read` rules (a workflow is no way around an agent's ACL). Synchronous: it runs inside
 * the engine's transaction.
 */
export function boardReader(ctx: MeshContext): NonNullable<EngineEnv["read"]> {
  return (key, agent) => {
    const problem = keyProblem(key);
    if (problem) return { refused: `blackboard key "${key.slice(0, 200)}" is invalid: ${problem}` };
    if (agent !== null && ctx.identity.agents.has(agent)) {
      const rule = denialFor(ctx.identity.agent(agent).permissions, "blackboard_read", key);
      if (rule !== undefined) return { refused: `agent "${agent}" may not read it: ${rule}` };
    }
    const row = ctx.store.blackboard.get(key);
    return isLive(row, ctx.clock.now()) ? { value: JSON.parse(row.value ?? "null") as Json } : undefined;
  };
}

/**
 * Writes a step result's promotions as the step's agent, all or nothing on the checks: every key is
 * validated against the agent's `blackboard_write` rules (denials audited) and the value limit before
 * any is written. Returns what was written, or why nothing was.
 */
export async function promote(
  ctx: MeshContext,
  board: BlackboardService,
  agent: string,
  promotions: readonly Promotion[],
): Promise<{ written: { key: string; version: number }[] } | { refused: string }> {
  if (promotions.length > MAX_PROMOTIONS)
    return { refused: `${promotions.length} promotions; at most ${MAX_PROMOTIONS} per result` };
  const who = { kind: "agent" as const, id: agent };
  const problems: string[] = [];
  for (const p of promotions) {
    const problem = keyProblem(p.key);
    if (problem) {
      problems.push(`"${p.key.slice(0, 200)}": ${problem}`);
      continue;
    }
    try {
      authorize(ctx, who, "blackboard_write", p.key, "workflow.promote");
      encodeCapped(p.value, ctx.limits.value_bytes);
    } catch (err) {
      problems.push(`"${p.key}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (problems.length > 0) return { refused: `promotion refused: ${problems.slice(0, 5).join("; ")}` };
  const written: { key: string; version: number }[] = [];
  for (const p of promotions) {
    try {
      const { row } = await board.put(who, p.key, { value: p.value });
      written.push({ key: p.key, version: row.version });
    } catch (err) {
      if (!(err instanceof OlError)) throw err;
      const done = written.map((w) => w.key).join(", ") || "none";
      return { refused: `promotion of "${p.key}" failed: ${err.message} (already written: ${done})` };
    }
  }
  return { written };
}
