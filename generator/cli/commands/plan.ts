import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const planCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("plan")
      .description("show what render and up would change")
      .argument("[dir]", "fleet directory", ".")
      .option("--json", "machine-readable plan")
      .action(() => notYetAvailable(io, setExit, "plan"));
  },
};
