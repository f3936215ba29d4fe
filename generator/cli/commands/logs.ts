import { resolve } from "node:path";
import { z } from "zod";
import { type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

const flagsSchema = z.strictObject({
  dir: z.string().default("."),
  follow: z.boolean().default(false),
  tail: z.union([z.literal("all"), z.coerce.number().int().min(0).max(1_000_000)]).default(100),
  target: z.enum(["compose", "swarm"]).default("compose"),
  since: z
    .string()
    .regex(
      /^(\d+[smhd]|\d{4}-\d\d-\d\dT[\d:.]+Z?)$/,
      "--since takes a duration (10m, 2h, 1d) or an RFC 3339 time",
    )
    .optional(),
  timestamps: z.boolean().default(false),
  json: z.boolean().default(false),
});

/** "10m" → the RFC 3339 time that long ago (both Compose dialects take a time). */
export function sinceTime(duration: string, now = Date.now()): string {
  const n = Number(duration.slice(0, -1));
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[duration.slice(-1) as "s" | "m" | "h" | "d"];
  return new Date(now - n * unit * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const logsCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("logs")
      .description("show logs of the fleet or of one service")
      .argument("[service]", "agent id, mesh or egress-proxy (default: all)")
      .option("--dir <dir>", "fleet directory", ".")
      .option("-f, --follow", "keep streaming new lines (Ctrl-C stops)")
      .option("-n, --tail <lines>", "lines from the end of each log, or all", "100")
      .option("--since <when>", "only lines newer than a duration (10m, 2h) or an RFC 3339 time")
      .option("-t, --timestamps", "prefix each line with Docker's timestamp")
      .option("--json", "raw JSON lines as the services write them (default on a terminal: readable lines)")
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
        const since = parsed.data.since;
        const { prettyLogLines, sinceFilter } = await import("../../docker/log-lines.js");
        // Compose v1 has no --since: lines come with --timestamps and are filtered here.
        const keep =
          since === undefined
            ? (line: string) => line
            : sinceFilter(
                Date.parse(/^\d+[smhd]$/.test(since) ? sinceTime(since) : since),
                parsed.data.timestamps,
              );
        const args = [
          "logs",
          `--tail=${since !== undefined && parsed.data.tail === 100 ? "all" : parsed.data.tail}`,
          ...(parsed.data.follow ? ["--follow"] : []),
          ...(parsed.data.timestamps || since !== undefined ? ["--timestamps"] : []),
          ...(io.isTTY ? [] : ["--no-color"]),
          ...target,
        ];
        const project = projectName(dir, io.env);
        const readable = io.isTTY && !parsed.data.json;
        const out = (pretty: (l: string) => string) => (line: string) => {
          const kept = keep(line);
          if (kept !== undefined) io.stdout(`${pretty(kept)}\n`);
        };
        const asIs = (l: string) => l;
        if (parsed.data.follow && !readable && since === undefined) {
          await host.compose(args, { cwd: dir, projectName: project, inherit: true, allowFailure: true });
        } else if (parsed.data.follow) {
          await host.compose(args, {
            cwd: dir,
            projectName: project,
            timeoutMs: 0,
            allowFailure: true,
            stream: out(readable ? prettyLogLines(true) : asIs),
          });
        } else {
          const r = await host.compose(args, { cwd: dir, projectName: project });
          for (const line of r.stdout.split("\n").filter(Boolean))
            out(readable ? prettyLogLines(true) : asIs)(line);
          if (r.stderr.trim()) io.stderr(r.stderr);
        }
        setExit(EXIT_OK);
      });
  },
};
