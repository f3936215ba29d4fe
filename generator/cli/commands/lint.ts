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

const flagsSchema = z.strictObject({ json: z.boolean().default(false), strict: z.boolean().default(false) });

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
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`lint: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        setExit(await runLint({ dir: resolve(io.cwd, dir), ...parsed.data }, io));
      });
  },
};
