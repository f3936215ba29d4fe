import { resolve } from "node:path";
import { z } from "zod";
import { type CliIo, type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

/** `openlegion up|start [dir] [-d] [--no-render] [--build|--no-build] [--timeout S]`. */
export interface UpCommandOptions {
  dir: string;
  detach: boolean;
  render: boolean;
  build: "auto" | "always" | "never";
  timeoutS: number;
}

const flagsSchema = z.strictObject({
  detach: z.boolean().default(false),
  render: z.boolean().default(true),
  build: z.boolean().optional(),
  timeout: z.coerce.number().int().min(5).max(3600).default(180),
  target: z.enum(["compose", "swarm"]).default("compose"),
});

export async function runUpCommand(opts: UpCommandOptions, io: CliIo): Promise<number> {
  const { runUp, nextSteps } = await import("../../docker/lifecycle.js");
  const { readRendered } = await import("../../docker/rendered.js");
  const { host } = await runUp(
    { dir: opts.dir, render: opts.render, build: opts.build, timeoutS: opts.timeoutS },
    io,
  );
  const agents = [...(await readRendered(opts.dir)).agents.values()];
  if (opts.detach || !io.isTTY) {
    io.stdout(nextSteps(agents));
    if (!opts.detach) io.stdout("(no terminal: the REPL is skipped; run openlegion repl from one)\n");
    return EXIT_OK;
  }
  const { runRepl } = await import("../../repl/session.js");
  return runRepl({ dir: opts.dir, host }, io);
}

export const upCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("up")
      .alias("start")
      .description("render, build missing images, start the fleet, wait until healthy, then open the REPL")
      .argument("[dir]", "fleet directory", ".")
      .option("-d, --detach", "start in the background, without the REPL")
      .option("--no-render", "start what is rendered on disk, without rendering first")
      .option("--build", "rebuild the images even when present")
      .option("--no-build", "never build images (fail if one is missing)")
      .option("--timeout <seconds>", "how long to wait for every service to be healthy", "180")
      .option(
        "--target <target>",
        "compose (one host, default) or swarm (the stack on the Swarm at DOCKER_HOST)",
        "compose",
      )
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(
            `up: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`,
          );
          setExit(EXIT_USAGE);
          return;
        }
        const f = parsed.data;
        if (f.target === "swarm") {
          const { runSwarmUp } = await import("../../docker/swarm/commands.js");
          await runSwarmUp({ dir: resolve(io.cwd, dir), render: f.render, timeoutS: f.timeout }, io);
          setExit(EXIT_OK);
          return;
        }
        setExit(
          await runUpCommand(
            {
              dir: resolve(io.cwd, dir),
              detach: f.detach,
              render: f.render,
              build: f.build === undefined ? "auto" : f.build ? "always" : "never",
              timeoutS: f.timeout,
            },
            io,
          ),
        );
      });
  },
};
