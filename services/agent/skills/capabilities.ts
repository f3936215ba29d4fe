import { mkdir, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { ToolErrors } from "../tools/errors.js";
import { resolveInRoot } from "../tools/fs/safe-path.js";
import { httpRequestTool } from "../tools/http-request.js";
import { readFileTool } from "../tools/read-file.js";
import type { ToolContext } from "../tools/types.js";
import { writeFileTool } from "../tools/write-file.js";
import { SKILL_LIMITS } from "./manifest.js";
import type { SkillCapabilities } from "./sandbox.js";

/** Where each skill's scratch directory lives under the data root (one per skill name). */
export const SCRATCH_DIR = "skill-scratch";

/**
 * The capabilities of one call, built from the calling tool's context. `ol.http` is the http_request
 * tool itself (same proxy, allowlist, caps and header rules); `ol.scratch` is read_file/write_file
 * confined to `/data/skill-scratch/<name>/`. Nothing else of the context (mesh client, tokens, data
 * root) is reachable from the isolate.
 */
export async function capabilitiesFor(skill: string, ctx: ToolContext): Promise<SkillCapabilities> {
  // Confined like any agent path: a link planted at skill-scratch/ cannot point the skill elsewhere.
  const dir = (await resolveInRoot(ctx.dataRoot, join(SCRATCH_DIR, skill))).abs;
  await mkdir(dir, { recursive: true });
  const real = await realpath(dir);
  if (!real.startsWith(`${ctx.dataRoot}${sep}`))
    throw ToolErrors.pathRefused(`${SCRATCH_DIR}/${skill}`, "resolves outside /data");
  const scratch: ToolContext = { ...ctx, dataRoot: real };
  let calls = 0;
  let written = 0;
  return {
    async http(request) {
      if (++calls > SKILL_LIMITS.httpCalls)
        throw ToolErrors.tooLarge("ol.http calls in one skill call", SKILL_LIMITS.httpCalls);
      const args = httpRequestTool.input.safeParse(request);
      if (!args.success) throw ToolErrors.invalidArgs("ol.http", args.error.message);
      return httpRequestTool.run(args.data, ctx);
    },
    async readScratch(path) {
      const r = (await readFileTool.run(
        readFileTool.input.parse({ path: String(path) }),
        scratch,
      )) as unknown;
      return typeof r === "string" ? r : JSON.stringify(r);
    },
    async writeScratch(path, content) {
      const text = String(content);
      written += Buffer.byteLength(text, "utf8");
      if (written > SKILL_LIMITS.scratchBytes)
        throw ToolErrors.tooLarge("scratch writes in one skill call", SKILL_LIMITS.scratchBytes);
      return String(await writeFileTool.run({ path: String(path), content: text }, scratch));
    },
  };
}
