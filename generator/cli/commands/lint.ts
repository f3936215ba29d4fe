import { resolve } from "node:path";
import { z } from "zod";
import { type CliIo, type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../io.js";

/** `openlegion lint [dir] [--json] [--strict]`: checks the rendered file on disk; writes nothing. */
export interface LintOptions {
  dir: string;
  json: boolean;
  /** Warnings fail too, and strict-only rules (OL002) run. */
  strict: boolean;
}

const flagsSchema = z.strictObject({
  json: z.boolean().default(false),
  strict: z.boolean().default(false),
  target: z.enum(["compose", "swarm"]).default("compose"),
});

/**
 * `lint --target swarm`: docker-stack.yml against the Compose Specification schema, plus the
 * single-host hardening Swarm cannot express and how the stack compensates (printed, not failed).
 */
export async function runSwarmLint(opts: LintOptions, io: CliIo): Promise<number> {
  const [{ readFile }, { parse }, { schemaFindings }, { SWARM_GAPS }, { STACK_FILE }] = await Promise.all([
    import("node:fs/promises"),
    import("yaml"),
    import("../../lint/schemas.js"),
    import("../../render/swarm/gaps.js"),
    import("../../render/outputs.js"),
  ]);
  const text = await readFile(`${opts.dir}/${STACK_FILE}`, "utf8").catch(() => undefined);
  if (text === undefined) {
    io.stderr(`lint: no ${STACK_FILE} in ${opts.dir}: run openlegion render --target swarm\n`);
    return EXIT_FAILURE;
  }
  const findings = schemaFindings("spec", parse(text, { version: "1.1" }));
  if (opts.json) {
    io.stdout(
      `${JSON.stringify({ ok: findings.length === 0, findings, swarm_gaps: SWARM_GAPS }, null, 2)}\n`,
    );
  } else {
    for (const f of findings) io.stdout(`${f.severity} ${f.rule} ${f.path}: ${f.message}\n  fix: ${f.fix}\n`);
    io.stdout("Swarm cannot express this single-host hardening; the stack compensates:\n");
    for (const g of SWARM_GAPS) io.stdout(`  - ${g.setting}: ${g.lost}\n    instead: ${g.compensation}\n`);
    io.stdout(
      findings.length === 0 ? `✓ lint: ${STACK_FILE} valid\n` : `✗ lint: ${findings.length} error(s)\n`,
    );
  }
  return findings.length === 0 ? EXIT_OK : EXIT_FAILURE;
}

export async function runLint(opts: LintOptions, io: CliIo): Promise<number> {
  const [{ gatherContext }, { lint }] = await Promise.all([
    import("../../lint/context.js"),
    import("../../lint/lint.js"),
  ]);
  const findings = lint(await gatherContext(opts.dir, opts.strict));
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  const failed = errors > 0 || (opts.strict && warnings > 0);
  if (opts.json) {
    io.stdout(`${JSON.stringify({ ok: !failed, errors, warnings, findings }, null, 2)}\n`);
  } else {
    for (const f of findings) io.stdout(`${f.severity} ${f.rule} ${f.path}: ${f.message}\n  fix: ${f.fix}\n`);
    io.stdout(
      findings.length === 0
        ? "✓ lint: no findings\n"
        : `${failed ? "✗" : "!"} lint: ${errors} error(s), ${warnings} warning(s)\n`,
    );
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
}

export const lintCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("lint")
      .description("check docker-compose.yml against both Compose schemas and the fleet's security rules")
      .argument("[dir]", "fleet directory", ".")
      .option("--json", "machine-readable findings")
      .option(
        "--strict",
        "also fail on warnings and run strict-only rules (e.g. every agent states a budget)",
      )
      .option(
        "--target <target>",
        "compose (docker-compose.yml, default) or swarm (docker-stack.yml)",
        "compose",
      )
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`lint: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const { target, ...rest } = parsed.data;
        const opts = { dir: resolve(io.cwd, dir), ...rest };
        setExit(await (target === "swarm" ? runSwarmLint(opts, io) : runLint(opts, io)));
      });
  },
};
