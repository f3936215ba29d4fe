import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { isOlError, type OlError } from "../../services/common/errors.js";
import { formatIssue, isConfigError } from "../config/errors.js";
import { packageVersion } from "../init/package-root.js";
import { agentCommand } from "./commands/agent.js";
import { backupCommand } from "./commands/backup.js";
import { buildCommand } from "./commands/build.js";
import { channelsCommand } from "./commands/channels.js";
import { chatCommand } from "./commands/chat.js";
import { costsCommand } from "./commands/costs.js";
import { dashboardCommand } from "./commands/dashboard.js";
import { doctorCommand } from "./commands/doctor.js";
import { downCommand } from "./commands/down.js";
import { initCommand } from "./commands/init.js";
import { lintCommand } from "./commands/lint.js";
import { logsCommand } from "./commands/logs.js";
import { mcpCommand } from "./commands/mcp.js";
import { planCommand } from "./commands/plan.js";
import { renderCommand } from "./commands/render.js";
import { replCommand } from "./commands/repl.js";
import { scheduleCommand } from "./commands/schedule.js";
import { statusCommand } from "./commands/status.js";
import { upCommand } from "./commands/up.js";
import { validateCommand } from "./commands/validate.js";
import { versionCommand } from "./commands/version.js";
import { webhookCommand } from "./commands/webhook.js";
import { workflowCommand } from "./commands/workflow.js";
import { type CliIo, type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./io.js";

/** Every command, in `--help` order. Explicit on purpose: no registration by import side effect. */
export const COMMANDS: readonly CommandModule[] = [
  initCommand,
  validateCommand,
  renderCommand,
  lintCommand,
  planCommand,
  buildCommand,
  upCommand,
  downCommand,
  backupCommand,
  statusCommand,
  chatCommand,
  replCommand,
  costsCommand,
  dashboardCommand,
  logsCommand,
  doctorCommand,
  agentCommand,
  channelsCommand,
  mcpCommand,
  workflowCommand,
  webhookCommand,
  scheduleCommand,
  versionCommand,
];

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("openlegion")
    .description("Fleets of autonomous AI agents, compiled into one hardened docker-compose file.")
    .version(packageVersion(), "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .option("--no-color", "no colour (also off when NO_COLOR is set or output is not a terminal)")
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run `openlegion --help` for usage)");
  for (const command of COMMANDS) command.register(program, io, setExit);
  return program;
}

/** The whole CLI as a function: argv without `node` and the script, all I/O through `io`. */
export async function main(argv: readonly string[], given: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const setExit = (code: number) => {
    exitCode = code;
  };
  // A global flag, read before commander so every command sees it wherever it is written.
  const noColor = argv.includes("--no-color");
  const args = argv.filter((a) => a !== "--no-color");
  const io = noColor ? { ...given, noColor } : given;
  try {
    await buildProgram(io, setExit).parseAsync(args, { from: "user" });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

/** 2 for configuration and usage errors, 1 for everything else (ARCHITECTURE.md §9). */
export function exitCodeOf(error: OlError): number {
  const explicit = error.details?.exitCode;
  if (explicit === EXIT_USAGE || explicit === EXIT_FAILURE) return explicit;
  return error.status >= 400 && error.status < 500 ? EXIT_USAGE : EXIT_FAILURE;
}

function reportError(error: unknown, io: CliIo): number {
  // commander already printed its message (unknown command, bad flag) or the help text.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (isConfigError(error)) {
    for (const issue of error.issues) io.stderr(`${formatIssue(issue)}\n`);
    const count = error.issues.length;
    io.stderr(
      `openlegion: ${count} problem${count === 1 ? "" : "s"} in the fleet config; nothing was written\n`,
    );
    return EXIT_USAGE;
  }
  if (isOlError(error)) {
    io.stderr(`openlegion: ${error.message}\n`);
    return exitCodeOf(error);
  }
  if (error instanceof Error && error.name === "ExitPromptError") {
    io.stderr("openlegion: cancelled; nothing was written\n");
    return EXIT_FAILURE;
  }
  io.stderr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILURE;
}

/** True when this module is the program: run directly, or imported by bin/openlegion.js. */
function isEntry(script: string | undefined): boolean {
  if (!script) return false;
  try {
    const real = realpathSync(script);
    const self = fileURLToPath(import.meta.url);
    return real === self || real === join(dirname(self), "../../../bin/openlegion.js");
  } catch {
    return false;
  }
}

if (isEntry(process.argv[1])) {
  const io: CliIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    now: () => new Date(),
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
