import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const costsCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("costs")
      .description("show LLM spend per agent against budget")
      .argument("[dir]", "fleet directory", ".")
      .option("--period <period>", "today, month or all", "today")
      .option("--json", "machine-readable costs")
      .action(() => notYetAvailable(io, setExit, "costs"));
  },
};
