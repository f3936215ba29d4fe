import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const downCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("down")
      .alias("stop")
      .description("stop the fleet (data volumes are kept)")
      .argument("[dir]", "fleet directory", ".")
      .action(() => notYetAvailable(io, setExit, "down"));
  },
};
