import { extname } from "node:path";
import { AgentRoutes, agentFilesSchema } from "../../../common/contracts/agent-routes.js";
import { pathOf, queryString } from "../../../common/contracts/contract.js";
import type { MeshContext } from "../../context.js";
import { callAgent, errorText } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";
import type { AgentEntry } from "../../identity.js";

const FILE_MAX = 5 * 1024 * 1024;
/** Raster images only: an SVG is a document that can carry script. */
const IMAGES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
};

/**
 * How the browser may treat an agent's file: a raster image as itself, UTF-8 text as text/plain,
 * anything else as a download. Never HTML or SVG: the file is the agent's (attacker-controlled), so
 * it must not run on the dashboard's origin (the route also sends a sandboxing CSP and nosniff).
 */
export function fileType(path: string, body: Buffer): { type: string; download: boolean } {
  const image = IMAGES[extname(path).toLowerCase()];
  if (image) return { type: image, download: false };
  const text = !body.includes(0) && Buffer.from(body.toString("utf8"), "utf8").equals(body);
  return text
    ? { type: "text/plain; charset=utf-8", download: false }
    : { type: "application/octet-stream", download: true };
}

async function fromAgent(ctx: MeshContext, agent: AgentEntry, path: string, limit: number): Promise<Buffer> {
  let res: Awaited<ReturnType<typeof callAgent>>;
  try {
    res = await callAgent(agent, AgentRoutes.file, {
      http: ctx.http,
      tokens: ctx.identity,
      timeoutMs: ctx.limits.push_timeout_ms,
      path,
    });
  } catch (error) {
    throw MeshErrors.agentUnavailable(agent.id, errorText(error));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.body.destroy();
      throw MeshErrors.agentBadReply(agent.id, `reply larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  if (res.statusCode === 404)
    throw MeshErrors.notFound(`file ${JSON.stringify(path.slice(0, 200))} of ${agent.id}`);
  if (res.statusCode < 200 || res.statusCode >= 300) {
    const message = /"message":"([^"]{0,300})/.exec(body.toString("utf8"))?.[1] ?? `HTTP ${res.statusCode}`;
    throw MeshErrors.agentUnavailable(agent.id, message);
  }
  return body;
}

/** `GET <agent>/files?path=`: one directory of the agent's data root. */
export async function listAgentFiles(ctx: MeshContext, agent: AgentEntry, dir: string) {
  const body = await fromAgent(
    ctx,
    agent,
    `${AgentRoutes.files.path}${queryString({ path: dir })}`,
    1024 * 1024,
  );
  const parsed = agentFilesSchema.safeParse(JSON.parse(body.toString("utf8") || "null"));
  if (!parsed.success) throw MeshErrors.agentBadReply(agent.id, "file listing outside the contract");
  return parsed.data;
}

/** `GET <agent>/files/<path>`: the file's bytes (≤ 5 MiB). `.`/`..` segments are refused here already. */
export function readAgentFile(ctx: MeshContext, agent: AgentEntry, path: string): Promise<Buffer> {
  if (path.split("/").some((s) => s === ".." || s === "." || s === ""))
    throw MeshErrors.badRequest("file path: empty, '.' and '..' segments are not allowed");
  return fromAgent(ctx, agent, pathOf(AgentRoutes.file, { "*": path }), FILE_MAX);
}
