import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ToolErrors } from "./errors.js";
import { runProcess } from "./exec/run-process.js";
import { resolveInRoot } from "./fs/safe-path.js";
import { defineTool } from "./types.js";

export const EXEC_DEFAULT_TIMEOUT_S = 30;
export const EXEC_MAX_TIMEOUT_S = 300;
/** Bytes kept per stream (first half + last half). */
export const EXEC_OUTPUT_CAP = 20_000;
export const EXEC_MAX_COMMAND = 10_000;

/**
 * The child's whole environment: an allow-list, never the runtime's own env (which may carry paths to
 * secrets). HOME and TMPDIR point into the data root.
 */
export function execEnv(dataRoot: string): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: dataRoot,
    TMPDIR: join(dataRoot, "tmp"),
    LANG: "C.UTF-8",
    TZ: process.env.TZ ?? "UTC",
  };
}

export const execTool = defineTool({
  name: "exec",
  description: `Run a shell command (/bin/sh -c) in /data. Timeout default ${EXEC_DEFAULT_TIMEOUT_S} s, max ${EXEC_MAX_TIMEOUT_S} s; on timeout the whole process group is killed. stdout and stderr are each capped at ${EXEC_OUTPUT_CAP} bytes (head and tail kept). Background jobs are killed when the command returns. Network access only through the egress proxy.`,
  input: z.strictObject({
    command: z.string().min(1).max(EXEC_MAX_COMMAND),
    timeout_s: z.int().min(1).max(EXEC_MAX_TIMEOUT_S).optional(),
    workdir: z.string().optional().describe('Directory relative to /data (default ".")'),
  }),
  async run(args, ctx) {
    const cwd = await resolveInRoot(ctx.dataRoot, args.workdir ?? ".");
    if (!cwd.exists) throw ToolErrors.notFound(cwd.rel);
    await mkdir(join(ctx.dataRoot, "tmp"), { recursive: true });
    const result = await runProcess({
      command: args.command,
      cwd: cwd.abs,
      env: execEnv(ctx.dataRoot),
      timeoutMs: (args.timeout_s ?? EXEC_DEFAULT_TIMEOUT_S) * 1000,
      outputCap: EXEC_OUTPUT_CAP,
      signal: ctx.signal,
    });
    return result;
  },
});
