import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const workflowCommand: CommandModule = {
  register(program, io, setExit) {
    const workflow = program.command("workflow").description("run and inspect workflows");
    workflow
      .command("run")
      .description("start a workflow run")
      .argument("<name>", "workflow name")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--input <key=value...>", "workflow input (repeatable)")
      .option("--wait", "wait for the run to finish and print its result")
      .action(() => notYetAvailable(io, setExit, "workflow run"));
    workflow
      .command("list")
      .description("list workflows and their recent runs")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--json", "machine-readable list")
      .action(() => notYetAvailable(io, setExit, "workflow list"));
    workflow
      .command("show")
      .description("show a workflow run step by step")
      .argument("<run>", "run id")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--json", "machine-readable run")
      .action(() => notYetAvailable(io, setExit, "workflow show"));
  },
};
