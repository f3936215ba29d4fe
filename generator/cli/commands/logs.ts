import { resolve } from "node:path";
import { z } from "zod";
import { type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

const flagsSchema = z.strictObject({
  dir: z.string().default("."),
  follow: z.boolean().default(false),
  tail: z.union([z.literal("all"), z.coerce.number().int().min(0).max(1_000_000)]).default(100),
  target: z.enum(["compose", "swarm"]).default("compose"),
});

export const logsCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("logs")
      .description("show logs of the fleet or of one service")
      .argument("[service]", "agent id, mesh or egress-proxy (default: all)")
      .option("--dir <dir>", "fleet directory", ".")
      .option("-f, --follow", "keep streaming new lines (Ctrl-C stops)")
      .option("-n, --tail <lines>", "lines from the end of each log, or all", "100")
      .option(
        "--target <target>",
        "compose (one host, default) or swarm (the stack on the Swarm at DOCKER_HOST)",
        "compose",
      )
      .action(async (service: string | undefined, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`logs: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        if (parsed.data.target === "swarm") {
          const { runSwarmLogs } = await import("../../docker/swarm/commands.js");
          await runSwarmLogs(
            {
              dir: resolve(io.cwd, parsed.data.dir),
              ...(service === undefined ? {} : { service }),
              follow: parsed.data.follow,
              tail: String(parsed.data.tail),
            },
            io,
          );
          setExit(EXIT_OK);
          return;
        }
        const [{ DockerHost }, { projectName }, { readRendered, resolveService }] = await Promise.all([
          import("../../docker/host.js"),
          import("../../docker/project.js"),
          import("../../docker/rendered.js"),
        ]);
        const dir = resolve(io.cwd, parsed.data.dir);
        const fleet = await readRendered(dir);
        const target = service === undefined ? [] : [resolveService(fleet, service)];
        const host = await DockerHost.open(io.env);
        const args = [
          "logs",
          `--tail=${parsed.data.tail}`,
          ...(parsed.data.follow ? ["--follow"] : []),
          ...(io.isTTY ? [] : ["--no-color"]),
          ...target,
        ];
        const project = projectName(dir, io.env);
        if (parsed.data.follow) {
          await host.compose(args, { cwd: dir, projectName: project, inherit: true, allowFailure: true });
        } else {
          const r = await host.compose(args, { cwd: dir, projectName: project });
          io.stdout(r.stdout);
          if (r.stderr.trim()) io.stderr(r.stderr);
        }
        setExit(EXIT_OK);
      });
  },
};
