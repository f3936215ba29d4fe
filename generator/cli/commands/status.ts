import { resolve } from "node:path";
import { z } from "zod";
import type { ScheduleView } from "../../../services/common/contracts/mesh-api.js";
import { MeshRoutes } from "../../../services/common/contracts/mesh-routes.js";
import { type CliIo, type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../io.js";

/** `openlegion status [dir] [--port P] [--json]`. */
export interface StatusOptions {
  dir: string;
  port?: number;
  json: boolean;
}

const flagsSchema = z.strictObject({
  port: z.coerce.number().int().min(1).max(65535).optional(),
  json: z.boolean().default(false),
  target: z.enum(["compose", "swarm"]).default("compose"),
});

/**
 * Containers from Docker (state, health, uptime, config drift against the rendered file), then queue
 * depth and today's spend from the mesh when it answers. Exit 1 when a rendered service is not
 * running healthy, so scripts can gate on it.
 */
/** Schedules at a glance: how many, how many paused, and those that have failed (id → error count). */
export function scheduleSummary(schedules: readonly ScheduleView[]) {
  return {
    total: schedules.length,
    paused: schedules.filter((s) => s.paused).length,
    errors: Object.fromEntries(schedules.filter((s) => s.errors > 0).map((s) => [s.id, s.errors])),
  };
}

export function scheduleLine(s: ReturnType<typeof scheduleSummary>): string {
  const failing = Object.entries(s.errors).map(([id, n]) => `${id} ${n}`);
  return `schedules: ${s.total} (${s.paused} paused)${failing.length > 0 ? `; errors: ${failing.join(", ")} (openlegion schedule list)` : ""}`;
}

export async function runStatus(opts: StatusOptions, io: CliIo): Promise<number> {
  const [
    { DockerHost },
    { projectName },
    { readRendered },
    { statusRows, formatStatus },
    { meshTarget },
    { MeshClient },
  ] = await Promise.all([
    import("../../docker/host.js"),
    import("../../docker/project.js"),
    import("../../docker/rendered.js"),
    import("../../docker/status.js"),
    import("../../client/target.js"),
    import("../../client/mesh-client.js"),
  ]);
  const fleet = await readRendered(opts.dir);
  const host = await DockerHost.open(io.env);
  const project = projectName(opts.dir, io.env);
  const containers = await host.containers(project);
  let meshNote = "";
  let agents: Awaited<ReturnType<InstanceType<typeof MeshClient>["status"]>>["agents"] | undefined;
  let costs: Awaited<ReturnType<InstanceType<typeof MeshClient>["costs"]>> | undefined;
  let schedules: ScheduleView[] | undefined;
  if (containers.some((c) => c.state === "running")) {
    try {
      const client = new MeshClient(await meshTarget(opts.dir, opts.port));
      agents = (await client.status()).agents;
      costs = await client.costs("today").catch(() => undefined);
      schedules = await client.api
        .call(MeshRoutes.schedules, {})
        .then((r) => r.schedules)
        .catch(() => undefined);
    } catch (error) {
      meshNote = `mesh not reachable: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    }
  }
  const now = io.now();
  const rows = statusRows(fleet, containers, agents, costs, now);
  const healthy = rows.every(
    (r) =>
      !fleet.services.includes(r.service) ||
      (r.state === "running" && (r.health === "healthy" || r.health === "-")),
  );
  if (opts.json) {
    io.stdout(
      `${JSON.stringify({ project, healthy, services: rows, ...(schedules ? { schedules: scheduleSummary(schedules) } : {}), ...(meshNote ? { mesh_error: meshNote } : {}) }, null, 2)}\n`,
    );
  } else {
    io.stdout(
      `project ${project} (${host.cli.command.join(" ")} ${host.cli.dialect}, engine ${host.serverVersion})\n`,
    );
    io.stdout(formatStatus(rows, now));
    if (containers.length === 0) io.stdout("the fleet is not running: openlegion up\n");
    if (schedules && schedules.length > 0) io.stdout(`${scheduleLine(scheduleSummary(schedules))}\n`);
    if (meshNote) io.stdout(`${meshNote}\n`);
    if (rows.some((r) => r.config === "stale"))
      io.stdout("some services run an older config: openlegion up applies it\n");
  }
  return healthy ? EXIT_OK : EXIT_FAILURE;
}

export const statusCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("status")
      .description("show health, uptime, config drift, queue depth and today's spend per service")
      .argument("[dir]", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable status")
      .option(
        "--target <target>",
        "compose (one host, default) or swarm (the stack on the Swarm at DOCKER_HOST)",
        "compose",
      )
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`status: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        if (parsed.data.target === "swarm") {
          const { runSwarmStatus } = await import("../../docker/swarm/commands.js");
          setExit(await runSwarmStatus({ dir: resolve(io.cwd, dir), json: parsed.data.json }, io));
          return;
        }
        setExit(
          await runStatus(
            {
              dir: resolve(io.cwd, dir),
              json: parsed.data.json,
              ...(parsed.data.port ? { port: parsed.data.port } : {}),
            },
            io,
          ),
        );
      });
  },
};
