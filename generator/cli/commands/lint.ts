import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const lintCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("lint")
      .description("check the compose file against security rules")
      .argument("[dir]", "fleet directory", ".")
      .option("--json", "machine-readable findings")
      .action(() => notYetAvailable(io, setExit, "lint"));
  },
};
