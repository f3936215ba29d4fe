import { readFile, statfs } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { type CliIo, type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../io.js";

/** `openlegion doctor [dir] [--json]`: host checks, each finding with a fix. */
export interface DoctorOptions {
  dir: string;
  json: boolean;
}

const flagsSchema = z.strictObject({
  json: z.boolean().default(false),
  target: z.enum(["compose", "swarm"]).default("compose"),
});
const DEFAULT_POOL = "10.231.0.0/16";

function printFindings(
  findings: readonly { check: string; status: "ok" | "warning" | "error"; message: string; fix?: string }[],
  json: boolean,
  io: CliIo,
): number {
  const failed = findings.some((f) => f.status === "error");
  if (json) {
    io.stdout(`${JSON.stringify({ ok: !failed, findings }, null, 2)}\n`);
  } else {
    const mark = { ok: "✓", warning: "!", error: "✗" } as const;
    for (const f of findings)
      io.stdout(`${mark[f.status]} ${f.check}: ${f.message}\n${f.fix ? `  fix: ${f.fix}\n` : ""}`);
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
}

/** `doctor --target swarm`: the manager at DOCKER_HOST, every node's labels and engine, the stack file. */
export async function runSwarmDoctor(opts: DoctorOptions, io: CliIo): Promise<number> {
  const [{ execa }, { swarmDoctorFindings, swarmNodeSchema }, { agentsWithRouteOut }] = await Promise.all([
    import("execa"),
    import("../../lint/swarm-doctor.js"),
    import("../../docker/swarm/stack.js"),
  ]);
  const run = async (args: string[]): Promise<string | undefined> => {
    const r = await execa("docker", args, { reject: false, timeout: 30_000 }).catch(() => undefined);
    return r && r.exitCode === 0 ? String(r.stdout).trim() : undefined;
  };
  const swarmState = await run(["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"]);
  const ids =
    swarmState === "active true" ? ((await run(["node", "ls", "-q"])) ?? "").split("\n").filter(Boolean) : [];
  const inspected =
    ids.length > 0 ? await run(["node", "inspect", "--format", "{{json .}}", ...ids]) : undefined;
  const nodes = (inspected ?? "")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .flatMap((l) => {
      const parsed = swarmNodeSchema.safeParse(JSON.parse(l));
      return parsed.success ? [parsed.data] : [];
    });
  return printFindings(
    swarmDoctorFindings({ swarmState, nodes, agentsWithRouteOut: agentsWithRouteOut(opts.dir) }),
    opts.json,
    io,
  );
}

export async function runDoctor(opts: DoctorOptions, io: CliIo): Promise<number> {
  const [{ execa }, { doctorFindings }, { hostRoutes }] = await Promise.all([
    import("execa"),
    import("../../lint/doctor.js"),
    import("../../lint/context.js"),
  ]);
  const run = async (cmd: string, args: string[]): Promise<string | undefined> => {
    const r = await execa(cmd, args, { reject: false, timeout: 15_000 }).catch(() => undefined);
    return r && r.exitCode === 0 ? String(r.stdout).trim() : undefined;
  };
  let pool = DEFAULT_POOL;
  try {
    const { loadFleet } = await import("../../config/load.js");
    pool = (await loadFleet(opts.dir)).mesh.egress.subnet_pool;
  } catch {
    // No or invalid fleet here: check the default pool (validate reports config problems).
  }
  const [engine, composeV1, composeV2, routes] = await Promise.all([
    run("docker", ["version", "--format", "{{.Server.Version}}"]),
    run("docker-compose", ["version", "--short"]),
    run("docker", ["compose", "version", "--short"]),
    hostRoutes(),
  ]);
  const bridgeNfIptables = await readFile("/proc/sys/net/bridge/bridge-nf-call-iptables", "utf8").catch(
    () => undefined,
  );
  const fs = await statfs(opts.dir).catch(() => undefined);
  const findings = doctorFindings({
    engine,
    composeV1,
    composeV2,
    bridgeNfIptables,
    subnetPool: pool,
    hostRoutes: routes,
    freeBytes: fs ? fs.bavail * fs.bsize : undefined,
  });
  return printFindings([...findings, ...(engine ? await placeFindings(opts.dir, io) : [])], opts.json, io);
}

/** The checks `up` makes before creating anything (docker/preflight.ts), for a rendered fleet here. */
async function placeFindings(dir: string, io: CliIo) {
  const [{ placeProblemsOf }, { DockerHost }, { projectName }] = await Promise.all([
    import("../../docker/preflight.js"),
    import("../../docker/host.js"),
    import("../../docker/project.js"),
  ]);
  try {
    const docker = await DockerHost.open(io.env);
    const project = projectName(dir, io.env);
    const { problems, mesh } = await placeProblemsOf(dir, project, await docker.containers(project), docker);
    return (["port", "pool"] as const).map((what) => {
      const p = problems.find((x) => x.what === what);
      const check = what === "port" ? "mesh-port" : "fleet-subnets";
      if (!p)
        return {
          check,
          status: "ok" as const,
          message:
            what === "port"
              ? `${mesh} is free or this fleet's`
              : "no other Docker network overlaps this fleet's subnets",
        };
      const [message = p.message, ...fix] = p.message.split(": ");
      return { check, status: "error" as const, message, fix: fix.join(": ") };
    });
  } catch {
    return []; // not rendered here, or Docker unreachable (reported above)
  }
}

export const doctorCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("doctor")
      .description("check Docker, Compose, kernel bridge filtering, subnet pool and disk")
      .argument("[dir]", "fleet directory", ".")
      .option("--json", "machine-readable report")
      .option(
        "--target <target>",
        "compose (this host, default) or swarm (the Swarm at DOCKER_HOST)",
        "compose",
      )
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`doctor: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const opts = { dir: resolve(io.cwd, dir), json: parsed.data.json };
        setExit(await (parsed.data.target === "swarm" ? runSwarmDoctor(opts, io) : runDoctor(opts, io)));
      });
  },
};
