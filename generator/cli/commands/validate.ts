import { join, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import type { ConfigIssue } from "../../config/errors.js";
import { type CliIo, type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../io.js";

/** `openlegion validate [dir] [--json]`: config only; reads, never writes. */
export interface ValidateOptions {
  /** Absolute fleet directory. */
  dir: string;
  json: boolean;
}

/** Human output prints at most this many issue lines, then a count of the rest. */
export const MAX_PRINTED_ISSUES = 200;

const flagsSchema = z.strictObject({ json: z.boolean().default(false) });

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export interface ValidateJson {
  ok: boolean;
  issues: ConfigIssue[];
  agents: Array<{ id: string; role: string; model: string }>;
  workflows: string[];
}

/** Loads the fleet and reports; returns the exit code (0 valid, 2 invalid config, 1 anything else). */
export async function runValidate(opts: ValidateOptions, io: CliIo): Promise<number> {
  const { loadFleet } = await import("../../config/load.js");
  const { ConfigError, formatIssue, isConfigError } = await import("../../config/errors.js");
  const { dryRunRender } = await import("../../render/dry-run.js");
  const { readIfExistsSync } = await import("../../render/disk.js");
  const { COMPOSE_FILE, subnetsOf } = await import("../../render/index.js");
  try {
    const fleet = await loadFleet(opts.dir);
    // What render and the mesh would refuse is a config problem too (exit 2), not a surprise at `up`.
    const dry = dryRunRender(fleet, subnetsOf(readIfExistsSync(join(opts.dir, COMPOSE_FILE))));
    if (dry.issues.length > 0) throw new ConfigError(dry.issues);
    if (!dry.credentialsChecked && !opts.json)
      io.stderr("note: no .env in the fleet directory, so its credentials were not checked\n");
    if (opts.json) {
      const out: ValidateJson = {
        ok: true,
        issues: [],
        agents: fleet.agents.map((a) => ({ id: a.id, role: a.role, model: a.model })),
        workflows: fleet.workflows.map((w) => w.name),
      };
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      const parts = [plural(fleet.agents.length, "agent"), plural(fleet.workflows.length, "workflow")];
      if (fleet.watchers.length > 0) parts.push(plural(fleet.watchers.length, "watcher"));
      io.stdout(`✓ fleet valid: ${parts.join(", ")}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    if (!isConfigError(error)) {
      io.stderr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return EXIT_FAILURE;
    }
    if (opts.json) {
      const out: ValidateJson = { ok: false, issues: error.issues, agents: [], workflows: [] };
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT_USAGE;
    }
    const shown = error.issues.slice(0, MAX_PRINTED_ISSUES);
    const lines = shown.map((issue) => formatIssue(issue));
    const hidden = error.issues.length - shown.length;
    if (hidden > 0) lines.push(`… and ${plural(hidden, "more problem")}`);
    lines.push(`✗ fleet config invalid: ${plural(error.issues.length, "problem")}`);
    io.stderr(`${lines.join("\n")}\n`);
    return EXIT_USAGE;
  }
}

export const validateCommand: CommandModule = {
  register(program: Command, io: CliIo, setExit: (code: number) => void): void {
    program
      .command("validate")
      .description(
        "check the fleet config (agents, permissions, mesh, workflows, watchers, .env); writes nothing",
      )
      .argument("[dir]", "fleet directory", ".")
      .option("--json", "print the result as JSON")
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`validate: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        setExit(await runValidate({ dir: resolve(io.cwd, dir), json: parsed.data.json }, io));
      });
  },
};
