import { resolve } from "node:path";
import { z } from "zod";
import { type CliIo, type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../io.js";

/** `openlegion render [dir] [--check] [--out DIR]`. */
export interface RenderOptions {
  /** Absolute fleet directory. */
  dir: string;
  /** Absolute output directory (default: the fleet directory). */
  out: string;
  check: boolean;
  /** compose: docker-compose.yml; swarm: docker-stack.yml for `docker stack deploy`. */
  target: "compose" | "swarm";
}

/** The flag table, typed against the options: every option has a flag decision. */
const flagsSchema = z.strictObject({
  check: z.boolean().default(false),
  out: z.string().min(1).optional(),
  target: z.enum(["compose", "swarm"]).default("compose"),
});

/** Compiles and writes (or checks) the fleet; returns the exit code. Errors propagate to main's reporter. */
export async function runRenderCommand(opts: RenderOptions, io: CliIo): Promise<number> {
  const [{ loadFleet }, { runRender }, { packageVersion }] = await Promise.all([
    import("../../config/load.js"),
    import("../../render/run.js"),
    import("../../init/package-root.js"),
  ]);
  const fleet = await loadFleet(opts.dir, { requireEnv: true });
  const result = await runRender(fleet, {
    dir: opts.dir,
    out: opts.out,
    check: opts.check,
    toolVersion: packageVersion(),
    target: opts.target,
  });
  if (result.check) {
    if (result.check.stale.length === 0) {
      io.stdout(`✓ rendered output is up to date (${result.model.files.size + 1} files)\n`);
      return EXIT_OK;
    }
    io.stdout(result.check.diff);
    io.stderr(
      `✗ ${result.check.stale.length} rendered file(s) are stale: ${result.check.stale.join(", ")}\n  run: openlegion render${opts.target === "swarm" ? " --target swarm" : ""}\n`,
    );
    return EXIT_FAILURE;
  }
  const report = result.report!;
  const agents = fleet.agents.length;
  io.stdout(
    `✓ rendered ${agents} agent${agents === 1 ? "" : "s"}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed; ${report.secrets.length} secret files in .openlegion/secrets/\n`,
  );
  return EXIT_OK;
}

export const renderCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("render")
      .description("compile the fleet config into docker-compose.yml (or docker-stack.yml) and compose/")
      .argument("[dir]", "fleet directory", ".")
      .option("--check", "write nothing; print a diff and exit 1 when the rendered output on disk is stale")
      .option(
        "--out <dir>",
        "write docker-compose.yml, compose/ and .openlegion/secrets/ here instead of the fleet directory",
      )
      .option("--target <target>", "output dialect: compose (default) or swarm", "compose")
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`render: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const root = resolve(io.cwd, dir);
        setExit(
          await runRenderCommand(
            {
              dir: root,
              out: resolve(io.cwd, parsed.data.out ?? dir),
              check: parsed.data.check,
              target: parsed.data.target,
            },
            io,
          ),
        );
      });
  },
};
