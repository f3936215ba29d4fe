import { resolve } from "node:path";
import { z } from "zod";
import { type CommandModule, EXIT_USAGE } from "../io.js";

const flagsSchema = z.strictObject({
  agent: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/, "--agent must be an agent id")
    .optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
});

export const replCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("repl")
      .description("interactive REPL for a running fleet: @agent <msg>, /use, /agents, /status, /costs …")
      .argument("[dir]", "fleet directory", ".")
      .option("--agent <id>", "the agent to talk to first (default: the first one)")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`repl: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const { runRepl } = await import("../../repl/session.js");
        setExit(await runRepl({ dir: resolve(io.cwd, dir), ...parsed.data }, io));
      });
  },
};
