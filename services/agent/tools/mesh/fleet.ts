import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { AGENT_HISTORY_MAX } from "../../../common/contracts/mesh-api.js";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { ToolErrors } from "../errors.js";
import { openConfined, resolveInRoot } from "../fs/safe-path.js";
import { defineTool, type ToolContext } from "../types.js";

export const ARTIFACT_MAX_BYTES = 5_000_000;
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export const listAgentsTool = defineTool({
  name: "list_agents",
  description:
    "List the fleet's agents: id, role, whether you may message them (can_message) and which one is you (self).",
  input: z.strictObject({}),
  async run(_args, ctx) {
    return ctx.mesh.call(MeshRoutes.agents, {}, { signal: ctx.signal });
  },
});

export const readAgentHistoryTool = defineTool({
  name: "read_agent_history",
  description:
    "Read an agent's recent mesh traffic (messages it received and sent, newest first; pass next_before as before for older ones). Allowed for agents you may message.",
  input: z.strictObject({
    agent: z.string().min(1).max(64),
    limit: z.int().min(1).max(AGENT_HISTORY_MAX).optional(),
    before: z.int().min(1).optional(),
  }),
  async run(args, ctx) {
    const query = { limit: args.limit ?? 50, before: args.before };
    return ctx.mesh.call(
      MeshRoutes.agentHistory,
      { params: { id: args.agent }, query },
      { signal: ctx.signal },
    );
  },
});

/**
 * Saves a deliverable under /data/artifacts/<name> and registers it on the blackboard at
 * context/artifacts/<agent>/<name> (path, size, sha256) so other agents and the operator find it.
 */
export const saveArtifactTool = defineTool({
  name: "save_artifact",
  description: `Save a deliverable file (at most ${ARTIFACT_MAX_BYTES} bytes) to /data/artifacts/<name> and register it on the blackboard under context/artifacts/<your id>/<name>.`,
  input: z.strictObject({
    name: z.string().regex(ARTIFACT_NAME, "1-128 characters of letters, digits, _ . - (no slashes)"),
    content: z.string(),
    description: z.string().max(1000).optional(),
  }),
  async run(args, ctx) {
    return storeArtifact(ctx, args.name, Buffer.from(args.content, "utf8"), args.description);
  },
});

/**
 * Writes bytes to /data/artifacts/<name> (confined to the data root) and registers them on the
 * blackboard; save_artifact and browser_screenshot both store through here.
 */
export async function storeArtifact(
  ctx: ToolContext,
  name: string,
  content: Buffer,
  description?: string,
): Promise<{ saved: string; key: string; bytes: number; sha256: string; entry: unknown }> {
  if (!ARTIFACT_NAME.test(name))
    throw ToolErrors.pathRefused(name, "artifact names are 1-128 of A-Z a-z 0-9 _ . -");
  if (content.length > ARTIFACT_MAX_BYTES) throw ToolErrors.tooLarge("artifact", ARTIFACT_MAX_BYTES);
  const resolved = await resolveInRoot(ctx.dataRoot, `artifacts/${name}`);
  await mkdir(dirname(resolved.abs), { recursive: true });
  const handle = await openConfined(
    ctx.dataRoot,
    resolved,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  );
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  const bytes = content.length;
  const sha256 = createHash("sha256").update(content).digest("hex");
  const key = `context/artifacts/${ctx.agentId}/${name}`;
  const value = {
    path: `/data/${resolved.rel}`,
    bytes,
    sha256,
    description: description ?? null,
    agent: ctx.agentId,
  };
  const entry = await ctx.mesh.call(
    MeshRoutes.blackboardWrite,
    { params: { "*": key }, body: { value } },
    { signal: ctx.signal },
  );
  return { saved: value.path, key, bytes, sha256, entry };
}
