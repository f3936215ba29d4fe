import { join, resolve } from "node:path";
import { z } from "zod";
import { type CliIo, type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

/** `openlegion plan [dir] [--json]`: what render + up would change, security-relevant first. Writes nothing. */
export interface PlanOptions {
  dir: string;
  json: boolean;
}

const flagsSchema = z.strictObject({ json: z.boolean().default(false) });

export async function runPlan(opts: PlanOptions, io: CliIo): Promise<number> {
  const [
    { loadFleet },
    { compile },
    disk,
    { parseRendered },
    { subnetsOf, topSlotOf },
    { planChanges },
    { packageVersion },
  ] = await Promise.all([
    import("../../config/load.js"),
    import("../../render/compile.js"),
    import("../../render/disk.js"),
    import("../../render/serialize.js"),
    import("../../render/run.js"),
    import("../../render/plan.js"),
    import("../../init/package-root.js"),
  ]);
  const fleet = await loadFleet(opts.dir, { requireEnv: true });
  const text = await disk.readIfExists(join(opts.dir, "docker-compose.yml"));
  const model = compile(fleet, {
    toolVersion: packageVersion(),
    previousSubnets: subnetsOf(text),
    previousTopSlot: topSlotOf(text),
  });
  const json = async (rel: string) => {
    const raw = await disk.readIfExists(join(opts.dir, rel));
    try {
      return raw === undefined ? undefined : (JSON.parse(raw) as unknown);
    } catch {
      return undefined;
    }
  };
  const current = {
    compose: text === undefined ? {} : parseRendered(text),
    proxy: await json("compose/egress-proxy/config.json"),
    mesh: await json("compose/mesh/config.json"),
  };
  const next = {
    compose: model.compose,
    proxy: JSON.parse(model.files.get("compose/egress-proxy/config.json")!) as unknown,
    mesh: JSON.parse(model.files.get("compose/mesh/config.json")!) as unknown,
  };
  const changes = planChanges(current, next);
  if (opts.json) {
    io.stdout(`${JSON.stringify({ rendered: text !== undefined, changes }, null, 2)}\n`);
    return EXIT_OK;
  }
  if (text === undefined) io.stdout("nothing rendered yet: everything below is new\n");
  if (changes.length === 0) io.stdout("✓ no changes: docker-compose.yml matches the config\n");
  const security = changes.filter((c) => c.security);
  if (security.length > 0) io.stdout(`Security-relevant (${security.length}):\n`);
  for (const c of security) io.stdout(`  ! ${c.target}: ${c.detail}\n`);
  const other = changes.filter((c) => !c.security);
  if (other.length > 0) io.stdout(`Other (${other.length}):\n`);
  for (const c of other) io.stdout(`  ~ ${c.target}: ${c.detail}\n`);
  if (changes.length > 0) io.stdout(`apply: openlegion up${await composeAlternative(io)}\n`);
  return EXIT_OK;
}

/** The same by hand, with the Compose this host has (none found: only `openlegion up`, which says why). */
async function composeAlternative(io: CliIo): Promise<string> {
  const [{ detectCompose }, { execaExec }] = await Promise.all([
    import("../../docker/compose.js"),
    import("../../docker/exec.js"),
  ]);
  const cli = await detectCompose(execaExec, io.env).catch(() => undefined);
  return cli ? ` (or: openlegion render && ${cli.command.join(" ")} up -d --remove-orphans)` : "";
}

export const planCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("plan")
      .description("show what render and up would change, security-relevant changes first")
      .argument("[dir]", "fleet directory", ".")
      .option("--json", "machine-readable plan")
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`plan: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        setExit(await runPlan({ dir: resolve(io.cwd, dir), json: parsed.data.json }, io));
      });
  },
};
