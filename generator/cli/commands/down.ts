import { resolve } from "node:path";
import { z } from "zod";
import { type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

const flagsSchema = z.strictObject({
  volumes: z.boolean().default(false),
  yes: z.boolean().default(false),
  target: z.enum(["compose", "swarm"]).default("compose"),
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
      .option(
        "--target <target>",
        "compose (one host, default) or swarm (the stack on the Swarm at DOCKER_HOST)",
        "compose",
      )
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`down: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const { target, ...rest } = parsed.data;
        if (target === "swarm") {
          const { runSwarmDown } = await import("../../docker/swarm/commands.js");
          await runSwarmDown({ dir: resolve(io.cwd, dir), volumes: rest.volumes }, io);
        } else {
          const { runDown } = await import("../../docker/lifecycle.js");
          await runDown({ dir: resolve(io.cwd, dir), ...rest }, io);
        }
        setExit(EXIT_OK);
      });
  },
};
