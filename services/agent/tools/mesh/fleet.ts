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
    const a = await writeArtifact(ctx, args.name, Buffer.from(args.content, "utf8"), args.description);
    const entry = await registerArtifact(ctx, a);
    return { saved: a.saved, key: a.key, bytes: a.bytes, sha256: a.sha256, entry };
  },
});

export interface WrittenArtifact {
  saved: string;
  key: string;
  bytes: number;
  sha256: string;
  value: { path: string; bytes: number; sha256: string; description: string | null; agent: string };
}

/** Writes bytes to /data/artifacts/<name>, confined to the data root (save_artifact, browser_screenshot). */
export async function writeArtifact(
  ctx: ToolContext,
  name: string,
  content: Buffer,
  description?: string,
): Promise<WrittenArtifact> {
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
  const value = {
    path: `/data/${resolved.rel}`,
    bytes,
    sha256,
    description: description ?? null,
    agent: ctx.agentId,
  };
  return { saved: value.path, key: `context/artifacts/${ctx.agentId}/${name}`, bytes, sha256, value };
}

/** Registers a written artifact on the blackboard at context/artifacts/<agent>/<name>. */
export const registerArtifact = (ctx: ToolContext, a: WrittenArtifact): Promise<unknown> =>
  ctx.mesh.call(
    MeshRoutes.blackboardWrite,
    { params: { "*": a.key }, body: { value: a.value } },
    { signal: ctx.signal },
  );
