import { resolve } from "node:path";
import { z } from "zod";
import { type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

const flagsSchema = z.strictObject({
  volumes: z.boolean().default(false),
  yes: z.boolean().default(false),
});

export const downCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("down")
      .alias("stop")
      .description("stop the fleet: remove its containers and networks (data volumes are kept)")
      .argument("[dir]", "fleet directory", ".")
      .option("-v, --volumes", "also delete the data volumes (memory, conversations, ledger); asks first")
      .option("-y, --yes", "do not ask before deleting volumes (needed without a terminal)")
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`down: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const { runDown } = await import("../../docker/lifecycle.js");
        await runDown({ dir: resolve(io.cwd, dir), ...parsed.data }, io);
        setExit(EXIT_OK);
      });
  },
};
