import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const doctorCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("doctor")
      .description("check Node, Docker, Compose and the fleet")
      .argument("[dir]", "fleet directory", ".")
      .option("--json", "machine-readable report")
      .action(() => notYetAvailable(io, setExit, "doctor"));
  },
};
